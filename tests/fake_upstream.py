"""A local fake LLM provider speaking the real wire formats: OpenAI chat completions and Anthropic
messages, plain and streaming. It stands in for the providers, which cannot be reached from here.

Answers are deterministic (they name the model asked for) and report token usage. Each model can be
told to misbehave through ``POST /_control``::

    {"model": "gpt-5-mini", "mode": "error", "status": 500, "times": 1}
    modes: error | stall | rate_limit | garbage | context_window | auth | cut | wrong_content_type | shape
    {"model": "*", ...} applies to every model; {"reset": true} clears all faults and counters.

``GET /_stats`` returns how many calls each model received, and from which client (the first word
of each call's User-Agent).

Requests are checked as the real APIs check them (credentials header, required fields, roles, the
parameters OpenAI's reasoning models refuse, Anthropic's temperature range); a request the real
provider would refuse gets the provider's 400/401 answer, so a client that builds requests wrongly
fails here too.

Run: ``python tests/fake_upstream.py --port 9100`` (add ``--delay-ms`` to emulate provider time).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import time
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route


def instance_for(schema: dict[str, Any]) -> Any:
    """A small value that satisfies ``schema`` (the subset tests use)."""
    if "enum" in schema:
        return schema["enum"][0]
    if "const" in schema:
        return schema["const"]
    t = schema.get("type", "object")
    if isinstance(t, list):
        t = t[0]
    if t == "object":
        props = schema.get("properties", {})
        return {k: instance_for(v) for k, v in props.items()}
    if t == "array":
        return [instance_for(schema.get("items", {"type": "string"}))] * max(1, schema.get("minItems", 1))
    if t == "integer":
        return max(1, schema.get("minimum", 1))
    if t == "number":
        return max(1.5, schema.get("minimum", 1.5))
    if t == "boolean":
        return True
    if t == "null":
        return None
    return "fake"


def tokens(text: str) -> int:
    return max(1, len(text) // 4)


_REASONING = ("o1", "o3", "o4", "gpt-5")


def _openai_problem(status: int, message: str, param: str | None = None) -> JSONResponse:
    return JSONResponse({"error": {"message": message, "type": "invalid_request_error", "param": param,
                                   "code": None}}, status_code=status)


def _anthropic_problem(status: int, message: str) -> JSONResponse:
    kind = "authentication_error" if status == 401 else "invalid_request_error"
    return JSONResponse({"type": "error", "error": {"type": kind, "message": message}}, status_code=status)


def check_openai(request: Request, body: Any) -> Response | None:
    """What OpenAI's chat completions endpoint refuses (the subset a client could get wrong)."""
    if not request.headers.get("authorization", "").startswith("Bearer "):
        return _openai_problem(401, "You didn't provide an API key.")
    if not isinstance(body, dict) or not isinstance(body.get("model"), str):
        return _openai_problem(400, "you must provide a model parameter", "model")
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        return _openai_problem(400, "Invalid 'messages': empty array.", "messages")
    for i, m in enumerate(messages):
        if not isinstance(m, dict) or m.get("role") not in ("system", "developer", "user", "assistant", "tool"):
            return _openai_problem(400, f"Invalid value for 'messages[{i}].role'.", f"messages[{i}].role")
    if body["model"].startswith(_REASONING) and "-chat" not in body["model"]:
        if "max_tokens" in body:
            return _openai_problem(400, "Unsupported parameter: 'max_tokens' is not supported with this model. "
                                        "Use 'max_completion_tokens' instead.", "max_tokens")
        if body.get("temperature") not in (None, 1, 1.0):
            return _openai_problem(400, f"Unsupported value: 'temperature' does not support {body['temperature']} "
                                        "with this model. Only the default (1) value is supported.", "temperature")
    return None


def check_anthropic(request: Request, body: Any) -> Response | None:
    """What Anthropic's messages endpoint refuses (the subset a client could get wrong)."""
    if not request.headers.get("x-api-key"):
        return _anthropic_problem(401, "x-api-key header is required")
    if not request.headers.get("anthropic-version"):
        return _anthropic_problem(400, "anthropic-version: header is required")
    if not isinstance(body, dict) or not isinstance(body.get("model"), str):
        return _anthropic_problem(400, "model: Field required")
    if not isinstance(body.get("max_tokens"), int) or body["max_tokens"] < 1:
        return _anthropic_problem(400, "max_tokens: Field required")
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        return _anthropic_problem(400, "messages: at least one message is required")
    for i, m in enumerate(messages):
        role = m.get("role") if isinstance(m, dict) else None
        if role not in ("user", "assistant"):
            return _anthropic_problem(400, f'messages.{i}.role: Unexpected role "{role}". The Messages API '
                                           "accepts a top-level `system` parameter, not \"system\" as an input "
                                           "message role.")
    if messages[0].get("role") != "user":
        return _anthropic_problem(400, 'messages: first message must use the "user" role')
    temperature = body.get("temperature")
    if temperature is not None and not 0 <= temperature <= 1:
        return _anthropic_problem(400, "temperature: range: 0..1")
    return None


