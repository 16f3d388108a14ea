"""End to end: a real `bestroute serve` on 127.0.0.1 and the fake upstream, every test once with the
native client and once with litellm's real code path."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from bestroute.schemas import RouteResponse
from tests.support.stack import Service, Upstream

OPUS, SONNET, MINI, NANO = ("anthropic/claude-opus-4-5", "anthropic/claude-sonnet-4-5",
                            "openai/gpt-5-mini", "openai/gpt-5-nano")
PAIR = [OPUS, MINI]  # under `best` for code: opus first, gpt-5-mini second
BOTH_CLIENTS = True


@pytest.fixture(scope="module")
def service(upstream: Upstream, upstream_client: str) -> Iterator[Service]:
    svc = Service(upstream.url, extra_env={"BESTROUTE_PROVIDER_TIMEOUT_S": "2.0",
                                           "BESTROUTE_CIRCUIT_FAILURES": "1000",
                                           "BESTROUTE_UPSTREAM_CLIENT": upstream_client}).start()
    with httpx.Client(base_url=svc.url, timeout=60) as c:
        for model in PAIR:  # first calls load litellm's provider code: keep that out of the timeouts
            assert route(c, constraints={"allowed_models": [model]}).status_code == 200
    yield svc
    svc.stop()


def route(client: httpx.Client, **body) -> httpx.Response:
    body.setdefault("task", "Write a Python function that merges two sorted lists.")
    return client.post("/v1/route", json=body)


def test_route_answers_with_full_receipt(client: httpx.Client, service: Service) -> None:
    r = route(client, metadata={"team": "docs"})
    assert r.status_code == 200, r.text
    b = r.json()
    assert b["answer"].startswith(f"[{b['model'].split('/')[1]}]")
    assert b["provider"] == b["model"].split("/")[0]
    assert b["cost_usd"] > 0 and b["baseline_cost_usd"] >= b["cost_usd"]
    assert b["savings_usd"] == pytest.approx(b["baseline_cost_usd"] - b["cost_usd"])
    assert b["usage"]["input_tokens"] > 0 and b["usage"]["output_tokens"] > 0
    rc = b["receipt"]
    assert rc["chosen"] == b["model"] and rc["strategy"] == "balanced"
    assert rc["reason"] and b["model"] in rc["reason"]
    assert rc["attempts"] == [{"model": b["model"], "status": "ok", "error_type": None, "detail": None,
                               "latency_ms": rc["attempts"][0]["latency_ms"]}]
    assert {"model", "provider", "score", "quality", "est_cost_usd", "est_latency_ms"} <= rc["candidates"][0].keys()
    # no Gemini credentials in the test environment: excluded, with the reason
    gemini = [e for e in rc["excluded"] if e["model"].startswith("gemini/")]
    assert gemini and all(e["reason"] == "no credentials for provider gemini" for e in gemini)
    row = service.usage_rows()[b["id"]]
    assert row["status"] == "ok" and row["model"] == b["model"] and row["cost_usd"] == pytest.approx(b["cost_usd"])
    assert '"team":"docs"' in row["metadata"]
    # the route sends its body without re-validating it: it must be exactly RouteResponse's shape
    assert RouteResponse.model_validate(b).model_dump(mode="json", by_alias=True) == b


def test_calls_go_through_the_configured_client(client: httpx.Client, upstream: Upstream,
                                                upstream_client: str) -> None:
    for model in PAIR:  # one model of each wire format
        assert route(client, constraints={"allowed_models": [model]}).status_code == 200
    clients = upstream.clients()
    assert sum(clients.values()) == 2, clients
    if upstream_client == "native":
        assert clients == {"bestroute": 2}
    else:
        assert "bestroute" not in clients  # litellm's own HTTP clients made both calls


def test_strategies_choose_differently(client: httpx.Client) -> None:
    chosen = {}
    for strategy in ("cheapest", "best", "fastest", "balanced"):
        r = route(client, strategy=strategy, task_type="code", dry_run=True)
        assert r.status_code == 200, r.text
        chosen[strategy] = r.json()
    best = chosen["best"]["receipt"]["candidates"]
    assert chosen["best"]["model"] == max(best, key=lambda c: c["quality"])["model"]
    cheap = chosen["cheapest"]
    floor_ok = [c for c in cheap["receipt"]["candidates"] if c["quality"] >= 0.6]
    assert cheap["model"] == min(floor_ok, key=lambda c: c["est_cost_usd"])["model"]
    fast = chosen["fastest"]
    fast_ok = [c for c in fast["receipt"]["candidates"] if c["quality"] >= 0.6]
    assert fast["model"] == min(fast_ok, key=lambda c: c["est_latency_ms"])["model"]
    assert chosen["cheapest"]["estimated_cost_usd"] < chosen["best"]["estimated_cost_usd"]


@pytest.mark.parametrize(("constraints", "check"), [
    ({"allowed_providers": ["anthropic"]}, lambda e, m: m.startswith("anthropic/") or "allowed_providers" in e[m]),
    ({"blocked_providers": ["openai"]}, lambda e, m: not m.startswith("openai/") or "blocked_providers" in e[m]),
    ({"allowed_models": [NANO, MINI]}, lambda e, m: m in (NANO, MINI) or "allowed_models" in e[m]),
    ({"blocked_models": [OPUS]}, lambda e, m: m != OPUS or "blocked_models" in e[m]),
    ({"required_capabilities": ["vision"]}, lambda e, m: not m.startswith("deepseek/") or "vision" in e[m]),
    ({"max_cost_usd": 0.002}, lambda e, m: m not in (OPUS, SONNET) or "max_cost_usd" in e[m]),
    ({"max_latency_ms": 5000}, lambda e, m: m != "openai/gpt-5" or "max_latency_ms" in e[m]),
    ({"min_quality": 0.9}, lambda e, m: m != NANO or "min_quality" in e[m]),
])
def test_each_constraint_excludes_the_right_models(client: httpx.Client, constraints, check) -> None:
    r = route(client, constraints=constraints, task_type="code", dry_run=True)
    assert r.status_code == 200, r.text
    rc = r.json()["receipt"]
    excluded = {e["model"]: e["reason"] for e in rc["excluded"]}
    everything = excluded.keys() | {c["model"] for c in rc["candidates"]}
    assert len(everything) >= 12
    assert all(check(excluded, m) for m in everything)
    assert any(check(excluded, m) and m in excluded for m in everything)
    for c in rc["candidates"]:
        if "max_cost_usd" in constraints:
            assert c["est_cost_usd"] <= constraints["max_cost_usd"]
    assert rc["constraints"] == constraints


def test_context_window_exclusion(client: httpx.Client) -> None:
    doc = "lorem ipsum dolor " * 70_000  # ~315k tokens: only the 1M-context models fit
    r = route(client, task=doc + "\nSummarize the document.", dry_run=True)
    assert r.status_code == 200, r.text
    rc = r.json()["receipt"]
    reasons = {e["model"]: e["reason"] for e in rc["excluded"]}
    assert "context window 272,000 tokens is too small" in reasons[MINI]
    assert "context window 200,000 tokens is too small" in reasons[OPUS]
    # the 1M-context models: gpt-4.1, and Gemini's, which have no credentials in this test
    assert [c["model"] for c in rc["candidates"]] == ["openai/gpt-4.1"]
    assert reasons["gemini/gemini-2.5-pro"] == "no credentials for provider gemini"


@pytest.mark.parametrize("fault", [
    {"mode": "error", "status": 500},
    {"mode": "error", "status": 503},
    {"mode": "rate_limit", "retry_after": 1},
    {"mode": "stall", "delay_s": 6},
    {"mode": "garbage"},
    {"mode": "wrong_content_type"},
    {"mode": "shape"},
    {"mode": "context_window"},
])
def test_fallback_to_next_candidate(client: httpx.Client, upstream: Upstream, service: Service, fault) -> None:
    upstream.control(model="claude-opus-4-5", **fault)
    r = route(client, strategy="best", task_type="code", constraints={"allowed_models": PAIR})
    assert r.status_code == 200, r.text
    b = r.json()
    assert b["model"] == MINI and b["fallback_used"] is True
    first, second = b["receipt"]["attempts"]
    assert first["model"] == OPUS and first["status"] == "error" and first["error_type"]
    assert second == {**second, "model": MINI, "status": "ok"}
    assert "fell back" in b["receipt"]["reason"]
    expected = {"error": "server_error", "rate_limit": "rate_limited", "stall": "timeout",
                "context_window": "context_window"}.get(fault["mode"], "bad_response")
    assert first["error_type"] == expected, first
    row = service.usage_rows()[b["id"]]
    assert row["fallback_used"] == 1 and row["attempts"] == 2 and row["status"] == "ok"


def test_bad_credentials_skip_the_whole_provider(client: httpx.Client, upstream: Upstream) -> None:
    upstream.control(model="claude-opus-4-5", mode="auth")
    r = route(client, strategy="best", task_type="code",
              constraints={"allowed_models": [OPUS, SONNET, MINI]})
    assert r.status_code == 200, r.text
    attempts = r.json()["receipt"]["attempts"]
    assert [a["model"] for a in attempts] == [OPUS, MINI]  # sonnet skipped: same provider
    assert attempts[0]["error_type"] == "auth"


def test_every_attempt_failing_is_502_listing_attempts(client: httpx.Client, upstream: Upstream,
                                                       service: Service) -> None:
    upstream.control(model="*", mode="error", status=500)
    r = route(client, strategy="best", task_type="code", constraints={"allowed_models": PAIR})
    assert r.status_code == 502
    assert r.headers["content-type"].startswith("application/problem+json")
    p = r.json()
    assert p["type"] == "/problems/all-attempts-failed" and len(p["attempts"]) == 2
    assert [a["model"] for a in p["attempts"]] == PAIR
    failed = [row for row in service.usage_rows().values() if row["http_status"] == 502]
    assert failed and failed[-1]["status"] == "error"


def test_deadline_covers_fallbacks(client: httpx.Client, upstream: Upstream) -> None:
    upstream.control(model="*", mode="stall", delay_s=6)
    fast = ["mistral/mistral-small-latest", "openai/gpt-4o-mini"]  # expected ~0.7 s and ~1.1 s for 50 tokens
    r = route(client, strategy="best", task_type="code", max_output_tokens=50,
              constraints={"allowed_models": fast, "max_latency_ms": 1500})
    assert r.status_code == 504, r.text
    p = r.json()
    assert p["type"] == "/problems/deadline-exceeded" and p["attempts"]
    assert sum(a["latency_ms"] for a in p["attempts"]) < 1900


def test_json_schema_output_is_parsed_and_validated(client: httpx.Client) -> None:
    schema = {"type": "object", "properties": {"name": {"type": "string"}, "age": {"type": "integer"}},
              "required": ["name", "age"]}
    for models in ([OPUS], [MINI]):  # both wire formats
        r = route(client, task="Extract the person: Ada, 36.", constraints={"allowed_models": models},
                  response_format={"type": "json_schema", "schema": schema})
        assert r.status_code == 200, r.text
        out = r.json()["output"]
        assert isinstance(out["name"], str) and isinstance(out["age"], int)


def test_invalid_json_answer_is_retried_once_on_next_candidate(client: httpx.Client) -> None:
    # the fake answers the smallest instance of the schema, {"n": 1}; this schema rejects every answer
    impossible = {"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"],
                  "not": {"required": ["n"]}}
    r = route(client, task="give n", strategy="best", task_type="code",
              constraints={"allowed_models": [OPUS, MINI, NANO]},
              response_format={"type": "json_schema", "schema": impossible})
    assert r.status_code == 502, r.text
    attempts = r.json()["attempts"]
    assert [a["status"] for a in attempts] == ["invalid_output", "invalid_output"]  # one retry, not two
    assert [a["model"] for a in attempts] == [OPUS, MINI]
    assert "schema" in attempts[0]["detail"]


def test_models_endpoint(client: httpx.Client) -> None:
    r = client.get("/v1/models")
    assert r.status_code == 200
    body = r.json()
    assert body["object"] == "list" and body["count"] == len(body["data"]) >= 12
    providers = {m["provider"] for m in body["data"]}
    assert {"openai", "anthropic", "gemini", "mistral", "deepseek"} <= providers
    opus = next(m for m in body["data"] if m["id"] == OPUS)
    assert opus["input_cost_per_1m"] == 5.0 and opus["output_cost_per_1m"] == 25.0
    assert opus["available"] is True and opus["health"] == "ok"
    assert set(opus["quality"]) == {"code", "math_reasoning", "writing_creative", "summarization_extraction",
                                    "factual_qa", "classification", "long_context"}
    assert next(m for m in body["data"] if m["provider"] == "gemini")["available"] is False


def test_openapi_describes_every_field(client: httpx.Client) -> None:
    spec = client.get("/openapi.json").json()
    missing = []
    for name, schema in spec["components"]["schemas"].items():
        if name in ("HTTPValidationError", "ValidationError"):
            continue
        for field, prop in schema.get("properties", {}).items():
            if "description" not in prop:
                missing.append(f"{name}.{field}")
    assert not missing, missing


@pytest.mark.parametrize(("body", "status", "field"), [
    ({"task": ""}, 422, "body"),
    ({"task": "   "}, 422, "body"),
    ({"task": 42}, 422, "task"),
    ({"task": "x", "strategy": "worst"}, 422, "strategy"),
    ({"task": "x", "task_type": "poetry"}, 422, "task_type"),
    ({"task": "x", "constraints": {"max_cost_usd": -1}}, 422, "constraints.max_cost_usd"),
    ({"task": "x", "constraints": {"max_cost_usd": 1e12}}, 422, "constraints.max_cost_usd"),
    ({"task": "x", "constraints": {"max_latency_ms": 0}}, 422, "constraints.max_latency_ms"),
    ({"task": "x", "constraints": {"allowed_providers": ["acme"]}}, 422, "constraints.allowed_providers[0]"),
    ({"task": "x", "constraints": {"blocked_models": ["openai/gpt-99"]}}, 422, "constraints.blocked_models[0]"),
    ({"task": "x", "constraints": {"required_capabilities": ["telepathy"]}}, 422, "constraints.required_capabilities[0]"),
    ({"task": "x", "max_output_tokens": 0}, 422, "max_output_tokens"),
    ({"task": "x", "max_output_tokens": 10**9}, 422, "max_output_tokens"),
    ({"task": "x", "temperature": 7}, 422, "temperature"),
    ({"task": "x", "response_format": {"type": "json_schema", "schema": {"type": "nonsense"}}}, 422, "response_format"),
    ({"task": "x", "response_format": {"type": "json_schema"}}, 422, "response_format"),
    ({"task": "x", "metadata": {"a": {"nested": 1}}}, 422, "metadata.a"),
    ({"task": "x", "stratgey": "best"}, 422, "stratgey"),
    ({"messages": [{"role": "assistant", "content": "hi"}]}, 422, "body"),
    ([1, 2], 422, "body"),
])
def test_bad_inputs_get_problem_responses(client: httpx.Client, body, status: int, field: str) -> None:
    r = client.post("/v1/route", json=body)
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    p = r.json()
    assert p["status"] == status and p["title"] and p["detail"]
    assert any(e["field"].startswith(field) for e in p["errors"]), p


def test_broken_json_and_huge_body(client: httpx.Client) -> None:
    r = client.post("/v1/route", content=b'{"task": "x",', headers={"content-type": "application/json"})
    assert r.status_code == 400 and r.json()["type"] == "/problems/malformed-body"
    r = client.post("/v1/route", content=b'{"task": "' + b"a" * (6 * 1024 * 1024) + b'"}')
    assert r.status_code == 413 and r.json()["type"] == "/problems/body-too-large"

    def chunks():
        yield b'{"task": "'
        for _ in range(6):
            yield b"a" * (1024 * 1024)
        yield b'"}'
    r = client.post("/v1/route", content=chunks(), headers={"content-type": "application/json"})
    assert r.status_code == 413


def test_no_eligible_model_names_the_reason_of_the_models_asked_for(client: httpx.Client) -> None:
    r = route(client, constraints={"allowed_models": ["gemini/gemini-2.5-pro"]})
    assert r.status_code == 422
    assert r.json()["detail"].startswith("no model satisfies allowed_models=['gemini/gemini-2.5-pro']: "
                                         "all 17 models were excluded (gemini/gemini-2.5-pro: no credentials")


def test_dry_run_predicts_the_real_call(client: httpx.Client) -> None:
    body = {"task": "Say hi to the team in one sentence.", "task_type": "writing_creative"}
    dry = route(client, **body, dry_run=True).json()
    real = route(client, **body).json()
    assert dry["model"] == real["model"] and dry["receipt"]["excluded"] == real["receipt"]["excluded"]


def test_no_eligible_model_lists_every_exclusion(client: httpx.Client, service: Service) -> None:
    r = route(client, constraints={"max_cost_usd": 0.0000001})
    assert r.status_code == 422
    p = r.json()
    assert p["type"] == "/problems/no-eligible-model"
    assert "max_cost_usd" in p["detail"] and len(p["excluded"]) >= 12
    rows = [row for row in service.usage_rows().values() if row["error_type"] == "no-eligible-model"]
    assert rows


def test_every_request_has_a_usage_row(client: httpx.Client, upstream: Upstream, service: Service) -> None:
    before = len(service.usage_rows())
    ok = route(client).json()["id"]
    dry = route(client, dry_run=True).json()["id"]
    route(client, constraints={"max_cost_usd": 0.0000001})
    upstream.control(model="*", mode="error", status=500)
    route(client, strategy="best", constraints={"allowed_models": PAIR})
    rows = service.usage_rows()
    assert len(rows) == before + 4
    assert rows[ok]["status"] == "ok" and rows[dry]["dry_run"] == 1
