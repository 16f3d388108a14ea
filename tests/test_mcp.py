"""The MCP front, driven by the MCP Python SDK's client over both transports: streamable HTTP against a
real `bestroute serve` (/mcp), and stdio against a `bestroute mcp` subprocess; the fake upstream plays
the providers."""

from __future__ import annotations

import asyncio
import sqlite3
import sys
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import httpx
import pytest
from mcp import Client, StdioServerParameters
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client

from bestroute.schemas import ModelList, RouteRequest, RouteResponse
from tests.support.stack import Service, Upstream

T = TypeVar("T")
MINI, OPUS = "openai/gpt-5-mini", "anthropic/claude-opus-4-5"
TASK = "Write a Python function that merges two sorted lists."


#: circuits never open here: these tests inject faults on purpose, one at a time
SERVICE_ENV = {"BESTROUTE_CIRCUIT_FAILURES": "1000"}
pytestmark = pytest.mark.usefixtures("clean_upstream")


def over_http(service: Service, use: Callable[[Client], Awaitable[T]], key: str | None = None) -> T:
    async def main() -> T:
        headers = {"authorization": f"Bearer {key}"} if key else None
        transport = streamable_http_client(f"{service.url}/mcp", http_client=create_mcp_http_client(headers=headers))
        async with Client(transport) as client:
            return await use(client)
    return asyncio.run(main())




def test_tools_and_schemas_come_from_the_http_schemas(service: Service) -> None:
    tools = {t.name: t for t in over_http(service, lambda c: c.list_tools()).tools}
    assert set(tools) == {"route_task", "explain_route", "list_models"}
    expected = RouteRequest.model_json_schema()
    for name in ("route_task", "explain_route"):
        schema = tools[name].input_schema
        assert schema["type"] == "object" and "dry_run" not in schema["properties"]
        assert schema["properties"] == {k: v for k, v in expected["properties"].items() if k != "dry_run"}
        assert schema["$defs"]["Constraints"] == expected["$defs"]["Constraints"]
        assert tools[name].output_schema == RouteResponse.model_json_schema()
    assert tools["list_models"].output_schema == ModelList.model_json_schema()
    assert tools["explain_route"].annotations.read_only_hint is True
    assert all(t.description for t in tools.values())


def test_route_task_answers_with_the_receipt(service: Service) -> None:
    r = over_http(service, lambda c: c.call_tool("route_task", {
        "task": TASK, "strategy": "cheapest", "metadata": {"via": "mcp"},
        "constraints": {"allowed_providers": ["openai", "anthropic"]}}))
    assert r.is_error is False
    body = r.structured_content
    assert r.content[0].text == body["answer"] and body["answer"].startswith(f"[{body['model'].split('/')[1]}]")
    assert body["model"] in r.content[1].text and "cost $" in r.content[1].text
    assert body["receipt"]["strategy"] == "cheapest" and body["provider"] in ("openai", "anthropic")
    assert body["receipt"]["attempts"][-1]["status"] == "ok"
    row = service.usage_row(body["id"])
    assert row and row["status"] == "ok" and '"via":"mcp"' in row["metadata"]


def test_route_task_falls_back(service: Service, upstream: Upstream) -> None:
    upstream.control(model="claude-opus-4-5", mode="error", status=500)
    r = over_http(service, lambda c: c.call_tool("route_task", {
        "task": TASK, "strategy": "best", "task_type": "code", "constraints": {"allowed_models": [OPUS, MINI]}}))
    body = r.structured_content
    assert body["model"] == MINI and body["fallback_used"] is True
    assert [a["status"] for a in body["receipt"]["attempts"]] == ["error", "ok"]


def test_explain_route_calls_no_model(service: Service, upstream: Upstream) -> None:
    r = over_http(service, lambda c: c.call_tool("explain_route", {"task": TASK, "strategy": "best"}))
    assert r.is_error is False
    body = r.structured_content
    assert body["dry_run"] is True and body["answer"] is None and body["cost_usd"] == 0
    assert r.content[0].text == body["receipt"]["reason"] and body["model"] in r.content[0].text
    assert len(body["receipt"]["candidates"]) > 3
    assert upstream.calls() == {}


