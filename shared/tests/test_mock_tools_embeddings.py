"""The mock's tool calls, response_format answers and /v1/embeddings, checked against OpenAI's wire format
(raw HTTP) and against what the official client parses from them (incl. stream accumulation)."""

from __future__ import annotations

import base64
import json
import struct

import numpy as np
import openai
import pytest
import requests

from foundry_workshop.mock import MockServer
from foundry_workshop.mock.embeddings import DIMENSIONS

MODEL = "smollm2-135m-instruct"
WEATHER = {"type": "function", "function": {
    "name": "get_weather", "description": "Current weather",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}, "days": {"type": "integer"}},
                   "required": ["city"]}}}
TIME = {"type": "function", "function": {"name": "get_time", "parameters": {
    "type": "object", "properties": {"zone": {"type": "string", "enum": ["UTC", "CET"]}}}}}
ASK = [{"role": "user", "content": "What is the weather in Paris?"}]


def sse_events(response: requests.Response) -> list[dict]:
    events = [line[len("data: "):] for line in response.text.splitlines() if line.startswith("data: ")]
    assert events[-1] == "[DONE]"
    return [json.loads(e) for e in events[:-1]]


def test_tool_call_non_streamed_wire_and_client(client: openai.OpenAI, mock: MockServer) -> None:
    raw = requests.post(f"{mock.url}/chat/completions", timeout=10,
                        json={"model": MODEL, "messages": ASK, "tools": [WEATHER]}).json()
    choice = raw["choices"][0]
    assert choice["finish_reason"] == "tool_calls"
    assert choice["message"]["content"] is None
    [call] = choice["message"]["tool_calls"]
    assert call["type"] == "function" and call["id"].startswith("call_")
    assert call["function"] == {"name": "get_weather", "arguments": json.dumps({"city": "Paris", "days": 1})}
    parsed = client.chat.completions.create(model=MODEL, messages=ASK, tools=[WEATHER])
    assert parsed.choices[0].message.tool_calls[0].function.name == "get_weather"
    assert parsed.usage.completion_tokens > 0


def test_tool_call_stream_is_openai_shaped(mock: MockServer) -> None:
    response = requests.post(f"{mock.url}/chat/completions", timeout=10, json={
        "model": MODEL, "messages": ASK, "tools": [WEATHER], "stream": True, "stream_options": {"include_usage": True}})
    chunks = sse_events(response)
    first = chunks[0]["choices"][0]["delta"]
    assert first["role"] == "assistant" and first["content"] is None
    assert first["tool_calls"][0] == {"index": 0, "id": first["tool_calls"][0]["id"], "type": "function",
                                      "function": {"name": "get_weather", "arguments": ""}}
    fragments = [c["choices"][0]["delta"]["tool_calls"][0] for c in chunks[1:-2]]
    assert all(set(f) == {"index", "function"} and set(f["function"]) == {"arguments"} for f in fragments)
    assert "".join(f["function"]["arguments"] for f in fragments) == json.dumps({"city": "Paris", "days": 1})
    assert chunks[-2]["choices"][0] == {"index": 0, "delta": {}, "logprobs": None, "finish_reason": "tool_calls"}
    assert chunks[-1]["choices"] == [] and chunks[-1]["usage"]["total_tokens"] > 0
    assert all(c["usage"] is None for c in chunks[:-1])


def test_client_stream_helper_accumulates_the_tool_call(client: openai.OpenAI) -> None:
    with client.chat.completions.stream(model=MODEL, messages=ASK, tools=[WEATHER]) as stream:
        kinds = {event.type for event in stream}
        final = stream.get_final_completion()
    assert "tool_calls.function.arguments.delta" in kinds
    call = final.choices[0].message.tool_calls[0]
    assert final.choices[0].finish_reason == "tool_calls"
    assert json.loads(call.function.arguments) == {"city": "Paris", "days": 1}


def test_tool_choice_and_header_pick_the_call(client: openai.OpenAI) -> None:
    named = client.chat.completions.create(model=MODEL, messages=ASK, tools=[WEATHER, TIME],
                                           tool_choice={"type": "function", "function": {"name": "get_time"}})
    assert named.choices[0].message.tool_calls[0].function.arguments == '{"zone": "UTC"}'
    forced = client.chat.completions.create(model=MODEL, messages=ASK, tools=[WEATHER, TIME],
                                            extra_headers={"X-Mock-Tool-Call": 'get_weather {"city": 7}'})
    assert forced.choices[0].message.tool_calls[0].function.arguments == '{"city": 7}'
    none = client.chat.completions.create(model=MODEL, messages=ASK, tools=[WEATHER], tool_choice="none")
    assert none.choices[0].message.tool_calls is None and none.choices[0].finish_reason == "stop"


