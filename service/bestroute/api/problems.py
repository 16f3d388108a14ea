"""The one place where errors become ``application/problem+json`` responses."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from bestroute.errors import BestRouteError, InvalidField, MalformedBody
from bestroute.schemas import Problem

log = logging.getLogger("bestroute.api")
PROBLEM = "application/problem+json"


def problem_response(exc: BestRouteError) -> JSONResponse:
    return JSONResponse(exc.problem(), status_code=exc.status, media_type=PROBLEM, headers=exc.headers)


_TYPE_TAGS = {"str", "int", "float", "bool", "list", "dict", "none", "json-or-python"}


def _field(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body",)]
    out = ""
    for p in parts:
        if p.isdigit():
            out += f"[{p}]"
        elif "[" in p or p in _TYPE_TAGS:
            continue  # pydantic's union/validator wrappers, not field names
        else:
            out += ("." if out else "") + p
    return out or "body"


def _message(err: dict[str, Any]) -> str:
    msg = str(err.get("msg", "invalid"))
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, "):]
    kind = err.get("type", "")
    if kind == "extra_forbidden":
        return "unknown field; remove it (see docs/api.md for the accepted fields)"
    if kind == "missing":
        return "field required"
    if kind == "model_attributes_type" or kind == "dict_type":
        return "must be a JSON object"
    return msg


def validation_to_problem(exc: RequestValidationError) -> BestRouteError:
    errs = exc.errors()
    if any(e.get("type") == "json_invalid" for e in errs):
        first = next(e for e in errs if e.get("type") == "json_invalid")
        where = first.get("ctx", {}).get("error", "invalid JSON")
        return MalformedBody(f"request body is not valid JSON ({where}); send a JSON object")
    items, seen = [], set()
    for e in errs:
        field, message = _field(tuple(e.get("loc", ()))), _message(e)
        if (field, message) not in seen:
            seen.add((field, message))
            items.append({"field": field, "message": message})
    return InvalidField(items)


_PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
_COMMON = {400: "Malformed body: not JSON", 413: "Request body too large",
           422: "Invalid field (errors names each)", 401: "Missing or invalid API key",
           429: "Rate limited (Retry-After)", 403: "Not the admin key"}


def document_problems(schema: dict[str, Any]) -> dict[str, Any]:
    """Make ``schema`` (the OpenAPI document) say what clients really get on errors.

    Every error is ``application/problem+json`` with the ``Problem`` schema, whatever a route
    declared (FastAPI adds an ``application/json`` copy and a default 422 of its own shape). And the
    problems that come from the middleware and the handlers here, not from a route, are declared on
    every operation they can reach: 400 and 413 where there is a body, 422 where there is input, 401
    and 429 on ``/v1/*`` (keys), 403 on ``/v1/admin/*``.
    """
    for path, ops in schema.get("paths", {}).items():
        for op in ops.values():
            if not isinstance(op, dict) or "responses" not in op:
                continue
            responses = op["responses"]
            statuses = set()
            if "requestBody" in op:
                statuses |= {400, 413, 422}
            if op.get("parameters"):
                statuses.add(422)
            if path.startswith("/v1/"):
                statuses |= {401, 429}
            if path.startswith("/v1/admin/"):
                statuses.add(403)
            for status in statuses:
                responses.setdefault(str(status), {"description": _COMMON[status]})
            for status, resp in responses.items():
                if status.isdigit() and int(status) >= 400:
                    resp["content"] = {PROBLEM: {"schema": _PROBLEM_REF}}
    components = schema.get("components", {}).get("schemas", {})
    if components:
        components.setdefault("Problem", Problem.model_json_schema(ref_template="#/components/schemas/{model}"))
        for name, sub in Problem.model_json_schema(ref_template="#/components/schemas/{model}").get("$defs", {}).items():
            components.setdefault(name, sub)
        for unused in ("HTTPValidationError", "ValidationError"):
            components.pop(unused, None)
    return schema


def install(app: FastAPI) -> None:
    default_openapi = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = document_problems(default_openapi())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]

    @app.exception_handler(BestRouteError)
    async def _ours(request: Request, exc: BestRouteError) -> JSONResponse:
        return problem_response(exc)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        return problem_response(validation_to_problem(exc))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        err = BestRouteError(str(exc.detail))
        err.status, err.title = exc.status_code, str(exc.detail)
        body = err.problem()
        body["type"] = f"/problems/http-{exc.status_code}"
        return JSONResponse(body, status_code=exc.status_code, media_type=PROBLEM,
                            headers=getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error", extra={"path": request.url.path})
        return problem_response(BestRouteError("unexpected server error; it has been logged"))
