"""The team building blocks without a server: month windows, ledgers, limiters, the shared circuit
breaker (against the real Redis on 127.0.0.1), and the JSON log formatter."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bestroute.errors import BudgetExhausted, RateLimited
from bestroute.logs import JsonFormatter, request_id_var
from bestroute.store.db import Database
from bestroute.store.keys import ApiKey
from bestroute.store.usage import INSERT, UsageRecord
from bestroute.team.budgets import Budgets, MemoryLedger, month_window, to_units
from bestroute.team.ratelimit import MemoryLimiter
from tests.support.teamdb import REDIS_URL, redis_prefix


def ts(*args: int) -> float:
    return datetime(*args, tzinfo=UTC).timestamp()


def key(budget: float | None = 1.0, rpm: int | None = None, key_id: str = "key_a") -> ApiKey:
    return ApiKey(id=key_id, name="team-a", prefix="br-xxxx", created_at=0.0, revoked_at=None, budget_usd=budget,
                  rpm=rpm, allowed_models=None, allowed_providers=None, default_strategy=None)


def usage_row(db: Database, key_id: str, cost: float, at: float, rid: str) -> None:
    db.executemany(INSERT, [UsageRecord(
        id=rid, created_at=at, api_key_id=key_id, task_type="code", model="m", provider="p", strategy="balanced",
        input_tokens=1, output_tokens=1, cost_usd=cost, baseline_cost_usd=cost * 2, latency_ms=1.0, status="ok",
        http_status=200, error_type=None, attempts=1, fallback_used=False, dry_run=False, metadata={}).row()])


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    d = Database(f"sqlite:///{tmp_path / 'u.db'}")
    d.migrate()
    yield d
    d.close()


def test_month_window_is_the_utc_calendar_month() -> None:
    assert month_window(ts(2026, 11, 27, 3, 0)) == ("2026-11", ts(2026, 11, 1), ts(2026, 12, 1))
    assert month_window(ts(2026, 12, 31, 23, 59, 59)) == ("2026-12", ts(2026, 12, 1), ts(2027, 1, 1))
    assert month_window(ts(2028, 2, 29, 12)) == ("2028-02", ts(2028, 2, 1), ts(2028, 3, 1))
    assert month_window(ts(2027, 1, 1)) == ("2027-01", ts(2027, 1, 1), ts(2027, 2, 1))


def test_budget_reserve_settle_and_402_fields(db: Database) -> None:
    now = ts(2026, 11, 15)
    usage_row(db, "key_a", 0.40, ts(2026, 11, 2), "r1")
    usage_row(db, "key_a", 9.00, ts(2026, 10, 30), "r0")  # last month: does not count
    usage_row(db, "key_b", 9.00, ts(2026, 11, 3), "rb")   # another key: does not count
    budgets = Budgets(db, MemoryLedger(), clock=lambda: now)

    async def go() -> None:
        await budgets.reserve(key(), "q1", 0.30)           # 0.40 + 0.30 <= 1
        with pytest.raises(BudgetExhausted) as exc:
            await budgets.reserve(key(), "q2", 0.31)       # 0.40 + 0.30 held + 0.31 > 1
        body = exc.value.problem()
        assert body["status"] == 402 and body["type"] == "/problems/budget-exhausted"
        assert body["spent_usd"] == 0.4 and body["budget_usd"] == 1.0 and body["held_usd"] == 0.3
        assert body["resets_at"] == "2026-12-01T00:00:00Z"
        await budgets.settle(key(), "q1", 0.30, 0.10)      # real cost lower: the rest is free again
        await budgets.reserve(key(), "q2", 0.50)           # 0.50 + 0.50 = 1.0: exactly the budget
        status = await budgets.status(key())
        assert status["spent_usd"] == 0.5 and status["held_usd"] == 0.5 and status["remaining_usd"] == 0
        await budgets.settle(key(), "q2", 0.50, 0.0)
        await budgets.settle(key(), "never-reserved", 0.1, 0.1)  # settle without a hold: no effect
        assert (await budgets.status(key()))["spent_usd"] == 0.5
        await budgets.reserve(key(budget=None), "q3", 100.0)     # no budget, no limit
        await budgets.reserve(None, "q4", 100.0)                 # open mode

    asyncio.run(go())


def test_after_a_restart_the_budget_is_what_the_usage_records_say(db: Database) -> None:
    now = ts(2026, 11, 15)
    usage_row(db, "key_a", 0.70, ts(2026, 11, 2), "r1")
    fresh = Budgets(db, MemoryLedger(), clock=lambda: now)  # a new process: nothing in memory

    async def go() -> None:
        assert (await fresh.status(key()))["spent_usd"] == 0.7
        with pytest.raises(BudgetExhausted):
            await fresh.reserve(key(), "q", 0.31)

    asyncio.run(go())


def test_holds_of_requests_that_never_settle_expire(db: Database) -> None:
    clock = [100.0]
    budgets = Budgets(db, MemoryLedger(clock=lambda: clock[0]), hold_s=60, clock=lambda: ts(2026, 11, 15))

    async def go() -> None:
        await budgets.reserve(key(), "crashed", 1.0)
        with pytest.raises(BudgetExhausted):
            await budgets.reserve(key(), "next", 0.01)
        clock[0] += 61
        await budgets.reserve(key(), "next", 0.01)

    asyncio.run(go())


def test_memory_limiter_sliding_minute() -> None:
    clock = [1000.0]
    lim = MemoryLimiter(clock=lambda: clock[0])

    async def go() -> None:
        for _ in range(3):
            await lim.hit("k", 3)
            clock[0] += 10
        with pytest.raises(RateLimited) as exc:
            await lim.hit("k", 3)
        assert exc.value.headers["Retry-After"] == "30" and exc.value.extra["retry_after_s"] == 30
        await lim.hit("other", 3)  # per key
        clock[0] += 30.5
        await lim.hit("k", 3)

    asyncio.run(go())


# --- Redis: the same guarantees across "replicas" (separate clients) --------------------------------

@pytest.fixture
def prefix() -> Iterator[str]:
    with redis_prefix() as p:
        yield p


def redis_clients(n: int) -> list:
    from bestroute.team.redis_conn import connect

    return [connect(REDIS_URL) for _ in range(n)]


def test_redis_budget_is_exact_under_concurrency(db: Database, prefix: str) -> None:
    from bestroute.team.redis_state import RedisLedger

    now = ts(2026, 11, 15)
    usage_row(db, "key_a", 0.25, ts(2026, 11, 1, 1), "r1")

    async def go() -> None:
        clients = redis_clients(3)
        replicas = [Budgets(db, RedisLedger(c, prefix), clock=lambda: now) for c in clients]
        k = key(budget=1.0)

        async def one(i: int) -> bool:
            b = replicas[i % 3]
            try:
                await b.reserve(k, f"q{i}", 0.01)
            except BudgetExhausted:
                return False
            await asyncio.sleep(0.001)
            await b.settle(k, f"q{i}", 0.01, 0.01)
            return True

        results = await asyncio.gather(*(one(i) for i in range(150)))
        assert sum(results) == 75  # (1.00 - 0.25) / 0.01, not one more
        for b in replicas:
            status = await b.status(k)
            assert status["spent_usd"] == 1.0 and status["held_usd"] == 0
        # the settled counter is what the usage rows plus these settles say, in exact units
        raw = await clients[0].get(f"{prefix}budget:key_a:2026-11:spent")
        assert int(raw) == to_units(1.0)
        # Redis lost its state: the next reserve starts again from the usage table
        await clients[0].delete(f"{prefix}budget:key_a:2026-11:spent")
        assert (await replicas[1].status(k))["spent_usd"] == 0.25
        for c in clients:
            await c.aclose()

    asyncio.run(go())


def test_redis_holds_expire(db: Database, prefix: str) -> None:
    from bestroute.team.redis_state import RedisLedger

    async def go() -> None:
        (client,) = redis_clients(1)
        b = Budgets(db, RedisLedger(client, prefix), hold_s=0.3, clock=lambda: ts(2026, 11, 15))
        await b.reserve(key(), "crashed", 1.0)
        with pytest.raises(BudgetExhausted):
            await b.reserve(key(), "next", 0.5)
        await asyncio.sleep(0.4)
        await b.reserve(key(), "next", 0.5)
        await client.aclose()

    asyncio.run(go())


def test_redis_rate_limit_holds_across_replicas(prefix: str) -> None:
    from bestroute.team.redis_state import RedisLimiter

    async def go() -> None:
        clients = redis_clients(2)
        limiters = [RedisLimiter(c, prefix) for c in clients]

        async def one(i: int) -> int | None:
            try:
                await limiters[i % 2].hit("key_r", 7)
            except RateLimited as exc:
                return exc.extra["retry_after_s"]
            return None

        results = await asyncio.gather(*(one(i) for i in range(20)))
        assert results.count(None) == 7
        assert all(r is not None and 1 <= r <= 60 for r in results if r is not None)
        await limiters[0].hit("key_other", 7)  # per key
        for c in clients:
            await c.aclose()

    asyncio.run(go())


def test_redis_circuit_breaker_is_shared(prefix: str) -> None:
    from bestroute.team.redis_state import RedisCircuitBreaker

    async def go() -> None:
        c1, c2 = redis_clients(2)
        a = RedisCircuitBreaker(c1, prefix, failures=2, cooldown_s=0.5)
        b = RedisCircuitBreaker(c2, prefix, failures=2, cooldown_s=0.5)
        await a.record_failure("m1")
        assert await b.open_models() == {}
        await b.record_failure("m1")  # the second failure, seen on another replica, opens it
        opened = await a.open_models()
        assert set(opened) == {"m1"} and 0.3 < opened["m1"] <= 0.5  # seconds left before a trial
        assert await b.snapshot() == {"m1": "open"}
        await asyncio.sleep(0.6)
        assert await a.open_models() == {}  # cool-down over: try it again
        await a.record_failure("m1")            # the trial failed: open again at once
        assert set(await b.open_models()) == {"m1"}
        await b.record_success("m1")
        assert await a.open_models() == {}
        await a.record_failure("m1")
        assert await a.open_models() == {}   # counting starts over after a success
        await c1.aclose()
        await c2.aclose()

    asyncio.run(go())


def test_json_log_lines_carry_the_request_id_and_never_a_key() -> None:
    fmt = JsonFormatter()
    token = request_id_var.set("corr-42")
    try:
        rec = logging.makeLogRecord({"name": "bestroute.x", "levelno": 20, "levelname": "INFO",
                                     "msg": "called with Bearer br-abcdefghijklmnopqrstuvwxyz and %s",
                                     "args": ("sk-live-0123456789abcdef",), "api_key_id": "key_1",
                                     "created": time.time()})
        line = json.loads(fmt.format(rec))
    finally:
        request_id_var.reset(token)
    assert line["request_id"] == "corr-42" and line["level"] == "info" and line["api_key_id"] == "key_1"
    assert "br-abc" not in line["msg"] and "sk-live" not in line["msg"] and "[redacted]" in line["msg"]


def test_a_cancelled_request_gives_its_hold_back(db: Database, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from bestroute.api.app import build_router
    from bestroute.schemas import RouteRequest
    from bestroute.settings import Settings

    monkeypatch.setenv("OPENAI_API_KEY", "sk-unit-test")
    router = build_router(Settings(data_dir=tmp_path))
    budgets = Budgets(db, MemoryLedger())
    router.hooks = budgets
    calling = asyncio.Event()

    async def never_answers(*args: object, **kwargs: object) -> None:
        calling.set()
        await asyncio.sleep(3600)

    router.call = never_answers  # type: ignore[assignment]
    req = RouteRequest.model_validate({"task": "hello", "max_output_tokens": 20,
                                       "constraints": {"allowed_models": ["openai/gpt-4o-mini"]}})

    async def go() -> None:
        k = key(budget=1.0)
        task = asyncio.create_task(router.route(req, k))
        await asyncio.wait_for(calling.wait(), 10)
        assert (await budgets.status(k))["held_usd"] > 0
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await asyncio.sleep(0)
        status = await budgets.status(k)
        assert status["held_usd"] == 0 and status["spent_usd"] == 0

    asyncio.run(go())
