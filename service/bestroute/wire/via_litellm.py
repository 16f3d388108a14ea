"""Calling models through litellm: every provider the native client does not speak.

litellm is imported only when a configured model needs it (the import costs ~2 s and ~150 MB),
once per process, offline, with its per-call logging and cost machinery turned off. Its exceptions
are translated here, once, into ``errors.ProviderError`` subclasses.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

from bestroute import errors
from bestroute.catalog import ModelSpec
from bestroute.providers import Credentials
from bestroute.wire.base import Completion, Piece

_litellm: Any = None


def load_litellm() -> Any:
    """Import litellm once per process, offline, with its per-call extras turned off."""
    global _litellm
    if _litellm is None:
        os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
        os.environ.setdefault("LITELLM_OFFLINE_MODE", "true")
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        import litellm

        litellm.telemetry = False
        litellm.suppress_debug_info = True
        litellm.drop_params = True
        litellm.num_retries = 0
        litellm.turn_off_message_logging = True
        _skip_litellm_cost(litellm)
        _litellm = litellm
    return _litellm


def _skip_litellm_cost(litellm: Any) -> None:
    """litellm prices every response from its own map on the call path (~10% of its CPU per call,
    see docs/performance.md); BestRoute prices from its catalog and never reads that number, so the
    calculator answers None ("unknown") instead."""
    from litellm.litellm_core_utils.litellm_logging import Logging

    if hasattr(Logging, "response_cost_calculator"):
        Logging.response_cost_calculator = lambda self, *args, **kwargs: None


@contextlib.contextmanager
def _unlogged() -> Iterator[None]:
    """Mark a call as one its caller logs and bills (litellm's own flag for nested calls): litellm
    then skips its success/failure logging, payload building and message redaction (~20% of its
    CPU per call). BestRoute records usage itself; litellm has no callbacks configured here."""
    try:
        from litellm._internal_context import internal_sub_call
    except ImportError:  # an older or newer litellm without it: log as usual
        yield
        return
    with internal_sub_call():
        yield


_warm_lock = threading.Lock()
_warmed = False


def warmed() -> bool:
    return _warmed


def warm_litellm() -> Any:
    """Import litellm, then take each wire format's code path once (against a closed local port).

    litellm imports more modules on a provider's first call (~1 s, far more on a busy machine), and
    does it on the event loop: the first real call would then time out on our own CPU work, and a
    healthy model would be reported as timed out and counted against its circuit.
    """
    global _warmed
    litellm = load_litellm()
    with _warm_lock:
        if not _warmed:
            asyncio.run(_warm_calls(litellm))
            _warmed = True
    return litellm


async def _warm_calls(litellm: Any) -> None:
    for model, base in (("openai/warm-up", "http://127.0.0.1:9/v1"), ("anthropic/warm-up", "http://127.0.0.1:9")):
        with contextlib.suppress(Exception):
            await litellm.acompletion(model=model, messages=[{"role": "user", "content": "warm-up"}],
                                      api_base=base, api_key="warm-up", max_tokens=1, timeout=5, num_retries=0)


async def litellm_ready() -> Any:
    """litellm, warmed up in a worker thread if it is not yet (never on the event loop)."""
    return _litellm if _warmed else await asyncio.to_thread(warm_litellm)


_MALFORMED_HINTS = ("expecting value", "expecting property", "unable to get json", "empty or invalid response",
                    "not a list", "original response", "jsondecodeerror", "invalid json")
_CONNECTION_HINTS = ("connect", "refused", "timed out", "timeout", "network", "reset", "unreachable", "eof",
                     "disconnected", "broken pipe")


def translate(exc: BaseException, model: str) -> errors.ProviderError:
    """Turn anything a provider call raised into our most specific ProviderError."""
    if isinstance(exc, errors.ProviderError):
        return exc
    if isinstance(exc, (asyncio.TimeoutError, TimeoutError)):
        return errors.ProviderTimeout(f"{model} did not answer in time")
    litellm = load_litellm()
    ex = litellm.exceptions
    message = str(getattr(exc, "message", exc))[:300]
    table: list[tuple[type, type[errors.ProviderError]]] = [
        (ex.ContextWindowExceededError, errors.ContextWindowExceeded),
        (ex.AuthenticationError, errors.ProviderAuthError),
        (ex.PermissionDeniedError, errors.ProviderAuthError),
        (ex.Timeout, errors.ProviderTimeout),
        (ex.RateLimitError, errors.ProviderRateLimited),
        (ex.ServiceUnavailableError, errors.ProviderUnavailable),
        (ex.InternalServerError, errors.ProviderUnavailable),
        (ex.APIConnectionError, errors.ProviderUnavailable),
        (ex.BadRequestError, errors.ProviderBadRequest),
        (ex.NotFoundError, errors.ProviderBadRequest),
    ]
    lowered = (message.splitlines()[0].lower() if message else "").replace("apiconnectionerror", "")
    if isinstance(exc, (ex.InternalServerError, ex.APIConnectionError, ex.APIError)):
        # litellm reports an answer it could not parse as a 500 or a "connection" error; tell
        # those apart from real outages so the receipt says what happened
        if any(h in lowered for h in _MALFORMED_HINTS) or (
                isinstance(exc, ex.APIConnectionError) and not any(h in lowered for h in _CONNECTION_HINTS)):
            return errors.ProviderBadResponse(f"{model}: malformed answer: {message}")
    for foreign, ours in table:
        if isinstance(exc, foreign):
            if ours is errors.ProviderBadRequest and "context" in message.lower() and "length" in message.lower():
                ours = errors.ContextWindowExceeded
            return ours(f"{model}: {message}")
    status = getattr(exc, "status_code", None)
    if isinstance(status, int) and status >= 500:
        return errors.ProviderUnavailable(f"{model}: HTTP {status}: {message}")
    return errors.ProviderBadResponse(f"{model}: malformed answer ({type(exc).__name__}: {message})")


async def litellm_call(model: ModelSpec, creds: Credentials, messages: list[dict[str, str]], *,
                       max_tokens: int, temperature: float | None, timeout_s: float,
                       json_schema: dict[str, Any] | None) -> Completion:
    litellm = await litellm_ready()
    kwargs: dict[str, Any] = {
        "model": model.litellm_model,
        "messages": messages,
        "max_tokens": max_tokens,
        "timeout": timeout_s,
        "num_retries": 0,
        "api_key": creds.api_key,
    }
    if creds.api_base:
        kwargs["api_base"] = creds.api_base
    if temperature is not None:
        kwargs["temperature"] = temperature
    if json_schema is not None:
        kwargs["response_format"] = {"type": "json_schema",
                                     "json_schema": {"name": "output", "schema": json_schema}}
    try:
        with _unlogged():
            resp = await asyncio.wait_for(litellm.acompletion(**kwargs), timeout=timeout_s)
    except BaseException as exc:  # noqa: BLE001 - translated at this boundary, re-raised as ours
        if isinstance(exc, asyncio.CancelledError):
            raise
        raise translate(exc, model.id) from exc
    try:
        text = resp.choices[0].message.content
        usage = resp.usage
        if text is None:
            tool_calls = resp.choices[0].message.tool_calls or []
            text = tool_calls[0].function.arguments if tool_calls else None
        if not isinstance(text, str):
            raise ValueError("no text in the answer")
        return Completion(text, int(usage.prompt_tokens or 0), int(usage.completion_tokens or 0))
    except (AttributeError, IndexError, TypeError, ValueError) as exc:
        raise errors.ProviderBadResponse(f"{model.id}: malformed answer ({exc})") from exc


async def litellm_stream(model: ModelSpec, creds: Credentials, messages: list[dict[str, str]], *,
                         max_tokens: int, temperature: float | None, timeout_s: float) -> AsyncIterator[Piece]:
    """Stream one model's answer; the whole stream must finish within ``timeout_s``."""
    litellm = await litellm_ready()
    kwargs: dict[str, Any] = {
        "model": model.litellm_model, "messages": messages, "max_tokens": max_tokens, "timeout": timeout_s,
        "num_retries": 0, "api_key": creds.api_key, "stream": True, "stream_options": {"include_usage": True},
    }
    if creds.api_base:
        kwargs["api_base"] = creds.api_base
    if temperature is not None:
        kwargs["temperature"] = temperature
    end = time.monotonic() + timeout_s
    stream: Any = None
    try:
        stream = await asyncio.wait_for(litellm.acompletion(**kwargs), timeout=timeout_s)
        chunks = stream.__aiter__()
        while True:
            try:
                chunk = await asyncio.wait_for(chunks.__anext__(), timeout=max(0.001, end - time.monotonic()))
            except StopAsyncIteration:
                break
            choices = getattr(chunk, "choices", None) or []
            text = getattr(choices[0].delta, "content", None) if choices else None
            if text:
                yield Piece(text)
            usage = getattr(chunk, "usage", None)
            if usage is not None and getattr(usage, "completion_tokens", None) is not None:
                yield Piece(input_tokens=int(usage.prompt_tokens or 0), output_tokens=int(usage.completion_tokens))
    except (asyncio.CancelledError, GeneratorExit):
        raise
    except BaseException as exc:  # noqa: BLE001 - translated at this boundary, re-raised as ours
        raise translate(exc, model.id) from exc
    finally:
        close = getattr(stream, "aclose", None)
        if close is not None:
            with contextlib.suppress(Exception):
                await close()
