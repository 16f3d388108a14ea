"""The A2A front, driven by the a2a-sdk's client (card resolution, SendMessage plain and streaming) and by
raw JSON-RPC with the 0.3 method name, against a real `bestroute serve` and the fake upstream."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
import pytest
from a2a.client import A2ACardResolver, ClientConfig, create_client
from a2a.helpers import get_data_parts, get_text_parts, new_data_part, new_text_part
from a2a.types.a2a_pb2 import Message, Role, SendMessageRequest, TaskState

from tests.support.stack import Service, Upstream

MINI, OPUS = "openai/gpt-5-mini", "anthropic/claude-opus-4-5"
TASK = "Write a Python function that merges two sorted lists."


#: circuits never open here: these tests inject faults on purpose, one at a time
SERVICE_ENV = {"BESTROUTE_CIRCUIT_FAILURES": "1000"}
pytestmark = pytest.mark.usefixtures("clean_upstream")


def send(service: Service, text: str | None = None, data: dict | None = None, *, streaming: bool = False,
         key: str | None = None) -> list[Any]:
    """Send one message with the SDK's client; the events it yields."""
    parts = ([new_text_part(text)] if text else []) + ([new_data_part(data)] if data is not None else [])

    async def main() -> list[Any]:
        headers = {"authorization": f"Bearer {key}"} if key else {}
        async with httpx.AsyncClient(timeout=60, headers=headers) as http:
            client = await create_client(service.url, client_config=ClientConfig(streaming=streaming,
                                                                                  httpx_client=http))
            request = SendMessageRequest(message=Message(role=Role.ROLE_USER, message_id=str(uuid.uuid4()),
                                                         parts=parts))
            return [event async for event in client.send_message(request)]
    return asyncio.run(main())


def reply(events: list[Any]) -> tuple[str, dict]:
    """The text and the data part of the single agent message."""
    assert len(events) == 1 and events[0].WhichOneof("payload") == "message", events
    msg = events[0].message
    assert msg.role == Role.ROLE_AGENT
    texts, datas = get_text_parts(list(msg.parts)), get_data_parts(list(msg.parts))
    assert len(texts) == 1 and len(datas) == 1
    return texts[0], datas[0]


def problem(events: list[Any]) -> tuple[int, dict]:
    """The state and the problem+json body of a task that could not be served."""
    tasks = [e.task for e in events if e.WhichOneof("payload") == "task"]
    assert tasks, events
    status = tasks[-1].status
    return status.state, get_data_parts(list(status.message.parts))[0]




def test_agent_card_describes_the_skills(service: Service) -> None:
    raw = httpx.get(f"{service.url}/.well-known/agent-card.json", timeout=30).json()
    assert raw["name"] == "BestRoute" and raw["capabilities"]["streaming"] is True
    assert {s["id"] for s in raw["skills"]} == {"route", "explain", "list_models"}
    assert all(s["description"] for s in raw["skills"])
    assert raw["supportedInterfaces"][0] == {"url": f"{service.url}/a2a", "protocolBinding": "JSONRPC",
                                             "protocolVersion": "1.0"}
    assert raw["securitySchemes"]["bearer"]["httpAuthSecurityScheme"]["scheme"] == "bearer"

    async def resolve() -> Any:
        async with httpx.AsyncClient(timeout=30) as http:
            return await A2ACardResolver(http, service.url).get_agent_card()
    card = asyncio.run(resolve())
    assert [s.id for s in card.skills] == ["route", "explain", "list_models"]


def test_message_is_routed_and_answered_with_the_receipt(service: Service) -> None:
    text, data = reply(send(service, TASK, {"strategy": "cheapest", "metadata": {"via": "a2a"}}))
    assert text == data["answer"] and text.startswith(f"[{data['model'].split('/')[1]}] answer to: Write")
    rc = data["receipt"]
    assert rc["strategy"] == "cheapest" and rc["chosen"] == data["model"] and rc["attempts"][-1]["status"] == "ok"
    assert data["cost_usd"] > 0 and data["dry_run"] is False
    row = service.usage_row(data["id"])
    assert row and row["status"] == "ok" and '"via":"a2a"' in row["metadata"]


def streamed(events: list[Any]) -> tuple[list[str], Any, dict]:
    """The answer chunks, the final status and the receipt of a streamed (working -> completed) task."""
    kinds = [e.WhichOneof("payload") for e in events]
    assert kinds[0] == "task" and events[0].task.status.state == TaskState.TASK_STATE_WORKING, kinds
    assert kinds[-1] == "status_update", kinds
    updates = [e.artifact_update for e in events if e.WhichOneof("payload") == "artifact_update"]
    answer = [u for u in updates if u.artifact.artifact_id == "answer"]
    assert [u.append for u in answer] == [False] + [True] * (len(answer) - 1)
    receipts = [get_data_parts(list(u.artifact.parts))[0] for u in updates if u.artifact.artifact_id == "receipt"]
    chunks = [get_text_parts(list(u.artifact.parts))[0] for u in answer]
    return chunks, events[-1].status_update.status, receipts[0] if receipts else {}


def test_streaming_sends_the_answer_as_it_is_written(service: Service) -> None:
    chunks, status, receipt = streamed(send(service, TASK, {"strategy": "cheapest", "metadata": {"via": "a2a-stream"}},
                                            streaming=True))
    assert len(chunks) >= 3 and "".join(chunks).startswith(f"[{receipt['model'].split('/')[1]}] answer to:")
    assert status.state == TaskState.TASK_STATE_COMPLETED
    assert get_text_parts(list(status.message.parts)) == ["".join(chunks)]
    assert get_data_parts(list(status.message.parts))[0] == receipt
    assert receipt["answer"] == "".join(chunks) and receipt["receipt"]["stream"]["continued"] is False
    row = service.usage_row(receipt["id"])
    assert row and row["status"] == "ok" and '"via":"a2a-stream"' in row["metadata"]


