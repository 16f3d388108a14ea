"""Requests per minute per API key, as a sliding one-minute window.

``MemoryLimiter`` counts in this process; ``redis_state.RedisLimiter`` counts in Redis so that the
limit holds across replicas. Both raise ``RateLimited`` with the seconds until a slot frees up.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import deque
from collections.abc import Callable

from bestroute.errors import RateLimited

WINDOW_S = 60.0


def refuse(rpm: int, wait_s: float) -> RateLimited:
    retry = max(1, math.ceil(wait_s))
    return RateLimited(f"this API key allows {rpm} requests per minute; retry in {retry} s",
                       retry_after_s=retry, rpm=rpm)


class MemoryLimiter:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._hits: dict[str, deque[float]] = {}
        self._lock = asyncio.Lock()
        self._clock = clock

    async def hit(self, key_id: str, rpm: int) -> None:
        """Count one request for ``key_id`` or raise ``RateLimited``."""
        async with self._lock:
            now = self._clock()
            hits = self._hits.setdefault(key_id, deque())
            while hits and hits[0] <= now - WINDOW_S:
                hits.popleft()
            if len(hits) >= rpm:
                raise refuse(rpm, hits[0] + WINDOW_S - now)
            hits.append(now)
