"""The OpenAI chat-completions wire format: the request BestRoute sends and what it reads back.

Pure functions (no I/O), used by ``native`` for OpenAI and for any OpenAI-compatible server a model
entry points at. Parameters follow what OpenAI's API accepts per model family, as litellm does: the
reasoning families (o1/o3/o4, gpt-5) take ``max_completion_tokens`` and only the default
temperature.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from bestroute import errors
from bestroute.wire.base import Completion, Piece

DEFAULT_BASE = "https://api.openai.com/v1"
_REASONING_FAMILIES = ("o1", "o3", "o4", "gpt-5")


def url(api_base: str | None) -> str:
    base = (api_base or DEFAULT_BASE).rstrip("/")
    return base if base.endswith("/chat/completions") else base + "/chat/completions"


def headers(api_key: str | None) -> dict[str, str]:
    return {"authorization": f"Bearer {api_key or 'none'}", "content-type": "application/json"}


def is_reasoning_family(name: str) -> bool:
    return name.startswith(_REASONING_FAMILIES) and "-chat" not in name


def request(name: str, messages: list[dict[str, str]], *, max_tokens: int, temperature: float | None,
            json_schema: dict[str, Any] | None, stream: bool) -> dict[str, Any]:
    reasoning = is_reasoning_family(name)
    body: dict[str, Any] = {"model": name, "messages": messages,
                            "max_completion_tokens" if reasoning else "max_tokens": max_tokens}
    if temperature is not None and not reasoning:
        body["temperature"] = temperature
    if json_schema is not None:
        body["response_format"] = {"type": "json_schema", "json_schema": {"name": "output", "schema": json_schema}}
    if stream:
        body["stream"] = True
        body["stream_options"] = {"include_usage": True}
    return body


def completion(data: Any, model_id: str) -> Completion:
    try:
        message = data["choices"][0]["message"]
        text = message.get("content")
        if text is None and message.get("tool_calls"):
            text = message["tool_calls"][0]["function"]["arguments"]
        if not isinstance(text, str):
            raise ValueError("no text in the answer")
        usage = data.get("usage") or {}
        return Completion(text, int(usage.get("prompt_tokens") or 0), int(usage.get("completion_tokens") or 0))
    except (KeyError, IndexError, TypeError, ValueError, AttributeError) as exc:
        raise errors.ProviderBadResponse(f"{model_id}: malformed answer ({type(exc).__name__}: {exc})") from exc


class StreamReader:
    """Turns the server-sent events of one streamed answer into Pieces."""

    def __init__(self, model_id: str) -> None:
        self.model_id = model_id
        self.done = False  # the end marker arrived: stop reading
        self.complete = False  # the answer was finished (a finish_reason or the end marker)

    def feed(self, event: str | None, data: str) -> Iterator[Piece]:
        if data == "[DONE]":
            self.done = self.complete = True
            return
        try:
            chunk = json.loads(data)
        except json.JSONDecodeError as exc:
            raise errors.ProviderBadResponse(f"{self.model_id}: malformed stream chunk ({exc.msg})") from exc
        if not isinstance(chunk, dict):
            raise errors.ProviderBadResponse(f"{self.model_id}: malformed stream chunk")
        if "error" in chunk:
            raise errors.ProviderUnavailable(f"{self.model_id}: the stream reported an error: "
                                             f"{str(chunk['error'])[:200]}")
        choices = chunk.get("choices") or []
        if choices:
            text = (choices[0].get("delta") or {}).get("content")
            if text:
                yield Piece(text)
            if choices[0].get("finish_reason"):
                self.complete = True
        usage = chunk.get("usage")
        if usage and usage.get("completion_tokens") is not None:
            yield Piece(input_tokens=int(usage.get("prompt_tokens") or 0),
                        output_tokens=int(usage["completion_tokens"]))
