"""A routed request whose answer is streamed: the same decision, budget hooks, circuit breaker and
usage record as ``Router.route``, with the text delivered as the model writes it.

``route_stream`` yields ``execute.Delta`` items and finally the response body (the same dict
``Router.route`` returns, with ``receipt.stream`` added). It raises ``BestRouteError`` when nothing
could be streamed (before any Delta: the caller can still answer with a plain error) or when every
remaining candidate failed after text was sent. Usage is recorded exactly once per request, also
when the client goes away in the middle (as an error with status 499).
"""

from __future__ import annotations

import asyncio
import sys
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import anyio

from bestroute import errors
from bestroute.execute import Delta, StreamOutcome, run_stream
from bestroute.service import Router, attempt_json
from bestroute.schemas import RouteRequest
from bestroute.store.keys import ApiKey


def _partial_cost(outcome: StreamOutcome | None) -> float:
    return sum(p.cost_usd for p in outcome.partials) if outcome else 0.0


def _stream_cost(router: Router, outcome: StreamOutcome | None) -> float:
    return router.cost(outcome) + _partial_cost(outcome)


async def route_stream(router: Router, req: RouteRequest, key: ApiKey | None = None, *,
                       prefer_model: str | None = None,
                       request_id: str | None = None) -> AsyncIterator[Delta | dict[str, Any]]:
    if req.dry_run:
        raise errors.InvalidField.one("stream", "a dry run calls no model, so there is nothing to stream")
    if req.response_format is not None and req.response_format.type == "json_schema":
        raise errors.InvalidField.one(
            "stream", "streaming cannot be combined with a json_schema response format (the answer is "
                      "validated as a whole); send stream: false")
    started = time.monotonic()
    request_id = request_id or "req_" + uuid.uuid4().hex
    profile = decision = None
    outcome: StreamOutcome | None = None
    reserved = 0.0
    streamed: dict[str, int] = {}  # characters sent per model, for the cost of an abandoned stream
    finished = False
    try:
        profile, decision = await router.decide(req, key, prefer_model)
        router.check_decision(req, decision)
        assert decision.chosen is not None
        reserved = router.hold_for(decision)
        await router.hooks.reserve(key, request_id, reserved)
        deadline = started + req.constraints.max_latency_ms / 1000 if req.constraints.max_latency_ms else None
        async for item in run_stream(
            decision.candidates, req.chat(), creds_for=router.registry.for_model, stream_call=router.wire.stream,
            deadline=deadline,
            max_attempts=router.settings.max_attempts, provider_timeout_s=router.settings.provider_timeout_s,
            temperature=req.temperature, on_failure=router.breaker.record_failure,
            on_success=router.breaker.record_success, is_eligible=router.within_hold(key, reserved),
        ):
            if isinstance(item, Delta):
                streamed[item.model] = streamed.get(item.model, 0) + len(item.text)
                yield item
            else:
                outcome = item
        assert outcome is not None
        await router.hooks.settle(key, request_id, reserved, _stream_cost(router, outcome))
        reserved = 0.0
        if outcome.failure is not None:
            outcome.failure.extra["attempts"] = [attempt_json(a) for a in outcome.attempts]
            raise outcome.failure
        body = router.response_body(request_id, req, profile, decision, outcome, started)
        _add_stream_receipt(body, outcome)
        await router.record_success(body, req, key)
        finished = True
        yield body
    except errors.BestRouteError as exc:
        finished = True
        if reserved:
            await router.hooks.settle(key, request_id, reserved, _stream_cost(router, outcome))
        await router.record_failure(request_id, req, key, profile, decision, outcome, exc, started)
        raise
    finally:
        if not finished:
            # the client went away (cancelled, or the generator closed), or a bug: settle and record anyway
            gone = sys.exc_info()[0]
            why = (errors.ClientClosed("the client closed the stream")
                   if gone is None or issubclass(gone, (GeneratorExit, asyncio.CancelledError))
                   else errors.BestRouteError(f"unexpected error while streaming ({gone.__name__})"))
            with anyio.CancelScope(shield=True):
                if reserved:
                    spent = 0.0
                    if profile is not None:
                        for model_id, chars in streamed.items():
                            spec = router.catalog.get(model_id)
                            if spec is not None:
                                spent += spec.estimate_cost(profile.input_tokens, chars // 4)
                    await router.hooks.settle(key, request_id, reserved, spent)
                await router.record_failure(request_id, req, key, profile, decision, outcome, why, started)


def _add_stream_receipt(body: dict[str, Any], outcome: StreamOutcome) -> None:
    """Count what broken streams cost and say in the receipt that the answer was continued."""
    extra = _partial_cost(outcome)
    if extra:
        body["cost_usd"] = round(body["cost_usd"] + extra, 10)
        body["savings_usd"] = round(body["savings_usd"] - extra, 10)
    receipt = body["receipt"]
    receipt["stream"] = {
        "continued": bool(outcome.partials),
        "partials": [{"model": p.model, "chars": p.chars, "est_cost_usd": round(p.cost_usd, 10)}
                     for p in outcome.partials],
    }
    if outcome.partials:
        broke = ", ".join(f"{p.model} (after {p.chars} characters)" for p in outcome.partials)
        receipt["reason"] += (f" The stream from {broke} broke after text had been sent; {body['model']} "
                              "continued the answer from there, so the text before the break was kept.")
