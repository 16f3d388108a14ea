"""Throwaway PostgreSQL databases and Redis key prefixes for the team tests (issue #7).

Each test run gets its own database ``bestroute_test_<random>`` (dropped afterwards) and its own Redis
key prefix (deleted afterwards), so runs never collide. The servers are the real ones on 127.0.0.1;
when one is down the tests fail with the reason, they are not skipped.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager

PG_ADMIN_URL = os.environ.get("BESTROUTE_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("BESTROUTE_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@contextmanager
def pg_database() -> Iterator[str]:
    """A fresh, empty PostgreSQL database; yields its URL."""
    import psycopg

    name = "bestroute_test_" + secrets.token_hex(6)
    with psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=5) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    try:
        yield PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@contextmanager
def redis_prefix() -> Iterator[str]:
    """A unique key prefix in the test Redis; every key under it is deleted afterwards."""
    import redis

    prefix = f"brtest:{secrets.token_hex(6)}:"
    client = redis.Redis.from_url(REDIS_URL, socket_timeout=5)
    client.ping()
    try:
        yield prefix
    finally:
        keys = list(client.scan_iter(match=prefix + "*", count=1000))
        if keys:
            client.delete(*keys)
        client.close()
