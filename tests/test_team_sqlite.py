"""Team features on one replica with SQLite and no other server at all (no PostgreSQL, no Redis):
budgets (sequential and concurrent, and after a restart), rate limits, the usage API, metrics, the
request id in headers, logs and usage rows, readiness."""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import httpx
import pytest

from tests.support.stack import Service, Upstream

TASK = {"task": "Write a haiku about the sea", "max_output_tokens": 20,
        "constraints": {"allowed_models": ["openai/gpt-4o-mini"]}}


@pytest.fixture(scope="module")
def svc(upstream: Upstream) -> Iterator[Service]:
    s = Service(upstream.url, extra_env={"BESTROUTE_LOG_LEVEL": "info"}).start()
    yield s
    s.stop()


@pytest.fixture
def http(svc: Service, upstream: Upstream) -> Iterator[httpx.Client]:
    upstream.reset()
    with httpx.Client(base_url=svc.url, timeout=60) as c:
        yield c
    upstream.reset()


def auth(key: dict) -> dict[str, str]:
    return {"authorization": f"Bearer {key['key']}"}


def hold_of(http: httpx.Client, key: dict) -> float:
    """What one TASK request holds against the budget: the worst case of the candidates it may try."""
    r = http.post("/v1/route", json={**TASK, "dry_run": True}, headers=auth(key))
    assert r.status_code == 200, r.text
    return max(c["est_cost_usd"] for c in r.json()["receipt"]["candidates"][:3])


def next_month_iso() -> str:
    now = datetime.now(UTC)
    return datetime(now.year + (now.month == 12), now.month % 12 + 1, 1, tzinfo=UTC).isoformat().replace("+00:00", "Z")


def spend_until_refused(http: httpx.Client, key: dict, limit: int = 100) -> tuple[list[float], dict]:
    costs = []
    for _ in range(limit):
        r = http.post("/v1/route", json=TASK, headers=auth(key))
        if r.status_code == 402:
            return costs, r.json()
        assert r.status_code == 200, r.text
        costs.append(r.json()["cost_usd"])
    raise AssertionError("the budget never ran out")


def test_budget_holds_exactly_and_survives_a_restart(svc: Service, http: httpx.Client) -> None:
    probe = svc.create_key(name="probe")
    hold = hold_of(http, probe)
    budget = round(hold * 4, 9)
    key = svc.create_key(name="team-budget", budget_usd=budget)
    costs, refused = spend_until_refused(http, key)
    assert len(costs) >= 4  # the real cost is below the hold, so more than budget/hold fit
    spent = sum(costs)
    assert spent <= budget
    assert refused["type"] == "/problems/budget-exhausted" and refused["status"] == 402
    assert refused["budget_usd"] == budget and refused["resets_at"] == next_month_iso()
    assert refused["spent_usd"] == pytest.approx(spent, abs=1e-9)
    assert refused["spent_usd"] + hold > budget  # refused only when the next request could overspend
    mine = http.get("/v1/usage", headers=auth(key)).json()
    assert mine["budget"]["spent_usd"] == pytest.approx(spent, abs=1e-9)
    assert mine["totals"]["spend_usd"] == pytest.approx(spent, abs=1e-9)
    assert mine["totals"]["errors"] == 1  # the 402 is in the usage log, costing nothing

    svc.stop()
    svc.start()  # a restart: the budget comes back from the usage records
    with httpx.Client(base_url=svc.url, timeout=60) as fresh:
        again = fresh.post("/v1/route", json=TASK, headers=auth(key))
        assert again.status_code == 402
        assert again.json()["spent_usd"] == pytest.approx(spent, abs=1e-9)
        assert fresh.get("/v1/usage", headers=auth(key)).json()["budget"]["spent_usd"] == pytest.approx(spent, abs=1e-9)


