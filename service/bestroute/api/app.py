"""Building the FastAPI application and its shared state."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import AsyncIterator
from typing import Any

from fastapi import FastAPI

from bestroute import __version__
from bestroute.api import admin, problems, routes
from bestroute.api.limits import BodyLimit
from bestroute.catalog import build_catalog
from bestroute.config import load_config
from bestroute.execute import load_litellm
from bestroute.providers import load_registry
from bestroute.service import Router
from bestroute.settings import Settings
from bestroute.store.db import Database
from bestroute.store.keys import KeyStore
from bestroute.store.usage import UsageWriter

log = logging.getLogger("bestroute")


def build_router(settings: Settings) -> Router:
    config = load_config(settings.config)
    catalog = build_catalog(config)
    return Router(settings=settings, config=config, catalog=catalog, registry=load_registry(config, catalog))


def create_app(settings: Settings | None = None) -> Any:
    settings = settings or Settings()
    router = build_router(settings)
    db = Database(settings.resolved_database_url())
    db.migrate()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # litellm's import takes seconds: warm it in the background so the first call does not pay
        threading.Thread(target=load_litellm, name="litellm-import", daemon=True).start()
        router.usage = UsageWriter(db, settings.usage_batch_max)
        router.usage.start()
        try:
            yield
        finally:
            await router.usage.close()
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
    problems.install(app)
    app.include_router(routes.router)
    app.include_router(admin.router)
    app.state.settings = settings
    return BodyLimit(app, settings.max_body_bytes)
