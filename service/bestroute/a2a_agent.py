"""BestRoute as an A2A agent: the agent card at ``/.well-known/agent-card.json`` and the JSON-RPC
endpoint at ``/a2a`` (A2A 1.0 ``SendMessage`` / ``SendStreamingMessage``, and the 0.3 names
``message/send`` / ``message/stream``), built from the a2a-sdk's server pieces.

A message is one request: its text parts are the task; an optional data part holds ``RouteRequest``
fields (``strategy``, ``constraints``, ``task_type``, ...) and ``skill`` (``route`` — the default,
``explain`` or ``list_models``). The reply is one agent message: the answer (or, for ``explain``,
the reason) as a text part and the full response with its receipt as a data part. Streaming calls
(``SendStreamingMessage``) of the route skill stream tokens: a working task, the answer as appended
``answer`` artifact chunks, a ``receipt`` artifact, then the task completed with the same message
(fallbacks as in ``streaming.route_stream``: a stream that breaks after text is continued). A request that
cannot be served is a task in state ``rejected`` (bad input, 4xx) or ``failed`` (the models failed,
5xx) whose status message carries the problem+json body as a data part. Every skill goes through
``Router``; the card is public, the endpoint follows the API key rules of ``/v1/*``.
"""

from __future__ import annotations

from typing import Any

from a2a.helpers import get_data_parts, new_data_part, new_message, new_text_part
from a2a.server.agent_execution import AgentExecutor, RequestContext
from a2a.server.context import ServerCallContext
from a2a.server.events import EventQueue
from a2a.server.request_handlers import DefaultRequestHandlerV2
from a2a.server.request_handlers.response_helpers import agent_card_to_dict
from a2a.server.routes import DefaultServerCallContextBuilder
from a2a.server.routes.jsonrpc_dispatcher import JsonRpcDispatcher
from a2a.server.tasks import InMemoryTaskStore
from a2a.types.a2a_pb2 import (
    AgentCapabilities,
    AgentCard,
    AgentInterface,
    AgentProvider,
    AgentSkill,
    Artifact,
    HTTPAuthSecurityScheme,
    SecurityRequirement,
    SecurityScheme,
    StringList,
    Task,
    TaskArtifactUpdateEvent,
    TaskState,
    TaskStatus,
    TaskStatusUpdateEvent,
)
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from bestroute import __version__
from bestroute.api.protocols import A2A_PATH
from bestroute.errors import BestRouteError, InvalidField
from bestroute.execute import Delta
from bestroute.schemas import RouteRequest
from bestroute.service import Router
from bestroute.streaming import route_stream

PATH = A2A_PATH
SKILLS = ("route", "explain", "list_models")
_STATE_KEY = "bestroute_api_key"


def agent_card(base_url: str) -> AgentCard:
    base = base_url.rstrip("/")
    data_hint = ("Optional data part: RouteRequest fields (strategy, constraints, task_type, max_output_tokens, "
                 "temperature, metadata) and skill.")
    return AgentCard(
        name="BestRoute",
        description="Routes each AI request to the best model under your constraints, calls it with fallbacks, "
                    "and replies with the answer and a routing receipt (model, reason, cost, savings).",
        version=__version__,
        provider=AgentProvider(organization="BestRoute (self-hosted)", url=base),
        supported_interfaces=[AgentInterface(url=base + PATH, protocol_binding="JSONRPC", protocol_version="1.0")],
        capabilities=AgentCapabilities(streaming=True, push_notifications=False),
        default_input_modes=["text/plain", "application/json"],
        default_output_modes=["text/plain", "application/json"],
        security_schemes={"bearer": SecurityScheme(http_auth_security_scheme=HTTPAuthSecurityScheme(
            scheme="bearer", description="A BestRoute API key; not needed while the server has no key."))},
        security_requirements=[SecurityRequirement(schemes={"bearer": StringList(list=[])})],
        skills=[
            AgentSkill(id="route", name="Route a task to the best model",
                       description="Answers the task with the best model for it under the strategy and "
                                   "constraints, with fallbacks. " + data_hint,
                       tags=["routing", "llm", "cost"], examples=["Summarise this contract in 5 bullet points."]),
            AgentSkill(id="explain", name="Explain the routing decision",
                       description="Which model would answer and why, ranked candidates, exclusions and the "
                                   "estimated cost; calls no model. Send skill: explain in a data part.",
                       tags=["routing", "explain"], examples=["{\"skill\": \"explain\", \"strategy\": \"cheapest\"}"]),
            AgentSkill(id="list_models", name="List models",
                       description="The model catalog with prices, capabilities, availability and health. Send "
                                   "skill: list_models in a data part.", tags=["catalog"]),
        ],
    )


