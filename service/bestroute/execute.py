"""Calling models through litellm, and falling back to the next candidate when a call fails.

litellm's exceptions are translated here, once, into ``errors.ProviderError`` subclasses; the
fallback loop branches only on those.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import jsonschema

from bestroute import errors
from bestroute.catalog import ModelSpec
from bestroute.policy import Candidate
from bestroute.providers import Credentials


@dataclass(frozen=True, slots=True)
class Completion:
    text: str
    input_tokens: int
    output_tokens: int


@dataclass(slots=True)
class Attempt:
    model: str
    status: str
    latency_ms: float
    error_type: str | None = None
    detail: str | None = None


class Caller(Protocol):
    async def __call__(self, model: ModelSpec, creds: Credentials, messages: list[dict[str, str]], *,
                       max_tokens: int, temperature: float | None, timeout_s: float,
                       json_schema: dict[str, Any] | None) -> Completion: ...


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


def litellm_loaded() -> bool:
    return _litellm is not None


_warm_lock = threading.Lock()
_warmed = False


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
    if json_schema is not None and "json_schema" in model.capabilities:
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


def parse_json_output(text: str, schema: dict[str, Any]) -> Any:
    """The answer parsed and validated, or ProviderBadResponse-like InvalidOutput."""
    body = text.strip()
    if body.startswith("```"):
        body = body.strip("`")
        body = body.split("\n", 1)[1] if "\n" in body else body
    try:
        value = json.loads(body)
    except json.JSONDecodeError as exc:
        raise InvalidOutput(f"answer is not JSON ({exc.msg})") from exc
    try:
        jsonschema.validate(value, schema)
    except jsonschema.ValidationError as exc:
        raise InvalidOutput(f"answer does not match the schema: {exc.message}") from exc
    return value


class InvalidOutput(errors.ProviderError):
    error_type = "invalid_output"


@dataclass
class Outcome:
    candidate: Candidate | None
    completion: Completion | None
    output: Any
    attempts: list[Attempt] = field(default_factory=list)
    failure: errors.BestRouteError | None = None


async def run(
    candidates: Sequence[Candidate],
    messages: list[dict[str, str]],
    *,
    creds_for: Callable[[ModelSpec], Credentials | None],
    call: Caller,
    deadline: float | None,
    max_attempts: int,
    provider_timeout_s: float,
    temperature: float | None,
    json_schema: dict[str, Any] | None,
    on_failure: Callable[[str], Awaitable[None]],
    on_success: Callable[[str], Awaitable[None]],
    is_eligible: Callable[[Candidate], bool] = lambda c: True,
) -> Outcome:
    """Try candidates in order until one answers; never raises, the outcome says what happened."""
    attempts: list[Attempt] = []
    skip_providers: set[str] = set()
    min_context = 0
    invalid_retries = 0
    calls = 0
    last_error: errors.ProviderError | None = None
    for cand in candidates:
        if calls >= max_attempts:
            break
        m = cand.model
        if m.provider in skip_providers or m.context_window <= min_context or not is_eligible(cand):
            continue
        remaining = None if deadline is None else deadline - time.monotonic()
        if remaining is not None and remaining <= 0.001:
            return Outcome(None, None, None, attempts, _deadline_error(attempts))
        creds = creds_for(m)
        if creds is None:
            continue
        timeout = provider_timeout_s if remaining is None else min(provider_timeout_s, remaining)
        started = time.monotonic()
        calls += 1
        try:
            completion = await call(m, creds, messages, max_tokens=cand.output_tokens,
                                    temperature=temperature, timeout_s=timeout, json_schema=json_schema)
            output = parse_json_output(completion.text, json_schema) if json_schema is not None else None
        except errors.ProviderError as exc:
            elapsed = (time.monotonic() - started) * 1000
            last_error = exc
            if isinstance(exc, InvalidOutput):
                attempts.append(Attempt(m.id, "invalid_output", round(elapsed, 1), exc.error_type, exc.detail))
                invalid_retries += 1
                if invalid_retries > 1:
                    break
                continue
            attempts.append(Attempt(m.id, "error", round(elapsed, 1), exc.error_type, exc.detail))
            if exc.skip_provider:
                skip_providers.add(m.provider)
            if isinstance(exc, errors.ContextWindowExceeded):
                min_context = max(min_context, m.context_window)
            elif not isinstance(exc, errors.ProviderBadRequest):
                await on_failure(m.id)
            continue
        elapsed = (time.monotonic() - started) * 1000
        attempts.append(Attempt(m.id, "ok", round(elapsed, 1)))
        await on_success(m.id)
        return Outcome(cand, completion, output, attempts)
    if deadline is not None and time.monotonic() >= deadline and attempts:
        return Outcome(None, None, None, attempts, _deadline_error(attempts))
    if not attempts:
        detail = "no candidate could be called"
    else:
        detail = f"all {len(attempts)} attempts failed; last: {last_error.detail if last_error else 'unknown'}"
    return Outcome(None, None, None, attempts, errors.AllAttemptsFailed(detail))


def _deadline_error(attempts: list[Attempt]) -> errors.DeadlineExceeded:
    return errors.DeadlineExceeded(
        f"max_latency_ms passed after {len(attempts)} attempt(s); no model answered in time")


# --- streaming ----------------------------------------------------------------------------------
#
# A stream that breaks before its first token is retried on the next candidate, invisibly to the
# client. A stream that breaks after tokens were sent cannot be taken back: the next candidate is
# asked to continue the partial answer (it gets it as an assistant turn plus CONTINUE_PROMPT), and
# the outcome lists the partial so the receipt can say so and the cost can include it.

#: what the next candidate is told when it takes over a stream that broke after tokens were sent
CONTINUE_PROMPT = ("Your previous answer was cut off. Continue it exactly where it stopped, without "
                   "repeating anything and without mentioning the interruption.")


@dataclass(frozen=True, slots=True)
class Piece:
    """One item of a provider stream: a text delta, or the token usage reported at its end."""

    text: str = ""
    input_tokens: int | None = None
    output_tokens: int | None = None


@dataclass(frozen=True, slots=True)
class Delta:
    """Text for the client, and the model that produced it."""

    text: str
    model: str


@dataclass(frozen=True, slots=True)
class Partial:
    """A stream that broke after sending text: what the client got from it, and what it cost."""

    model: str
    chars: int
    input_tokens: int
    output_tokens: int
    cost_usd: float


@dataclass
class StreamOutcome(Outcome):
    partials: list[Partial] = field(default_factory=list)


class StreamCaller(Protocol):
    def __call__(self, model: ModelSpec, creds: Credentials, messages: list[dict[str, str]], *,
                 max_tokens: int, temperature: float | None, timeout_s: float) -> AsyncIterator[Piece]: ...


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


def _rough_tokens(messages: list[dict[str, str]]) -> int:
    return max(1, sum(len(m["content"]) for m in messages) // 4)


async def run_stream(
    candidates: Sequence[Candidate],
    messages: list[dict[str, str]],
    *,
    creds_for: Callable[[ModelSpec], Credentials | None],
    deadline: float | None,
    max_attempts: int,
    provider_timeout_s: float,
    temperature: float | None,
    on_failure: Callable[[str], Awaitable[None]],
    on_success: Callable[[str], Awaitable[None]],
    stream_call: StreamCaller = litellm_stream,
    is_eligible: Callable[[Candidate], bool] = lambda c: True,
) -> AsyncIterator[Delta | StreamOutcome]:
    """Like ``run``, streaming: yields Deltas as they arrive, then exactly one StreamOutcome."""
    attempts: list[Attempt] = []
    partials: list[Partial] = []
    skip_providers: set[str] = set()
    min_context = 0
    calls = 0
    sent = ""  # everything the client has received so far
    last_error: errors.ProviderError | None = None
    for cand in candidates:
        if calls >= max_attempts:
            break
        m = cand.model
        if m.provider in skip_providers or m.context_window <= min_context or not is_eligible(cand):
            continue
        remaining = None if deadline is None else deadline - time.monotonic()
        if remaining is not None and remaining <= 0.001:
            yield StreamOutcome(None, None, None, attempts, _deadline_error(attempts), partials)
            return
        creds = creds_for(m)
        if creds is None:
            continue
        timeout = provider_timeout_s if remaining is None else min(provider_timeout_s, remaining)
        convo = messages if not sent else [*messages, {"role": "assistant", "content": sent},
                                           {"role": "user", "content": CONTINUE_PROMPT}]
        started = time.monotonic()
        calls += 1
        own: list[str] = []
        usage: tuple[int, int] | None = None
        try:
            async for piece in stream_call(m, creds, convo, max_tokens=cand.output_tokens,
                                           temperature=temperature, timeout_s=timeout):
                if piece.text:
                    own.append(piece.text)
                    yield Delta(piece.text, m.id)
                if piece.output_tokens is not None:
                    usage = (piece.input_tokens or 0, piece.output_tokens)
            if not own:
                raise errors.ProviderBadResponse(f"{m.id}: the stream ended without any text")
        except errors.ProviderError as exc:
            elapsed = round((time.monotonic() - started) * 1000, 1)
            last_error = exc
            text = "".join(own)
            detail = exc.detail
            if text:
                in_tok, out_tok = _rough_tokens(convo), max(1, len(text) // 4)
                partials.append(Partial(m.id, len(text), in_tok, out_tok, m.estimate_cost(in_tok, out_tok)))
                sent += text
                detail += f" (the stream broke after {len(text)} characters had been sent)"
            attempts.append(Attempt(m.id, "error", elapsed, exc.error_type, detail))
            if exc.skip_provider:
                skip_providers.add(m.provider)
            if isinstance(exc, errors.ContextWindowExceeded):
                min_context = max(min_context, m.context_window)
            elif not isinstance(exc, errors.ProviderBadRequest):
                await on_failure(m.id)
            continue
        text = "".join(own)
        in_tok, out_tok = usage if usage else (_rough_tokens(convo), max(1, len(text) // 4))
        attempts.append(Attempt(m.id, "ok", round((time.monotonic() - started) * 1000, 1)))
        await on_success(m.id)
        yield StreamOutcome(cand, Completion(sent + text, in_tok, out_tok), None, attempts, None, partials)
        return
    if deadline is not None and time.monotonic() >= deadline and attempts:
        yield StreamOutcome(None, None, None, attempts, _deadline_error(attempts), partials)
        return
    detail = ("no candidate could be called" if not attempts else
              f"all {len(attempts)} attempts failed; last: {last_error.detail if last_error else 'unknown'}")
    yield StreamOutcome(None, None, None, attempts, errors.AllAttemptsFailed(detail), partials)
