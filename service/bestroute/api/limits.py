"""ASGI middleware that refuses request bodies over the size limit with 413, before parsing."""

from __future__ import annotations

import json
from typing import Any

from bestroute.errors import BodyTooLarge


#: bodies up to this size are read to the end before the 413 is sent
DRAIN_CAP = 64 * 1024 * 1024


class BodyLimit:
    def __init__(self, app: Any, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = scope.get("headers", [])
        for name, value in headers:
            if name == b"content-length" and value.isdigit() and int(value) > self.max_bytes:
                await self._drain(receive, int(value))
                await self._refuse(send)
                return
        if scope.get("method") in ("POST", "PUT", "PATCH"):
            # a JSON API: bodies are read as JSON whatever content type a client sent (curl -d sends
            # form encoding), so the error a client sees is about its JSON, never its headers
            scope = dict(scope, headers=[(n, v) for n, v in headers if n != b"content-type"]
                         + [(b"content-type", b"application/json")])
        seen = 0
        too_large = False
        refused = False

        async def limited_receive() -> dict[str, Any]:
            nonlocal seen, too_large
            if too_large:
                return {"type": "http.request", "body": b"", "more_body": False}
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    # stop reading; the app's response is replaced by a 413 below
                    too_large = True
                    return {"type": "http.request", "body": b"", "more_body": False}
            return message

        async def guarded_send(message: dict[str, Any]) -> None:
            nonlocal refused
            if too_large:
                if not refused:
                    refused = True
                    await self._refuse(send)
                return
            await send(message)

        await self.app(scope, limited_receive, guarded_send)

    async def _drain(self, receive: Any, announced: int) -> None:
        """Read and drop the body before answering: a client still sending when the server closes
        sees a connection reset instead of the 413. Bodies past DRAIN_CAP are not waited for."""
        if announced > DRAIN_CAP:
            return
        while True:
            message = await receive()
            if message["type"] != "http.request" or not message.get("more_body", False):
                return

    async def _refuse(self, send: Any) -> None:
        exc = BodyTooLarge(f"request body is larger than {self.max_bytes:,} bytes; send a shorter task "
                           "or raise BESTROUTE_MAX_BODY_BYTES")
        body = json.dumps(exc.problem()).encode()
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/problem+json"),
                                (b"content-length", str(len(body)).encode()), (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": body})
