"""Schema migrations upgrade an existing database: a v1 database (as the first release wrote it,
with data) is brought to the newest version on SQLite and on the real PostgreSQL, keeps its rows,
and replicas migrating at the same moment do each step exactly once."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pytest

from bestroute.store.db import MIGRATIONS, Database
from bestroute.store.keys import KeyStore
from bestroute.store.usage import INSERT, UsageRecord, usage_report
from tests.support.teamdb import pg_database

V1_USAGE = ("INSERT INTO usage (id, created_at, api_key_id, task_type, model, provider, strategy, input_tokens, "
            "output_tokens, cost_usd, baseline_cost_usd, latency_ms, status, http_status, error_type, attempts, "
            "fallback_used, dry_run, metadata) VALUES ('req_old', {t}, 'key_old', 'code', 'openai/gpt-5-mini', "
            "'openai', 'balanced', 10, 20, 0.25, 1.0, 12.5, 'ok', 200, NULL, 1, 0, 0, NULL)")
V1_KEY = ("INSERT INTO api_keys (id, name, key_hash, prefix, created_at, budget_usd, rpm) "
          "VALUES ('key_old', 'old', 'abc123', 'br-xxxx', {t}, 5.0, 60)")


def write_v1(execute) -> None:
    """What version 1 of BestRoute left on disk: its tables, version row 1, and some data."""
    execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
    for sql in MIGRATIONS[0]:
        execute(sql)
    execute("INSERT INTO schema_version (version) VALUES (1)")
    now = time.time()
    execute(V1_USAGE.format(t=now))
    execute(V1_KEY.format(t=now))


def check_upgraded(db: Database) -> None:
    assert db.version() == 1
    assert db.migrate() == len(MIGRATIONS) >= 2
    assert db.migrate() == len(MIGRATIONS)  # idempotent
    versions = [r["version"] for r in db.query("SELECT version FROM schema_version ORDER BY version")]
    assert versions == list(range(1, len(MIGRATIONS) + 1))
    old = db.query("SELECT * FROM usage WHERE id = 'req_old'")[0]
    assert old["cost_usd"] == 0.25 and old["request_id"] is None
    key = KeyStore(db).get("key_old")
    assert key is not None and key.budget_usd == 5.0 and key.rpm == 60
    # the new column is written by the current code
    rec = UsageRecord(id="req_new", created_at=time.time(), api_key_id="key_old", task_type="code",
                      model="openai/gpt-5-mini", provider="openai", strategy="balanced", input_tokens=1,
                      output_tokens=1, cost_usd=0.5, baseline_cost_usd=2.0, latency_ms=1.0, status="ok",
                      http_status=200, error_type=None, attempts=1, fallback_used=False, dry_run=False,
                      metadata={}, request_id="corr-1")
    db.executemany(INSERT, [rec.row()])
    assert db.query("SELECT request_id FROM usage WHERE id = 'req_new'")[0]["request_id"] == "corr-1"
    report = usage_report(db, api_key_id="key_old", model="openai/gpt-5-mini", group_by="task_type")
    assert report["totals"]["spend_usd"] == pytest.approx(0.75)
    assert report["totals"]["savings_usd"] == pytest.approx(2.25)


def test_sqlite_v1_database_is_upgraded(tmp_path: Path) -> None:
    path = tmp_path / "v1.db"
    conn = sqlite3.connect(path, isolation_level=None)
    write_v1(conn.execute)
    conn.close()
    db = Database(f"sqlite:///{path}")
    try:
        check_upgraded(db)
        names = {r["name"] for r in db.query("SELECT name FROM sqlite_master WHERE type = 'index'")}
        assert {"usage_model_created", "usage_task_type_created"} <= names
    finally:
        db.close()


def test_postgres_v1_database_is_upgraded() -> None:
    import psycopg

    with pg_database() as url:
        with psycopg.connect(url, autocommit=True) as conn:
            write_v1(conn.execute)
        db = Database(url)
        try:
            check_upgraded(db)
            names = {r["indexname"] for r in db.query("SELECT indexname FROM pg_indexes WHERE tablename = 'usage'")}
            assert {"usage_model_created", "usage_task_type_created"} <= names
        finally:
            db.close()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_replicas_migrating_together_run_each_step_once(backend: str, tmp_path: Path) -> None:
    def race(url: str) -> None:
        results: list[object] = []

        def start() -> None:
            db = Database(url)
            try:
                results.append(db.migrate())
            except Exception as exc:  # noqa: BLE001 - collected and asserted below
                results.append(exc)
            finally:
                db.close()

        threads = [threading.Thread(target=start) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert results == [len(MIGRATIONS)] * 4
        db = Database(url)
        try:
            versions = [r["version"] for r in db.query("SELECT version FROM schema_version ORDER BY version")]
            assert versions == list(range(1, len(MIGRATIONS) + 1))
        finally:
            db.close()

    if backend == "sqlite":
        race(f"sqlite:///{tmp_path / 'race.db'}")
    else:
        with pg_database() as url:
            race(url)