class Faults:
    def __init__(self) -> None:
        self.rules: dict[str, dict[str, Any]] = {}
        self.calls: dict[str, int] = {}
        self.clients: dict[str, int] = {}

    def take(self, model: str) -> dict[str, Any] | None:
        self.calls[model] = self.calls.get(model, 0) + 1
        for key in (model, "*"):
            rule = self.rules.get(key)
            if rule is None:
                continue
            times = rule.get("times")
            if times is not None:
                if times <= 0:
                    del self.rules[key]
                    continue
                rule["times"] = times - 1
            return rule
        return None


def _text_of(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(p.get("text", "") for p in content if isinstance(p, dict))
    return ""


def build_app(delay_ms: float = 0.0) -> Starlette:
    faults = Faults()

    async def control(request: Request) -> Response:
        body = await request.json()
        if body.get("reset"):
            faults.rules.clear()
            faults.calls.clear()
            faults.clients.clear()
        else:
            faults.rules[body["model"]] = dict(body)
        return JSONResponse({"ok": True})

    async def stats(request: Request) -> Response:
        return JSONResponse({"calls": faults.calls, "clients": faults.clients})

    async def misbehave(rule: dict[str, Any], fmt: str) -> Response | None:
        mode = rule["mode"]
        if mode == "stall":
            await asyncio.sleep(float(rule.get("delay_s", 30)))
            return None
        if mode == "error":
            status = int(rule.get("status", 500))
            return JSONResponse({"error": {"message": f"injected {status}", "type": "server_error"}}
                                if fmt == "openai" else
                                {"type": "error", "error": {"type": "api_error", "message": f"injected {status}"}},
                                status_code=status)
        if mode == "rate_limit":
            return JSONResponse({"error": {"message": "rate limited", "type": "rate_limit_error"}}
                                if fmt == "openai" else
                                {"type": "error", "error": {"type": "rate_limit_error", "message": "rate limited"}},
                                status_code=429, headers={"retry-after": str(rule.get("retry_after", 1))})
        if mode == "auth":
            return JSONResponse({"error": {"message": "invalid api key", "type": "invalid_request_error",
                                           "code": "invalid_api_key"}} if fmt == "openai" else
                                {"type": "error", "error": {"type": "authentication_error", "message": "invalid x-api-key"}},
                                status_code=401)
        if mode == "context_window":
            if fmt == "openai":
                return JSONResponse({"error": {"message": "This model's maximum context length is 8192 tokens. "
                                               "However, your messages resulted in 9000 tokens.",
                                               "type": "invalid_request_error", "code": "context_length_exceeded"}},
                                    status_code=400)
            return JSONResponse({"type": "error", "error": {"type": "invalid_request_error",
                                 "message": "prompt is too long: 210000 tokens > 200000 maximum"}}, status_code=400)
        if mode == "garbage":
            return Response(b"{not json at all", media_type="application/json")
        if mode == "wrong_content_type":
            return Response(b"<html><body>502 Bad Gateway</body></html>", media_type="text/html")
        if mode == "shape":
            return JSONResponse({"unexpected": ["shape"], "choices": "nope"})
        return None

    async def arrive(request: Request, fmt: str) -> tuple[dict[str, Any], str, dict[str, Any] | None, Response | None]:
        """Parse a call, check it, count it, and apply the model's fault rule (a response here ends the call)."""
        try:
            body = await request.json()
        except ValueError:
            body = None
        refused = (check_openai if fmt == "openai" else check_anthropic)(request, body)
        if refused is not None:
            return body, "", None, refused
        client = request.headers.get("user-agent", "").split("/", 1)[0] or "unknown"
        faults.clients[client] = faults.clients.get(client, 0) + 1
        model = str(body.get("model", ""))
        rule = faults.take(model)
        if rule:
            bad = await misbehave(rule, fmt)
            if bad is not None:
                return body, model, rule, bad
        if delay_ms:
            await asyncio.sleep(delay_ms / 1000)
        return body, model, rule, None

    async def openai_chat(request: Request) -> Response:
        body, model, rule, bad = await arrive(request, "openai")
        if bad is not None:
            return bad
        messages = body.get("messages", [])
        user = next((_text_of(m.get("content")) for m in reversed(messages) if m.get("role") == "user"), "")
        rf = body.get("response_format") or {}
        if rf.get("type") == "json_schema":
            answer = json.dumps(instance_for(rf.get("json_schema", {}).get("schema", {})))
        else:
            answer = f"[{model}] answer to: {user[:80]}"
        prompt_tokens = sum(tokens(_text_of(m.get("content"))) for m in messages)
        usage = {"prompt_tokens": prompt_tokens, "completion_tokens": tokens(answer),
                 "total_tokens": prompt_tokens + tokens(answer)}
        cid = f"chatcmpl-fake{faults.calls.get(model, 0)}"
        if body.get("stream"):
            cut = bool(rule and rule["mode"] == "cut")
            return StreamingResponse(_openai_stream(cid, model, answer, usage, cut), media_type="text/event-stream")
        return JSONResponse({
            "id": cid, "object": "chat.completion", "created": int(time.time()), "model": model,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": answer}, "finish_reason": "stop"}],
            "usage": usage,
        })

    async def anthropic_messages(request: Request) -> Response:
        body, model, rule, bad = await arrive(request, "anthropic")
        if bad is not None:
            return bad
        messages = body.get("messages", [])
        user = next((_text_of(m.get("content")) for m in reversed(messages) if m.get("role") == "user"), "")
        tools = body.get("tools") or []
        output_format = body.get("output_format") or body.get("output_config", {}).get("format")
        content: list[dict[str, Any]]
        if output_format and output_format.get("schema"):
            answer = json.dumps(instance_for(output_format["schema"]))
            content = [{"type": "text", "text": answer}]
        elif tools and body.get("tool_choice", {}).get("type") == "tool":
            tool = next(t for t in tools if t.get("name") == body["tool_choice"].get("name"))
            answer = json.dumps(instance_for(tool.get("input_schema", {})))
            content = [{"type": "tool_use", "id": "toolu_fake", "name": tool["name"], "input": json.loads(answer)}]
        else:
            answer = f"[{model}] answer to: {user[:80]}"
            content = [{"type": "text", "text": answer}]
        in_tokens = sum(tokens(_text_of(m.get("content"))) for m in messages) + tokens(_text_of(body.get("system")))
        usage = {"input_tokens": in_tokens, "output_tokens": tokens(answer)}
        if body.get("stream"):
            cut = bool(rule and rule["mode"] == "cut")
            return StreamingResponse(_anthropic_stream(model, answer, usage, cut), media_type="text/event-stream")
        return JSONResponse({
            "id": "msg_fake", "type": "message", "role": "assistant", "model": model, "content": content,
            "stop_reason": "tool_use" if content[0]["type"] == "tool_use" else "end_turn",
            "stop_sequence": None, "usage": usage,
        })

    async def models(request: Request) -> Response:
        return JSONResponse({"object": "list", "data": []})

    routes = [
        Route("/_control", control, methods=["POST"]),
        Route("/_stats", stats, methods=["GET"]),
        Route("/v1/chat/completions", openai_chat, methods=["POST"]),
        Route("/chat/completions", openai_chat, methods=["POST"]),
        Route("/v1/messages", anthropic_messages, methods=["POST"]),
        Route("/messages", anthropic_messages, methods=["POST"]),
        Route("/v1/models", models, methods=["GET"]),
    ]
    return Starlette(routes=routes)


def _chunks(answer: str, n: int = 4) -> list[str]:
    step = max(1, len(answer) // n)
    return [answer[i:i + step] for i in range(0, len(answer), step)]


async def _openai_stream(cid: str, model: str, answer: str, usage: dict[str, int], cut: bool):
    created = int(time.time())
    parts = _chunks(answer)
    for i, part in enumerate(parts):
        if cut and i == len(parts) // 2:
            raise ConnectionResetError("injected stream cut")
        delta = {"role": "assistant", "content": part} if i == 0 else {"content": part}
        chunk = {"id": cid, "object": "chat.completion.chunk", "created": created, "model": model,
                 "choices": [{"index": 0, "delta": delta, "finish_reason": None}]}
        yield f"data: {json.dumps(chunk)}\n\n"
        await asyncio.sleep(0)
    final = {"id": cid, "object": "chat.completion.chunk", "created": created, "model": model,
             "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}], "usage": usage}
    yield f"data: {json.dumps(final)}\n\n"
    yield "data: [DONE]\n\n"


async def _anthropic_stream(model: str, answer: str, usage: dict[str, int], cut: bool):
    def event(name: str, data: dict[str, Any]) -> str:
        return f"event: {name}\ndata: {json.dumps(data)}\n\n"

    yield event("message_start", {"type": "message_start", "message": {
        "id": "msg_fake", "type": "message", "role": "assistant", "model": model, "content": [],
        "stop_reason": None, "stop_sequence": None,
        "usage": {"input_tokens": usage["input_tokens"], "output_tokens": 1}}})
    yield event("content_block_start", {"type": "content_block_start", "index": 0,
                                        "content_block": {"type": "text", "text": ""}})
    parts = _chunks(answer)
    for i, part in enumerate(parts):
        if cut and i == len(parts) // 2:
            raise ConnectionResetError("injected stream cut")
        yield event("content_block_delta", {"type": "content_block_delta", "index": 0,
                                            "delta": {"type": "text_delta", "text": part}})
        await asyncio.sleep(0)
    yield event("content_block_stop", {"type": "content_block_stop", "index": 0})
    yield event("message_delta", {"type": "message_delta", "delta": {"stop_reason": "end_turn", "stop_sequence": None},
                                  "usage": {"output_tokens": usage["output_tokens"]}})
    yield event("message_stop", {"type": "message_stop"})


def main() -> None:
    import uvicorn

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=9100)
    p.add_argument("--delay-ms", type=float, default=float(os.environ.get("FAKE_UPSTREAM_DELAY_MS", 0)))
    args = p.parse_args()
    uvicorn.run(build_app(args.delay_ms), host=args.host, port=args.port, log_level="warning",
                access_log=False, loop="uvloop", http="httptools")


if __name__ == "__main__":
    main()
