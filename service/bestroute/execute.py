"""Falling back: trying the ranked candidates in order until one answers.

Both loops, ``run`` (whole answers) and ``run_stream`` (streamed answers), walk the candidates with
one ``Walk``: the attempt cap, providers skipped after bad credentials, a larger context after a
context-window error, the request's deadline, and models without credentials. They branch only on
``errors.ProviderError`` classes: the callers in ``bestroute.wire`` translate every provider failure
into those, once.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import jsonschema

from bestroute import errors
from bestroute.catalog import ModelSpec
from bestroute.policy import Candidate
from bestroute.providers import Credentials
from bestroute.wire.base import Caller, Completion, StreamCaller


@dataclass(slots=True)
class Attempt:
    model: str
    status: str
    latency_ms: float
    error_type: str | None = None
    detail: str | None = None


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


@dataclass(frozen=True, slots=True)
class Turn:
    """One candidate to call now: its credentials and how long it may take."""

    candidate: Candidate
    creds: Credentials
    timeout_s: float
    started: float

    @property
    def model(self) -> ModelSpec:
        return self.candidate.model

    def elapsed_ms(self) -> float:
        return round((time.monotonic() - self.started) * 1000, 1)


@dataclass
class Walk:
    """The candidates still worth calling, in order, and the attempts made so far."""

    candidates: Sequence[Candidate]
    creds_for: Callable[[ModelSpec], Credentials | None]
    deadline: float | None
    max_attempts: int
    provider_timeout_s: float
    is_eligible: Callable[[Candidate], bool]
    on_failure: Callable[[str], Awaitable[None]]
    attempts: list[Attempt] = field(default_factory=list)
    skip_providers: set[str] = field(default_factory=set)
    min_context: int = 0
    last_error: errors.ProviderError | None = None
    deadline_passed: bool = False

    def __iter__(self) -> Iterator[Turn]:
        calls = 0
        for cand in self.candidates:
            if calls >= self.max_attempts:
                return
            m = cand.model
            if m.provider in self.skip_providers or m.context_window <= self.min_context or not self.is_eligible(cand):
                continue
            remaining = None if self.deadline is None else self.deadline - time.monotonic()
            if remaining is not None and remaining <= 0.001:
                self.deadline_passed = True
                return
            creds = self.creds_for(m)
            if creds is None:
                continue
            calls += 1
            timeout = self.provider_timeout_s if remaining is None else min(self.provider_timeout_s, remaining)
            yield Turn(cand, creds, timeout, time.monotonic())

    async def failed(self, turn: Turn, exc: errors.ProviderError, detail: str | None = None) -> None:
        """Record a failed call and learn from it what to skip next."""
        m = turn.model
        self.last_error = exc
        self.attempts.append(Attempt(m.id, "error", turn.elapsed_ms(), exc.error_type, detail or exc.detail))
        if exc.skip_provider:
            self.skip_providers.add(m.provider)
        if isinstance(exc, errors.ContextWindowExceeded):
            self.min_context = max(self.min_context, m.context_window)
        elif not isinstance(exc, errors.ProviderBadRequest):
            await self.on_failure(m.id)

    def failure(self) -> errors.BestRouteError:
        """Why the walk ended without an answer."""
        if self.deadline_passed or (self.deadline is not None and time.monotonic() >= self.deadline
                                    and self.attempts):
            return errors.DeadlineExceeded(
                f"max_latency_ms passed after {len(self.attempts)} attempt(s); no model answered in time")
        if not self.attempts:
            return errors.AllAttemptsFailed("no candidate could be called")
        last = self.last_error.detail if self.last_error else "unknown"
        return errors.AllAttemptsFailed(f"all {len(self.attempts)} attempts failed; last: {last}")


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
    walk = Walk(candidates, creds_for, deadline, max_attempts, provider_timeout_s, is_eligible, on_failure)
    invalid_retries = 0
    for turn in walk:
        m = turn.model
        try:
            completion = await call(m, turn.creds, messages, max_tokens=turn.candidate.output_tokens,
                                    temperature=temperature, timeout_s=turn.timeout_s, json_schema=json_schema)
            output = parse_json_output(completion.text, json_schema) if json_schema is not None else None
        except InvalidOutput as exc:
            # the model answered, so its health is fine; one more candidate gets a chance
            walk.last_error = exc
            walk.attempts.append(Attempt(m.id, "invalid_output", turn.elapsed_ms(), exc.error_type, exc.detail))
            invalid_retries += 1
            if invalid_retries > 1:
                break
            continue
        except errors.ProviderError as exc:
            await walk.failed(turn, exc)
            continue
        walk.attempts.append(Attempt(m.id, "ok", turn.elapsed_ms()))
        await on_success(m.id)
        return Outcome(turn.candidate, completion, output, walk.attempts)
    return Outcome(None, None, None, walk.attempts, walk.failure())


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


def _rough_tokens(messages: list[dict[str, str]]) -> int:
    return max(1, sum(len(m["content"]) for m in messages) // 4)


async def run_stream(
    candidates: Sequence[Candidate],
    messages: list[dict[str, str]],
    *,
    creds_for: Callable[[ModelSpec], Credentials | None],
    stream_call: StreamCaller,
    deadline: float | None,
    max_attempts: int,
    provider_timeout_s: float,
    temperature: float | None,
    on_failure: Callable[[str], Awaitable[None]],
    on_success: Callable[[str], Awaitable[None]],
    is_eligible: Callable[[Candidate], bool] = lambda c: True,
) -> AsyncIterator[Delta | StreamOutcome]:
    """Like ``run``, streaming: yields Deltas as they arrive, then exactly one StreamOutcome."""
    walk = Walk(candidates, creds_for, deadline, max_attempts, provider_timeout_s, is_eligible, on_failure)
    partials: list[Partial] = []
    sent = ""  # everything the client has received so far
    for turn in walk:
        m = turn.model
        convo = messages if not sent else [*messages, {"role": "assistant", "content": sent},
                                           {"role": "user", "content": CONTINUE_PROMPT}]
        own: list[str] = []
        usage: tuple[int, int] | None = None
        try:
            async for piece in stream_call(m, turn.creds, convo, max_tokens=turn.candidate.output_tokens,
                                           temperature=temperature, timeout_s=turn.timeout_s):
                if piece.text:
                    own.append(piece.text)
                    yield Delta(piece.text, m.id)
                if piece.output_tokens is not None:
                    usage = (piece.input_tokens or 0, piece.output_tokens)
            if not own:
                raise errors.ProviderBadResponse(f"{m.id}: the stream ended without any text")
        except errors.ProviderError as exc:
            text = "".join(own)
            detail = exc.detail
            if text:
                in_tok, out_tok = _rough_tokens(convo), max(1, len(text) // 4)
                partials.append(Partial(m.id, len(text), in_tok, out_tok, m.estimate_cost(in_tok, out_tok)))
                sent += text
                detail += f" (the stream broke after {len(text)} characters had been sent)"
            await walk.failed(turn, exc, detail)
            continue
        text = "".join(own)
        in_tok, out_tok = usage if usage else (_rough_tokens(convo), max(1, len(text) // 4))
        walk.attempts.append(Attempt(m.id, "ok", turn.elapsed_ms()))
        await on_success(m.id)
        yield StreamOutcome(turn.candidate, Completion(sent + text, in_tok, out_tok), None, walk.attempts, None,
                            partials)
        return
    yield StreamOutcome(None, None, None, walk.attempts, walk.failure(), partials)