def test_after_a_tool_result_the_mock_answers_with_it(client: openai.OpenAI) -> None:
    first = client.chat.completions.create(model=MODEL, messages=ASK, tools=[WEATHER]).choices[0].message
    history = [*ASK, first.model_dump(exclude_none=True, include={"role", "content", "tool_calls"}),
               {"role": "tool", "tool_call_id": first.tool_calls[0].id, "content": '{"temperature_c": 21}'}]
    answer = client.chat.completions.create(model=MODEL, messages=history, tools=[WEATHER])
    assert answer.choices[0].finish_reason == "stop"
    assert answer.choices[0].message.content.endswith('{"temperature_c": 21}')


@pytest.mark.parametrize("tools", [[], [{"type": "function"}], "get_weather"])
def test_malformed_tools_are_400(client: openai.OpenAI, tools: object) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        client.chat.completions.create(model=MODEL, messages=ASK, tools=tools)  # type: ignore[arg-type]
    assert caught.value.body["param"].startswith("tools")


def test_response_format_json_schema_matches_the_schema(client: openai.OpenAI) -> None:
    schema = {"type": "object", "properties": {"city": {"type": "string"}, "rank": {"type": "integer"},
                                               "tags": {"type": "array", "items": {"type": "string"}}},
              "required": ["city", "rank", "tags"]}
    fmt = {"type": "json_schema", "json_schema": {"name": "place", "schema": schema, "strict": True}}
    reply = client.chat.completions.create(model=MODEL, messages=ASK, response_format=fmt)
    assert json.loads(reply.choices[0].message.content) == {"city": "Paris", "rank": 1, "tags": ["Paris"]}
    cut = client.chat.completions.create(model=MODEL, messages=ASK, response_format=fmt, max_tokens=3)
    assert cut.choices[0].finish_reason == "length"
    with pytest.raises(json.JSONDecodeError):
        json.loads(cut.choices[0].message.content)


def test_response_format_json_object_and_bad_type(client: openai.OpenAI) -> None:
    reply = client.chat.completions.create(model=MODEL, messages=ASK, response_format={"type": "json_object"})
    assert json.loads(reply.choices[0].message.content)["reply"].startswith("Mock reply 1")
    with pytest.raises(openai.BadRequestError):
        client.chat.completions.create(model=MODEL, messages=ASK, response_format={"type": "yaml"})  # type: ignore


def test_embeddings_float_wire_and_usage(mock: MockServer) -> None:
    raw = requests.post(f"{mock.url}/embeddings", timeout=10, json={
        "model": "all-minilm-l6-v2", "input": ["local models", "local models", "cloud"], "encoding_format": "float"}
    ).json()
    assert raw["object"] == "list" and raw["model"] == "all-minilm-l6-v2"
    assert [d["index"] for d in raw["data"]] == [0, 1, 2] and raw["data"][0]["object"] == "embedding"
    a, b, c = (np.array(d["embedding"]) for d in raw["data"])
    assert len(a) == DIMENSIONS and np.allclose(a, b) and abs(np.linalg.norm(a) - 1) < 1e-6
    assert a @ c < 0.5
    assert raw["usage"] == {"prompt_tokens": 5, "total_tokens": 5}


def test_embeddings_base64_is_what_the_client_decodes(client: openai.OpenAI, mock: MockServer) -> None:
    raw = requests.post(f"{mock.url}/embeddings", timeout=10, json={
        "model": "all-minilm-l6-v2", "input": "hello", "encoding_format": "base64"}).json()
    packed = base64.b64decode(raw["data"][0]["embedding"])
    values = struct.unpack(f"<{DIMENSIONS}f", packed)
    via_client = client.embeddings.create(model="all-minilm-l6-v2", input="hello")  # asks for base64 itself
    assert np.allclose(values, via_client.data[0].embedding)
    smaller = client.embeddings.create(model="all-minilm-l6-v2", input="hello", dimensions=8)
    assert len(smaller.data[0].embedding) == 8


@pytest.mark.parametrize(("body", "status"), [
    ({"model": "all-minilm-l6-v2", "input": []}, 400),
    ({"model": "all-minilm-l6-v2"}, 400),
    ({"model": "no-such-embedder", "input": "x"}, 404),
    ({"model": "all-minilm-l6-v2", "input": "x", "encoding_format": "int8"}, 400),
])
def test_embedding_errors(mock: MockServer, body: dict, status: int) -> None:
    response = requests.post(f"{mock.url}/embeddings", json=body, timeout=10)
    assert response.status_code == status
    assert "message" in response.json()["error"]
