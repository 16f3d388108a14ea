"""OpenAI-compatible chat completions: ``POST /v1/chat/completions``, plain and streaming.

Any OpenAI client (the ``openai`` package, litellm, n8n's "OpenAI-compatible" nodes) can use
BestRoute by pointing its base URL at ``<service>/v1``. ``model`` picks the strategy
(``bestroute/auto``, ``bestroute/cheapest``, ``bestroute/best``, ``bestroute/fastest``) or names a
catalog model to try first; BestRoute's constraints ride in an optional ``bestroute`` object. The
answer has OpenAI's shape with ``model`` = the model that answered and the routing receipt in
``bestroute``.

Errors stay ``application/problem+json`` and also carry an OpenAI-style ``error`` object
(message, type, code, param), so OpenAI clients show the message.

Streaming: nothing is sent until a model produced its first token, so a provider that fails early is
replaced invisibly and a request that cannot be served gets a plain HTTP error. If a stream breaks
after text was sent, the next candidate continues the answer (see ``execute.run_stream``); the
final chunk's ``bestroute`` receipt says so under ``receipt.stream``.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Any, Literal

import anyio
import orjson
from fastapi import APIRouter, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response, StreamingResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bestroute.api.deps import KeyDep, RouterDep
from bestroute.api.problems import validation_to_problem
from bestroute.errors import BestRouteError, InvalidField
from bestroute.execute import Delta
from bestroute.schemas import Constraints, Problem, RouteRequest
from bestroute.service import Router
from bestroute.store.keys import ApiKey
from bestroute.streaming import route_stream
from bestroute.tasks import STRATEGIES, TaskType

#: model names that pick a strategy instead of a model; auto = the key's or the config's default
STRATEGY_MODELS: dict[str, str | None] = {"bestroute/auto": None, **{f"bestroute/{s}": s for s in STRATEGIES}}

_OPENAI_TYPES = {400: "invalid_request_error", 401: "authentication_error", 402: "insufficient_quota",
                 403: "permission_error", 404: "not_found_error", 413: "invalid_request_error",
                 422: "invalid_request_error", 429: "rate_limit_error"}


def openai_error(exc: BestRouteError) -> dict[str, Any]:
    """The OpenAI-style ``error`` object for one of our errors."""
    errs = exc.extra.get("errors") or []
    return {"message": exc.detail, "type": _OPENAI_TYPES.get(exc.status, "server_error"),
            "code": exc.slug, "param": errs[0]["field"] if errs else None}


class _WithOpenAIError(APIRoute):
    """Adds the OpenAI ``error`` object to every problem this router's routes raise (auth and
    validation included); the one problem handler in ``api.problems`` still renders the body."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def wrapped(request: Request) -> Response:
            try:
                return await handler(request)
            except RequestValidationError as exc:
                err = validation_to_problem(exc)
            except BestRouteError as exc:
                err = exc
            err.extra.setdefault("error", openai_error(err))
            raise err

        return wrapped


router = APIRouter(route_class=_WithOpenAIError)


# --- request schema -------------------------------------------------------------------------------
class _Open(BaseModel):
    # OpenAI clients send many optional parameters (top_p, seed, stop, ...): accepted and ignored
    model_config = ConfigDict(extra="allow")


class ContentPart(_Open):
    type: str = Field(description="Only 'text' parts are supported.")
    text: str | None = Field(None, description="The text of a 'text' part.")


class ChatMessage(_Open):
    role: Literal["system", "developer", "user", "assistant", "tool", "function"] = Field(
        description="Who wrote this turn (developer = system; tool and function turns are refused).")
    content: str | list[ContentPart] | None = Field(None, description="A string or a list of text parts.")
    name: str | None = Field(None, description="Accepted and ignored.")


class JsonSchemaFormat(_Open):
    name: str = Field("output", max_length=64, description="A name for the schema.")
    schema_: dict[str, Any] | None = Field(None, alias="schema", description="JSON Schema the answer must satisfy.")
    strict: bool | None = Field(None, description="Accepted; the answer is always validated.")


