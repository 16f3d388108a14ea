"""Per-model circuit breaker: skip a model that keeps failing, try it again after a cool-down.

``CircuitBreaker`` keeps state in process memory; ``store.redis_state`` offers the same interface
backed by Redis so several replicas share it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass


@dataclass
class _State:
    failures: int = 0
    opened_at: float | None = None


class CircuitBreaker:
    def __init__(self, failures: int = 3, cooldown_s: float = 30.0, clock=time.monotonic) -> None:
        self.threshold = failures
        self.cooldown_s = cooldown_s
        self._clock = clock
        self._states: dict[str, _State] = {}

    async def open_models(self) -> dict[str, float]:
        """The models whose circuit is open, each with the seconds left before a trial call."""
        now = self._clock()
        return {m: self.cooldown_s - (now - s.opened_at) for m, s in self._states.items()
                if s.opened_at is not None and now - s.opened_at < self.cooldown_s}

    async def record_success(self, model: str) -> None:
        self._states.pop(model, None)

    async def record_failure(self, model: str) -> None:
        state = self._states.setdefault(model, _State())
        state.failures += 1
        if state.failures >= self.threshold:
            # (re)open: a failed trial after the cool-down starts a new cool-down
            state.opened_at = self._clock()

    async def snapshot(self) -> dict[str, str]:
        opened = await self.open_models()
        return {m: "open" for m in opened}
