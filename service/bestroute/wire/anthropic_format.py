"""The Anthropic messages wire format: the request BestRoute sends and what it reads back.

Pure functions (no I/O). Chat messages in the OpenAI shape are mapped as Anthropic requires:
system messages go to the top-level ``system``, turns alternate starting with a user turn
(consecutive turns of one role are joined), ``max_tokens`` is always sent, temperature is capped
at 1. A JSON-schema answer is asked for as a forced tool call, whose input is the answer.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from bestroute import errors
from bestroute.wire.base import Completion, Piece

DEFAULT_BASE = "https://api.anthropic.com"
API_VERSION = "2023-06-01"
JSON_TOOL = "json_tool_call"


def url(api_base: str | None) -> str:
    base = (api_base or DEFAULT_BASE).rstrip("/")
    if base.endswith("/v1/messages"):
        return base
    return base + ("/messages" if base.endswith("/v1") else "/v1/messages")


def headers(api_key: str | None) -> dict[str, str]:
    return {"x-api-key": api_key or "none", "anthropic-version": API_VERSION, "content-type": "application/json"}


def _turns(messages: list[dict[str, str]]) -> tuple[str, list[dict[str, str]]]:
    system: list[str] = []
    turns: list[dict[str, str]] = []
    for m in messages:
        role, content = m["role"], m["content"]
        if role == "system":
            system.append(content)
            continue
        role = "assistant" if role == "assistant" else "user"
        if turns and turns[-1]["role"] == role:
            turns[-1] = {"role": role, "content": turns[-1]["content"] + "\n\n" + content}
        else:
            turns.append({"role": role, "content": content})
    if not turns or turns[0]["role"] != "user":
        turns.insert(0, {"role": "user", "content": "."})
    return "\n\n".join(system), turns


def request(name: str, messages: list[dict[str, str]], *, max_tokens: int, temperature: float | None,
            json_schema: dict[str, Any] | None, stream: bool) -> dict[str, Any]:
    system, turns = _turns(messages)
    body: dict[str, Any] = {"model": name, "messages": turns, "max_tokens": max_tokens}
    if system:
        body["system"] = system
    if temperature is not None:
        body["temperature"] = min(1.0, temperature)
    if json_schema is not None:
        body["tools"] = [{"name": JSON_TOOL, "description": "Return the answer as JSON matching this schema.",
                          "input_schema": json_schema}]
        body["tool_choice"] = {"type": "tool", "name": JSON_TOOL}
    if stream:
        body["stream"] = True
    return body


def _input_tokens(usage: dict[str, Any]) -> int:
    return sum(int(usage.get(k) or 0) for k in ("input_tokens", "cache_creation_input_tokens",
                                                  "cache_read_input_tokens"))


def completion(data: Any, model_id: str) -> Completion:
    try:
        blocks = data["content"]
        tool = next((b for b in blocks if b.get("type") == "tool_use"), None)
        if tool is not None:
            text = json.dumps(tool["input"])
        else:
            parts = [b["text"] for b in blocks if b.get("type") == "text"]
            if not parts:
                raise ValueError("no text in the answer")
            text = "".join(parts)
        usage = data.get("usage") or {}
        return Completion(text, _input_tokens(usage), int(usage.get("output_tokens") or 0))
    except (KeyError, IndexError, TypeError, ValueError, AttributeError) as exc:
        raise errors.ProviderBadResponse(f"{model_id}: malformed answer ({type(exc).__name__}: {exc})") from exc


class StreamReader:
    """Turns the server-sent events of one streamed answer into Pieces."""

    def __init__(self, model_id: str) -> None:
        self.model_id = model_id
        self.done = False  # message_stop arrived: stop reading
        self.complete = False  # the answer was finished (a stop_reason or message_stop)
        self.input_tokens = 0

    def feed(self, event: str | None, data: str) -> Iterator[Piece]:
        try:
            payload = json.loads(data)
        except json.JSONDecodeError as exc:
            raise errors.ProviderBadResponse(f"{self.model_id}: malformed stream event ({exc.msg})") from exc
        kind = event or (payload.get("type") if isinstance(payload, dict) else None)
        if not isinstance(payload, dict) or kind is None:
            raise errors.ProviderBadResponse(f"{self.model_id}: malformed stream event")
        if kind == "error":
            err = payload.get("error") or {}
            message = f"{self.model_id}: the stream reported {err.get('type', 'an error')}: {err.get('message', '')}"
            if err.get("type") == "rate_limit_error":
                raise errors.ProviderRateLimited(message)
            raise errors.ProviderUnavailable(message)
        if kind == "message_start":
            self.input_tokens = _input_tokens((payload.get("message") or {}).get("usage") or {})
        elif kind == "content_block_delta":
            delta = payload.get("delta") or {}
            text = delta.get("text") if delta.get("type") == "text_delta" else None
            if text:
                yield Piece(text)
        elif kind == "message_delta":
            if (payload.get("delta") or {}).get("stop_reason"):
                self.complete = True
            usage = payload.get("usage") or {}
            if usage.get("output_tokens") is not None:
                yield Piece(input_tokens=self.input_tokens, output_tokens=int(usage["output_tokens"]))
        elif kind == "message_stop":
            self.done = self.complete = True
