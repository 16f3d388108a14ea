"""Building the FastAPI application and its shared state."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import threading
from collections.abc import AsyncIterator
from typing import Any

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from bestroute import __version__
from bestroute.api import admin, openai_compat, problems, routes
from bestroute.api import metrics as metrics_api
from bestroute.api import usage as usage_api
from bestroute.api.limits import BodyLimit
from bestroute.api.protocols import Protocols
from bestroute.catalog import build_catalog
from bestroute.circuit import CircuitBreaker
from bestroute.config import load_config
from bestroute.understanding import understand
from bestroute.logs import RequestContext
from bestroute.logs import configure as configure_logs
from bestroute.providers import load_registry
from bestroute.service import Router
from bestroute.settings import Settings
from bestroute.store.db import Database
from bestroute.store.keys import KeyStore
from bestroute.store.usage import UsageWriter
from bestroute.team import build_team
from bestroute.wire import Wire

log = logging.getLogger("bestroute")


def build_router(settings: Settings) -> Router:
    config = load_config(settings.config)
    catalog = build_catalog(config)
    return Router(settings=settings, config=config, catalog=catalog, registry=load_registry(config, catalog),
                  breaker=CircuitBreaker(settings.circuit_failures, settings.circuit_cooldown_s),
                  wire=Wire(settings.upstream_client, settings.upstream_connections))


def _warm_up(wire: Wire) -> None:
    wire.warm()
    # the catalog, the classifier and litellm (when loaded) leave ~100k-450k long-lived objects that
    # every full garbage collection walked again (~0.5 s each on a busy 2-core machine, a few per
    # 1,000 requests): move them out of the collector's reach once they exist (docs/performance.md)
    gc.collect()
    gc.freeze()


def create_app(settings: Settings | None = None) -> Any:
    settings = settings or Settings.from_env()
    router = build_router(settings)
    db = Database(settings.resolved_database_url())
    db.migrate()
    configure_logs(settings.log_level, settings.log_format)
    team = build_team(settings, db)  # budgets, rate limits, shared circuit state (Redis if configured)
    router.hooks = team.budgets
    if team.breaker is not None:
        router.breaker = team.breaker
    metrics = metrics_api.Metrics()
    agents = Protocols(router, f"http://{settings.host}:{settings.port}")  # MCP and A2A, loaded on first use

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # load the task classifier now: a broken artefact stops the start instead of failing requests
        understand("warm up")
        # litellm's import and its first call per wire format take seconds: when a configured model
        # needs litellm, warm it in the background, so the first routed request does not pay them
        threading.Thread(target=_warm_up, args=(router.wire,), name="warm-up", daemon=True).start()
        router.usage = metrics.observe_usage(UsageWriter(db, settings.usage_batch_max))
        router.usage.start()
        agents_running = agents.running()
        await agents_running.__aenter__()
        try:
            yield
        finally:
            await agents_running.__aexit__(None, None, None)
            await router.usage.close()
            await team.close()
            await router.wire.close()
            await asyncio.to_thread(db.close)

    app = FastAPI(
        title="BestRoute", version=__version__, lifespan=lifespan,
        description="Routes each AI request to the best model under your constraints, calls it with "
                    "fallbacks, and returns the answer with a routing receipt.",
    )
    app.state.router = router
    app.state.db = db
    app.state.keys = KeyStore(db)
    app.state.keys_required = False
    app.state.ratelimit = team.limiter
    app.state.redis = team.redis
    app.state.metrics = metrics
    problems.install(app)
    if settings.cors_origins:
        # off by default: browsers may call BestRoute only from origins the operator names
        app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins, allow_methods=["GET", "POST"],
                           allow_headers=["authorization", "content-type", "x-request-id"])
    app.include_router(routes.router)
    app.include_router(admin.router)
    app.include_router(usage_api.router)
    app.include_router(metrics_api.router)
    app.include_router(openai_compat.router)
    agents.install(app)
    app.state.settings = settings
    return RequestContext(metrics.middleware(BodyLimit(app, settings.max_body_bytes), app))
