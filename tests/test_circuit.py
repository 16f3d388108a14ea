"""The in-process circuit breaker, on a fake clock."""

from __future__ import annotations

import asyncio

from bestroute.circuit import CircuitBreaker


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_opens_after_the_threshold_and_reports_the_time_left() -> None:
    async def go() -> None:
        clock = Clock()
        b = CircuitBreaker(failures=2, cooldown_s=30.0, clock=clock)
        await b.record_failure("m")
        assert await b.open_models() == {}
        await b.record_failure("m")
        assert await b.open_models() == {"m": 30.0}
        clock.now += 12.5
        assert await b.open_models() == {"m": 17.5} and await b.snapshot() == {"m": "open"}
        clock.now += 17.5
        assert await b.open_models() == {}  # cool-down over: the next call is a trial
        await b.record_failure("m")  # the trial failed: a new cool-down at once
        assert await b.open_models() == {"m": 30.0}
        await b.record_success("m")
        assert await b.open_models() == {}
        await b.record_failure("m")
        assert await b.open_models() == {}  # counting starts over after a success

    asyncio.run(go())
