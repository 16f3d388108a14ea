"""The Redis connection shared by budgets, rate limits and circuit state."""

from __future__ import annotations

from typing import Any

from bestroute.errors import ConfigError


def connect(url: str) -> Any:
    """An asyncio Redis client for ``url`` (connections open lazily, on the running loop)."""
    import redis.asyncio as aioredis

    if not url.startswith(("redis://", "rediss://", "unix://")):
        raise ConfigError(f"BESTROUTE_REDIS_URL must start with redis://, rediss:// or unix:// "
                          f"(got {url.split(':')[0]}:...)")
    # short timeouts: a request must not hang on a dead Redis; /readyz reports it instead
    return aioredis.from_url(url, decode_responses=True, socket_timeout=5, socket_connect_timeout=3,
                             health_check_interval=30)
