"""What a provider call gives back, and the two shapes of a caller (whole answer, or a stream)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any, Protocol

from bestroute.catalog import ModelSpec
from bestroute.providers import Credentials


@dataclass(frozen=True, slots=True)
class Completion:
    text: str
    input_tokens: int
    output_tokens: int


@dataclass(frozen=True, slots=True)
class Piece:
    """One item of a provider stream: a text delta, or the token usage reported at its end."""

    text: str = ""
    input_tokens: int | None = None
    output_tokens: int | None = None


class Caller(Protocol):
    async def __call__(self, model: ModelSpec, creds: Credentials, messages: list[dict[str, str]], *,
                       max_tokens: int, temperature: float | None, timeout_s: float,
                       json_schema: dict[str, Any] | None) -> Completion: ...


class StreamCaller(Protocol):
    def __call__(self, model: ModelSpec, creds: Credentials, messages: list[dict[str, str]], *,
                 max_tokens: int, temperature: float | None, timeout_s: float) -> AsyncIterator[Piece]: ...