def test_a_nearly_spent_budget_routes_to_cheaper_models_then_refuses(svc: Service, http: httpx.Client) -> None:
    ask = {"task": "Prove that there are infinitely many primes.", "strategy": "best", "max_output_tokens": 2000}
    probe = svc.create_key(name="probe-costs")
    r = http.post("/v1/route", json={**ask, "dry_run": True}, headers=auth(probe))
    costs = sorted(c["est_cost_usd"] for c in r.json()["receipt"]["candidates"])
    best, best_cost = r.json()["model"], r.json()["estimated_cost_usd"]
    assert best_cost > costs[0]
    budget = round((costs[0] + best_cost) / 2, 9)  # covers the cheapest model, not the best one
    key = svc.create_key(name="team-nearly-spent", budget_usd=budget)
    r = http.post("/v1/route", json=ask, headers=auth(key))
    assert r.status_code == 200, r.text
    b = r.json()
    assert b["model"] != best and b["estimated_cost_usd"] <= budget
    over = [e for e in b["receipt"]["excluded"] if "remaining monthly budget" in e["reason"]]
    assert best in {e["model"] for e in over}
    # once even the cheapest model costs more than what is left: 402, naming the budget
    small = svc.create_key(name="team-spent", budget_usd=round(costs[0] / 2, 9))
    refused = http.post("/v1/route", json=ask, headers=auth(small))
    assert refused.status_code == 402, refused.text
    p = refused.json()
    assert p["type"] == "/problems/budget-exhausted" and p["budget_usd"] == round(costs[0] / 2, 9)
    assert p["spent_usd"] == 0 and p["resets_at"] == next_month_iso()
    assert "left of its" in p["detail"] and "resets at" in p["detail"]


def test_concurrent_requests_never_overspend(svc: Service, http: httpx.Client) -> None:
    probe = svc.create_key(name="probe2")
    hold = hold_of(http, probe)
    budget = round(hold * 3, 9)
    key = svc.create_key(name="team-burst", budget_usd=budget)

    def one(_: int) -> tuple[int, float]:
        r = httpx.post(f"{svc.url}/v1/route", json=TASK, headers=auth(key), timeout=60)
        return r.status_code, (r.json().get("cost_usd") or 0.0)

    with ThreadPoolExecutor(12) as pool:
        results = list(pool.map(one, range(36)))
    statuses = {s for s, _ in results}
    assert statuses <= {200, 402} and 402 in statuses
    costs, refused = spend_until_refused(http, key)
    spent = sum(c for s, c in results if s == 200) + sum(costs)
    assert spent <= budget
    assert refused["spent_usd"] == pytest.approx(spent, abs=1e-9)
    assert refused["spent_usd"] + hold > budget


def test_rate_limit_per_key(svc: Service, http: httpx.Client) -> None:
    limited, other = svc.create_key(name="rl", rpm=3), svc.create_key(name="rl-other", rpm=3)
    for _ in range(3):
        assert http.get("/v1/models", headers=auth(limited)).status_code == 200
    r = http.post("/v1/route", json={**TASK, "dry_run": True}, headers=auth(limited))
    assert r.status_code == 429 and r.headers["content-type"].startswith("application/problem+json")
    body = r.json()
    assert body["type"] == "/problems/rate-limited" and body["rpm"] == 3
    assert 1 <= int(r.headers["retry-after"]) <= 60 and body["retry_after_s"] == int(r.headers["retry-after"])
    assert http.get("/v1/models", headers=auth(other)).status_code == 200  # per key
    unlimited = svc.create_key(name="no-rpm")
    assert all(http.get("/v1/models", headers=auth(unlimited)).status_code == 200 for _ in range(10))


