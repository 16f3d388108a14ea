"""Fault injection through the fake upstream and closed ports, against a real `bestroute serve`.

The promise: if any eligible model can answer, the request is answered, and the receipt lists every
attempt; if none can, the 502/504 problem lists them. tests/test_route_e2e.py covers each fault on the
Anthropic wire format with one fallback; here: the same faults on the OpenAI wire format, connection
refused (a provider's base URL at a closed port, set three ways: environment, the config file's
`providers:` entry, a config `models:` entry on the Anthropic format), every attempt failing in
different ways, streams that break on the Anthropic format, and that a failed request never keeps
budget held.
"""

from __future__ import annotations

import json
import socket
import sqlite3
import textwrap
import time
from collections.abc import Iterator

import httpx
import pytest

from tests.support.stack import Service, Upstream

OPUS, SONNET, HAIKU = "anthropic/claude-opus-4-5", "anthropic/claude-sonnet-4-5", "anthropic/claude-haiku-4-5"
GPT5, MINI, NANO, GPT4O_MINI = "openai/gpt-5", "openai/gpt-5-mini", "openai/gpt-5-nano", "openai/gpt-4o-mini"
DEEPSEEK, MISTRAL_SMALL = "deepseek/deepseek-chat", "mistral/mistral-small-latest"
REFUSED = (HAIKU, DEEPSEEK, MISTRAL_SMALL)  # each pointed at a closed port, each in its own way
TASK = "Write a Python function that merges two sorted lists."


