"""How BestRoute talks to providers.

The OpenAI chat-completions and Anthropic messages formats are spoken natively (``native``: one
pooled aiohttp session, ~0.2 ms of CPU per call). Every other provider goes through litellm
(``via_litellm``: ~3 ms of CPU per call, and ~150 MB once imported), so 100+ providers work; litellm
is imported only when a configured model needs it. ``BESTROUTE_UPSTREAM_CLIENT=litellm`` sends
every call through litellm instead.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from typing import Any, Literal

from bestroute.catalog import ModelSpec
from bestroute.providers import Credentials
from bestroute.wire import via_litellm
from bestroute.wire.base import Caller, Completion, Piece, StreamCaller
from bestroute.wire.native import NativeClient, wire_format

__all__ = ["Caller", "Completion", "Piece", "StreamCaller", "Wire"]

Mode = Literal["native", "litellm"]


class Wire:
    """The caller of every model: picks the native client or litellm per model."""

    def __init__(self, mode: Mode = "native", connections: int = 100) -> None:
        self.mode = mode
        self.native = NativeClient(connections)
        self.needs_litellm = True

    def expect(self, models: Iterable[ModelSpec]) -> None:
        """Note which models will be called: litellm is loaded at start only if one of them needs it."""
        self.needs_litellm = any(self.format_of(m) is None for m in models)

    def format_of(self, model: ModelSpec) -> str | None:
        return wire_format(model) if self.mode == "native" else None

    def ready(self) -> bool:
        return not self.needs_litellm or via_litellm.warmed()

    def warm(self) -> None:
        """Blocking: import litellm and take its code paths once, when a configured model needs it."""
        if self.needs_litellm:
            via_litellm.warm_litellm()

    async def close(self) -> None:
        await self.native.close()

    async def call(self, model: ModelSpec, creds: Credentials, messages: list[dict[str, str]], *,
                   max_tokens: int, temperature: float | None, timeout_s: float,
                   json_schema: dict[str, Any] | None) -> Completion:
        # a model without structured output is asked plainly; the answer is still validated
        if "json_schema" not in model.capabilities:
            json_schema = None
        fmt = self.format_of(model)
        if fmt is None:
            return await via_litellm.litellm_call(model, creds, messages, max_tokens=max_tokens,
                                                  temperature=temperature, timeout_s=timeout_s,
                                                  json_schema=json_schema)
        return await self.native.call(fmt, model, creds, messages, max_tokens=max_tokens,
                                      temperature=temperature, timeout_s=timeout_s, json_schema=json_schema)

    def stream(self, model: ModelSpec, creds: Credentials, messages: list[dict[str, str]], *,
               max_tokens: int, temperature: float | None, timeout_s: float) -> AsyncIterator[Piece]:
        fmt = self.format_of(model)
        if fmt is None:
            return via_litellm.litellm_stream(model, creds, messages, max_tokens=max_tokens,
                                              temperature=temperature, timeout_s=timeout_s)
        return self.native.stream(fmt, model, creds, messages, max_tokens=max_tokens,
                                  temperature=temperature, timeout_s=timeout_s)