def test_list_models_filters(service: Service) -> None:
    async def use(c: Client) -> tuple[Any, Any]:
        return await c.call_tool("list_models", {}), await c.call_tool("list_models", {"provider": "anthropic",
                                                                                          "available_only": True})
    every, anthropic = over_http(service, use)
    assert every.structured_content["count"] == len(every.structured_content["data"]) > 10
    data = anthropic.structured_content["data"]
    assert data and all(m["provider"] == "anthropic" and m["available"] for m in data)
    assert "claude" in anthropic.content[0].text


@pytest.mark.parametrize(("tool", "arguments", "field"), [
    ("route_task", {}, "task"),
    ("route_task", {"task": "hi", "constraints": {"max_cost_usd": -1}}, "constraints.max_cost_usd"),
    ("route_task", {"task": "hi", "strategy": "random"}, "strategy"),
    ("route_task", {"task": "hi", "colour": "red"}, "colour"),
    ("route_task", {"task": "hi", "dry_run": True}, "dry_run"),
    ("explain_route", {"task": "hi", "constraints": {"allowed_models": ["nope/x"]}}, "constraints.allowed_models[0]"),
    ("list_models", {"vendor": "x"}, "vendor"),
    ("summon", {}, "name"),
])
def test_bad_arguments_are_tool_errors_naming_the_field(service: Service, tool: str, arguments: dict,
                                                        field: str) -> None:
    r = over_http(service, lambda c: c.call_tool(tool, arguments))
    assert r.is_error is True
    problem = r.structured_content
    assert problem["status"] == 422 and problem["errors"][0]["field"] == field
    assert field in r.content[0].text


def test_no_eligible_model_is_a_tool_error_with_exclusions(service: Service) -> None:
    r = over_http(service, lambda c: c.call_tool("route_task", {"task": TASK, "constraints": {"max_cost_usd": 1e-9}}))
    assert r.is_error is True
    assert r.structured_content["type"] == "/problems/no-eligible-model" and r.structured_content["excluded"]


def test_stdio_transport_with_bestroute_mcp(service: Service, upstream: Upstream, tmp_path) -> None:
    env = {**service.env(), "BESTROUTE_DATA_DIR": str(tmp_path)}
    params = StdioServerParameters(command=sys.executable, args=["-m", "bestroute", "mcp"], env=env)

    async def main() -> tuple[Any, Any, Any]:
        async with Client(params) as c:
            names = [t.name for t in (await c.list_tools()).tools]
            answer = await c.call_tool("route_task", {"task": TASK, "strategy": "cheapest"})
            bad = await c.call_tool("explain_route", {"task": " "})
            return names, answer, bad

    names, answer, bad = asyncio.run(main())
    assert names == ["route_task", "explain_route", "list_models"]
    assert answer.is_error is False and answer.structured_content["answer"].startswith("[")
    assert bad.is_error is True and bad.structured_content["errors"][0]["field"] == "task"
    # usage is recorded in the database of the stdio server's own data dir
    conn = sqlite3.connect(tmp_path / "bestroute.db")
    try:
        rows = conn.execute("SELECT id, status FROM usage").fetchall()
    finally:
        conn.close()
    assert (answer.structured_content["id"], "ok") in rows


def test_http_transport_needs_a_key_once_one_exists(service: Service) -> None:
    """Last in this module: creating a key switches the server out of open mode."""
    key = service.create_key(name="mcp")["key"]
    r = httpx.post(f"{service.url}/mcp", json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
                   headers={"accept": "application/json, text/event-stream"})
    assert r.status_code == 401 and r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["type"] == "/problems/unauthorized"
    with pytest.raises(Exception):  # noqa: B017 - the SDK wraps the 401 in its own error types
        over_http(service, lambda c: c.list_tools(), key="br-wrong")
    r2 = over_http(service, lambda c: c.call_tool("route_task", {"task": TASK}), key=key)
    assert r2.is_error is False and r2.structured_content["answer"]
    # the caller's key reaches the tools: its model policy applies
    narrow = service.create_key(name="mcp-mini-only", allowed_models=[MINI])["key"]
    r3 = over_http(service, lambda c: c.call_tool("route_task", {"task": TASK, "strategy": "best"}), key=narrow)
    assert r3.structured_content["model"] == MINI
    listed = over_http(service, lambda c: c.call_tool("list_models", {}), key=narrow)
    assert [m["id"] for m in listed.structured_content["data"]] == [MINI]
