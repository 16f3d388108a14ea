"""Routing routes: POST /v1/route, GET /v1/models, health."""

from __future__ import annotations

import asyncio
from typing import Any

import orjson
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from bestroute.api.deps import KeyDep, RouterDep
from bestroute.errors import Unavailable
from bestroute.schemas import ModelList, Problem, RouteRequest, RouteResponse

router = APIRouter()

PROBLEMS: dict[int | str, dict[str, Any]] = {
    status: {"model": Problem, "description": desc, "content": {"application/problem+json": {}}}
    for status, desc in {
        400: "Malformed body", 401: "Missing or invalid API key", 402: "Budget exhausted",
        413: "Body too large", 422: "Invalid field or no eligible model", 429: "Rate limited",
        502: "Every attempt failed", 503: "Provider not configured", 504: "Deadline exceeded",
    }.items()
}


@router.post("/v1/route", response_model=RouteResponse, operation_id="route", responses=PROBLEMS,
             summary="Route a task to the best model and answer it")
async def route(body: RouteRequest, router_: RouterDep, key: KeyDep) -> Response:
    # the body is built to RouteResponse's shape (tests/test_route_e2e.py checks it round-trips), so it
    # is sent as it is: re-validating a receipt through pydantic cost ~5% of a request's CPU
    return Response(orjson.dumps(await router_.route(body, key)), media_type="application/json")


@router.get("/v1/models", response_model=ModelList, operation_id="list_models",
            responses={401: PROBLEMS[401]}, summary="The model catalog")
async def models(router_: RouterDep, key: KeyDep) -> dict[str, Any]:
    health = await router_.breaker.open_models()
    data = []
    for m in router_.catalog.models:
        if key and key.allowed_models is not None and m.id not in key.allowed_models:
            continue
        if key and key.allowed_providers is not None and m.provider not in key.allowed_providers:
            continue
        data.append({
            "id": m.id, "object": "model", "owned_by": m.provider, "model": m.id, "provider": m.provider,
            "input_cost_per_1m": round(m.input_cost_per_token * 1e6, 6),
            "output_cost_per_1m": round(m.output_cost_per_token * 1e6, 6),
            "context_window": m.context_window, "max_output_tokens": m.max_output_tokens,
            "capabilities": sorted(m.capabilities), "quality": m.quality,
            "typical_latency_ms": round(m.estimate_latency_ms(400), 1),
            "available": m.id in router_.configured, "health": "open" if m.id in health else "ok",
        })
    return {"object": "list", "data": data, "count": len(data)}


@router.get("/healthz", operation_id="healthz", summary="Liveness")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", operation_id="readyz", summary="Readiness: database (and Redis) reachable",
            responses={503: PROBLEMS[503]})
async def readyz(request: Request) -> JSONResponse:
    state = request.app.state
    checks: dict[str, str] = {}
    try:
        await asyncio.to_thread(state.db.ping)
        checks["database"] = "ok"
    except Exception as exc:  # noqa: BLE001 - reported, not raised
        raise Unavailable(f"database unreachable: {type(exc).__name__}") from exc
    redis = getattr(state, "redis", None)
    if redis is not None:
        try:
            await redis.ping()
            checks["redis"] = "ok"
        except Exception as exc:  # noqa: BLE001
            raise Unavailable(f"redis unreachable: {type(exc).__name__}") from exc
    if not state.router.wire.ready():
        raise Unavailable("warming up: the provider library is still loading")
    checks["providers"] = "ok"
    return JSONResponse({"status": "ready", "checks": checks})