class ChatResponseFormat(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: Literal["text", "json_object", "json_schema"] = Field(description="text, json_object or json_schema.")
    json_schema: JsonSchemaFormat | None = Field(None, description="The schema, for type json_schema.")


class StreamOptions(_Open):
    include_usage: bool = Field(False, description="Put token usage in the final chunk.")


class BestRouteOptions(Constraints):
    """BestRoute's own knobs: the constraints of ``POST /v1/route`` plus ``task_type``."""

    task_type: Literal["auto"] | TaskType = Field("auto", description="auto-detect, or name the task type.")


class ChatCompletionRequest(_Open):
    model: str = Field(description="bestroute/auto | bestroute/cheapest | bestroute/best | bestroute/fastest, "
                                   "or a catalog model id to try first.")
    messages: list[ChatMessage] = Field(min_length=1, max_length=500, description="The conversation.")
    max_tokens: int | None = Field(None, ge=1, le=200_000, description="Most tokens the answer may have.")
    max_completion_tokens: int | None = Field(None, ge=1, le=200_000,
                                              description="Most tokens the answer may have (wins over max_tokens).")
    temperature: float | None = Field(None, ge=0, le=2, description="Sampling temperature.")
    response_format: ChatResponseFormat | None = Field(None, description="text, json_object or json_schema.")
    stream: bool = Field(False, description="Stream chat.completion.chunk server-sent events.")
    stream_options: StreamOptions | None = Field(None, description="include_usage: usage in the final chunk.")
    metadata: dict[str, str] | None = Field(None, description="Your labels, stored with the usage record.")
    user: str | None = Field(None, max_length=256, description="Your end user's id, stored as metadata.user.")
    n: int | None = Field(None, ge=1, le=1, description="Only one choice is supported.")
    tools: list[dict[str, Any]] | None = Field(None, description="Not supported: refused when not empty.")
    bestroute: BestRouteOptions | None = Field(
        None, description="BestRoute's constraints (as in POST /v1/route) plus task_type.")


# --- mapping to a RouteRequest ----------------------------------------------------------------------
def _text(content: str | list[ContentPart] | None, where: str) -> str:
    if content is None or isinstance(content, str):
        return content or ""
    texts = []
    for j, part in enumerate(content):
        if part.type != "text" or part.text is None:
            raise InvalidField.one(f"{where}.content[{j}]", f"only text parts are supported, not '{part.type}'")
        texts.append(part.text)
    return "\n".join(texts)


_RENAMES = (("max_output_tokens", "max_tokens"), ("constraints.", "bestroute."), ("constraints", "bestroute"),
            ("task_type", "bestroute.task_type"), ("response_format.schema", "response_format.json_schema.schema"))


def _rename(field: str) -> str:
    if field == "body":  # RouteRequest's only whole-body check is about the messages
        return "messages"
    for ours, theirs in _RENAMES:
        if field.startswith(ours):
            return theirs + field[len(ours):]
    return field


def to_route_request(body: ChatCompletionRequest, router_: Router) -> tuple[RouteRequest, str | None]:
    """The RouteRequest an OpenAI request means, and the model to try first (if one was named)."""
    if body.tools:
        raise InvalidField.one("tools", "tool calling is not supported; send plain chat messages")
    prefer: str | None = None
    if body.model in STRATEGY_MODELS:
        strategy = STRATEGY_MODELS[body.model]
    elif router_.catalog.get(body.model) is not None:
        strategy, prefer = None, body.model
    else:
        raise InvalidField.one("model", f"unknown model '{body.model}'; use {', '.join(STRATEGY_MODELS)} "
                                        "or a model id from GET /v1/models")
    messages = []
    for i, m in enumerate(body.messages):
        if m.role in ("tool", "function"):
            raise InvalidField.one(f"messages[{i}].role", "tool results are not supported; send plain chat messages")
        role = "system" if m.role == "developer" else m.role
        messages.append({"role": role, "content": _text(m.content, f"messages[{i}]")})
    fields: dict[str, Any] = {"messages": messages, "strategy": strategy,
                              "max_output_tokens": body.max_completion_tokens or body.max_tokens or 1024,
                              "temperature": body.temperature,
                              "metadata": {**(body.metadata or {}), **({"user": body.user} if body.user else {})}}
    if body.bestroute is not None:
        opts = body.bestroute.model_dump(exclude_unset=True)
        fields["task_type"] = opts.pop("task_type", "auto")
        fields["constraints"] = opts
    rf = body.response_format
    if rf is not None and rf.type == "json_object":
        fields["response_format"] = {"type": "json_schema", "schema": {"type": "object"}}
    elif rf is not None and rf.type == "json_schema":
        if rf.json_schema is None or not rf.json_schema.schema_:
            raise InvalidField.one("response_format.json_schema.schema", "a JSON Schema is required")
        fields["response_format"] = {"type": "json_schema", "schema": rf.json_schema.schema_}
    try:
        return RouteRequest.model_validate(fields), prefer
    except ValidationError as exc:
        err = validation_to_problem(RequestValidationError(exc.errors()))
        items = [{"field": _rename(e["field"]), "message": e["message"]} for e in err.extra["errors"]]
        raise InvalidField(items) from None


# --- responses --------------------------------------------------------------------------------------
def _finish_reason(body: dict[str, Any], req: RouteRequest) -> str:
    return "length" if body["usage"]["output_tokens"] >= req.max_output_tokens else "stop"


def _usage(body: dict[str, Any]) -> dict[str, int]:
    u = body["usage"]
    return {"prompt_tokens": u["input_tokens"], "completion_tokens": u["output_tokens"],
            "total_tokens": u["input_tokens"] + u["output_tokens"]}


def _headers(body: dict[str, Any]) -> dict[str, str]:
    return {"x-bestroute-model": body["model"], "x-bestroute-cost-usd": f"{body['cost_usd']:.10f}",
            "x-bestroute-request-id": body["id"]}


@router.post("/v1/chat/completions", operation_id="chat_completions", summary="OpenAI-compatible chat completion",
             responses={200: {"description": "OpenAI's chat.completion with the receipt in `bestroute`; with "
                                             "stream: true, chat.completion.chunk server-sent events",
                              "content": {"application/json": {}, "text/event-stream": {}}},
                        **{s: {"model": Problem, "description": d, "content": {"application/problem+json": {}}}
                           for s, d in {400: "Malformed body", 401: "Missing or invalid API key",
                                        402: "Budget exhausted", 413: "Body too large",
                                        422: "Invalid field or no eligible model", 429: "Rate limited",
                                        502: "Every attempt failed", 503: "Provider not configured",
                                        504: "Deadline exceeded"}.items()}})
async def chat_completions(body: ChatCompletionRequest, router_: RouterDep, key: KeyDep) -> Response:
    req, prefer = to_route_request(body, router_)
    request_id = "chatcmpl-" + uuid.uuid4().hex
    if body.stream:
        include_usage = bool(body.stream_options and body.stream_options.include_usage)
        return await _streaming(router_, req, key, prefer, request_id, include_usage)
    result = await router_.route(req, key, prefer_model=prefer, request_id=request_id)
    return Response(orjson.dumps({
        "id": result["id"], "object": "chat.completion", "created": int(time.time()), "model": result["model"],
        "choices": [{"index": 0, "message": {"role": "assistant", "content": result["answer"], "refusal": None},
                     "finish_reason": _finish_reason(result, req), "logprobs": None}],
        "usage": _usage(result), "system_fingerprint": None, "bestroute": result,
    }), media_type="application/json", headers=_headers(result))


async def _streaming(router_: Router, req: RouteRequest, key: ApiKey | None, prefer: str | None,
                     request_id: str, include_usage: bool) -> Response:
    events = route_stream(router_, req, key, prefer_model=prefer, request_id=request_id)
    # wait for the first token: until then every failure is still a plain HTTP error
    first = await events.__anext__()
    model = first.model if isinstance(first, Delta) else first["model"]
    return StreamingResponse(_sse(events, first, request_id, req, include_usage), media_type="text/event-stream",
                             headers={"x-bestroute-model": model, "x-bestroute-request-id": request_id,
                                      "cache-control": "no-cache"})


async def _sse(events: AsyncIterator[Delta | dict[str, Any]], first: Delta | dict[str, Any], request_id: str,
               req: RouteRequest, include_usage: bool) -> AsyncIterator[str]:
    created = int(time.time())

    def chunk(model: str, delta: dict[str, Any], finish: str | None = None, **extra: Any) -> str:
        data = {"id": request_id, "object": "chat.completion.chunk", "created": created, "model": model,
                "system_fingerprint": None,
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}], **extra}
        return f"data: {json.dumps(data)}\n\n"

    role_sent = False
    try:
        async for item in _chain(first, events):
            if isinstance(item, Delta):
                delta = {"content": item.text} if role_sent else {"role": "assistant", "content": item.text}
                role_sent = True
                yield chunk(item.model, delta)
            else:
                extra: dict[str, Any] = {"bestroute": item}
                if include_usage:
                    extra["usage"] = _usage(item)
                yield chunk(item["model"], {}, _finish_reason(item, req), **extra)
    except BestRouteError as exc:
        # every candidate failed after text was sent: the status line is gone, so say it in-band
        problem = exc.problem()
        yield f"data: {json.dumps({'error': openai_error(exc), 'bestroute': problem})}\n\n"
    finally:
        with anyio.CancelScope(shield=True):
            await events.aclose()
    yield "data: [DONE]\n\n"


async def _chain(first: Delta | dict[str, Any],
                 rest: AsyncIterator[Delta | dict[str, Any]]) -> AsyncIterator[Delta | dict[str, Any]]:
    yield first
    async for item in rest:
        yield item
