"""Monthly budgets per API key: reserve the estimate before the call, settle to the real cost after.

The check and the hold are one atomic step in a ledger (``MemoryLedger`` here, ``RedisLedger`` in
``redis_state`` for several replicas): ``spent + held + estimate <= budget`` or the request is
refused with 402. Settling releases the hold and adds the real cost to ``spent``.

The usage table is the source of truth for settled spend: a ledger starts each key's month from
``SUM(cost_usd)`` of that key's usage rows, so after a restart (or a lost Redis) the budget is what
the usage records say. Holds of requests that never settle (a crashed replica) expire after
``hold_s``. Money is counted in integer nano-dollars so that sums are exact.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol

from bestroute.errors import BudgetExhausted
from bestroute.service import Hooks
from bestroute.store.db import Database
from bestroute.store.keys import ApiKey

UNITS_PER_USD = 1_000_000_000
#: ledger entries outlive their month by this much (late settles still find their month)
KEEP_AFTER_MONTH_S = 7 * 86400

Loader = Callable[[], Awaitable[int]]


def to_units(usd: float) -> int:
    return round(usd * UNITS_PER_USD)


def to_usd(units: int) -> float:
    return round(units / UNITS_PER_USD, 9)


def _fmt(usd: float) -> str:
    return f"{usd:.9f}".rstrip("0").rstrip(".") or "0"


def month_window(now: float) -> tuple[str, float, float]:
    """(label ``YYYY-MM``, start, end) of the UTC calendar month containing ``now`` (unix seconds)."""
    t = datetime.fromtimestamp(now, UTC)
    start = datetime(t.year, t.month, 1, tzinfo=UTC)
    end = datetime(t.year + (t.month == 12), t.month % 12 + 1, 1, tzinfo=UTC)
    return f"{t.year:04d}-{t.month:02d}", start.timestamp(), end.timestamp()


def iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat().replace("+00:00", "Z")


def settled_spend(db: Database, key_id: str, start: float, end: float) -> int:
    """Settled spend of ``key_id`` in [start, end), from the usage table, in units."""
    rows = db.query("SELECT COALESCE(SUM(cost_usd), 0) AS spent FROM usage "
                    "WHERE api_key_id = ? AND created_at >= ? AND created_at < ?", (key_id, start, end))
    return to_units(float(rows[0]["spent"]))


@dataclass(frozen=True)
class Reservation:
    ok: bool
    spent: int  # settled units this month
    held: int   # units held by other requests in flight


class Ledger(Protocol):
    async def reserve(self, key_id: str, month: str, request_id: str, units: int, budget: int,
                      hold_s: float, ttl_s: float, load: Loader) -> Reservation: ...

    async def settle(self, key_id: str, month: str, request_id: str, units: int) -> None: ...

    async def peek(self, key_id: str, month: str, ttl_s: float, load: Loader) -> tuple[int, int]: ...


@dataclass
class _Month:
    spent: int
    holds: dict[str, tuple[int, float]] = field(default_factory=dict)  # request id -> (units, expiry)

    def held(self, now: float) -> int:
        for rid in [r for r, (_, exp) in self.holds.items() if exp <= now]:
            del self.holds[rid]
        return sum(u for u, _ in self.holds.values())


class MemoryLedger:
    """One process's ledger: right for one replica (SQLite, or PostgreSQL without Redis)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._months: dict[tuple[str, str], _Month] = {}
        self._lock = asyncio.Lock()
        self._clock = clock

    async def _month(self, key_id: str, month: str, load: Loader) -> _Month:
        state = self._months.get((key_id, month))
        if state is None:
            state = self._months[(key_id, month)] = _Month(spent=await load())
        return state

    async def reserve(self, key_id: str, month: str, request_id: str, units: int, budget: int,
                      hold_s: float, ttl_s: float, load: Loader) -> Reservation:
        async with self._lock:
            state = await self._month(key_id, month, load)
            now = self._clock()
            held = state.held(now)
            if state.spent + held + units > budget:
                return Reservation(False, state.spent, held)
            state.holds[request_id] = (units, now + hold_s)
            return Reservation(True, state.spent, held)

    async def settle(self, key_id: str, month: str, request_id: str, units: int) -> None:
        async with self._lock:
            state = self._months.get((key_id, month))
            if state is not None:
                state.holds.pop(request_id, None)
                state.spent += units

    async def peek(self, key_id: str, month: str, ttl_s: float, load: Loader) -> tuple[int, int]:
        async with self._lock:
            state = await self._month(key_id, month, load)
            return state.spent, state.held(self._clock())


class Budgets(Hooks):
    """The router's hooks: hold a request's worst-case cost against its key's monthly budget."""

    def __init__(self, db: Database, ledger: Ledger, hold_s: float = 900.0,
                 clock: Callable[[], float] = time.time) -> None:
        self.db = db
        self.ledger = ledger
        self.hold_s = hold_s
        self._clock = clock
        # request id -> (month its hold was taken in, when); entries of requests that never settled
        # (cancelled) are dropped once their hold has expired
        self._months: dict[str, tuple[str, float]] = {}

    def _loader(self, key_id: str, start: float, end: float) -> Loader:
        return lambda: asyncio.to_thread(settled_spend, self.db, key_id, start, end)

    async def reserve(self, key: ApiKey | None, request_id: str, amount: float) -> None:
        if key is None or key.budget_usd is None:
            return
        now = self._clock()
        month, start, end = month_window(now)
        units, budget = to_units(amount), to_units(key.budget_usd)
        res = await self.ledger.reserve(key.id, month, request_id, units, budget, self.hold_s,
                                        end - now + KEEP_AFTER_MONTH_S, self._loader(key.id, start, end))
        if not res.ok:
            spent, held = to_usd(res.spent), to_usd(res.held)
            in_flight = f" and ${_fmt(held)} is held by requests in flight" if res.held else ""
            raise BudgetExhausted(
                f"API key '{key.name}' has spent ${_fmt(spent)} of its ${_fmt(key.budget_usd)} monthly budget"
                f"{in_flight}; this request could cost up to ${_fmt(amount)}. The budget resets at {iso(end)}.",
                spent_usd=spent, budget_usd=key.budget_usd, resets_at=iso(end), held_usd=held,
                estimated_cost_usd=round(amount, 9))
        if len(self._months) > 1000:
            for rid in [r for r, (_, at) in self._months.items() if at < now - self.hold_s]:
                del self._months[rid]
        self._months[request_id] = (month, now)

    async def settle(self, key: ApiKey | None, request_id: str, reserved: float, actual: float) -> None:
        taken = self._months.pop(request_id, None)
        if key is None or taken is None:
            return
        await self.ledger.settle(key.id, taken[0], request_id, to_units(actual))

    async def status(self, key: ApiKey) -> dict[str, object] | None:
        """The key's budget this month, for the usage API; None without a budget."""
        if key.budget_usd is None:
            return None
        now = self._clock()
        month, start, end = month_window(now)
        spent, held = await self.ledger.peek(key.id, month, end - now + KEEP_AFTER_MONTH_S,
                                             self._loader(key.id, start, end))
        return {"budget_usd": key.budget_usd, "spent_usd": to_usd(spent), "held_usd": to_usd(held),
                "remaining_usd": to_usd(max(0, to_units(key.budget_usd) - spent - held)),
                "month": month, "resets_at": iso(end)}
