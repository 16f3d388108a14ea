"""BestRoute as an MCP server: tools ``route_task``, ``explain_route`` and ``list_models``.

Two transports: streamable HTTP at ``/mcp`` inside the FastAPI app (the same API key rules as
``/v1/*``), and stdio for local agents (``bestroute mcp``). Tool input schemas are the HTTP schemas
(``RouteRequest``), so a field means the same thing on every front; every tool goes through
``Router`` (no routing logic here). A bad argument or a failed route is a tool error
(``isError: true``) whose text is the problem detail and whose ``structuredContent`` is the
problem+json body, naming the field.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any

import mcp_types as types
from fastapi.exceptions import RequestValidationError
from mcp.server.context import ServerRequestContext
from mcp.server.lowlevel import Server
from mcp.server.streamable_http_manager import StreamableHTTPSessionManager
from mcp.server.transport_security import TransportSecuritySettings
from pydantic import ValidationError
from starlette.requests import Request
from starlette.types import Receive, Scope, Send

from bestroute import __version__
from bestroute.errors import BestRouteError, InvalidField
from bestroute.schemas import ModelList, RouteRequest, RouteResponse
from bestroute.service import Router
from bestroute.store.keys import ApiKey

#: where the HTTP gate leaves the caller's key for the tool handlers
SCOPE_KEY = "bestroute.api_key"

INSTRUCTIONS = ("BestRoute picks the best AI model for a task under your constraints (cost, latency, "
                "providers, quality), calls it with fallbacks and returns the answer with a routing receipt. "
                "Use route_task to get an answer, explain_route to see which model would be chosen and why "
                "without calling one, and list_models for the catalog.")


def _route_schema() -> dict[str, Any]:
    schema = RouteRequest.model_json_schema()
    schema["properties"].pop("dry_run", None)  # route_task always calls a model, explain_route never
    return schema


def _models_schema() -> dict[str, Any]:
    return {"type": "object", "additionalProperties": False, "properties": {
        "provider": {"type": "string", "description": "Only models of this provider (e.g. openai, anthropic)."},
        "available_only": {"type": "boolean", "default": False,
                           "description": "Only models whose provider credentials are set."},
    }}


def tools() -> list[types.Tool]:
    route = _route_schema()
    return [
        types.Tool(name="route_task", title="Route a task to the best model",
                   description="Answer a task with the best model under the given strategy and constraints. "
                               "Returns the answer and a receipt: which model, why, cost, savings, fallbacks.",
                   input_schema=route, output_schema=RouteResponse.model_json_schema()),
        types.Tool(name="explain_route", title="Explain the routing decision",
                   description="Decide and estimate without calling a model: which model would answer, the "
                               "ranked candidates, the excluded models and why, estimated cost.",
                   input_schema=route, output_schema=RouteResponse.model_json_schema(),
                   annotations=types.ToolAnnotations(read_only_hint=True)),
        types.Tool(name="list_models", title="List the model catalog",
                   description="The models BestRoute can route to, with prices, context windows, capabilities, "
                               "quality priors, availability and health.",
                   input_schema=_models_schema(), output_schema=ModelList.model_json_schema(),
                   annotations=types.ToolAnnotations(read_only_hint=True)),
    ]


def _error(exc: BestRouteError) -> types.CallToolResult:
    problem = exc.problem()
    return types.CallToolResult(content=[types.TextContent(text=f"{exc.title}: {exc.detail}\n{json.dumps(problem)}")],
                                structured_content=problem, is_error=True)


def _request(arguments: dict[str, Any], *, dry_run: bool) -> RouteRequest:
    if "dry_run" in arguments:
        raise InvalidField.one("dry_run", "not an argument of this tool: use route_task to call a model and "
                                          "explain_route to only decide")
    try:
        return RouteRequest.model_validate({**arguments, "dry_run": dry_run})
    except ValidationError as exc:
        from bestroute.api.problems import validation_to_problem

        err = validation_to_problem(RequestValidationError(exc.errors()))
        if isinstance(err, InvalidField):
            # RouteRequest's only whole-body check is "task or messages": name the argument
            err = InvalidField([{**e, "field": "task" if e["field"] == "body" else e["field"]} for e in err.errors])
        raise err from None


async def call_tool(router: Router, key: ApiKey | None, name: str, arguments: dict[str, Any]) -> types.CallToolResult:
    try:
        if name in ("route_task", "explain_route"):
            body = await router.route(_request(arguments, dry_run=name == "explain_route"), key)
            text = body["answer"] if body["answer"] is not None else body["receipt"]["reason"]
            summary = (f"model: {body['model']} | cost ${body['cost_usd']:.6f} (est. ${body['estimated_cost_usd']:.6f},"
                       f" saved ${body['savings_usd']:.6f}) | {body['receipt']['reason']}")
            return types.CallToolResult(content=[types.TextContent(text=text), types.TextContent(text=summary)],
                                        structured_content=body)
        if name == "list_models":
            from bestroute.api.routes import models

            unknown = sorted(set(arguments) - {"provider", "available_only"})
            if unknown:
                raise InvalidField.one(unknown[0], "unknown argument; accepted: provider, available_only")
            listing = await models(router, key)
            data = [m for m in listing["data"]
                    if (arguments.get("provider") in (None, m["provider"]))
                    and (m["available"] or not arguments.get("available_only"))]
            lines = "\n".join(f"{m['id']}: ${m['input_cost_per_1m']}/${m['output_cost_per_1m']} per 1M tokens, "
                              f"{'available' if m['available'] else 'no credentials'}" for m in data)
            return types.CallToolResult(content=[types.TextContent(text=lines or "no models match")],
                                        structured_content={"object": "list", "data": data, "count": len(data)})
        raise InvalidField.one("name", f"unknown tool '{name}'; tools: route_task, explain_route, list_models")
    except BestRouteError as exc:
        return _error(exc)


def build_server(router: Router, key_of: Callable[[ServerRequestContext[Any]], ApiKey | None]) -> Server[Any]:
    async def list_tools(ctx: ServerRequestContext[Any], params: types.PaginatedRequestParams | None
                         ) -> types.ListToolsResult:
        return types.ListToolsResult(tools=tools())

    async def on_call(ctx: ServerRequestContext[Any], params: types.CallToolRequestParams) -> types.CallToolResult:
        return await call_tool(router, key_of(ctx), params.name, params.arguments or {})

    return Server("bestroute", version=__version__, title="BestRoute", instructions=INSTRUCTIONS,
                  on_list_tools=list_tools, on_call_tool=on_call)


def _key_from_scope(ctx: ServerRequestContext[Any]) -> ApiKey | None:
    request = ctx.request
    return request.scope.get(SCOPE_KEY) if isinstance(request, Request) else None


class HttpEndpoint:
    """``/mcp``: the API key check of ``/v1/*``, then the SDK's streamable-HTTP transport.

    Stateless JSON mode: every POST stands alone, so the key is checked on each and no session state
    outlives a request. The SDK's Host-header (DNS rebinding) check is off: like every other route,
    ``/mcp`` is guarded by the API key rule (``bestroute serve`` refuses a non-loopback bind
    without keys), and the bind address is not known here.
    """

    def __init__(self, router: Router) -> None:
        self.manager = StreamableHTTPSessionManager(
            app=build_server(router, _key_from_scope), json_response=True, stateless=True,
            security_settings=TransportSecuritySettings(enable_dns_rebinding_protection=False))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        from bestroute.api.deps import current_key

        scope[SCOPE_KEY] = await current_key(Request(scope, receive))  # raises Unauthorized: problem+json
        await self.manager.handle_request(scope, receive, send)

    def run(self) -> Any:
        """The session manager's lifetime: enter it in the app's lifespan."""
        return self.manager.run()


async def serve_stdio(router: Router) -> None:
    """Serve the tools over stdin/stdout (a local, trusted caller: no API key)."""
    from mcp.server.stdio import stdio_server

    # litellm's import and first call take seconds (when a configured model needs it): warm them
    # while the client initializes
    threading.Thread(target=router.wire.warm, name="warm-up", daemon=True).start()
    server = build_server(router, lambda ctx: None)
    async with stdio_server() as (read, write):
        await server.run(read, write, server.create_initialization_options())
