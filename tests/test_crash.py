"""Crash safety: `kill -9` the service while clients are in the middle of requests, start it again on the
same database, and check that nothing a client saw was lost.

- Every request a client got an answer to (a 200 or a problem) has exactly one usage record: the
  usage writer commits a request's record before its response is sent (store/usage.py). Requests
  are matched by the X-Request-ID each client sends, which the usage row keeps.
- The budget of the key after the restart is what its usage records say, and no hold of a request
  that died with the process stays held past BESTROUTE_BUDGET_HOLD_S. With in-process budgets
  (SQLite) spent is exactly the sum of the records: a restarted ledger starts from the usage table.
  With budgets in Redis the spent counter outlives the process: a request killed after its settle
  and before its usage commit stays counted, so spent may exceed the records by what was in flight
  at the kill (never less: money is never lost from a budget, so it can never be overspent). See
  docs/reliability.md.

Two deployments: SQLite with in-process budgets, and PostgreSQL with budgets in Redis (the real
servers on 127.0.0.1).
"""

from __future__ import annotations

import contextlib
import itertools
import os
import signal
import sqlite3
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx
import pytest

from tests.support.stack import Service, Upstream
from tests.support.teamdb import REDIS_URL, pg_database, redis_prefix

CLIENTS = 12
LOAD_S = 3.0
HOLD_S = 3.0
BODY = {"task": "Classify the sentiment: the delivery was late but the support was great.",
        "max_output_tokens": 40, "constraints": {"allowed_models": ["openai/gpt-5-mini", "openai/gpt-5-nano",
                                                                     "anthropic/claude-haiku-4-5"]}}


@dataclass
class Seen:
    answered: dict[str, tuple[int, float]] = field(default_factory=dict)  # request id -> (status, cost)
    lost: int = 0  # connection errors from the kill on (no response)
    lock: threading.Lock = field(default_factory=threading.Lock)


@pytest.fixture(scope="module")
def slow_upstream() -> Iterator[Upstream]:
    # each model call takes 40 ms, so many requests are in flight when the service is killed
    up = Upstream(delay_ms=40).start()
    yield up
    up.stop()


@pytest.fixture(params=["sqlite", "postgres+redis"])
def deployment(request: pytest.FixtureRequest) -> Iterator[dict[str, str]]:
    env = {"BESTROUTE_BUDGET_HOLD_S": str(HOLD_S), "BESTROUTE_CIRCUIT_FAILURES": "1000000"}
    if request.param == "sqlite":
        yield env
        return
    with pg_database() as url, redis_prefix() as prefix:
        yield {**env, "BESTROUTE_DATABASE_URL": url, "BESTROUTE_REDIS_URL": REDIS_URL,
               "BESTROUTE_REDIS_PREFIX": prefix}


def load(url: str, key: str, seen: Seen, stop: threading.Event, worker: int) -> None:
    with httpx.Client(base_url=url, timeout=10, headers={"authorization": f"Bearer {key}"}) as c:
        for n in itertools.count():
            if stop.is_set():
                return
            rid = f"crash-{worker}-{n}"
            try:
                r = c.post("/v1/route", json=BODY, headers={"x-request-id": rid})
            except httpx.TransportError:
                with seen.lock:
                    seen.lost += 1
                if stop.wait(0.05):
                    return
                continue
            cost = r.json().get("cost_usd", 0.0) if r.status_code == 200 else 0.0
            with seen.lock:
                seen.answered[rid] = (r.status_code, cost)


def usage_rows(svc: Service, env: dict[str, str]) -> list[dict]:
    sql = "SELECT id, request_id, api_key_id, cost_usd, status, http_status FROM usage"
    if "BESTROUTE_DATABASE_URL" in env:
        import psycopg
        from psycopg.rows import dict_row

        with psycopg.connect(env["BESTROUTE_DATABASE_URL"], row_factory=dict_row) as conn:
            return list(conn.execute(sql).fetchall())
    conn = sqlite3.connect(svc.data_dir / "bestroute.db")
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(sql)]
    finally:
        conn.close()


