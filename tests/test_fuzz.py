"""Property-based fuzzing of the live HTTP API with schemathesis, from the server's own /openapi.json.

A real `bestroute serve` (uvicorn) answers every generated request; models are served by the fake
upstream. For every operation in the schema, valid (positive) and invalid (negative) requests are
generated; every response must be documented for its status, match its documented schema and
content type, and no request may produce a 5xx.

schemathesis' pytest plugin (`schemathesis.pytest.from_fixture`) does not run under pytest 9 (it
reads ``Function._nodeid``), so each operation's strategy drives a plain Hypothesis test here.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests.support.stack import Service, Upstream

#: total generated requests must reach this (the issue asks for at least 1,000)
MIN_REQUESTS = 1000
# A schema-valid request can still be refused by design, with a documented 422: names that are not in
# the catalog, constraints that exclude every model, a task that is only whitespace. So "valid data
# is accepted" is not a property of this API; every other built-in check runs (no 5xx, status
# documented, body and headers matching the schema, content type, invalid data rejected, ...).
EXCLUDED = [positive_data_acceptance]
EXAMPLES = {GenerationMode.POSITIVE: 150, GenerationMode.NEGATIVE: 100}


@pytest.fixture(scope="module")
def service(upstream: Upstream) -> Iterator[Service]:
    svc = Service(upstream.url, extra_env={"BESTROUTE_PROVIDER_TIMEOUT_S": "2.0",
                                           "BESTROUTE_CIRCUIT_FAILURES": "1000000"}).start()
    yield svc
    svc.stop()


def test_fuzz_every_operation(service: Service, upstream: Upstream) -> None:
    upstream.reset()
    schema = schemathesis.openapi.from_url(f"{service.url}/openapi.json")
    operations = [r.ok() for r in schema.get_all_operations()]
    # admin operations last: creating a key switches the other routes from open mode to keys required
    operations.sort(key=lambda op: op.path.startswith("/v1/admin"))
    assert len(operations) >= 8, [op.label for op in operations]
    sent: Counter[str] = Counter()
    statuses: Counter[int] = Counter()
    failures: dict[str, str] = {}
    nothing_to_negate: list[str] = []
    session = requests.Session()
    started = time.monotonic()
    for op in operations:
        headers = {"authorization": f"Bearer {service.admin_key}"} if op.path.startswith("/v1/admin") else None
        for mode, n in EXAMPLES.items():
            label = f"{op.label} [{mode.value}]"
            try:
                _fuzz(op, mode, n, service.url, session, headers, label, sent, statuses)()
            except Unsatisfiable:
                nothing_to_negate.append(label)  # no parameters or body: nothing invalid to send
            except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 - all operations run; failures reported together
                failures[label] = f"{type(exc).__name__}: {str(exc)[:1500]}"
    # keys exist now (the admin operations created some): every non-admin operation must answer a
    # caller without a key with a documented 401 problem, whatever else the request holds
    for op in operations:
        if op.path.startswith("/v1/") and not op.path.startswith("/v1/admin"):
            label = f"{op.label} [no key]"
            try:
                _fuzz(op, GenerationMode.POSITIVE, 25, service.url, session, None, label, sent, statuses,
                      expect=401)()
            except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001
                failures[label] = f"{type(exc).__name__}: {str(exc)[:1500]}"
    took = time.monotonic() - started
    total = sum(sent.values())
    print(f"\nfuzz: {total} requests in {took:.1f}s; statuses {dict(sorted(statuses.items()))}")
    for label, n in sent.items():
        print(f"  {n:4d} {label}")
    print(f"  (no invalid input possible: {', '.join(nothing_to_negate)})")
    assert all(label.endswith("[negative]") for label in nothing_to_negate), nothing_to_negate
    assert not failures, "\n\n".join(f"{k}\n{v}" for k, v in failures.items())
    assert total >= MIN_REQUESTS, dict(sent)
    assert not any(s >= 500 for s in statuses), statuses


def _fuzz(op, mode: GenerationMode, n: int, base_url: str, session: requests.Session,
          headers: dict[str, str] | None, label: str, sent: Counter[str], statuses: Counter[int],
          expect: int | None = None):
    @given(case=op.as_strategy(generation_mode=mode))
    @settings(max_examples=n, deadline=None, derandomize=True, database=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    def check(case) -> None:
        response = case.call(base_url=base_url, session=session, headers=headers, timeout=30)
        sent[label] += 1
        statuses[response.status_code] += 1
        assert response.status_code < 500, f"{response.status_code}: {response.text[:500]}"
        if expect is not None:
            assert response.status_code == expect, f"{response.status_code}: {response.text[:500]}"
        case.validate_response(response, headers=headers, excluded_checks=EXCLUDED)

    return check
