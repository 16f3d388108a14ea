"""The circuit breaker through the real server: opens after repeated failures, closes after cool-down."""

from __future__ import annotations

import time

import httpx

from tests.support.stack import Upstream

OPUS, MINI = "anthropic/claude-opus-4-5", "openai/gpt-5-mini"


SERVICE_ENV = {"BESTROUTE_CIRCUIT_FAILURES": "2", "BESTROUTE_CIRCUIT_COOLDOWN_S": "1.5"}


def test_circuit_opens_and_closes(client: httpx.Client, upstream: Upstream) -> None:
    body = {"task": "Write a binary search in Go.", "strategy": "best", "task_type": "code",
            "constraints": {"allowed_models": [OPUS, MINI]}}
    upstream.control(model="claude-opus-4-5", mode="error", status=503)
    for _ in range(2):
        r = client.post("/v1/route", json=body)
        assert r.status_code == 200 and r.json()["fallback_used"] is True
    # open: opus is no longer tried at all, and the receipt says why
    calls_before = upstream.calls().get("claude-opus-4-5", 0)
    r = client.post("/v1/route", json=body)
    b = r.json()
    assert b["model"] == MINI and b["fallback_used"] is False
    assert [a["model"] for a in b["receipt"]["attempts"]] == [MINI]
    reasons = {e["model"]: e["reason"] for e in b["receipt"]["excluded"]}
    assert reasons[OPUS].startswith("circuit open")
    assert upstream.calls().get("claude-opus-4-5", 0) == calls_before
    models = {m["id"]: m for m in client.get("/v1/models").json()["data"]}
    assert models[OPUS]["health"] == "open"
    # a request that allows only the resting model is not refused as if it were invalid: 503, and
    # Retry-After says when the model is tried again
    only = client.post("/v1/route", json={**body, "constraints": {"allowed_models": [OPUS]}})
    problem = only.json()
    assert only.status_code == 503 and problem["type"] == "/problems/models-cooling-down", only.text
    assert only.headers["content-type"].startswith("application/problem+json")
    assert only.headers["retry-after"] == str(problem["retry_after_s"]) and 1 <= problem["retry_after_s"] <= 2
    assert OPUS in problem["detail"] and "retry" in problem["detail"]
    assert {e["model"]: e["reason"] for e in problem["excluded"]}[OPUS].startswith("circuit open")
    assert upstream.calls().get("claude-opus-4-5", 0) == calls_before
    # after the cool-down opus is tried again; it has recovered, so the circuit closes
    upstream.reset()
    time.sleep(1.6)
    r = client.post("/v1/route", json=body)
    assert r.json()["model"] == OPUS
    assert client.get("/v1/models").json()["data"][0]["health"] == "ok"