def test_kill_9_under_load_loses_no_answered_request(slow_upstream: Upstream, deployment: dict[str, str]) -> None:
    svc = Service(slow_upstream.url, extra_env=deployment).start()
    restarted: Service | None = None
    try:
        key = svc.create_key(name="crash", budget_usd=50.0)
        warm = httpx.post(f"{svc.url}/v1/route", json=BODY, timeout=60,
                          headers={"authorization": f"Bearer {key['key']}", "x-request-id": "crash-warm-up"})
        assert warm.status_code == 200, warm.text
        seen, stop = Seen(), threading.Event()
        workers = [threading.Thread(target=load, args=(svc.url, key["key"], seen, stop, i), daemon=True)
                   for i in range(CLIENTS)]
        for w in workers:
            w.start()
        time.sleep(LOAD_S)
        assert svc.proc is not None
        os.kill(svc.proc.pid, signal.SIGKILL)  # kill -9: no shutdown hook, no flush
        svc.proc.wait(10)
        time.sleep(0.3)
        stop.set()
        for w in workers:
            w.join(15)
        answered = dict(seen.answered)
        assert len(answered) >= 50, f"too little load before the kill: {len(answered)} answers"
        ok = [rid for rid, (status, _) in answered.items() if status == 200]
        assert len(ok) >= 0.9 * len(answered), {s for s, _ in answered.values()}

        # the same database, a new process
        restarted = Service(slow_upstream.url, data_dir=svc.data_dir, admin_key=svc.admin_key,
                            extra_env=deployment).start()
        rows = usage_rows(restarted, deployment)
        by_rid: dict[str, list[dict]] = {}
        for row in rows:
            by_rid.setdefault(row["request_id"], []).append(row)
        missing = [rid for rid in answered if rid not in by_rid]
        doubled = [rid for rid, rs in by_rid.items() if len(rs) > 1]
        assert not missing, f"{len(missing)} answered requests have no usage record: {missing[:5]}"
        assert not doubled, doubled[:5]
        for rid, (status, cost) in answered.items():
            row = by_rid[rid][0]
            assert row["http_status"] == status and row["cost_usd"] == pytest.approx(cost, abs=1e-9), (rid, row)
        print(f"\ncrash: {len(answered)} answered before kill -9 ({len(ok)} ok), {seen.lost} cut off, "
              f"{len(rows)} usage rows after restart")

        # the budget after the restart is what the records say, and no dead request's hold stays held
        records = sum(r["cost_usd"] for r in rows if r["api_key_id"] == key["id"])
        with httpx.Client(base_url=restarted.url, headers={"authorization": f"Bearer {key['key']}"},
                          timeout=30) as c:
            deadline = time.monotonic() + HOLD_S + 5
            while True:
                budget = c.get("/v1/usage").json()["budget"]
                if budget["held_usd"] == 0 or time.monotonic() > deadline:
                    break
                time.sleep(0.5)
            assert budget["held_usd"] == 0, budget
            if "BESTROUTE_REDIS_URL" in deployment:
                in_flight = CLIENTS * max(cost for _, cost in answered.values())
                assert records - 1e-8 <= budget["spent_usd"] <= records + in_flight + 1e-8, (budget, records)
            else:
                assert budget["spent_usd"] == pytest.approx(records, abs=1e-8), (budget, records)
            print(f"crash: budget spent ${budget['spent_usd']:.6f}, usage records ${records:.6f}")
            spent = budget["spent_usd"]
            # and it keeps counting correctly after the restart
            r = c.post("/v1/route", json=BODY)
            assert r.status_code == 200, r.text
            after = c.get("/v1/usage").json()["budget"]
            assert after["spent_usd"] == pytest.approx(spent + r.json()["cost_usd"], abs=1e-8)
    finally:
        with contextlib.suppress(Exception):
            svc.stop()
        if restarted is not None:
            restarted.stop()
