"""The provider callers (``bestroute.wire``) without BestRoute around them: the request each wire format
builds, the error each failure becomes, and the native client and litellm giving the same answer for the
same call against the fake upstream (which checks requests as the real APIs do)."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import Iterator
from typing import Any

import pytest

from bestroute import errors
from bestroute.catalog import ModelSpec, build_catalog
from bestroute.config import load_config
from bestroute.providers import Credentials
from bestroute.wire import Wire, anthropic_format, openai_format
from bestroute.wire.base import Completion
from bestroute.wire.native import status_error, wire_format
from tests.support.stack import Upstream

CATALOG = build_catalog(load_config(None))
MINI, GPT4O_MINI, OPUS = (CATALOG.get("openai/gpt-5-mini"), CATALOG.get("openai/gpt-4o-mini"),
                          CATALOG.get("anthropic/claude-opus-4-5"))
ASK = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Name a prime number."}]
SCHEMA = {"type": "object", "properties": {"city": {"type": "string"}, "population": {"type": "integer"}},
          "required": ["city", "population"]}


@pytest.fixture(autouse=True)
def _reset(upstream: Upstream) -> Iterator[None]:
    upstream.reset()
    yield
    upstream.reset()


def creds_for(model: ModelSpec, upstream: Upstream) -> Credentials:
    base = f"{upstream.url}/v1" if model.provider == "openai" else upstream.url
    return Credentials(api_key="sk-test", api_base=base)


def call(wire: Wire, model: ModelSpec, upstream: Upstream, *, timeout_s: float = 5.0,
         json_schema: dict[str, Any] | None = None, temperature: float | None = 0.2,
         creds: Credentials | None = None) -> Completion:
    async def go() -> Completion:
        try:
            return await wire.call(model, creds or creds_for(model, upstream), ASK, max_tokens=64,
                                   temperature=temperature, timeout_s=timeout_s, json_schema=json_schema)
        finally:
            await wire.close()
    return asyncio.run(go())


def stream(wire: Wire, model: ModelSpec, upstream: Upstream, *, timeout_s: float = 5.0) -> tuple[str, tuple]:
    async def go() -> tuple[str, tuple]:
        text, usage = [], ()
        try:
            async for piece in wire.stream(model, creds_for(model, upstream), ASK, max_tokens=64,
                                           temperature=None, timeout_s=timeout_s):
                text.append(piece.text)
                if piece.output_tokens is not None:
                    usage = (piece.input_tokens, piece.output_tokens)
        finally:
            await wire.close()
        return "".join(text), usage
    return asyncio.run(go())


# --- which client calls which model ------------------------------------------------------------------
def test_openai_and_anthropic_models_are_native_the_rest_go_through_litellm() -> None:
    assert wire_format(MINI) == "openai" and wire_format(OPUS) == "anthropic"
    assert wire_format(CATALOG.get("mistral/mistral-small-latest")) is None
    assert wire_format(CATALOG.get("gemini/gemini-2.5-flash")) is None
    assert Wire("litellm").format_of(MINI) is None


def test_litellm_is_needed_only_when_a_configured_model_is_not_native() -> None:
    wire = Wire()
    wire.expect([MINI, OPUS])
    assert wire.needs_litellm is False and wire.ready() is True
    wire.expect([MINI, CATALOG.get("deepseek/deepseek-chat")])
    assert wire.needs_litellm is True


# --- the requests each format builds --------------------------------------------------------------
def test_openai_reasoning_models_get_max_completion_tokens_and_no_temperature() -> None:
    body = openai_format.request("gpt-5-mini", ASK, max_tokens=100, temperature=0.3, json_schema=None, stream=False)
    assert body == {"model": "gpt-5-mini", "messages": ASK, "max_completion_tokens": 100}
    body = openai_format.request("gpt-4o-mini", ASK, max_tokens=100, temperature=0.3, json_schema=SCHEMA, stream=True)
    assert body["max_tokens"] == 100 and body["temperature"] == 0.3
    assert body["response_format"] == {"type": "json_schema", "json_schema": {"name": "output", "schema": SCHEMA}}
    assert body["stream"] is True and body["stream_options"] == {"include_usage": True}


def test_anthropic_request_moves_system_joins_turns_and_caps_temperature() -> None:
    messages = [{"role": "system", "content": "A"}, {"role": "assistant", "content": "hi"},
                {"role": "user", "content": "x"}, {"role": "user", "content": "y"}, {"role": "system", "content": "B"}]
    body = anthropic_format.request("claude-opus-4-5", messages, max_tokens=50, temperature=1.5, json_schema=SCHEMA,
                                    stream=False)
    assert body["system"] == "A\n\nB"
    assert body["messages"] == [{"role": "user", "content": "."}, {"role": "assistant", "content": "hi"},
                                {"role": "user", "content": "x\n\ny"}]
    assert body["max_tokens"] == 50 and body["temperature"] == 1.0
    assert body["tool_choice"] == {"type": "tool", "name": "json_tool_call"}
    assert body["tools"][0]["input_schema"] == SCHEMA


@pytest.mark.parametrize(("base", "expected"), [
    (None, "https://api.anthropic.com/v1/messages"),
    ("http://h:1", "http://h:1/v1/messages"),
    ("http://h:1/v1/", "http://h:1/v1/messages"),
    ("http://h:1/v1/messages", "http://h:1/v1/messages"),
])
def test_anthropic_url(base: str | None, expected: str) -> None:
    assert anthropic_format.url(base) == expected


def test_openai_url() -> None:
    assert openai_format.url(None) == "https://api.openai.com/v1/chat/completions"
    assert openai_format.url("http://h:1/v1/") == "http://h:1/v1/chat/completions"


@pytest.mark.parametrize(("status", "body", "expected"), [
    (401, b'{"error": {"message": "bad key"}}', errors.ProviderAuthError),
    (403, b"forbidden", errors.ProviderAuthError),
    (429, b'{"error": {"message": "slow down"}}', errors.ProviderRateLimited),
    (408, b"", errors.ProviderTimeout),
    (500, b"oops", errors.ProviderUnavailable),
    (529, b'{"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}',
     errors.ProviderUnavailable),
    (400, b'{"error": {"message": "x", "code": "context_length_exceeded"}}', errors.ContextWindowExceeded),
    (400, b'{"type": "error", "error": {"message": "prompt is too long: 210000 tokens > 200000 maximum"}}',
     errors.ContextWindowExceeded),
    (400, b'{"error": {"message": "Unsupported parameter"}}', errors.ProviderBadRequest),
    (404, b'{"error": {"message": "no such model"}}', errors.ProviderBadRequest),
])
def test_status_errors(status: int, body: bytes, expected: type) -> None:
    err = status_error(status, body, "m")
    assert type(err) is expected
    assert f"HTTP {status}" in err.detail


# --- the native client and litellm against the fake upstream ------------------------------------------
CLIENTS = ["native", "litellm"]


@pytest.mark.parametrize("mode", CLIENTS)
@pytest.mark.parametrize("model", [MINI, GPT4O_MINI, OPUS], ids=lambda m: m.id)
def test_plain_call(upstream: Upstream, mode: str, model: ModelSpec) -> None:
    got = call(Wire(mode), model, upstream)
    name = model.litellm_model.split("/", 1)[1]
    assert got.text == f"[{name}] answer to: Name a prime number."
    assert got.output_tokens == len(got.text) // 4
    assert got.input_tokens == len("Be brief.") // 4 + len("Name a prime number.") // 4
    assert upstream.calls() == {name: 1}


def test_both_clients_give_the_same_completion(upstream: Upstream) -> None:
    for model in (MINI, OPUS):
        for schema in (None, SCHEMA):
            native = call(Wire("native"), model, upstream, json_schema=schema)
            via_litellm = call(Wire("litellm"), model, upstream, json_schema=schema)
            assert native == via_litellm, (model.id, schema)
            if schema is not None:
                assert json.loads(native.text) == {"city": "fake", "population": 1}


@pytest.mark.parametrize("mode", CLIENTS)
@pytest.mark.parametrize("model", [MINI, OPUS], ids=lambda m: m.id)
def test_stream(upstream: Upstream, mode: str, model: ModelSpec) -> None:
    text, usage = stream(Wire(mode), model, upstream)
    plain = call(Wire("native"), model, upstream, temperature=None)
    assert text == plain.text
    assert usage == (plain.input_tokens, plain.output_tokens)


FAULTS = [
    ({"mode": "error", "status": 500}, errors.ProviderUnavailable),
    ({"mode": "error", "status": 529}, errors.ProviderUnavailable),
    ({"mode": "rate_limit"}, errors.ProviderRateLimited),
    ({"mode": "auth"}, errors.ProviderAuthError),
    ({"mode": "context_window"}, errors.ContextWindowExceeded),
    ({"mode": "garbage"}, errors.ProviderBadResponse),
    ({"mode": "wrong_content_type"}, errors.ProviderBadResponse),
    ({"mode": "shape"}, errors.ProviderBadResponse),
    ({"mode": "stall", "delay_s": 3}, errors.ProviderTimeout),
]


@pytest.mark.parametrize("mode", CLIENTS)
@pytest.mark.parametrize("model", [MINI, OPUS], ids=lambda m: m.id)
@pytest.mark.parametrize(("fault", "expected"), FAULTS, ids=[f["mode"] + str(f.get("status", "")) for f, _ in FAULTS])
def test_each_fault_is_translated_alike(upstream: Upstream, mode: str, model: ModelSpec, fault: dict,
                                        expected: type) -> None:
    upstream.control(model=model.litellm_model.split("/", 1)[1], **fault)
    with pytest.raises(errors.ProviderError) as caught:
        call(Wire(mode), model, upstream, timeout_s=1.0)
    assert type(caught.value) is expected, caught.value.detail
    assert caught.value.__cause__ is not caught.value  # translated once, never chained to itself


@pytest.mark.parametrize("model", [MINI, OPUS], ids=lambda m: m.id)
def test_native_stream_cut_mid_way_keeps_the_text_and_raises(upstream: Upstream, model: ModelSpec) -> None:
    upstream.control(model=model.litellm_model.split("/", 1)[1], mode="cut")
    got: list[str] = []

    async def go() -> None:
        wire = Wire("native")
        try:
            async for piece in wire.stream(model, creds_for(model, upstream), ASK, max_tokens=64, temperature=None,
                                           timeout_s=5):
                got.append(piece.text)
        finally:
            await wire.close()

    with pytest.raises(errors.ProviderUnavailable):
        asyncio.run(go())
    assert "".join(got)  # the text sent before the break arrived


def test_native_connection_refused_names_the_connection(upstream: Upstream) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(errors.ProviderUnavailable) as caught:
        call(Wire("native"), OPUS, upstream, creds=Credentials("sk", f"http://127.0.0.1:{port}"))
    assert "connect" in caught.value.detail.lower()


def test_the_fake_refuses_what_the_real_apis_refuse(upstream: Upstream) -> None:
    """The checks that make the tests above meaningful: a wrongly built request fails here too."""
    import httpx

    r = httpx.post(f"{upstream.url}/v1/chat/completions", headers={"authorization": "Bearer x"},
                   json={"model": "gpt-5-mini", "messages": ASK, "max_tokens": 5})
    assert r.status_code == 400 and "max_completion_tokens" in r.json()["error"]["message"]
    r = httpx.post(f"{upstream.url}/v1/messages", headers={"x-api-key": "x", "anthropic-version": "2023-06-01"},
                   json={"model": "claude-opus-4-5", "messages": ASK, "max_tokens": 5})
    assert r.status_code == 400 and "system" in r.json()["error"]["message"]
    r = httpx.post(f"{upstream.url}/v1/messages", headers={"x-api-key": "x"},
                   json={"model": "claude-opus-4-5", "messages": ASK[1:], "max_tokens": 5})
    assert r.status_code == 400 and "anthropic-version" in r.json()["error"]["message"]
    assert upstream.calls() == {}  # refused before they count
