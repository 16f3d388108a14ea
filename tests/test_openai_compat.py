"""The OpenAI-compatible front, driven by real OpenAI clients (the `openai` package and litellm) against a
real `bestroute serve` and the fake upstream: plain, streaming, fallbacks before and after the first
token, errors, and the usage record of each request."""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator

import httpx
import openai
import pytest

from tests.support.stack import Service, Upstream

OPUS, SONNET, MINI, NANO = ("anthropic/claude-opus-4-5", "anthropic/claude-sonnet-4-5",
                            "openai/gpt-5-mini", "openai/gpt-5-nano")
ASK = [{"role": "user", "content": "Write a Python function that merges two sorted lists."}]
# gpt-5-mini first (named as the model), claude-opus-4-5 the only fallback
PAIR = {"allowed_models": [MINI, OPUS]}


#: circuits never open here: these tests inject faults on purpose, one at a time
SERVICE_ENV = {"BESTROUTE_CIRCUIT_FAILURES": "1000"}
BOTH_CLIENTS = True  # every test with the native client and with litellm


@pytest.fixture
def oai(service: Service, upstream: Upstream) -> Iterator[openai.OpenAI]:
    upstream.reset()
    with openai.OpenAI(base_url=f"{service.url}/v1", api_key="unused-in-open-mode", max_retries=0,
                       timeout=30) as c:
        yield c
    upstream.reset()




def extra(obj: object) -> dict:
    return getattr(obj, "model_extra", None) or {}


# --- plain ---------------------------------------------------------------------------------------
def test_plain_completion_has_openai_shape_receipt_and_headers(oai: openai.OpenAI, service: Service) -> None:
    raw = oai.chat.completions.with_raw_response.create(
        model="bestroute/auto", messages=ASK, user="u-42", metadata={"team": "docs"})
    r = raw.parse()
    assert r.object == "chat.completion"
    receipt = extra(r)["bestroute"]
    assert r.model == receipt["model"] == raw.headers["x-bestroute-model"]
    assert r.choices[0].message.role == "assistant"
    assert r.choices[0].message.content == receipt["answer"]
    assert r.choices[0].message.content.startswith(f"[{r.model.split('/')[1]}] answer to: Write a Python")
    assert r.choices[0].finish_reason == "stop"
    assert r.usage.prompt_tokens == receipt["usage"]["input_tokens"] > 0
    assert r.usage.total_tokens == r.usage.prompt_tokens + r.usage.completion_tokens
    assert float(raw.headers["x-bestroute-cost-usd"]) == pytest.approx(receipt["cost_usd"])
    assert receipt["receipt"]["strategy"] == "balanced" and receipt["task_type"] == receipt["receipt"]["task"]["type"]
    row = service.usage_row(r.id)
    assert row and row["status"] == "ok" and row["model"] == r.model
    assert json.loads(row["metadata"]) == {"team": "docs", "user": "u-42"}


@pytest.mark.parametrize("strategy", ["cheapest", "best", "fastest"])
def test_strategy_models_pick_what_the_strategy_ranks_first(oai: openai.OpenAI, strategy: str) -> None:
    r = oai.chat.completions.create(model=f"bestroute/{strategy}", messages=ASK)
    receipt = extra(r)["bestroute"]["receipt"]
    assert receipt["strategy"] == strategy
    assert r.model == receipt["candidates"][0]["model"] == receipt["chosen"]


def test_cheapest_and_best_differ_in_price(oai: openai.OpenAI) -> None:
    cheap = extra(oai.chat.completions.create(model="bestroute/cheapest", messages=ASK))["bestroute"]
    best = extra(oai.chat.completions.create(model="bestroute/best", messages=ASK))["bestroute"]
    assert cheap["model"] != best["model"]
    assert cheap["estimated_cost_usd"] < best["estimated_cost_usd"]


def test_a_concrete_model_is_used_first(oai: openai.OpenAI) -> None:
    r = oai.chat.completions.create(model=SONNET, messages=ASK)
    assert r.model == SONNET
    assert r.choices[0].message.content.startswith("[claude-sonnet-4-5]")