def test_usage_api_filters_groups_and_savings(svc: Service, http: httpx.Client) -> None:
    key = svc.create_key(name="reporting")
    h = auth(key)
    for task, tt in (("Write a Python function that reverses a list", "code"),
                     ("Summarize: the cat sat on the mat. It was warm.", "summarization_extraction"),
                     ("What is the capital of France?", "factual_qa")):
        r = http.post("/v1/route", json={"task": task, "task_type": tt, "max_output_tokens": 50,
                                         "strategy": "cheapest"}, headers=h)
        assert r.status_code == 200, r.text
    everything = http.get("/v1/usage", headers=h).json()
    t = everything["totals"]
    assert t["requests"] == 3 and t["errors"] == 0 and t["spend_usd"] > 0
    assert t["savings_usd"] == pytest.approx(t["baseline_spend_usd"] - t["spend_usd"])
    assert t["baseline_spend_usd"] > t["spend_usd"]  # cheapest beats the premium baseline
    by_type = http.get("/v1/usage", params={"group_by": "task_type"}, headers=h).json()["groups"]
    assert sorted(g["group"] for g in by_type) == ["code", "factual_qa", "summarization_extraction"]
    code = http.get("/v1/usage", params={"task_type": "code"}, headers=h).json()
    assert code["totals"]["requests"] == 1 and code["filters"]["task_type"] == "code"
    models = http.get("/v1/usage", params={"group_by": "model"}, headers=h).json()["groups"]
    first = models[0]["group"]
    assert http.get("/v1/usage", params={"model": first}, headers=h).json()["totals"]["requests"] == models[0]["requests"]
    today = datetime.now(UTC).strftime("%Y-%m-%d")
    days = http.get("/v1/usage", params={"group_by": "day", "since": today}, headers=h).json()
    assert [g["group"] for g in days["groups"]] == [today] and days["groups"][0]["requests"] == 3
    assert days["filters"]["since"] == today + "T00:00:00Z"
    future = http.get("/v1/usage", params={"since": "2999-01-01T00:00:00Z"}, headers=h).json()
    assert future["totals"]["requests"] == 0
    past = http.get("/v1/usage", params={"until": "1700000000"}, headers=h).json()
    assert past["totals"]["requests"] == 0


@pytest.mark.parametrize("params, fields", [
    ({"group_by": "week"}, ["group_by"]),
    ({"task_type": "poetry"}, ["task_type"]),
    ({"since": "yesterday"}, ["since"]),
    ({"until": "2026-13-01"}, ["until"]),
    ({"since": "2026-11-02", "until": "2026-11-01"}, ["until"]),
    ({"since": "soon", "group_by": "hour"}, ["group_by", "since"]),
])
def test_usage_api_bad_inputs_name_the_field(svc: Service, http: httpx.Client, params: dict, fields: list) -> None:
    r = http.get("/v1/usage", params=params, headers={"authorization": f"Bearer {svc.admin_key}"})
    assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json")
    body = r.json()
    assert body["type"] == "/problems/invalid-field"
    assert sorted(e["field"] for e in body["errors"]) == sorted(fields)


def test_request_id_in_header_logs_and_usage_row(svc: Service, http: httpx.Client) -> None:
    key = svc.create_key(name="logs")
    r = http.post("/v1/route", json=TASK, headers={**auth(key), "x-request-id": "corr-team-7"})
    assert r.status_code == 200 and r.headers["x-request-id"] == "corr-team-7"
    generated = http.get("/healthz").headers["x-request-id"]
    assert re.fullmatch(r"req_[0-9a-f]{32}", generated)
    bad = http.get("/healthz", headers={"x-request-id": "has spaces " + "x" * 200}).headers["x-request-id"]
    assert bad.startswith("req_")  # an unusable id is replaced, not echoed
    conn = sqlite3.connect(svc.data_dir / "bestroute.db")
    row = conn.execute("SELECT request_id, api_key_id FROM usage WHERE id = ?", (r.json()["id"],)).fetchone()
    conn.close()
    assert row == ("corr-team-7", key["id"])
    lines = [json.loads(line) for line in svc.log_path.read_text().splitlines() if line.startswith("{")]
    mine = [x for x in lines if x.get("request_id") == "corr-team-7"]
    assert any(x["logger"] == "bestroute.access" and x["path"] == "/v1/route" and x["status"] == 200
               and x["api_key_id"] == key["id"] and x["duration_ms"] > 0 for x in mine)
    text = svc.log_path.read_text()
    assert key["key"] not in text and svc.admin_key not in text


