"""Calling OpenAI- and Anthropic-format providers directly, over one pooled aiohttp session.

A call costs ~0.2 ms of CPU here against ~3 ms through litellm (docs/performance.md). Every failure
is translated once, in this module, into the most specific ``errors.ProviderError``: HTTP statuses,
connection errors, timeouts, bodies that are not JSON or not the expected shape.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator
from types import ModuleType
from typing import Any

import aiohttp
import orjson

from bestroute import __version__, errors
from bestroute.catalog import ModelSpec
from bestroute.providers import Credentials
from bestroute.wire import anthropic_format, openai_format
from bestroute.wire.base import Completion, Piece

FORMATS: dict[str, ModuleType] = {"openai": openai_format, "anthropic": anthropic_format}
_CONTEXT_HINTS = ("context_length_exceeded", "maximum context length", "context window", "context length",
                  "prompt is too long", "too many tokens", "input is too long")


def wire_format(model: ModelSpec) -> str | None:
    """The native format a model is called in, or None for litellm (from its litellm prefix)."""
    prefix = model.litellm_model.split("/", 1)[0]
    return prefix if prefix in FORMATS and "/" in model.litellm_model else None


def upstream_name(model: ModelSpec) -> str:
    return model.litellm_model.split("/", 1)[1]


def status_error(status: int, body: bytes, model_id: str) -> errors.ProviderError:
    """The ProviderError for a non-2xx answer, with the provider's own message."""
    message = ""
    with contextlib.suppress(ValueError, TypeError, AttributeError):
        parsed = orjson.loads(body)
        err = parsed.get("error") if isinstance(parsed, dict) else None
        message = str(err.get("message") or err.get("type") or "") if isinstance(err, dict) else str(err or "")
    if not message:
        message = body[:200].decode("utf-8", "replace").strip()
    detail = f"{model_id}: HTTP {status}: {message}"[:400]
    lowered = (message + " " + body[:400].decode("utf-8", "replace")).lower()
    if status in (401, 403):
        return errors.ProviderAuthError(detail)
    if status == 429:
        return errors.ProviderRateLimited(detail)
    if status == 408:
        return errors.ProviderTimeout(detail)
    if status >= 500:
        return errors.ProviderUnavailable(detail)
    if any(h in lowered for h in _CONTEXT_HINTS):
        return errors.ContextWindowExceeded(detail)
    if 400 <= status < 500:
        return errors.ProviderBadRequest(detail)
    return errors.ProviderBadResponse(detail)


def _transport_error(exc: BaseException, model_id: str, timeout_s: float) -> errors.ProviderError:
    if isinstance(exc, (asyncio.TimeoutError, TimeoutError)):
        return errors.ProviderTimeout(f"{model_id} did not answer within {timeout_s:.1f} s")
    if isinstance(exc, aiohttp.ClientConnectorError):
        return errors.ProviderUnavailable(f"{model_id}: connection failed: {exc}")
    if isinstance(exc, aiohttp.ClientPayloadError):
        return errors.ProviderUnavailable(f"{model_id}: the connection broke while reading the answer ({exc})")
    if isinstance(exc, (aiohttp.ClientError, OSError)):
        return errors.ProviderUnavailable(f"{model_id}: connection error ({type(exc).__name__}: {exc})")
    return errors.ProviderBadResponse(f"{model_id}: malformed answer ({type(exc).__name__}: {exc})")