def test_a_concrete_model_falls_back(oai: openai.OpenAI, upstream: Upstream) -> None:
    upstream.control(model="gpt-5-mini", mode="error", status=503)
    r = oai.chat.completions.create(model=MINI, messages=ASK, extra_body={"bestroute": PAIR})
    b = extra(r)["bestroute"]
    assert r.model == OPUS and b["fallback_used"] is True
    assert [(a["model"], a["status"]) for a in b["receipt"]["attempts"]] == [(MINI, "error"), (OPUS, "ok")]


def test_openai_params_and_bestroute_object_are_mapped(oai: openai.OpenAI) -> None:
    r = oai.chat.completions.create(
        model="bestroute/best",
        messages=[{"role": "developer", "content": "Answer briefly."},
                  {"role": "user", "content": [{"type": "text", "text": "Sort these numbers: 3, 1, 2"}]}],
        max_completion_tokens=64, temperature=0.2,
        extra_body={"bestroute": {"allowed_providers": ["anthropic"], "task_type": "classification",
                                  "max_cost_usd": 0.5}})
    b = extra(r)["bestroute"]
    assert b["provider"] == "anthropic"
    assert b["receipt"]["task"] == {**b["receipt"]["task"], "type": "classification", "confidence": 1.0}
    assert b["receipt"]["constraints"] == {"allowed_providers": ["anthropic"], "max_cost_usd": 0.5}
    assert all(c["model"].startswith("anthropic/") for c in b["receipt"]["candidates"])
    # max_completion_tokens is the output budget the estimate was made with
    chosen = b["receipt"]["candidates"][0]
    assert chosen["est_cost_usd"] < 0.5
    assert "Sort these numbers" in r.choices[0].message.content


def test_json_schema_response_format(oai: openai.OpenAI) -> None:
    schema = {"type": "object", "properties": {"city": {"type": "string"}, "population": {"type": "integer"}},
              "required": ["city", "population"]}
    r = oai.chat.completions.create(
        model="bestroute/cheapest", messages=[{"role": "user", "content": "Largest city in Japan, as JSON"}],
        response_format={"type": "json_schema", "json_schema": {"name": "city", "schema": schema}})
    assert json.loads(r.choices[0].message.content) == {"city": "fake", "population": 1}
    assert extra(r)["bestroute"]["output"] == {"city": "fake", "population": 1}


def test_models_list_with_the_openai_client(oai: openai.OpenAI) -> None:
    models = list(oai.models.list())
    ids = {m.id for m in models}
    assert {OPUS, SONNET, MINI, NANO} <= ids
    m = next(m for m in models if m.id == MINI)
    assert m.object == "model" and m.owned_by == "openai"


def test_litellm_as_an_openai_compatible_client(service: Service, upstream: Upstream) -> None:
    from bestroute.wire.via_litellm import load_litellm

    upstream.reset()
    litellm = load_litellm()
    r = litellm.completion(model="openai/bestroute/cheapest", api_base=f"{service.url}/v1", api_key="unused",
                           messages=ASK, max_tokens=100)
    text = r.choices[0].message.content
    assert text.startswith("[") and "answer to: Write a Python" in text
    assert r.usage.prompt_tokens > 0
    chunks = list(litellm.completion(model="openai/bestroute/cheapest", api_base=f"{service.url}/v1",
                                     api_key="unused", messages=ASK, stream=True))
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == text


# --- streaming -----------------------------------------------------------------------------------
def collect(stream) -> tuple[str, list, dict]:
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    final = extra(chunks[-1]).get("bestroute")
    assert final is not None, "the last chunk carries the receipt"
    assert all("bestroute" not in extra(c) for c in chunks[:-1])
    return text, chunks, final


