"""The agent protocols' endpoints, loaded on first use: MCP at ``/mcp``, A2A at ``/a2a`` and its card.

The MCP and A2A SDKs take about as long to import as the rest of the app together. A server that
never sees an agent should not pay that at every start (of every worker), so each endpoint imports
its module in a worker thread on its first request; the event loop keeps serving meanwhile.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from bestroute.service import Router

MCP_PATH = "/mcp"
A2A_PATH = "/a2a"
CARD_PATH = "/.well-known/agent-card.json"


class Protocols:
    def __init__(self, router: Router, base_url: str) -> None:
        self.router = router
        self.base_url = base_url
        self._lock = asyncio.Lock()
        self._stop = asyncio.Event()
        self._mcp: Any = None
        self._mcp_task: asyncio.Task[None] | None = None
        self._agent: Any = None

    def install(self, app: FastAPI) -> None:
        app.router.add_route(MCP_PATH, _Asgi(self.mcp), methods=["GET", "POST", "DELETE"], include_in_schema=False)
        app.router.add_route(CARD_PATH, self.card, methods=["GET"], include_in_schema=False)
        app.router.add_route(A2A_PATH, self.a2a, methods=["POST"], include_in_schema=False)

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """The app's lifetime: at shutdown, stop the MCP session manager if it was started."""
        try:
            yield
        finally:
            self._stop.set()
            if self._mcp_task is not None:
                await self._mcp_task

    async def _import(self, name: str) -> Any:
        return await asyncio.to_thread(importlib.import_module, name)

    # --- MCP ---------------------------------------------------------------------------------------
    async def mcp(self, scope: Scope, receive: Receive, send: Send) -> None:
        endpoint = self._mcp or await self._start_mcp()
        await endpoint(scope, receive, send)

    async def _start_mcp(self) -> Any:
        async with self._lock:
            if self._mcp is None:
                endpoint = (await self._import("bestroute.mcp_server")).HttpEndpoint(self.router)
                ready = asyncio.Event()

                async def serve() -> None:
                    # the SDK's session manager runs a task group for as long as the app does
                    async with endpoint.run():
                        ready.set()
                        await self._stop.wait()

                self._mcp_task = asyncio.create_task(serve(), name="mcp-session-manager")
                waiter = asyncio.create_task(ready.wait())
                await asyncio.wait({waiter, self._mcp_task}, return_when=asyncio.FIRST_COMPLETED)
                if not ready.is_set():
                    waiter.cancel()
                    self._mcp_task.result()  # raises what stopped the manager from starting
                self._mcp = endpoint
        return self._mcp

    # --- A2A ---------------------------------------------------------------------------------------
    async def _load_agent(self) -> Any:
        async with self._lock:
            if self._agent is None:
                self._agent = (await self._import("bestroute.a2a_agent")).Agent(self.router, self.base_url)
        return self._agent

    async def card(self, request: Request) -> Response:
        return await (self._agent or await self._load_agent()).card(request)

    async def a2a(self, request: Request) -> Response:
        return await (self._agent or await self._load_agent()).endpoint(request)


class _Asgi:
    """Starlette runs a callable object as a raw ASGI app (a bound method would get a Request)."""

    def __init__(self, app: Callable[[Scope, Receive, Send], Awaitable[None]]) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)