class RouterExecutor(AgentExecutor):
    def __init__(self, router: Router) -> None:
        self.router = router

    async def execute(self, context: RequestContext, event_queue: EventQueue) -> None:
        key = context.call_context.state.get(_STATE_KEY)
        try:
            skill, fields = _read(context)
            if skill == "list_models":
                from bestroute.api.routes import models

                listing = await models(self.router, key)
                text = "\n".join(f"{m['id']} ({'available' if m['available'] else 'no credentials'})"
                                 for m in listing["data"])
                parts = [new_text_part(text), new_data_part(listing)]
            else:
                req = _route_request(fields, dry_run=skill == "explain")
                if _streaming(context) and not req.dry_run and not _wants_json(req):
                    await self._stream(context, event_queue, req)
                    return
                body = await self.router.route(req, key)
                text = body["answer"] if body["answer"] is not None else body["receipt"]["reason"]
                parts = [new_text_part(text), new_data_part(body)]
        except BestRouteError as exc:
            await event_queue.enqueue_event(_failed(context, exc))
            return
        await event_queue.enqueue_event(new_message(parts, context_id=context.context_id, task_id=None))

    async def _stream(self, context: RequestContext, event_queue: EventQueue, req: RouteRequest) -> None:
        """Token streaming: a working task, the answer as appended artifact chunks, then the task
        completed with a message holding the whole answer and the receipt (or failed with the problem)."""
        key = context.call_context.state.get(_STATE_KEY)
        task_id, context_id = context.task_id or "", context.context_id or ""
        events = route_stream(self.router, req, key)
        try:
            first = await events.__anext__()  # nothing fails silently before the first token
        except BestRouteError as exc:
            await event_queue.enqueue_event(_failed(context, exc))
            return
        await event_queue.enqueue_event(Task(id=task_id, context_id=context_id,
                                             history=[context.message] if context.message else [],
                                             status=TaskStatus(state=TaskState.TASK_STATE_WORKING)))
        sent = 0
        try:
            item: Delta | dict[str, Any] = first
            while isinstance(item, Delta):
                await event_queue.enqueue_event(TaskArtifactUpdateEvent(
                    task_id=task_id, context_id=context_id, append=sent > 0,
                    artifact=Artifact(artifact_id="answer", name="answer", parts=[new_text_part(item.text)])))
                sent += 1
                item = await events.__anext__()
        except BestRouteError as exc:
            await event_queue.enqueue_event(TaskStatusUpdateEvent(task_id=task_id, context_id=context_id, status=(
                _failed(context, exc).status)))
            return
        finally:
            await events.aclose()
        done = new_message([new_text_part(item["answer"]), new_data_part(item)], context_id=context_id,
                           task_id=task_id)
        await event_queue.enqueue_event(TaskArtifactUpdateEvent(
            task_id=task_id, context_id=context_id, append=False, last_chunk=True,
            artifact=Artifact(artifact_id="receipt", name="receipt", parts=[new_data_part(item)])))
        await event_queue.enqueue_event(TaskStatusUpdateEvent(
            task_id=task_id, context_id=context_id,
            status=TaskStatus(state=TaskState.TASK_STATE_COMPLETED, message=done)))

    async def cancel(self, context: RequestContext, event_queue: EventQueue) -> None:
        raise BestRouteError("a routed request answers in one step; there is nothing to cancel")


def _streaming(context: RequestContext) -> bool:
    return context.call_context.state.get("method") in ("SendStreamingMessage", "message/stream")


def _wants_json(req: RouteRequest) -> bool:
    return req.response_format is not None and req.response_format.type == "json_schema"


def _read(context: RequestContext) -> tuple[str, dict[str, Any]]:
    message = context.message
    fields: dict[str, Any] = {}
    for data in get_data_parts(list(message.parts)) if message else []:
        if not isinstance(data, dict):
            raise InvalidField.one("data", "a data part must be a JSON object of RouteRequest fields")
        fields.update(data)
    skill = fields.pop("skill", "route")
    if skill not in SKILLS:
        raise InvalidField.one("skill", f"unknown skill '{skill}'; skills: {', '.join(SKILLS)}")
    text = context.get_user_input().strip()
    if text and "task" not in fields and "messages" not in fields:
        fields["task"] = text
    return skill, fields


def _route_request(fields: dict[str, Any], *, dry_run: bool) -> RouteRequest:
    try:
        return RouteRequest.model_validate({**fields, "dry_run": dry_run})
    except ValidationError as exc:
        from bestroute.api.problems import validation_to_problem

        err = validation_to_problem(RequestValidationError(exc.errors()))
        if isinstance(err, InvalidField):  # the whole-body check is "a text part (task) or messages"
            err = InvalidField([{**e, "field": "task" if e["field"] == "body" else e["field"]} for e in err.errors])
        raise err from None


def _failed(context: RequestContext, exc: BestRouteError) -> Task:
    state = TaskState.TASK_STATE_REJECTED if exc.status < 500 else TaskState.TASK_STATE_FAILED
    status_message = new_message([new_text_part(f"{exc.title}: {exc.detail}"), new_data_part(exc.problem())],
                                 context_id=context.context_id, task_id=context.task_id)
    history = [context.message] if context.message else []
    return Task(id=context.task_id, context_id=context.context_id, history=history,
                status=TaskStatus(state=state, message=status_message))


class _KeyContext(DefaultServerCallContextBuilder):
    def build(self, request: Request) -> ServerCallContext:
        ctx = super().build(request)
        ctx.state[_STATE_KEY] = request.scope.get(_STATE_KEY)
        return ctx


class Agent:
    """The card route and the JSON-RPC endpoint, ready to add to the FastAPI app."""

    def __init__(self, router: Router, base_url: str) -> None:
        handler = DefaultRequestHandlerV2(agent_executor=RouterExecutor(router), task_store=InMemoryTaskStore(),
                                          agent_card=agent_card(base_url))
        self.dispatcher = JsonRpcDispatcher(handler, context_builder=_KeyContext(), enable_v0_3_compat=True)

    async def card(self, request: Request) -> Response:
        return JSONResponse(agent_card_to_dict(agent_card(str(request.base_url))))

    async def endpoint(self, request: Request) -> Response:
        from bestroute.api.deps import current_key

        request.scope[_STATE_KEY] = await current_key(request)  # raises Unauthorized: problem+json
        return await self.dispatcher.handle_requests(request)