def test_stream_delivers_chunks_and_a_final_receipt(oai: openai.OpenAI, service: Service) -> None:
    with oai.chat.completions.with_streaming_response.create(
            model="bestroute/cheapest", messages=ASK, stream=True, stream_options={"include_usage": True}) as raw:
        assert raw.headers["content-type"].startswith("text/event-stream")
        header_model = raw.headers["x-bestroute-model"]
        text, chunks, final = collect(raw.parse())
    assert len(chunks) >= 3 and chunks[0].choices[0].delta.role == "assistant"
    assert text == final["answer"] and text.startswith(f"[{final['model'].split('/')[1]}] answer to:")
    assert header_model == final["model"] == chunks[-1].model
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert chunks[-1].usage.completion_tokens == final["usage"]["output_tokens"] > 0
    assert final["receipt"]["stream"] == {"continued": False, "partials": []}
    row = service.usage_row(chunks[0].id)
    assert row and row["status"] == "ok" and row["cost_usd"] == pytest.approx(final["cost_usd"])


def test_stream_falls_back_invisibly_before_the_first_token(oai: openai.OpenAI, upstream: Upstream,
                                                            service: Service) -> None:
    upstream.control(model="gpt-5-mini", mode="error", status=500)
    with oai.chat.completions.with_streaming_response.create(
            model=MINI, messages=ASK, stream=True, extra_body={"bestroute": PAIR}) as raw:
        assert raw.headers["x-bestroute-model"] == OPUS  # nothing was sent before opus answered
        text, chunks, final = collect(raw.parse())
    assert text.startswith("[claude-opus-4-5] answer to: Write a Python")
    assert {c.model for c in chunks} == {OPUS}
    assert final["fallback_used"] is True and final["receipt"]["stream"]["continued"] is False
    assert [(a["model"], a["status"]) for a in final["receipt"]["attempts"]] == [(MINI, "error"), (OPUS, "ok")]
    row = service.usage_row(chunks[0].id)
    assert row and row["status"] == "ok" and row["fallback_used"] == 1 and row["attempts"] == 2


def test_stream_cut_mid_way_is_continued_by_the_next_candidate(oai: openai.OpenAI, upstream: Upstream,
                                                               service: Service) -> None:
    upstream.control(model="gpt-5-mini", mode="cut")
    text, chunks, final = collect(oai.chat.completions.create(
        model=MINI, messages=ASK, stream=True, extra_body={"bestroute": PAIR}))
    partial = final["receipt"]["stream"]["partials"]
    assert final["receipt"]["stream"]["continued"] is True and [p["model"] for p in partial] == [MINI]
    # what gpt-5-mini sent before the cut stays; claude-opus-4-5 continues after it
    sent_by_mini = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices and c.model == MINI)
    assert sent_by_mini and len(sent_by_mini) == partial[0]["chars"]
    assert text.startswith("[gpt-5-mini] answer to:") and text[len(sent_by_mini):].startswith("[claude-opus-4-5]")
    assert final["answer"] == text and final["model"] == OPUS and final["fallback_used"] is True
    mini, opus = final["receipt"]["attempts"]
    assert mini["status"] == "error" and mini["error_type"] == "server_error" and "broke after" in mini["detail"]
    assert opus["status"] == "ok"
    assert "continued the answer" in final["receipt"]["reason"]
    # the broken stream's tokens are paid for too
    assert final["cost_usd"] > partial[0]["est_cost_usd"] > 0
    row = service.usage_row(chunks[0].id)
    assert row and row["status"] == "ok" and row["cost_usd"] == pytest.approx(final["cost_usd"])


def test_stream_failing_after_text_reports_the_error_in_band(oai: openai.OpenAI, upstream: Upstream,
                                                             service: Service) -> None:
    upstream.control(model="gpt-5-mini", mode="cut")
    upstream.control(model="claude-opus-4-5", mode="error", status=500)
    seen: list = []
    with pytest.raises(openai.APIError) as info:
        for chunk in oai.chat.completions.create(model=MINI, messages=ASK, stream=True,
                                                 extra_body={"bestroute": PAIR}):
            seen.append(chunk)
    assert seen and seen[0].choices[0].delta.content.startswith("[gpt-5-mini]")
    assert "all 2 attempts failed" in info.value.message
    row = service.usage_row(seen[0].id)
    assert row and row["status"] == "error" and row["http_status"] == 502 and row["attempts"] == 2


