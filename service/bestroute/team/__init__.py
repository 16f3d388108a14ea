"""Running one BestRoute for a team: budgets, rate limits and circuit state, shared between
replicas through Redis when ``BESTROUTE_REDIS_URL`` is set, else held in this process.

``build_team`` picks the backends from the settings; ``api.app`` plugs the result in:
``Budgets`` as the router's hooks, the limiter into the auth dependency, the shared breaker as the
router's breaker, and the Redis client into ``/readyz``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bestroute.settings import Settings
from bestroute.store.db import Database
from bestroute.team.budgets import Budgets, MemoryLedger
from bestroute.team.ratelimit import MemoryLimiter


@dataclass
class Team:
    budgets: Budgets
    limiter: Any
    breaker: Any | None  # None: keep the router's in-process breaker
    redis: Any | None

    async def close(self) -> None:
        if self.redis is not None:
            await self.redis.aclose()


def build_team(settings: Settings, db: Database) -> Team:
    if not settings.redis_url:
        return Team(budgets=Budgets(db, MemoryLedger(), hold_s=settings.budget_hold_s),
                    limiter=MemoryLimiter(), breaker=None, redis=None)
    # redis is imported only when it is used
    from bestroute.team.redis_conn import connect
    from bestroute.team.redis_state import RedisCircuitBreaker, RedisLedger, RedisLimiter

    client = connect(settings.redis_url)
    prefix = settings.redis_prefix
    return Team(
        budgets=Budgets(db, RedisLedger(client, prefix), hold_s=settings.budget_hold_s),
        limiter=RedisLimiter(client, prefix),
        breaker=RedisCircuitBreaker(client, prefix, settings.circuit_failures, settings.circuit_cooldown_s),
        redis=client,
    )
