"""Budgets, rate limits and circuit state kept in Redis, shared by every replica.

Each check-and-update is one Lua script, so it is atomic across replicas; scripts read Redis's own
clock (``TIME``) so replicas with skewed clocks still agree. Keys live under the configured prefix.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from redis.exceptions import RedisError

from bestroute.errors import Unavailable
from bestroute.team.budgets import Loader, Reservation
from bestroute.team.ratelimit import WINDOW_S, refuse

log = logging.getLogger("bestroute.team")


async def _run(script: Any, keys: list[str], args: list[Any]) -> Any:
    """Budgets and rate limits fail closed: without Redis no request can be counted, so it is 503."""
    try:
        return await script(keys=keys, args=args)
    except RedisError as exc:
        raise Unavailable(f"redis unreachable ({type(exc).__name__}): budgets and rate limits cannot be "
                          "checked; see GET /readyz") from exc

_NOW = "local t = redis.call('TIME') local now = tonumber(t[1]) + tonumber(t[2]) / 1000000\n"

# KEYS: spent, holds (hash id -> units), expiries (zset id -> deadline)
# ARGV: units, budget, request id, hold seconds, ttl seconds, spent from the database ('' = unknown)
_RESERVE = _NOW + """
local stale = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', now)
for _, id in ipairs(stale) do redis.call('HDEL', KEYS[2], id) end
if #stale > 0 then redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now) end
local spent = redis.call('GET', KEYS[1])
if not spent then
  if ARGV[6] == '' then return {-1, 0, 0} end
  spent = ARGV[6]
  redis.call('SET', KEYS[1], spent, 'EX', ARGV[5])
end
spent = tonumber(spent)
local held = 0
for _, v in ipairs(redis.call('HVALS', KEYS[2])) do held = held + tonumber(v) end
if spent + held + tonumber(ARGV[1]) > tonumber(ARGV[2]) then return {0, spent, held} end
redis.call('HSET', KEYS[2], ARGV[3], ARGV[1])
redis.call('ZADD', KEYS[3], now + tonumber(ARGV[4]), ARGV[3])
redis.call('EXPIRE', KEYS[2], ARGV[5])
redis.call('EXPIRE', KEYS[3], ARGV[5])
return {1, spent, held}
"""

# KEYS: spent, holds, expiries; ARGV: request id, units
# a month whose spent counter is gone is reloaded from the usage table on its next reserve
_SETTLE = """
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[1])
if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('INCRBY', KEYS[1], ARGV[2]) end
return 1
"""

# KEYS: spent, holds, expiries; ARGV: ttl, spent from the database ('' = unknown)
_PEEK = _NOW + """
local spent = redis.call('GET', KEYS[1])
if not spent then
  if ARGV[2] == '' then return {-1, 0} end
  spent = ARGV[2]
  redis.call('SET', KEYS[1], spent, 'EX', ARGV[1])
end
local held = 0
local live = redis.call('ZRANGEBYSCORE', KEYS[3], now, '+inf')
for _, id in ipairs(live) do held = held + tonumber(redis.call('HGET', KEYS[2], id) or '0') end
return {tonumber(spent), held}
"""

# KEYS: window zset; ARGV: limit, window ms, member
_HIT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return {0, tonumber(oldest[2]) + window - now}
end
redis.call('ZADD', KEYS[1], now, ARGV[3])
redis.call('PEXPIRE', KEYS[1], window)
return {1, 0}
"""

# KEYS: failures hash, opened hash; ARGV: model, threshold
_FAIL = _NOW + """
local n = redis.call('HINCRBY', KEYS[1], ARGV[1], 1)
if n >= tonumber(ARGV[2]) then redis.call('HSET', KEYS[2], ARGV[1], now) end
return n
"""