def test_stream_failing_before_any_text_is_a_plain_http_error(oai: openai.OpenAI, upstream: Upstream) -> None:
    upstream.control(model="*", mode="error", status=500)
    with pytest.raises(openai.APIStatusError) as info:
        oai.chat.completions.create(model=MINI, messages=ASK, stream=True, extra_body={"bestroute": PAIR})
    e = info.value
    assert e.status_code == 502 and e.response.headers["content-type"].startswith("application/problem+json")
    body = e.response.json()
    assert body["type"] == "/problems/all-attempts-failed" and len(body["attempts"]) == 2
    assert body["error"]["code"] == "all-attempts-failed" and body["error"]["type"] == "server_error"


def test_a_client_that_goes_away_is_recorded_once(oai: openai.OpenAI, upstream: Upstream,
                                                  service: Service) -> None:
    def count() -> int:
        conn = sqlite3.connect(service.data_dir / "bestroute.db")
        try:
            return conn.execute("SELECT COUNT(*) FROM usage").fetchone()[0]
        finally:
            conn.close()

    before = count()
    upstream.control(model="gpt-5-mini", mode="stall", delay_s=1.0)  # the first token comes after 1 s
    with pytest.raises(openai.APITimeoutError):
        oai.with_options(timeout=0.3).chat.completions.create(
            model=MINI, messages=ASK, stream=True, extra_body={"bestroute": PAIR})
    end = time.monotonic() + 5
    while count() == before and time.monotonic() < end:
        time.sleep(0.05)
    time.sleep(0.5)  # a second record would arrive by now
    assert count() == before + 1
    conn = sqlite3.connect(service.data_dir / "bestroute.db")
    try:
        status, http_status = conn.execute("SELECT status, http_status FROM usage ORDER BY created_at DESC "
                                           "LIMIT 1").fetchone()
    finally:
        conn.close()
    # 499 when the server noticed the client leaving mid-stream; 200 when the stream had already finished
    assert (status, http_status) in {("error", 499), ("ok", 200)}


# --- errors --------------------------------------------------------------------------------------
@pytest.mark.parametrize(("body", "status", "field"), [
    ({"model": "gpt-17", "messages": ASK}, 422, "model"),
    ({"model": "bestroute/auto"}, 422, "messages"),
    ({"model": "bestroute/auto", "messages": []}, 422, "messages"),
    ({"model": "bestroute/auto", "messages": [{"role": "user", "content": "  "}]}, 422, "messages"),
    ({"model": "bestroute/auto", "messages": [{"role": "robot", "content": "hi"}]}, 422, "messages[0].role"),
    ({"model": "bestroute/auto", "messages": ASK, "max_tokens": 0}, 422, "max_tokens"),
    ({"model": "bestroute/auto", "messages": ASK, "temperature": 7}, 422, "temperature"),
    ({"model": "bestroute/auto", "messages": ASK, "n": 3}, 422, "n"),
    ({"model": "bestroute/auto", "messages": ASK, "tools": [{"type": "function"}]}, 422, "tools"),
    ({"model": "bestroute/auto", "messages": ASK, "bestroute": {"max_cost_usd": -1}}, 422, "bestroute.max_cost_usd"),
    ({"model": "bestroute/auto", "messages": ASK, "bestroute": {"colour": "red"}}, 422, "bestroute.colour"),
    ({"model": "bestroute/auto", "messages": ASK, "bestroute": {"task_type": "poetry"}}, 422,
     "bestroute.task_type"),
    ({"model": "bestroute/auto", "messages": ASK, "bestroute": {"allowed_models": ["nope/x"]}}, 422,
     "constraints.allowed_models[0]"),
    ({"model": "bestroute/auto", "messages": [{"role": "user", "content": [
        {"type": "image_url", "image_url": {"url": "http://x/y.png"}}]}]}, 422, "messages[0].content[0]"),
    ({"model": "bestroute/auto", "messages": ASK, "response_format": {"type": "json_schema"}}, 422,
     "response_format.json_schema.schema"),
    ({"model": "bestroute/auto", "messages": ASK, "stream": True,
      "response_format": {"type": "json_object"}}, 422, "stream"),
])
def test_bad_inputs_are_problems_with_an_openai_error(service: Service, body: dict, status: int,
                                                      field: str) -> None:
    r = httpx.post(f"{service.url}/v1/chat/completions", json=body, timeout=30)
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    p = r.json()
    assert p["errors"][0]["field"] == field, p
    assert p["error"] == {"message": p["detail"], "type": "invalid_request_error", "code": "invalid-field",
                          "param": field}