def test_streaming_cut_mid_way_is_continued(service: Service, upstream: Upstream) -> None:
    upstream.control(model="claude-opus-4-5", mode="cut")
    chunks, status, receipt = streamed(send(service, TASK, {"strategy": "best", "task_type": "code", "constraints": {
        "allowed_models": [OPUS, MINI]}}, streaming=True))
    text = "".join(chunks)
    assert text.startswith("[claude-opus-4-5]") and "[gpt-5-mini]" in text
    assert status.state == TaskState.TASK_STATE_COMPLETED and receipt["model"] == MINI
    assert receipt["receipt"]["stream"]["continued"] is True
    assert [p["model"] for p in receipt["receipt"]["stream"]["partials"]] == [OPUS]


def test_streaming_failure_after_text_fails_the_task(service: Service, upstream: Upstream) -> None:
    upstream.control(model="claude-opus-4-5", mode="cut")
    upstream.control(model="gpt-5-mini", mode="error", status=500)
    chunks, status, _ = streamed(send(service, TASK, {"strategy": "best", "task_type": "code", "constraints": {
        "allowed_models": [OPUS, MINI]}}, streaming=True))
    assert chunks and status.state == TaskState.TASK_STATE_FAILED
    p = get_data_parts(list(status.message.parts))[0]
    assert p["type"] == "/problems/all-attempts-failed" and len(p["attempts"]) == 2


def test_constraints_and_fallback_ride_in_the_data_part(service: Service, upstream: Upstream) -> None:
    upstream.control(model="claude-opus-4-5", mode="error", status=500)
    _, data = reply(send(service, TASK, {"strategy": "best", "task_type": "code",
                                         "constraints": {"allowed_models": [OPUS, MINI]}}))
    assert data["model"] == MINI and data["fallback_used"] is True
    assert [(a["model"], a["status"]) for a in data["receipt"]["attempts"]] == [(OPUS, "error"), (MINI, "ok")]


def test_explain_skill_calls_no_model(service: Service, upstream: Upstream) -> None:
    text, data = reply(send(service, TASK, {"skill": "explain", "strategy": "best"}, streaming=True))
    assert data["dry_run"] is True and data["answer"] is None
    assert text == data["receipt"]["reason"] and data["model"] in text
    assert upstream.calls() == {}


def test_list_models_skill(service: Service) -> None:
    text, data = reply(send(service, data={"skill": "list_models"}))
    assert data["object"] == "list" and data["count"] == len(data["data"]) > 10
    assert MINI in text and OPUS in text


@pytest.mark.parametrize(("text", "data", "field"), [
    (None, {"strategy": "cheapest"}, "task"),
    ("hi", {"constraints": {"max_cost_usd": -1}}, "constraints.max_cost_usd"),
    ("hi", {"strategy": "random"}, "strategy"),
    ("hi", {"skill": "dance"}, "skill"),
    ("hi", {"colour": "red"}, "colour"),
])
def test_bad_input_is_a_rejected_task_naming_the_field(service: Service, text, data, field: str) -> None:
    state, p = problem(send(service, text, data))
    assert state == TaskState.TASK_STATE_REJECTED
    assert p["type"] == "/problems/invalid-field" and p["errors"][0]["field"] == field


def test_every_model_failing_is_a_failed_task_with_attempts(service: Service, upstream: Upstream) -> None:
    upstream.control(model="*", mode="error", status=500)
    state, p = problem(send(service, TASK, {"constraints": {"allowed_models": [OPUS, MINI]}}, streaming=True))
    assert state == TaskState.TASK_STATE_FAILED
    assert p["type"] == "/problems/all-attempts-failed" and len(p["attempts"]) == 2


def test_raw_jsonrpc_with_the_0_3_method_name(service: Service) -> None:
    r = httpx.post(f"{service.url}/a2a", timeout=60, json={
        "jsonrpc": "2.0", "id": "1", "method": "message/send",
        "params": {"message": {"kind": "message", "role": "user", "messageId": "m-1",
                               "parts": [{"kind": "text", "text": TASK}]}}})
    assert r.status_code == 200, r.text
    result = r.json()["result"]
    assert result["kind"] == "message" and result["role"] == "agent"
    text, data = result["parts"][0]["text"], result["parts"][1]["data"]
    assert text == data["answer"] and data["receipt"]["attempts"]


def test_endpoint_needs_a_key_once_one_exists_card_stays_public(service: Service) -> None:
    """Last in this module: creating a key switches the server out of open mode."""
    key = service.create_key(name="a2a")["key"]
    assert httpx.get(f"{service.url}/.well-known/agent-card.json", timeout=30).status_code == 200
    r = httpx.post(f"{service.url}/a2a", json={"jsonrpc": "2.0", "id": "1", "method": "SendMessage", "params": {}},
                   timeout=30)
    assert r.status_code == 401 and r.headers["content-type"].startswith("application/problem+json")
    with pytest.raises(Exception):  # noqa: B017 - the SDK wraps the 401 in its own error types
        send(service, TASK, key="br-wrong")
    text, data = reply(send(service, TASK, key=key))
    assert text == data["answer"]
    # the caller's key reaches the agent: its model policy applies, plain and streaming
    narrow = service.create_key(name="a2a-mini-only", allowed_models=[MINI])["key"]
    assert reply(send(service, TASK, {"strategy": "best"}, key=narrow))[1]["model"] == MINI
    assert streamed(send(service, TASK, {"strategy": "best"}, streaming=True, key=narrow))[2]["model"] == MINI
