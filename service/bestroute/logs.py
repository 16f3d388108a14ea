"""Structured logs: one JSON object per line, each carrying the request id.

``RequestContext`` (ASGI middleware) takes the caller's ``X-Request-ID`` (or makes one), echoes it on
the response, keeps it in a context variable for every log line of the request, and writes one
access line per request. API keys are never logged: nothing logs headers, and the formatter masks
anything shaped like a key or a bearer credential that reaches a message by accident.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import time
import uuid
from datetime import UTC, datetime
from typing import Any

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)

_VALID_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")
_SECRET = re.compile(r"(br-[A-Za-z0-9_\-]{8,}|adm-[A-Za-z0-9_\-]{8,}|sk-[A-Za-z0-9_\-]{8,}|"
                     r"(?i:bearer)\s+\S+)")
# attributes every LogRecord has; anything else was passed as ``extra`` and is logged as a field
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName", "color_message"}
access_log = logging.getLogger("bestroute.access")


def mask(text: str) -> str:
    return _SECRET.sub("[redacted]", text)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": mask(record.getMessage()),
        }
        rid = request_id_var.get()
        if rid:
            out["request_id"] = rid
        for k, v in vars(record).items():
            if k not in _STANDARD and not k.startswith("_"):
                out[k] = mask(v) if isinstance(v, str) else v
        if record.exc_info:
            out["exc"] = mask(self.formatException(record.exc_info))
        return json.dumps(out, default=str, separators=(",", ":"))


class TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        rid = request_id_var.get()
        return mask(f"{super().format(record)}" + (f" request_id={rid}" if rid else ""))


def formatter_class(fmt: str) -> type[logging.Formatter]:
    return JsonFormatter if fmt == "json" else TextFormatter


def uvicorn_log_config(level: str, fmt: str) -> dict[str, Any]:
    """``uvicorn.run(log_config=...)``: uvicorn's and BestRoute's loggers through one formatter."""
    handler = {"class": "logging.StreamHandler", "formatter": "main", "stream": "ext://sys.stderr"}
    return {
        "version": 1, "disable_existing_loggers": False,
        "formatters": {"main": {"()": formatter_class(fmt), "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
        "handlers": {"main": handler},
        "loggers": {name: {"handlers": ["main"], "level": level.upper(), "propagate": False}
                    for name in ("bestroute", "uvicorn", "uvicorn.error")},
    }


def configure(level: str, fmt: str) -> None:
    """Set up the ``bestroute`` logger when nothing did (``bestroute serve`` configures it itself)."""
    logger = logging.getLogger("bestroute")
    if logger.handlers:
        return
    handler = logging.StreamHandler()
    handler.setFormatter(formatter_class(fmt)("%(asctime)s %(levelname)s %(name)s %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(level.upper())
    logger.propagate = False


class RequestContext:
    """ASGI middleware: request id in, request id out, one access line per request."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = None
        for name, value in scope.get("headers", ()):
            if name == b"x-request-id":
                candidate = value.decode("latin-1")
                rid = candidate if _VALID_ID.match(candidate) else None
                break
        rid = rid or "req_" + uuid.uuid4().hex
        token = request_id_var.set(rid)
        started = time.perf_counter()
        status = 500
        header = (b"x-request-id", rid.encode())

        async def send_with_id(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message = dict(message, headers=[*message.get("headers", []), header])
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            if access_log.isEnabledFor(logging.INFO):
                state = scope.get("state") or {}
                access_log.info("%s %s %s", scope.get("method"), scope.get("path"), status, extra={
                    "method": scope.get("method"), "path": scope.get("path"), "status": status,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                    "api_key_id": state.get("api_key_id") if isinstance(state, dict) else None,
                })
            request_id_var.reset(token)