class NativeClient:
    """One aiohttp session per event loop, its pool sized by ``connections``."""

    def __init__(self, connections: int = 100) -> None:
        self.connections = connections
        self._session: aiohttp.ClientSession | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def _current(self) -> aiohttp.ClientSession:
        loop = asyncio.get_running_loop()
        if self._session is None or self._session.closed or self._loop is not loop:
            connector = aiohttp.TCPConnector(limit=self.connections, ttl_dns_cache=300)
            # HTTPS_PROXY / NO_PROXY apply, as they do to litellm's client; without a proxy variable
            # aiohttp need not read them (and ~/.netrc) again on every call (~5% of a request's CPU)
            self._session = aiohttp.ClientSession(connector=connector, trust_env=_proxy_configured(),
                                                  headers={"user-agent": f"bestroute/{__version__}"})
            self._loop = loop
        return self._session

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            with contextlib.suppress(Exception):
                await self._session.close()
        self._session = None

    def _prepare(self, fmt: str, model: ModelSpec, creds: Credentials, messages: list[dict[str, str]], *,
                 max_tokens: int, temperature: float | None, json_schema: dict[str, Any] | None,
                 stream: bool) -> tuple[ModuleType, str, dict[str, str], bytes]:
        spec = FORMATS[fmt]
        body = spec.request(upstream_name(model), messages, max_tokens=max_tokens, temperature=temperature,
                            json_schema=json_schema, stream=stream)
        return spec, spec.url(creds.api_base), spec.headers(creds.api_key), orjson.dumps(body)

    async def call(self, fmt: str, model: ModelSpec, creds: Credentials, messages: list[dict[str, str]], *,
                   max_tokens: int, temperature: float | None, timeout_s: float,
                   json_schema: dict[str, Any] | None) -> Completion:
        spec, url, headers, data = self._prepare(fmt, model, creds, messages, max_tokens=max_tokens,
                                                 temperature=temperature, json_schema=json_schema, stream=False)
        try:
            async with self._current().post(url, data=data, headers=headers,
                                            timeout=aiohttp.ClientTimeout(total=timeout_s)) as resp:
                body = await resp.read()
                if resp.status >= 300:
                    raise status_error(resp.status, body, model.id)
                ctype = resp.headers.get("content-type", "")
        except (asyncio.CancelledError, errors.ProviderError):
            raise
        except BaseException as exc:  # noqa: BLE001 - translated at this boundary, re-raised as ours
            raise _transport_error(exc, model.id, timeout_s) from exc
        if "json" not in ctype:
            raise errors.ProviderBadResponse(f"{model.id}: malformed answer (content-type {ctype or 'missing'})")
        try:
            parsed = orjson.loads(body)
        except orjson.JSONDecodeError as exc:
            raise errors.ProviderBadResponse(f"{model.id}: malformed answer (not JSON: {exc})") from exc
        return spec.completion(parsed, model.id)

    async def stream(self, fmt: str, model: ModelSpec, creds: Credentials, messages: list[dict[str, str]], *,
                     max_tokens: int, temperature: float | None, timeout_s: float) -> AsyncIterator[Piece]:
        """Stream one answer; the whole stream must finish within ``timeout_s``."""
        spec, url, headers, data = self._prepare(fmt, model, creds, messages, max_tokens=max_tokens,
                                                 temperature=temperature, json_schema=None, stream=True)
        reader = spec.StreamReader(model.id)
        try:
            async with self._current().post(url, data=data, headers=headers,
                                            timeout=aiohttp.ClientTimeout(total=timeout_s)) as resp:
                if resp.status >= 300:
                    raise status_error(resp.status, await resp.read(), model.id)
                ctype = resp.headers.get("content-type", "")
                if "event-stream" not in ctype:
                    raise errors.ProviderBadResponse(
                        f"{model.id}: malformed stream (content-type {ctype or 'missing'})")
                async for event, payload in _events(resp.content):
                    for piece in reader.feed(event, payload):
                        yield piece
                    if reader.done:
                        break
        except (asyncio.CancelledError, GeneratorExit, errors.ProviderError):
            raise
        except BaseException as exc:  # noqa: BLE001 - translated at this boundary, re-raised as ours
            raise _transport_error(exc, model.id, timeout_s) from exc
        if not reader.complete:
            raise errors.ProviderUnavailable(f"{model.id}: the stream ended before its end marker")


def _proxy_configured() -> bool:
    return any(os.environ.get(v) for v in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy",
                                            "ALL_PROXY", "all_proxy"))


async def _events(content: aiohttp.StreamReader) -> AsyncIterator[tuple[str | None, str]]:
    """Server-sent events as (event name, data) pairs."""
    event: str | None = None
    data: list[str] = []
    async for raw in content:
        line = raw.rstrip(b"\r\n")
        if not line:
            if data:
                yield event, "\n".join(data)
            event, data = None, []
            continue
        if line.startswith(b":"):
            continue
        name, _, value = line.partition(b":")
        if value.startswith(b" "):
            value = value[1:]
        if name == b"data":
            data.append(value.decode("utf-8", "replace"))
        elif name == b"event":
            event = value.decode("utf-8", "replace")
    if data:
        yield event, "\n".join(data)