def test_metrics(svc: Service, http: httpx.Client, upstream: Upstream) -> None:
    key = svc.create_key(name="metrics")
    h = auth(key)
    assert http.post("/v1/route", json=TASK, headers=h).status_code == 200
    pair = {"task": "Classify: great product!", "max_output_tokens": 20,
            "constraints": {"allowed_models": ["mistral/mistral-small-latest", "openai/gpt-5-nano"]}}
    chosen = http.post("/v1/route", json={**pair, "dry_run": True}, headers=h).json()["model"]
    other = ({"mistral/mistral-small-latest", "openai/gpt-5-nano"} - {chosen}).pop()
    upstream.control(model=chosen.split("/")[1], mode="error", status=500, times=1)
    fb = http.post("/v1/route", json=pair, headers=h)
    assert fb.status_code == 200 and fb.json()["fallback_used"] is True and fb.json()["model"] == other, fb.text
    upstream.control(model="deepseek-chat", mode="error", status=500)
    dead = {"task": "hello", "max_output_tokens": 20, "constraints": {"allowed_models": ["deepseek/deepseek-chat"]}}
    for _ in range(3):
        assert http.post("/v1/route", json=dead, headers=h).status_code == 502
    resting = http.post("/v1/route", json=dead, headers=h)  # circuit open: retry after the cool-down
    assert resting.status_code == 503 and resting.json()["type"] == "/problems/models-cooling-down"
    r = http.get("/metrics", headers={"authorization": f"Bearer {svc.admin_key}"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
    m = r.text
    assert re.search(r'bestroute_http_requests_total\{method="POST",route="/v1/route",status="200"\} [1-9]', m)
    assert re.search(r'bestroute_http_requests_total\{method="POST",route="/v1/route",status="502"\} 3', m)
    assert re.search(r'bestroute_http_request_duration_seconds_count\{method="POST",route="/v1/route"\} \d', m)
    assert re.search(r'bestroute_spend_usd_total\{model="openai/gpt-4o-mini"\} [0-9.e-]+', m)
    assert f'bestroute_fallbacks_total{{model="{other}"}} 1.0' in m
    assert 'bestroute_circuit_open{model="deepseek/deepseek-chat"} 1.0' in m
    assert re.search(r'bestroute_routed_requests_total\{model="deepseek/deepseek-chat",status="error",task_type="[a-z_]+"\} 3', m)
    assert key["key"] not in m


def test_readyz_sqlite_only(svc: Service, http: httpx.Client) -> None:
    r = http.get("/readyz")
    body = r.json()
    assert r.status_code == 200 and body["status"] == "ready" and body["checks"]["database"] == "ok"
    assert "redis" not in body["checks"]  # no Redis configured, none needed


def test_cli_usage_prints_what_the_api_reports(svc: Service, http: httpx.Client) -> None:
    import os
    import subprocess
    import sys

    key = svc.create_key(name="cli-usage")
    for tt in ("code", "factual_qa"):
        assert http.post("/v1/route", json={"task": "hello there", "task_type": tt, "dry_run": True},
                         headers=auth(key)).status_code == 200
    api = http.get("/v1/usage", params={"group_by": "task_type"}, headers=auth(key)).json()
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("BESTROUTE_")},
           "BESTROUTE_DATA_DIR": str(svc.data_dir)}
    cli = [sys.executable, "-m", "bestroute", "usage", "--key", key["id"], "--group-by", "task_type",
           "--since", datetime.now(UTC).strftime("%Y-%m-%d")]
    out = subprocess.run([*cli, "--json"], env=env, capture_output=True, text=True, timeout=60, check=True)
    report = json.loads(out.stdout)
    assert report["totals"] == api["totals"] and report["groups"] == [
        {k: v for k, v in g.items() if k != "name"} for g in api["groups"]]
    table = subprocess.run(cli, env=env, capture_output=True, text=True, timeout=60, check=True).stdout
    assert re.search(r"^TOTAL\s+2\s", table, re.M) and re.search(r"^code\s+1\s", table, re.M)
    bad = subprocess.run([*cli[:4], "--since", "soon"], env=env, capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and "since" in bad.stderr
