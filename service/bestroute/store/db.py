"""A small synchronous SQL layer over SQLite or PostgreSQL, with schema migrations.

Queries use ``?`` placeholders; the PostgreSQL backend rewrites them. Callers on the event loop
run these methods in a worker thread (``asyncio.to_thread``).
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from bestroute.errors import ConfigError

MIGRATIONS: list[list[str]] = [
    [  # 1: usage log and API keys
        """CREATE TABLE IF NOT EXISTS usage (
            id TEXT PRIMARY KEY,
            created_at DOUBLE PRECISION NOT NULL,
            api_key_id TEXT,
            task_type TEXT,
            model TEXT,
            provider TEXT,
            strategy TEXT,
            input_tokens INTEGER NOT NULL DEFAULT 0,
            output_tokens INTEGER NOT NULL DEFAULT 0,
            cost_usd DOUBLE PRECISION NOT NULL DEFAULT 0,
            baseline_cost_usd DOUBLE PRECISION NOT NULL DEFAULT 0,
            latency_ms DOUBLE PRECISION NOT NULL DEFAULT 0,
            status TEXT NOT NULL,
            http_status INTEGER NOT NULL,
            error_type TEXT,
            attempts INTEGER NOT NULL DEFAULT 0,
            fallback_used INTEGER NOT NULL DEFAULT 0,
            dry_run INTEGER NOT NULL DEFAULT 0,
            metadata TEXT
        )""",
        "CREATE INDEX IF NOT EXISTS usage_created ON usage (created_at)",
        "CREATE INDEX IF NOT EXISTS usage_key_created ON usage (api_key_id, created_at)",
        """CREATE TABLE IF NOT EXISTS api_keys (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            key_hash TEXT NOT NULL UNIQUE,
            prefix TEXT NOT NULL,
            created_at DOUBLE PRECISION NOT NULL,
            revoked_at DOUBLE PRECISION,
            budget_usd DOUBLE PRECISION,
            rpm INTEGER,
            allowed_models TEXT,
            allowed_providers TEXT,
            default_strategy TEXT
        )""",
    ],
    [  # 2: the caller's X-Request-ID on each usage row (to find its log lines); indexes for /v1/usage filters
        "ALTER TABLE usage ADD COLUMN request_id TEXT",
        "CREATE INDEX IF NOT EXISTS usage_model_created ON usage (model, created_at)",
        "CREATE INDEX IF NOT EXISTS usage_task_type_created ON usage (task_type, created_at)",
    ],
]


class Database:
    def __init__(self, url: str) -> None:
        self.url = url
        self.is_postgres = url.startswith(("postgresql://", "postgres://"))
        self._lock = threading.Lock()
        if self.is_postgres:
            try:
                from psycopg_pool import ConnectionPool
            except ImportError as exc:  # pragma: no cover - psycopg is a dependency
                raise ConfigError("PostgreSQL needs psycopg and psycopg_pool") from exc
            self._pool = ConnectionPool(url, min_size=1, max_size=8, open=True,
                                        kwargs={"autocommit": False})
            self._sqlite = None
        elif url.startswith("sqlite:///"):
            path = Path(url[len("sqlite:///"):])
            path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None, timeout=30)
            conn.execute("PRAGMA journal_mode=WAL")
            # WAL + NORMAL: a committed transaction survives a process crash (kill -9)
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA busy_timeout=30000")
            self._sqlite = conn
        else:
            raise ConfigError(f"BESTROUTE_DATABASE_URL must start with sqlite:/// or postgresql:// (got {url.split(':')[0]}:...)")

    def _sql(self, sql: str) -> str:
        return sql.replace("?", "%s") if self.is_postgres else sql

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        return self.transaction([(sql, params)])

    def transaction(self, statements: Iterable[tuple[str, Sequence[Any]]]) -> int:
        """Run statements in one transaction; returns the rowcount of the last one."""
        rowcount = 0
        if self._sqlite is not None:
            with self._lock:
                cur = self._sqlite.cursor()
                cur.execute("BEGIN IMMEDIATE")
                try:
                    for sql, params in statements:
                        cur.execute(sql, params)
                        rowcount = cur.rowcount
                    cur.execute("COMMIT")
                except BaseException:
                    cur.execute("ROLLBACK")
                    raise
            return rowcount
        with self._pool.connection() as conn:
            with conn.cursor() as cur:
                for sql, params in statements:
                    cur.execute(self._sql(sql), params)
                    rowcount = cur.rowcount
        return rowcount

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if not rows:
            return
        if self._sqlite is not None:
            with self._lock:
                self._sqlite.execute("BEGIN IMMEDIATE")
                try:
                    self._sqlite.executemany(sql, rows)
                    self._sqlite.execute("COMMIT")
                except BaseException:
                    self._sqlite.execute("ROLLBACK")
                    raise
            return
        with self._pool.connection() as conn:
            with conn.cursor() as cur:
                cur.executemany(self._sql(sql), rows)

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        if self._sqlite is not None:
            with self._lock:
                cur = self._sqlite.execute(sql, params)
                cols = [d[0] for d in cur.description or ()]
                return [dict(zip(cols, row)) for row in cur.fetchall()]
        with self._pool.connection() as conn:
            with conn.cursor() as cur:
                cur.execute(self._sql(sql), params)
                cols = [d.name for d in cur.description or ()]
                return [dict(zip(cols, row)) for row in cur.fetchall()]

    def migrate(self) -> int:
        """Bring the schema to the newest version in one transaction; returns that version.

        Replicas starting together are serialised (an advisory lock on PostgreSQL, BEGIN IMMEDIATE
        on SQLite) and each re-reads the version inside the lock, so every step runs exactly once.
        """
        create = "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)"
        current = "SELECT MAX(version) AS v FROM schema_version"
        if self._sqlite is not None:
            with self._lock:
                cur = self._sqlite.cursor()
                cur.execute("BEGIN IMMEDIATE")
                try:
                    cur.execute(create)
                    done = cur.execute(current).fetchone()[0] or 0
                    for target, statements in enumerate(MIGRATIONS, start=1):
                        if target > done:
                            for sql in statements:
                                cur.execute(sql)
                            cur.execute("INSERT INTO schema_version (version) VALUES (?)", (target,))
                    cur.execute("COMMIT")
                except BaseException:
                    cur.execute("ROLLBACK")
                    raise
            return self.version()
        with self._pool.connection() as conn:
            with conn.cursor() as cur:
                cur.execute("SELECT pg_advisory_xact_lock(4242)")
                cur.execute(create)
                cur.execute(current)
                done = cur.fetchone()[0] or 0
                for target, statements in enumerate(MIGRATIONS, start=1):
                    if target > done:
                        for sql in statements:
                            cur.execute(sql)
                        cur.execute("INSERT INTO schema_version (version) VALUES (%s)", (target,))
        return self.version()

    def version(self) -> int:
        rows = self.query("SELECT MAX(version) AS v FROM schema_version")
        return int(rows[0]["v"] or 0) if rows else 0

    def ping(self) -> None:
        self.query("SELECT 1 AS ok")

    def close(self) -> None:
        if self._sqlite is not None:
            self._sqlite.close()
        else:
            self._pool.close()