def closed_port() -> int:
    """A port nothing listens on: connecting to it is refused at once."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


BOTH_CLIENTS = True


@pytest.fixture(scope="module")
def service(upstream: Upstream, upstream_client: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    config = tmp_path_factory.mktemp("faults") / "bestroute.yaml"
    config.write_text(textwrap.dedent(f"""\
        providers:
          deepseek:
            api_key: sk-from-config-file
            api_base: http://127.0.0.1:{closed_port()}/v1
        models:
          - id: {HAIKU}
            api_base: http://127.0.0.1:{closed_port()}
        """))
    svc = Service(upstream.url, extra_env={
        "BESTROUTE_CONFIG": str(config),
        # the config file's deepseek entry applies only when the environment does not set one
        "DEEPSEEK_API_KEY": "", "DEEPSEEK_BASE_URL": "",
        "MISTRAL_BASE_URL": f"http://127.0.0.1:{closed_port()}/v1",
        "BESTROUTE_PROVIDER_TIMEOUT_S": "1.0", "BESTROUTE_CIRCUIT_FAILURES": "1000",
        "BESTROUTE_UPSTREAM_CLIENT": upstream_client,
    }).start()
    yield svc
    svc.stop()


@pytest.fixture(autouse=True)
def no_faults_left(upstream: Upstream) -> Iterator[None]:
    upstream.reset()
    yield
    upstream.reset()


def route(client: httpx.Client, **body) -> httpx.Response:
    body.setdefault("task", TASK)
    body.setdefault("task_type", "code")
    body.setdefault("strategy", "best")
    return client.post("/v1/route", json=body)


def ranked(client: httpx.Client, models: list[str], **body) -> list[str]:
    """The order in which the router would try ``models`` (a dry run of the same request)."""
    body.setdefault("constraints", {"allowed_models": models})
    r = route(client, dry_run=True, **body)
    assert r.status_code == 200, r.text
    return [c["model"] for c in r.json()["receipt"]["candidates"]]


def usage_row(service: Service, request_id: str) -> dict:
    row = service.usage_row(request_id, wait_s=0)  # committed before the answer: no waiting
    assert row is not None, request_id
    return row


def last_usage_row(service: Service) -> dict:
    conn = sqlite3.connect(service.data_dir / "bestroute.db")
    conn.row_factory = sqlite3.Row
    try:
        return dict(conn.execute("SELECT * FROM usage ORDER BY created_at DESC LIMIT 1").fetchone())
    finally:
        conn.close()


# --- connection refused -----------------------------------------------------------------------------
@pytest.mark.parametrize("refused", REFUSED)
def test_connection_refused_falls_back(client: httpx.Client, service: Service, refused: str) -> None:
    partner = GPT4O_MINI  # weaker at code than each refused model, so tried second under `best`
    assert ranked(client, [refused, partner]) == [refused, partner]
    r = route(client, constraints={"allowed_models": [refused, partner]})
    assert r.status_code == 200, r.text
    b = r.json()
    assert b["model"] == partner and b["fallback_used"] is True
    first, second = b["receipt"]["attempts"]
    assert first["model"] == refused and first["status"] == "error" and first["error_type"] == "server_error"
    assert "connect" in first["detail"].lower(), first
    assert second["model"] == partner and second["status"] == "ok"
    assert usage_row(service, b["id"])["attempts"] == 2


def test_every_provider_refusing_is_a_502_listing_each_attempt(client: httpx.Client, service: Service) -> None:
    r = route(client, constraints={"allowed_models": list(REFUSED)})
    assert r.status_code == 502, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    p = r.json()
    assert p["type"] == "/problems/all-attempts-failed" and p["status"] == 502
    assert sorted(a["model"] for a in p["attempts"]) == sorted(REFUSED)
    assert all(a["status"] == "error" and a["error_type"] == "server_error" for a in p["attempts"])
    assert "all 3 attempts failed" in p["detail"]
    row = last_usage_row(service)
    assert row["status"] == "error" and row["http_status"] == 502 and row["attempts"] == 3


def test_models_endpoint_still_lists_refusing_providers_as_available(client: httpx.Client) -> None:
    # credentials are set, so they are available; only the circuit breaker may take them out
    models = {m["id"]: m for m in client.get("/v1/models").json()["data"]}
    assert all(models[m]["available"] for m in REFUSED)


# --- every fault on the OpenAI wire format ------------------------------------------------------------
OPENAI_FAULTS = [
    ({"mode": "error", "status": 500}, "server_error"),
    ({"mode": "error", "status": 503}, "server_error"),
    ({"mode": "rate_limit", "retry_after": 7}, "rate_limited"),
    ({"mode": "stall", "delay_s": 3}, "timeout"),
    ({"mode": "garbage"}, "bad_response"),
    ({"mode": "wrong_content_type"}, "bad_response"),
    ({"mode": "shape"}, "bad_response"),
]


@pytest.mark.parametrize(("fault", "error_type"), OPENAI_FAULTS, ids=[f["mode"] + str(f.get("status", ""))
                                                                       for f, _ in OPENAI_FAULTS])
def test_openai_format_fault_falls_back_to_anthropic(client: httpx.Client, upstream: Upstream, service: Service,
                                                     fault: dict, error_type: str) -> None:
    first, partner = ranked(client, [GPT5, SONNET])
    assert first == GPT5
    upstream.control(model=first.split("/")[1], **fault)
    r = route(client, constraints={"allowed_models": [GPT5, SONNET]})
    assert r.status_code == 200, r.text
    b = r.json()
    assert b["model"] == partner and b["fallback_used"] is True
    assert b["answer"].startswith(f"[{partner.split('/')[1]}]")
    failed, ok = b["receipt"]["attempts"]
    assert (failed["model"], failed["status"], failed["error_type"]) == (first, "error", error_type), failed
    assert failed["detail"] and ok["model"] == partner and ok["status"] == "ok"
    if fault["mode"] == "stall":
        assert 900 <= failed["latency_ms"] < 2500  # the provider timeout (1 s) cut it, not the 3 s stall
    assert first in b["receipt"]["reason"] and "fell back" in b["receipt"]["reason"]
    assert usage_row(service, b["id"])["fallback_used"] == 1


def test_context_window_error_skips_to_a_larger_context(client: httpx.Client, upstream: Upstream) -> None:
    # gpt-5-mini (272k) says the prompt is too long: claude-opus-4-5 (200k) cannot help, gpt-4.1 (1M) can
    three = [MINI, OPUS, "openai/gpt-4.1"]
    order = ranked(client, three, strategy="cheapest")
    assert order.index(MINI) < order.index("openai/gpt-4.1"), order
    upstream.control(model="gpt-5-mini", mode="context_window")
    upstream.control(model="claude-opus-4-5", mode="error", status=500)  # must never be reached after mini
    r = route(client, strategy="cheapest", constraints={"allowed_models": three})
    assert r.status_code == 200, r.text
    attempts = [(a["model"], a["error_type"]) for a in r.json()["receipt"]["attempts"]]
    tried = [a for a in attempts if a[0] != OPUS or order.index(OPUS) < order.index(MINI)]
    assert tried[-2:] == [(MINI, "context_window"), ("openai/gpt-4.1", None)], attempts
    assert r.json()["model"] == "openai/gpt-4.1"


# --- every attempt failing ----------------------------------------------------------------------------
def test_each_attempt_failing_differently_is_listed_in_order(client: httpx.Client, upstream: Upstream) -> None:
    three = [OPUS, MINI, NANO]
    order = ranked(client, three)
    faults = {OPUS: ({"mode": "error", "status": 503}, "server_error"),
              MINI: ({"mode": "rate_limit", "retry_after": 3}, "rate_limited"),
              NANO: ({"mode": "garbage"}, "bad_response")}
    for model, (fault, _) in faults.items():
        upstream.control(model=model.split("/")[1], **fault)
    r = route(client, constraints={"allowed_models": three})
    assert r.status_code == 502, r.text
    p = r.json()
    assert [a["model"] for a in p["attempts"]] == order
    assert [a["error_type"] for a in p["attempts"]] == [faults[m][1] for m in order]
    assert all(a["detail"] and a["latency_ms"] >= 0 for a in p["attempts"])
    assert p["detail"].startswith("all 3 attempts failed")


def test_every_attempt_timing_out_without_a_deadline_is_502(client: httpx.Client, upstream: Upstream) -> None:
    upstream.control(model="*", mode="stall", delay_s=3)
    started = time.monotonic()
    r = route(client, constraints={"allowed_models": [OPUS, MINI]})
    took = time.monotonic() - started
    assert r.status_code == 502, r.text
    attempts = r.json()["attempts"]
    assert [a["error_type"] for a in attempts] == ["timeout", "timeout"]
    assert took < 3.0  # two 1 s provider timeouts, never the 3 s stall


def test_bad_credentials_everywhere_is_502_and_each_provider_tried_once(client: httpx.Client,
                                                                        upstream: Upstream) -> None:
    upstream.control(model="*", mode="auth")
    r = route(client, constraints={"allowed_models": [OPUS, SONNET, GPT5, MINI]})
    assert r.status_code == 502, r.text
    attempts = r.json()["attempts"]
    assert [a["error_type"] for a in attempts] == ["auth", "auth"]
    assert {a["model"].split("/")[0] for a in attempts} == {"anthropic", "openai"}


def test_attempts_are_capped_and_the_rest_never_called(client: httpx.Client, upstream: Upstream) -> None:
    upstream.control(model="*", mode="error", status=500)
    five = [OPUS, SONNET, GPT5, MINI, NANO]
    r = route(client, constraints={"allowed_models": five})
    assert r.status_code == 502
    tried = [a["model"] for a in r.json()["attempts"]]
    assert tried == ranked(client, five)[:3]  # BESTROUTE_MAX_ATTEMPTS defaults to 3
    assert sum(upstream.calls().values()) == 3


def test_deadline_with_a_healthy_fallback_answers_in_time(client: httpx.Client, upstream: Upstream) -> None:
    # the first choice stalls; the deadline leaves room for the fallback, which answers
    fast = ["openai/gpt-4.1", GPT4O_MINI]
    order = ranked(client, fast, max_output_tokens=50, constraints={"allowed_models": fast, "max_latency_ms": 3000})
    upstream.control(model=order[0].split("/")[1], mode="stall", delay_s=5)
    r = route(client, max_output_tokens=50, constraints={"allowed_models": fast, "max_latency_ms": 3000})
    assert r.status_code == 200, r.text
    b = r.json()
    assert b["model"] == order[1] and b["latency_ms"] < 3000
    assert b["receipt"]["attempts"][0]["error_type"] == "timeout"


def test_chat_completions_all_failing_is_502_with_attempts(service: Service, upstream: Upstream) -> None:
    upstream.control(model="*", mode="error", status=503)
    r = httpx.post(f"{service.url}/v1/chat/completions", timeout=30, json={
        "model": MINI, "messages": [{"role": "user", "content": TASK}],
        "bestroute": {"allowed_models": [MINI, OPUS]}})
    assert r.status_code == 502 and r.headers["content-type"].startswith("application/problem+json")
    body = r.json()
    assert [a["model"] for a in body["attempts"]] == [MINI, OPUS]
    assert body["error"]["code"] == "all-attempts-failed"


# --- streams on the Anthropic wire format --------------------------------------------------------------
def _stream(service: Service, model: str, allowed: list[str]) -> tuple[list[dict], httpx.Response]:
    events = []
    with httpx.stream("POST", f"{service.url}/v1/chat/completions", timeout=30, json={
            "model": model, "messages": [{"role": "user", "content": TASK}], "stream": True,
            "bestroute": {"allowed_models": allowed}}) as r:
        if r.status_code != 200:
            r.read()
            return [], r
        for line in r.iter_lines():
            if line.startswith("data: ") and line != "data: [DONE]":
                events.append(json.loads(line[6:]))
    return events, r


def test_anthropic_stream_cut_mid_way_is_continued(service: Service, upstream: Upstream) -> None:
    upstream.control(model="claude-opus-4-5", mode="cut")
    events, r = _stream(service, OPUS, [OPUS, MINI])
    assert r.status_code == 200
    assert "error" not in events[-1], events[-1]
    final = events[-1]["bestroute"]
    text = "".join(e["choices"][0]["delta"].get("content") or "" for e in events if e.get("choices"))
    assert final["model"] == MINI and final["answer"] == text
    opus, mini = final["receipt"]["attempts"]
    assert opus["model"] == OPUS and opus["status"] == "error"
    assert mini["model"] == MINI and mini["status"] == "ok"
    if final["receipt"]["stream"]["continued"]:
        # text had reached the client: it stays, and gpt-5-mini continues after it
        assert "broke after" in opus["detail"]
        assert text.startswith("[claude-opus-4-5]") and "[gpt-5-mini]" in text
    else:
        # the connection was reset before any text got through: an invisible fallback
        assert text.startswith("[gpt-5-mini]")


@pytest.mark.parametrize("fault", [{"mode": "rate_limit", "retry_after": 2}, {"mode": "error", "status": 529},
                                   {"mode": "wrong_content_type"}])
def test_anthropic_stream_failing_before_text_falls_back_invisibly(service: Service, upstream: Upstream,
                                                                   fault: dict) -> None:
    upstream.control(model="claude-opus-4-5", **fault)
    events, r = _stream(service, OPUS, [OPUS, MINI])
    assert r.status_code == 200 and r.headers["x-bestroute-model"] == MINI
    assert {e["model"] for e in events if e.get("choices")} == {MINI}
    final = events[-1]["bestroute"]
    assert [(a["model"], a["status"]) for a in final["receipt"]["attempts"]] == [(OPUS, "error"), (MINI, "ok")]


def test_stream_with_every_provider_refusing_is_a_plain_502(service: Service) -> None:
    events, r = _stream(service, HAIKU, list(REFUSED))
    assert r.status_code == 502 and not events
    body = r.json()
    assert body["type"] == "/problems/all-attempts-failed" and len(body["attempts"]) == 3


# --- nothing overspent: a failed request leaves no budget held (last: creating a key ends open mode) ----
def test_failed_requests_release_their_budget_hold(service: Service, upstream: Upstream) -> None:
    key = service.create_key(name="faults", budget_usd=0.05)
    headers = {"authorization": f"Bearer {key['key']}"}
    with httpx.Client(base_url=service.url, headers=headers, timeout=30) as c:
        upstream.control(model="*", mode="error", status=500)
        for _ in range(3):
            assert route(c, constraints={"allowed_models": [OPUS, MINI]}).status_code == 502
        upstream.reset()
        budget = c.get("/v1/usage").json()["budget"]
        assert budget["held_usd"] == 0 and budget["spent_usd"] == 0, budget
        ok = route(c, constraints={"allowed_models": [MINI]})
        assert ok.status_code == 200, ok.text
        budget = c.get("/v1/usage").json()["budget"]
        assert budget["held_usd"] == 0
        assert budget["spent_usd"] == pytest.approx(ok.json()["cost_usd"], abs=1e-9)


def test_concurrent_fallbacks_never_overspend_a_budget(service: Service, upstream: Upstream) -> None:
    # every request's first choice fails, so each is answered by its fallback; 24 at once against a
    # budget that holds only a few worst cases: once the holds in flight leave too little for opus, a
    # request is routed to gpt-5-mini directly (or refused with 402 if another request took the money
    # between its decision and its hold), and spending never passes the budget
    pair = {"allowed_models": [OPUS, MINI]}
    key = service.create_key(name="overspend", budget_usd=1.0)  # resized below, once the hold is known
    h = {"authorization": f"Bearer {key['key']}"}
    dry = httpx.post(f"{service.url}/v1/route", headers=h, timeout=30, json={
        "task": TASK, "task_type": "code", "strategy": "best", "constraints": pair, "dry_run": True}).json()
    worst = max(c["est_cost_usd"] for c in dry["receipt"]["candidates"])
    budget = round(worst * 4.5, 6)
    key = service.create_key(name="overspend", budget_usd=budget)
    h = {"authorization": f"Bearer {key['key']}"}
    upstream.control(model="claude-opus-4-5", mode="error", status=500)
    body = {"task": TASK, "task_type": "code", "strategy": "best", "constraints": pair}
    with httpx.Client(base_url=service.url, headers=h, timeout=30) as c:
        from concurrent.futures import ThreadPoolExecutor
        with ThreadPoolExecutor(24) as pool:
            results = list(pool.map(lambda _: c.post("/v1/route", json=body), range(24)))
        statuses = sorted(r.status_code for r in results)
        answered = [r.json() for r in results if r.status_code == 200]
        assert set(statuses) <= {200, 402} and len(answered) >= 1, statuses
        for b in answered:
            over_budget = {e["model"] for e in b["receipt"]["excluded"] if "remaining monthly budget" in e["reason"]}
            assert b["model"] == MINI and (b["fallback_used"] or OPUS in over_budget), b["receipt"]
        assert any(b["fallback_used"] for b in answered)  # the first requests held opus's worst case
        spent = sum(b["cost_usd"] for b in answered)
        status = c.get("/v1/usage").json()["budget"]
    assert status["held_usd"] == 0
    assert status["spent_usd"] == pytest.approx(spent, abs=1e-9) and status["spent_usd"] <= budget