# KEYS: opened hash; ARGV: cool-down seconds -> flat list of open models and the seconds left
# (as strings: Lua numbers become integers on the way out)
_OPEN = _NOW + """
local out = {}
local all = redis.call('HGETALL', KEYS[1])
for i = 1, #all, 2 do
  local left = tonumber(ARGV[1]) - (now - tonumber(all[i + 1]))
  if left > 0 then
    out[#out + 1] = all[i]
    out[#out + 1] = tostring(left)
  end
end
return out
"""


class RedisLedger:
    def __init__(self, client: Any, prefix: str) -> None:
        self.prefix = prefix
        self._reserve = client.register_script(_RESERVE)
        self._settle = client.register_script(_SETTLE)
        self._peek = client.register_script(_PEEK)

    def _keys(self, key_id: str, month: str) -> list[str]:
        base = f"{self.prefix}budget:{key_id}:{month}"
        return [f"{base}:spent", f"{base}:holds", f"{base}:expiries"]

    async def reserve(self, key_id: str, month: str, request_id: str, units: int, budget: int,
                      hold_s: float, ttl_s: float, load: Loader) -> Reservation:
        keys = self._keys(key_id, month)
        args = [units, budget, request_id, hold_s, int(ttl_s)]
        ok, spent, held = await _run(self._reserve, keys, [*args, ""])
        if ok == -1:  # first request of the month since Redis last saw this key: start from the usage table
            ok, spent, held = await _run(self._reserve, keys, [*args, await load()])
        return Reservation(ok == 1, int(spent), int(held))

    async def settle(self, key_id: str, month: str, request_id: str, units: int) -> None:
        await _run(self._settle, self._keys(key_id, month), [request_id, units])

    async def peek(self, key_id: str, month: str, ttl_s: float, load: Loader) -> tuple[int, int]:
        keys = self._keys(key_id, month)
        spent, held = await _run(self._peek, keys, [int(ttl_s), ""])
        if spent == -1:
            spent, held = await _run(self._peek, keys, [int(ttl_s), await load()])
        return int(spent), int(held)


class RedisLimiter:
    def __init__(self, client: Any, prefix: str) -> None:
        self.prefix = prefix
        self._hit = client.register_script(_HIT)

    async def hit(self, key_id: str, rpm: int) -> None:
        ok, wait_ms = await _run(self._hit, [f"{self.prefix}rpm:{key_id}"],
                                 [rpm, int(WINDOW_S * 1000), uuid.uuid4().hex])
        if ok != 1:
            raise refuse(rpm, int(wait_ms) / 1000)


class RedisCircuitBreaker:
    """``circuit.CircuitBreaker``'s interface with the state in Redis: a model that fails on one
    replica is skipped on all of them. Without Redis it fails open (no circuit is open, failures are
    not counted): routing goes on, and /readyz reports the outage."""

    def __init__(self, client: Any, prefix: str, failures: int = 3, cooldown_s: float = 30.0) -> None:
        self.client = client
        self.threshold = failures
        self.cooldown_s = cooldown_s
        self._failures = f"{prefix}circuit:failures"
        self._opened = f"{prefix}circuit:opened"
        self._fail = client.register_script(_FAIL)
        self._open = client.register_script(_OPEN)

    async def open_models(self) -> dict[str, float]:
        try:
            flat = await self._open(keys=[self._opened], args=[self.cooldown_s])
        except RedisError as exc:
            log.warning("circuit state unavailable: %s", type(exc).__name__)
            return {}
        return {m: float(left) for m, left in zip(flat[::2], flat[1::2])}

    async def record_success(self, model: str) -> None:
        try:
            async with self.client.pipeline(transaction=True) as pipe:
                pipe.hdel(self._failures, model)
                pipe.hdel(self._opened, model)
                await pipe.execute()
        except RedisError as exc:
            log.warning("circuit state unavailable: %s", type(exc).__name__)

    async def record_failure(self, model: str) -> None:
        try:
            await self._fail(keys=[self._failures, self._opened], args=[model, self.threshold])
        except RedisError as exc:
            log.warning("circuit state unavailable: %s", type(exc).__name__)

    async def snapshot(self) -> dict[str, str]:
        return {m: "open" for m in await self.open_models()}
