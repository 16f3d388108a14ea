"""Prometheus metrics: ``GET /metrics`` in the text exposition format.

Each app has its own registry (no process globals), so the numbers are this process's. Run one
worker per replica (``BESTROUTE_WORKERS=1``, scale with replicas) and let Prometheus scrape every
replica; with several workers in one process group each scrape would see one worker only.
Once an API key exists, scraping needs the admin key (``authorization: Bearer $BESTROUTE_ADMIN_KEY``
in the scrape config): the numbers are the whole team's spend.

- ``bestroute_http_requests_total{method,route,status}`` and
  ``bestroute_http_request_duration_seconds{method,route}``: every HTTP request, by route template.
- ``bestroute_routed_requests_total{model,task_type,status}``: routed requests (from the usage log).
- ``bestroute_spend_usd_total{model}``, ``bestroute_baseline_spend_usd_total{model}``: real cost and
  what the premium baseline would have cost; the difference is the savings.
- ``bestroute_fallbacks_total{model}``: answers that came from a fallback model (labelled by it).
- ``bestroute_circuit_open{model}``: 1 while a model's circuit is open (read at scrape time).
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from bestroute.api.deps import require_admin
from bestroute.logs import request_id_var

router = APIRouter()

_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.http_requests = Counter("bestroute_http_requests", "HTTP requests", ["method", "route", "status"], registry=r)
        self.http_latency = Histogram("bestroute_http_request_duration_seconds", "HTTP request latency",
                                      ["method", "route"], buckets=_BUCKETS, registry=r)
        self.routed = Counter("bestroute_routed_requests", "Routed requests", ["model", "task_type", "status"], registry=r)
        self.spend = Counter("bestroute_spend_usd", "Cost of model calls in USD", ["model"], registry=r)
        self.baseline = Counter("bestroute_baseline_spend_usd", "Cost the premium baseline would have had",
                                ["model"], registry=r)
        self.fallbacks = Counter("bestroute_fallbacks", "Answers from a fallback model", ["model"], registry=r)
        self.circuit_open = Gauge("bestroute_circuit_open", "1 while the model's circuit is open", ["model"], registry=r)
        self._circuits_seen: set[str] = set()

    def observe_usage(self, writer: Any) -> MeteredUsage:
        return MeteredUsage(writer, self)

    def record(self, rec: Any) -> None:
        model = rec.model or "none"
        self.routed.labels(model, rec.task_type or "none", rec.status).inc()
        if rec.cost_usd:
            self.spend.labels(model).inc(rec.cost_usd)
        if rec.baseline_cost_usd:
            self.baseline.labels(model).inc(rec.baseline_cost_usd)
        if rec.fallback_used:
            self.fallbacks.labels(model).inc()

    async def render(self, breaker: Any) -> bytes:
        opened = set(await breaker.open_models())
        for model in self._circuits_seen | opened:  # a closed circuit goes back to 0
            self.circuit_open.labels(model).set(1 if model in opened else 0)
        self._circuits_seen |= opened
        return generate_latest(self.registry)

    def middleware(self, outer: Any, app: Any) -> Any:
        """Count every request reaching ``outer``; ``app`` (the FastAPI app) names its route template."""
        app.add_middleware(_RouteLabel)
        return _Metered(outer, self)


class MeteredUsage:
    """The usage writer as the HTTP app uses it: each record is counted into the metrics and tagged
    with the request's X-Request-ID on its way to the database."""

    def __init__(self, writer: Any, metrics: Metrics) -> None:
        self._writer = writer
        self._metrics = metrics

    async def record(self, rec: Any) -> None:
        self._metrics.record(rec)
        if getattr(rec, "request_id", None) is None:
            rec.request_id = request_id_var.get()
        await self._writer.record(rec)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._writer, name)


_SLOT = "bestroute.metrics"


class _RouteLabel:
    """Inside the app, where the router has put the matched route into the scope: copy its template
    to the slot the outer middleware shares (outer scopes are copies and never see ``route``)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        try:
            await self.app(scope, receive, send)
        finally:
            slot, route = scope.get(_SLOT), scope.get("route")
            if slot is not None and route is not None:
                slot["route"] = getattr(route, "path", "other")


class _Metered:
    def __init__(self, app: Any, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500
        slot: dict[str, str] = {}
        scope = dict(scope, **{_SLOT: slot})

        async def send_status(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            route, method = slot.get("route", "unmatched"), scope.get("method", "")
            self.metrics.http_requests.labels(method, route, str(status)).inc()
            self.metrics.http_latency.labels(method, route).observe(time.perf_counter() - started)


@router.get("/metrics", operation_id="metrics", summary="Prometheus metrics", include_in_schema=False)
async def metrics(request: Request) -> Response:
    state = request.app.state
    if state.keys_required or await asyncio.to_thread(state.keys.any_exist):
        # team-wide spend per model: the admin key's, as GET /v1/usage is for every key
        state.keys_required = True
        await require_admin(request)
    body = await state.metrics.render(state.router.breaker)
    return Response(body, media_type=CONTENT_TYPE_LATEST)