def test_openai_client_shows_the_message(oai: openai.OpenAI) -> None:
    with pytest.raises(openai.UnprocessableEntityError) as info:
        oai.chat.completions.create(model="bestroute/auto", messages=ASK,
                                    extra_body={"bestroute": {"max_cost_usd": 1e-9}})
    e = info.value
    assert e.body["code"] == "no-eligible-model" and "max_cost_usd" in e.body["message"]
    assert e.response.json()["excluded"]


def test_malformed_json(service: Service) -> None:
    r = httpx.post(f"{service.url}/v1/chat/completions", content=b"{nope", timeout=30,
                   headers={"content-type": "application/json"})
    assert r.status_code == 400 and r.json()["error"]["code"] == "malformed-body"


def test_keys_apply_once_one_exists(service: Service, upstream: Upstream) -> None:
    """Last in this module: creating a key switches the server out of open mode."""
    key = service.create_key(name="openai-client")["key"]
    with pytest.raises(openai.AuthenticationError) as info:
        openai.OpenAI(base_url=f"{service.url}/v1", api_key="br-wrong", max_retries=0).chat.completions.create(
            model="bestroute/auto", messages=ASK)
    assert info.value.body["type"] == "authentication_error" and info.value.body["code"] == "unauthorized"
    good = openai.OpenAI(base_url=f"{service.url}/v1", api_key=key, max_retries=0)
    assert good.chat.completions.create(model="bestroute/cheapest", messages=ASK).choices[0].message.content
    assert {m.id for m in good.models.list()} >= {MINI}
    narrow = openai.OpenAI(base_url=f"{service.url}/v1", max_retries=0,
                           api_key=service.create_key(name="mini-only", allowed_models=[MINI])["key"])
    assert narrow.chat.completions.create(model="bestroute/best", messages=ASK).model == MINI
    assert collect(narrow.chat.completions.create(model="bestroute/best", messages=ASK, stream=True))[2]["model"] == MINI


def test_streams_reserve_and_settle_the_key_budget(service: Service, upstream: Upstream) -> None:
    """After the keys test (keys exist): the budget hooks run on the streaming path as on Router.route."""
    upstream.reset()
    plan = httpx.post(f"{service.url}/v1/route", timeout=30, headers={
        "authorization": f"Bearer {service.create_key(name='planner')['key']}"},
        json={"messages": ASK, "strategy": "cheapest", "max_output_tokens": 1024, "dry_run": True}).json()
    hold = max(c["est_cost_usd"] for c in plan["receipt"]["candidates"][:3])
    key = service.create_key(name="budgeted", budget_usd=round(hold * 1.5, 9))["key"]
    client = openai.OpenAI(base_url=f"{service.url}/v1", api_key=key, max_retries=0, timeout=30)
    spent = 0.0
    for _ in range(3):  # each stream holds `hold`; only a settled hold leaves room for the next one
        _, _, final = collect(client.chat.completions.create(model="bestroute/cheapest", messages=ASK,
                                                             max_tokens=1024, stream=True))
        spent += final["cost_usd"]
    assert 0 < spent < hold / 2
    broke = service.create_key(name="broke", budget_usd=hold / 10)["key"]
    with pytest.raises(openai.APIStatusError) as info:
        openai.OpenAI(base_url=f"{service.url}/v1", api_key=broke, max_retries=0).chat.completions.create(
            model="bestroute/cheapest", messages=ASK, max_tokens=1024, stream=True)
    assert info.value.status_code == 402
    assert info.value.body["type"] == "insufficient_quota" and info.value.body["code"] == "budget-exhausted"
