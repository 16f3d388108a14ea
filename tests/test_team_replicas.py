"""Two replicas of the service behind no load balancer at all (requests alternate between them),
sharing the real PostgreSQL (a throwaway database) and the real Redis (a throwaway key prefix):
budgets, rate limits, revocation, keys and circuit state hold across both."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from itertools import cycle

import httpx
import psycopg
import pytest

from tests.support import stack
from tests.support.stack import Service, Upstream, free_port
from tests.support.teamdb import REDIS_URL, pg_database, redis_prefix

TASK = {"task": "Write a haiku about the sea", "max_output_tokens": 20,
        "constraints": {"allowed_models": ["openai/gpt-4o-mini"]}}


@pytest.fixture(scope="module")
def shared() -> Iterator[tuple[str, str]]:
    with pg_database() as url, redis_prefix() as prefix:
        yield url, prefix


@pytest.fixture(scope="module")
def replicas(upstream: Upstream, shared: tuple[str, str]) -> Iterator[list[Service]]:
    url, prefix = shared
    env = {"BESTROUTE_DATABASE_URL": url, "BESTROUTE_REDIS_URL": REDIS_URL, "BESTROUTE_REDIS_PREFIX": prefix}
    a = Service(upstream.url, extra_env=env)
    b = Service(upstream.url, extra_env=env, admin_key=a.admin_key)
    with ThreadPoolExecutor(2) as pool:  # start both at once: their migrations race, as on a real deploy
        started = list(pool.map(lambda s: s.start(), (a, b)))
    yield started
    for s in started:
        s.stop()


@pytest.fixture
def http(replicas: list[Service], upstream: Upstream) -> Iterator[list[httpx.Client]]:
    upstream.reset()
    clients = [httpx.Client(base_url=s.url, timeout=60) for s in replicas]
    yield clients
    for c in clients:
        c.close()
    upstream.reset()


def auth(key: dict) -> dict[str, str]:
    return {"authorization": f"Bearer {key['key']}"}


def test_both_ready_with_database_and_redis(http: list[httpx.Client]) -> None:
    for c in http:
        r = c.get("/readyz")
        checks = r.json()["checks"]
        assert r.status_code == 200 and checks["database"] == "ok" and checks["redis"] == "ok"


def test_key_created_on_one_replica_is_required_and_valid_on_the_other(
        replicas: list[Service], http: list[httpx.Client]) -> None:
    a, b = http
    key = replicas[0].create_key(name="shared")
    assert b.get("/v1/models").status_code == 401  # replica b had seen no key so far
    assert b.get("/v1/models", headers=auth(key)).status_code == 200
    assert a.get("/v1/models", headers=auth(key)).status_code == 200


def test_budget_is_held_exactly_across_replicas(replicas: list[Service], http: list[httpx.Client],
                                                shared: tuple[str, str]) -> None:
    probe = replicas[0].create_key(name="probe")
    r = http[0].post("/v1/route", json={**TASK, "dry_run": True}, headers=auth(probe))
    assert r.status_code == 200, r.text
    dry = r.json()
    hold = max(c["est_cost_usd"] for c in dry["receipt"]["candidates"][:3])
    budget = round(hold * 4, 9)
    key = replicas[1].create_key(name="team-budget", budget_usd=budget)
    urls = [s.url for s in replicas]

    def one(i: int) -> tuple[int, dict]:
        r = httpx.post(f"{urls[i % 2]}/v1/route", json=TASK, headers=auth(key), timeout=60)
        return r.status_code, r.json()

    with ThreadPoolExecutor(16) as pool:
        burst = list(pool.map(one, range(48)))
    assert {s for s, _ in burst} <= {200, 402} and any(s == 402 for s, _ in burst)
    assert sum(s == 200 for s, _ in burst) >= 3  # at least the holds that fit side by side
    # drain what the holds of the burst left, alternating replicas, until both refuse
    after, refusals = [], {}
    for c in cycle(http):
        r = c.post("/v1/route", json=TASK, headers=auth(key))
        if r.status_code == 402:
            refusals[str(c.base_url)] = r.json()
            if len(refusals) == 2:
                break
            continue
        assert r.status_code == 200, r.text
        after.append(r.json()["cost_usd"])
        assert len(after) < 50
    spent = sum(b["cost_usd"] for s, b in burst if s == 200) + sum(after)
    assert spent <= budget
    for body in refusals.values():
        assert body["budget_usd"] == budget and body["resets_at"].endswith("T00:00:00Z")
        assert body["spent_usd"] == pytest.approx(spent, abs=1e-9)
        assert body["spent_usd"] + hold > budget  # refused only when the next one could overspend
    with psycopg.connect(shared[0]) as conn:
        rows = conn.execute("SELECT COALESCE(SUM(cost_usd), 0), COUNT(*) FILTER (WHERE status = 'ok') "
                            "FROM usage WHERE api_key_id = %s", (key["id"],)).fetchone()
    assert rows[0] == pytest.approx(spent, abs=1e-9)  # the usage table agrees to the nano-dollar
    assert rows[1] == sum(1 for s, _ in burst if s == 200) + len(after)
    seen = [c.get("/v1/usage", headers=auth(key)).json() for c in http]
    assert seen[0]["budget"] == seen[1]["budget"] and seen[0]["totals"] == seen[1]["totals"]


def test_rate_limit_holds_across_replicas(replicas: list[Service], http: list[httpx.Client]) -> None:
    key = replicas[0].create_key(name="rl", rpm=5)
    urls = [s.url for s in replicas]

    def one(i: int) -> httpx.Response:
        return httpx.get(f"{urls[i % 2]}/v1/models", headers=auth(key), timeout=60)

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(one, range(14)))
    assert sorted(r.status_code for r in results) == [200] * 5 + [429] * 9
    limited = [i % 2 for i, r in enumerate(results) if r.status_code == 429]
    assert set(limited) == {0, 1}  # both replicas refuse: the count is shared
    for r in results:
        if r.status_code == 429:
            assert 1 <= int(r.headers["retry-after"]) <= 60 and r.json()["type"] == "/problems/rate-limited"


def test_revocation_is_immediate_on_both(replicas: list[Service], http: list[httpx.Client]) -> None:
    key = replicas[0].create_key(name="to-revoke")
    for c in http:
        assert c.get("/v1/models", headers=auth(key)).status_code == 200
    r = http[1].delete(f"/v1/admin/keys/{key['id']}", headers={"authorization": f"Bearer {replicas[1].admin_key}"})
    assert r.status_code == 200
    for c in http:
        r = c.get("/v1/models", headers=auth(key))
        assert r.status_code == 401 and "revoked" in r.json()["detail"]


def test_circuit_state_is_shared(replicas: list[Service], http: list[httpx.Client], upstream: Upstream) -> None:
    key = replicas[0].create_key(name="circuit")
    upstream.control(model="deepseek-chat", mode="error", status=500)
    dead = {"task": "hello", "max_output_tokens": 20, "constraints": {"allowed_models": ["deepseek/deepseek-chat"]}}
    for _ in range(3):  # the failures are seen by replica a only
        assert http[0].post("/v1/route", json=dead, headers=auth(key)).status_code == 502
    health = {m["model"]: m["health"] for m in http[1].get("/v1/models", headers=auth(key)).json()["data"]}
    assert health["deepseek/deepseek-chat"] == "open"
    r = http[1].post("/v1/route", json=dead, headers=auth(key))
    assert r.status_code == 503 and r.json()["type"] == "/problems/models-cooling-down"
    assert upstream.calls().get("deepseek-chat") == 3  # replica b never called the open model
    assert 'bestroute_circuit_open{model="deepseek/deepseek-chat"} 1.0' in http[1].get(
        "/metrics", headers={"authorization": f"Bearer {replicas[1].admin_key}"}).text


def test_admin_usage_sees_both_replicas(replicas: list[Service], http: list[httpx.Client]) -> None:
    key = replicas[0].create_key(name="usage")
    for c in http:
        assert c.post("/v1/route", json={**TASK, "dry_run": True}, headers=auth(key)).status_code == 200
    admin = {"authorization": f"Bearer {replicas[0].admin_key}"}
    for c in http:
        report = c.get("/v1/usage", params={"key": key["id"]}, headers=admin).json()
        assert report["totals"]["requests"] == 2


def test_redis_down_means_503_for_budgets_and_readyz(upstream: Upstream, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(stack, "wait_ready", lambda *a, **k: None)  # it never gets ready: that is the point
    dead_redis = f"redis://127.0.0.1:{free_port()}/0"
    s = Service(upstream.url, extra_env={"BESTROUTE_REDIS_URL": dead_redis}).start()
    try:
        with httpx.Client(base_url=s.url, timeout=60) as c:
            r = c.get("/readyz")
            assert r.status_code == 503 and "redis" in r.json()["detail"]
            key = s.create_key(name="no-redis", rpm=10, budget_usd=1.0)
            r = c.get("/v1/models", headers=auth(key))
            assert r.status_code == 503 and r.json()["type"] == "/problems/unavailable"
            assert "redis" in r.json()["detail"]
    finally:
        s.stop()
