"""Request dependencies: the router, and who is calling (API key or admin)."""

from __future__ import annotations

import asyncio
import hmac
from typing import Annotated

from fastapi import Depends, Request

from bestroute.errors import Forbidden, Unauthorized
from bestroute.service import Router
from bestroute.store.keys import ApiKey


async def get_router(request: Request) -> Router:
    # async on purpose: FastAPI runs a plain ``def`` dependency in its thread pool (a thread hop per request)
    return request.app.state.router


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization")
    if header and header[:7].lower() == "bearer ":
        return header[7:].strip()
    return request.headers.get("x-api-key")


async def current_key(request: Request) -> ApiKey | None:
    """The caller's API key; None while no key exists at all (open single-user mode)."""
    state = request.app.state
    presented = _bearer(request)
    if not state.keys_required:
        state.keys_required = await asyncio.to_thread(state.keys.any_exist)
        if not state.keys_required:
            return None
    if not presented:
        raise Unauthorized("missing API key: send 'Authorization: Bearer <key>' (create one with "
                           "'bestroute keys create --name NAME')")
    key = await asyncio.to_thread(state.keys.verify, presented)
    if key is None:
        raise Unauthorized("invalid or revoked API key")
    request.state.api_key_id = key.id
    limiter = getattr(state, "ratelimit", None)
    if limiter is not None and key.rpm:
        await limiter.hit(key.id, key.rpm)  # raises RateLimited (429)
    return key


def is_admin(request: Request) -> bool:
    """True when the caller presents BESTROUTE_ADMIN_KEY."""
    admin = request.app.state.router.settings.admin_key
    presented = _bearer(request)
    return bool(admin and presented and hmac.compare_digest(presented.encode(), admin.get_secret_value().encode()))


async def require_admin(request: Request) -> None:
    admin = request.app.state.router.settings.admin_key
    presented = _bearer(request)
    if admin is None:
        raise Forbidden("admin routes are disabled: set BESTROUTE_ADMIN_KEY to enable them")
    if not presented:
        raise Unauthorized("missing admin key: send 'Authorization: Bearer <BESTROUTE_ADMIN_KEY>'")
    if not hmac.compare_digest(presented.encode(), admin.get_secret_value().encode()):
        raise Forbidden("this route needs the admin key (BESTROUTE_ADMIN_KEY), not a user API key")


RouterDep = Annotated[Router, Depends(get_router)]
KeyDep = Annotated[ApiKey | None, Depends(current_key)]
AdminDep = Annotated[None, Depends(require_admin)]
