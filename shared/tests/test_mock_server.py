"""The mock speaks OpenAI's chat-completions protocol exactly, to the official client and to raw HTTP."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator

import openai
import pytest
import requests

from foundry_workshop.mock import DEFAULT_MODELS, MockModel, MockServer, reply_text, split_tokens
from foundry_workshop.mock.testing import sse_chunks, sse_payloads

SMOL = "smollm2-135m-instruct-generic-cpu:1"
PHI = "phi-3.5-mini-instruct-generic-cpu:1"
GREETING = [{"role": "system", "content": "You are terse."}, {"role": "user", "content": "Hello there"}]



def post_chat(mock: MockServer, body: object, **kwargs: object) -> requests.Response:
    return requests.post(f"{mock.url}/chat/completions", json=body, timeout=10, **kwargs)  # type: ignore[arg-type]


def assert_openai_error(
    response: requests.Response, status: int, param: str | None, code: str | None
) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    error = response.json()["error"]
    assert set(error) == {"message", "type", "param", "code"}
    assert isinstance(error["message"], str) and error["message"]
    assert (error["param"], error["code"]) == (param, code)
    return error


# -- models --------------------------------------------------------------------------------


def test_lists_foundry_style_models(client: openai.OpenAI, mock: MockServer) -> None:
    assert [m.id for m in client.models.list()] == [
        "smollm2-135m-instruct-generic-cpu:1",
        "qwen2.5-0.5b-instruct-generic-cpu:4",
        "phi-3.5-mini-instruct-generic-cpu:1",
    ]
    raw = requests.get(f"{mock.url}/models", timeout=10).json()
    assert raw["object"] == "list"
    assert raw["data"][0] == {
        "id": SMOL,
        "object": "model",
        "created": 1735689600,
        "owned_by": "foundry-local-mock",
    }


def test_retrieves_model_with_colon_in_id(client: openai.OpenAI) -> None:
    model = client.models.retrieve("qwen2.5-0.5b-instruct-generic-cpu:4")
    assert (model.id, model.object, model.owned_by) == (
        "qwen2.5-0.5b-instruct-generic-cpu:4",
        "model",
        "foundry-local-mock",
    )


def test_unknown_model_is_404_listing_available_ids(client: openai.OpenAI, mock: MockServer) -> None:
    with pytest.raises(openai.NotFoundError) as info:
        client.models.retrieve("gpt-4o")
    assert info.value.code == "model_not_found"
    error = assert_openai_error(
        requests.get(f"{mock.url}/models/gpt-4o", timeout=10), 404, "model", "model_not_found"
    )
    assert all(m.id in error["message"] for m in DEFAULT_MODELS)

    with pytest.raises(openai.NotFoundError):
        client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "hi"}])


def test_custom_catalogue() -> None:
    with MockServer(models=[MockModel("tiny:2", "tiny", owned_by="me")]) as mock:
        raw = requests.get(f"{mock.url}/models", timeout=10).json()
        assert raw["data"] == [{"id": "tiny:2", "object": "model", "created": 1735689600, "owned_by": "me"}]


# -- non-streaming -------------------------------------------------------------------------


def test_non_streaming_reply_and_usage(client: openai.OpenAI) -> None:
    response = client.chat.completions.create(model=SMOL, messages=GREETING)
    expected = 'Mock reply 1 from smollm2-135m-instruct-generic-cpu:1: you said "Hello there".'
    assert reply_text(GREETING, SMOL) == expected
    choice = response.choices[0]
    assert (choice.message.role, choice.message.content, choice.finish_reason) == (
        "assistant",
        expected,
        "stop",
    )
    assert response.object == "chat.completion"
    assert response.model == SMOL
    assert response.system_fingerprint == "fp_mock"
    assert response.id.startswith("chatcmpl-")
    # system: You|are|terse|. (4+4), user: Hello|there (2+4), request overhead 2 -> 16
    assert response.usage is not None
    assert (response.usage.prompt_tokens, response.usage.completion_tokens, response.usage.total_tokens) == (
        16,
        23,
        39,
    )


def test_raw_non_streaming_body_shape(mock: MockServer) -> None:
    body = post_chat(mock, {"model": SMOL, "messages": GREETING}).json()
    assert list(body) == ["id", "object", "created", "model", "system_fingerprint", "choices", "usage"]
    assert body["choices"] == [
        {
            "index": 0,
            "message": {"role": "assistant", "content": reply_text(GREETING, SMOL), "refusal": None},
            "logprobs": None,
            "finish_reason": "stop",
        }
    ]
    assert isinstance(body["created"], int) and abs(body["created"] - time.time()) < 60


def test_alias_is_resolved_to_the_model_id(client: openai.OpenAI) -> None:
    response = client.chat.completions.create(
        model="phi-3.5-mini", messages=[{"role": "user", "content": "x"}]
    )
    assert response.model == PHI
    assert response.choices[0].message.content == reply_text([{"role": "user", "content": "x"}], PHI)


def test_reply_counts_turns_and_reads_text_parts(client: openai.OpenAI) -> None:
    messages = [
        {"role": "user", "content": "first"},
        {"role": "assistant", "content": "ok"},
        {"role": "user", "content": [{"type": "text", "text": "Hello"}, {"type": "text", "text": "world"}]},
    ]
    content = client.chat.completions.create(model=SMOL, messages=messages).choices[0].message.content  # type: ignore[arg-type]
    assert content == f'Mock reply 2 from {SMOL}: you said "Hello world".'


@pytest.mark.parametrize("limit", ["max_tokens", "max_completion_tokens"])
def test_token_limit_truncates_with_finish_reason_length(client: openai.OpenAI, limit: str) -> None:
    response = client.chat.completions.create(model=SMOL, messages=GREETING, **{limit: 5})  # type: ignore[call-overload]
    assert response.choices[0].message.content == "Mock reply 1 from smollm2"
    assert response.choices[0].finish_reason == "length"
    assert response.usage.completion_tokens == 5

    generous = client.chat.completions.create(model=SMOL, messages=GREETING, **{limit: 500})  # type: ignore[call-overload]
    assert generous.choices[0].finish_reason == "stop"


# -- streaming -----------------------------------------------------------------------------


def test_stream_matches_non_streaming_answer(client: openai.OpenAI) -> None:
    plain = client.chat.completions.create(model=SMOL, messages=GREETING)
    chunks = list(
        client.chat.completions.create(
            model=SMOL, messages=GREETING, stream=True, stream_options={"include_usage": True}
        )
    )
    first = chunks[0].choices[0]
    assert (first.delta.role, first.delta.content, first.finish_reason) == ("assistant", "", None)
    content_chunks = [c for c in chunks if c.choices and c.choices[0].delta.content]
    assert "".join(c.choices[0].delta.content for c in content_chunks) == plain.choices[0].message.content
    assert [c.choices[0].delta.content for c in content_chunks] == split_tokens(
        plain.choices[0].message.content
    )

    finish, usage = chunks[-2], chunks[-1]
    assert finish.choices[0].finish_reason == "stop" and finish.choices[0].delta.content is None
    assert usage.choices == []
    assert usage.usage == plain.usage
    assert usage.usage.completion_tokens == len(content_chunks)
    assert all(c.usage is None for c in chunks[:-1])
    assert {c.id for c in chunks} == {chunks[0].id} and all(
        c.object == "chat.completion.chunk" for c in chunks
    )


def test_stream_respects_max_tokens(client: openai.OpenAI) -> None:
    chunks = list(
        client.chat.completions.create(
            model=SMOL,
            messages=GREETING,
            stream=True,
            max_completion_tokens=3,
            stream_options={"include_usage": True},
        )
    )
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == "Mock reply 1"
    assert chunks[-2].choices[0].finish_reason == "length"
    assert chunks[-1].usage.completion_tokens == 3


def test_raw_sse_wire_format_with_usage(mock: MockServer) -> None:
    body = {"model": SMOL, "messages": GREETING, "stream": True, "stream_options": {"include_usage": True}}
    with post_chat(mock, body, stream=True) as response:
        assert response.status_code == 200
        assert response.headers["content-type"] == "text/event-stream; charset=utf-8"
        raw = response.raw.read().decode()
    assert raw.endswith("\n\ndata: [DONE]\n\n")
    assert all(block.startswith("data: ") for block in raw.split("\n\n") if block)
    chunks = sse_chunks(raw.split("\n"))
    assert chunks[0]["choices"][0]["delta"] == {"role": "assistant", "content": ""}
    assert chunks[1]["choices"][0] == {
        "index": 0,
        "delta": {"content": "Mock"},
        "logprobs": None,
        "finish_reason": None,
    }
    assert chunks[-2]["choices"][0]["delta"] == {} and chunks[-2]["choices"][0]["finish_reason"] == "stop"
    assert all(chunk["usage"] is None for chunk in chunks[:-1])
    assert chunks[-1]["choices"] == []
    assert chunks[-1]["usage"] == post_chat(mock, {"model": SMOL, "messages": GREETING}).json()["usage"]
    for key in ("id", "object", "created", "model", "system_fingerprint"):
        assert key in chunks[-1]


def test_raw_sse_without_usage_has_no_usage_key(mock: MockServer) -> None:
    with post_chat(mock, {"model": SMOL, "messages": GREETING, "stream": True}, stream=True) as response:
        payloads = sse_payloads(response.iter_lines())
    assert payloads[-1] == "[DONE]"
    chunks = [json.loads(p) for p in payloads[:-1]]
    assert all("usage" not in chunk and len(chunk["choices"]) == 1 for chunk in chunks)


# -- validation ----------------------------------------------------------------------------

USER = [{"role": "user", "content": "hi"}]


@pytest.mark.parametrize(
    ("body", "param", "code"),
    [
        ([], None, "invalid_type"),
        ({"messages": USER}, "model", "missing_required_parameter"),
        ({"model": 42, "messages": USER}, "model", "invalid_type"),
        ({"model": SMOL}, "messages", "missing_required_parameter"),
        ({"model": SMOL, "messages": "hi"}, "messages", "invalid_type"),
        ({"model": SMOL, "messages": []}, "messages", "empty_array"),
        ({"model": SMOL, "messages": ["hi"]}, "messages[0]", "invalid_type"),
        ({"model": SMOL, "messages": [{"content": "hi"}]}, "messages[0].role", "missing_required_parameter"),
        (
            {"model": SMOL, "messages": [*USER, {"role": "robot", "content": "x"}]},
            "messages[1].role",
            "invalid_value",
        ),
        (
            {"model": SMOL, "messages": [{"role": "user", "content": 42}]},
            "messages[0].content",
            "invalid_type",
        ),
        (
            {"model": SMOL, "messages": [{"role": "user", "content": ["x"]}]},
            "messages[0].content[0]",
            "invalid_type",
        ),
        ({"model": SMOL, "messages": USER, "temperature": "hot"}, "temperature", "invalid_type"),
        ({"model": SMOL, "messages": USER, "temperature": True}, "temperature", "invalid_type"),
        ({"model": SMOL, "messages": USER, "temperature": 2.5}, "temperature", "invalid_value"),
        ({"model": SMOL, "messages": USER, "temperature": -0.1}, "temperature", "invalid_value"),
        ({"model": SMOL, "messages": USER, "max_tokens": 0}, "max_tokens", "invalid_value"),
        ({"model": SMOL, "messages": USER, "max_tokens": 1.5}, "max_tokens", "invalid_value"),
        ({"model": SMOL, "messages": USER, "max_tokens": "10"}, "max_tokens", "invalid_value"),
        ({"model": SMOL, "messages": USER, "max_tokens": True}, "max_tokens", "invalid_value"),
        (
            {"model": SMOL, "messages": USER, "max_completion_tokens": -3},
            "max_completion_tokens",
            "invalid_value",
        ),
        ({"model": SMOL, "messages": USER, "stream": "yes"}, "stream", "invalid_type"),
        ({"model": SMOL, "messages": USER, "stream": 1}, "stream", "invalid_type"),
    ],
)
def test_invalid_requests_are_400(mock: MockServer, body: object, param: str | None, code: str) -> None:
    error = assert_openai_error(post_chat(mock, body), 400, param, code)
    assert error["type"] == "invalid_request_error"


def test_body_that_is_not_json_is_400(mock: MockServer) -> None:
    response = requests.post(
        f"{mock.url}/chat/completions",
        data=b'{"model": "x", ',
        headers={"content-type": "application/json"},
        timeout=10,
    )
    assert assert_openai_error(response, 400, None, None)["type"] == "invalid_request_error"


def test_openai_client_raises_bad_request(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as info:
        client.chat.completions.create(model=SMOL, messages=[])
    assert info.value.status_code == 400 and info.value.param == "messages"


def test_boundary_values_are_accepted(mock: MockServer) -> None:
    messages = [
        {"role": "developer", "content": "be brief"},
        {"role": "user", "content": ""},  # empty is valid; null is not (see test_mock_strictness.py)
        {"role": "assistant", "content": None,
         "tool_calls": [{"id": "t1", "type": "function", "function": {"name": "f", "arguments": "{}"}}]},
        {"role": "tool", "content": "42", "tool_call_id": "t1"},
    ]
    for temperature in (0, 2):
        response = post_chat(
            mock, {"model": SMOL, "messages": messages, "temperature": temperature, "max_tokens": 1}
        )
        assert response.status_code == 200, response.text
        assert response.json()["choices"][0]["message"]["content"] == "Mock"


def test_unknown_route_uses_openai_error_shape(mock: MockServer) -> None:
    assert_openai_error(requests.get(f"{mock.url}/audio/speech", timeout=10), 404, None, None)
    assert_openai_error(requests.get(f"{mock.url}/chat/completions", timeout=10), 405, None, None)


def test_health(mock: MockServer) -> None:
    response = requests.get(f"{mock.root_url}/health", timeout=10)
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


# -- authentication ------------------------------------------------------------------------

SECRET = "s3cret-key-for-tests"


@pytest.fixture(scope="module")
def secured() -> Iterator[MockServer]:
    with MockServer(api_key=SECRET) as mock:
        yield mock


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong-key"}, {"Authorization": SECRET}])
def test_missing_or_wrong_key_is_401(secured: MockServer, headers: dict[str, str]) -> None:
    for response in (
        requests.get(f"{secured.url}/models", headers=headers, timeout=10),
        requests.post(
            f"{secured.url}/chat/completions", json={"model": SMOL, "messages": USER}, headers=headers
        ),
    ):
        error = assert_openai_error(response, 401, None, "invalid_api_key")
        assert error["message"].startswith("Incorrect or missing API key")
        assert SECRET not in response.text and "wrong-key" not in response.text


def test_openai_client_with_wrong_key_raises_authentication_error(secured: MockServer) -> None:
    with (
        openai.OpenAI(base_url=secured.url, api_key="wrong-key", max_retries=0) as client,
        pytest.raises(openai.AuthenticationError) as info,
    ):
        client.chat.completions.create(model=SMOL, messages=USER)  # type: ignore[arg-type]
    assert info.value.code == "invalid_api_key"


def test_right_key_is_accepted_and_redacted_in_the_log(secured: MockServer) -> None:
    secured.clear_requests()
    with openai.OpenAI(base_url=secured.url, api_key=SECRET, max_retries=0) as client:
        assert len(client.models.list().data) == 3
        reply = client.chat.completions.create(model=SMOL, messages=USER)  # type: ignore[arg-type]
    assert reply.choices[0].message.content == reply_text(USER, SMOL)
    logged = secured.requests
    assert [r["headers"]["authorization"] for r in logged] == ["***", "***"]
    assert SECRET not in json.dumps(logged)
    assert requests.get(f"{secured.root_url}/health", timeout=10).status_code == 200


# -- recording and control API -------------------------------------------------------------


def test_requests_are_recorded_and_redacted(client: openai.OpenAI, mock: MockServer) -> None:
    requests.get(f"{mock.root_url}/health", timeout=10)
    requests.get(f"{mock.root_url}/_mock/faults", timeout=10)
    client.chat.completions.create(model=SMOL, messages=USER, temperature=0.5)  # type: ignore[arg-type]
    requests.get(
        f"{mock.url}/models?limit=2", headers={"api-key": "azure-style", "X-Trace": "t1"}, timeout=10
    )
    post_chat(mock, {"model": SMOL})  # rejected requests are recorded too

    logged = mock.requests
    assert [(r["method"], r["path"]) for r in logged] == [
        ("POST", "/v1/chat/completions"),
        ("GET", "/v1/models"),
        ("POST", "/v1/chat/completions"),
    ]
    chat, models, rejected = logged
    assert chat["json"] == {"messages": USER, "model": SMOL, "temperature": 0.5}
    assert chat["headers"]["authorization"] == "***"
    assert chat["headers"]["content-type"] == "application/json"
    assert models["query"] == {"limit": "2"} and models["json"] is None
    assert models["headers"]["api-key"] == "***" and models["headers"]["x-trace"] == "t1"
    assert rejected["json"] == {"model": SMOL}
    assert all(abs(r["time"] - time.time()) < 30 for r in logged)

    over_http = requests.get(f"{mock.root_url}/_mock/requests", timeout=10).json()
    assert over_http == logged
    logged[0]["json"] = "mutated"
    assert mock.requests[0]["json"] != "mutated", "the property must hand out copies"

    assert requests.delete(f"{mock.root_url}/_mock/requests", timeout=10).json() == {"cleared": 3}
    assert mock.requests == []
    client.models.list()
    mock.clear_requests()
    assert mock.requests == []


def test_control_api_queues_and_clears_faults(client: openai.OpenAI, mock: MockServer) -> None:
    control = f"{mock.root_url}/_mock/faults"
    added = requests.post(
        control, json={"fault": "429", "count": 2, "model": None, "retry_after": 3}, timeout=10
    )
    assert added.status_code == 201
    assert added.json()["fault"] == "429" and added.json()["count"] == 2
    with pytest.raises(openai.RateLimitError) as info:
        client.chat.completions.create(model=SMOL, messages=USER)  # type: ignore[arg-type]
    assert info.value.response.headers["retry-after"] == "3"
    assert [f["count"] for f in requests.get(control, timeout=10).json()] == [1]
    assert requests.delete(control, timeout=10).json() == {"cleared": 1}
    assert client.chat.completions.create(model=SMOL, messages=USER).choices[0].finish_reason == "stop"  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "body",
    [{"count": 1}, {"fault": "teapot"}, {"fault": "429", "count": 0}, {"fault": "500", "colour": "red"}, [1]],
)
def test_control_api_rejects_bad_fault_bodies(mock: MockServer, body: object) -> None:
    response = requests.post(f"{mock.root_url}/_mock/faults", json=body, timeout=10)
    assert response.status_code == 400 and "error" in response.json()
    assert mock.faults == []


def test_control_api_sets_latency(mock: MockServer) -> None:
    response = requests.post(f"{mock.root_url}/_mock/latency", json={"first_token": 0.25}, timeout=10)
    assert response.json() == {"first_token": 0.25, "inter_token": 0.0}
    assert mock.latency.first_token == 0.25
    started = time.perf_counter()
    post_chat(mock, {"model": SMOL, "messages": USER, "max_tokens": 1})
    assert time.perf_counter() - started >= 0.25
    bad = requests.post(f"{mock.root_url}/_mock/latency", json={"inter_token": -1}, timeout=10)
    assert bad.status_code == 400 and mock.latency.inter_token == 0.0


# -- lifecycle -----------------------------------------------------------------------------


def test_start_stop_without_context_manager() -> None:
    mock = MockServer()
    with pytest.raises(RuntimeError):
        _ = mock.url
    assert mock.start() is mock
    assert mock.url == f"http://127.0.0.1:{mock.port}/v1" and mock.root_url == f"http://127.0.0.1:{mock.port}"
    with pytest.raises(RuntimeError):
        mock.start()
    assert requests.get(f"{mock.root_url}/health", timeout=10).ok
    mock.stop()
    mock.stop()  # idempotent
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{mock.root_url}/health", timeout=2)


@pytest.mark.parametrize("host", ["0.0.0.0", "::"])
def test_refuses_non_loopback_hosts(host: str) -> None:
    with pytest.raises(ValueError, match="loopback"):
        MockServer(host=host)


def test_fixed_port_that_is_taken_fails_loudly(mock: MockServer) -> None:
    with pytest.raises(OSError):
        MockServer(port=mock.port).start()


def test_stop_does_not_wait_for_a_stalled_stream() -> None:
    mock = MockServer().start()
    mock.add_fault("stall", stall_seconds=30, after_tokens=1)
    received: list[str] = []

    def consume() -> None:
        try:
            with post_chat(mock, {"model": SMOL, "messages": USER, "stream": True}, stream=True) as response:
                received.extend(line.decode() for line in response.iter_lines() if line)
        except requests.RequestException:
            pass

    reader = threading.Thread(target=consume, daemon=True)
    reader.start()
    deadline = time.monotonic() + 5
    while len(received) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert len(received) == 2, "the stream should be stalled after the role chunk and one token"
    started = time.perf_counter()
    mock.stop()
    # Behaviour, not speed: stop() cut the 30 s stall short instead of waiting it out.
    assert time.perf_counter() - started < 15
    reader.join(5)
    assert not reader.is_alive()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", mock.port), timeout=1).close()


def test_app_also_runs_in_process_without_uvicorn() -> None:
    # create_app is usable with any ASGI server; without uvicorn's transport the
    # disconnect fault falls back to raising, which still breaks the stream.
    from fastapi.testclient import TestClient

    from foundry_workshop.mock import MockState, create_app
    from foundry_workshop.mock.transport import ConnectionAbort

    state = MockState()
    with TestClient(create_app(state)) as http:
        assert http.get("/v1/models").json()["data"][0]["id"] == SMOL
        body = http.post("/v1/chat/completions", json={"model": SMOL, "messages": USER}).json()
        assert body["choices"][0]["message"]["content"] == reply_text(USER, SMOL)
        assert state.recorder.snapshot()[-1]["json"] == {"model": SMOL, "messages": USER}
        with pytest.raises(ConnectionAbort):
            http.post(
                "/v1/chat/completions",
                json={"model": SMOL, "messages": USER, "stream": True},
                headers={"X-Mock-Fault": "disconnect"},
            ).read()
