"""Injected faults look to clients exactly like the real failures they stand for."""

from __future__ import annotations

import itertools
import json
import time

import httpx2
import openai
import pytest
import requests

from foundry_workshop.mock import MockServer, reply_text, split_tokens
from foundry_workshop.mock.testing import sse_chunks, sse_payloads

SMOL = "smollm2-135m-instruct-generic-cpu:1"
QWEN = "qwen2.5-0.5b-instruct-generic-cpu:4"
USER = [{"role": "user", "content": "Hello"}]
PIECES = split_tokens(reply_text(USER, SMOL))



def ask(client: openai.OpenAI, model: str = SMOL, **kwargs: object) -> str | None:
    return client.chat.completions.create(model=model, messages=USER, **kwargs).choices[0].message.content  # type: ignore[call-overload,arg-type]


def stream_until_error(client: openai.OpenAI, **kwargs: object) -> tuple[list[str], BaseException]:
    """Stream a reply; return the content received before the client raised, and the exception."""
    received: list[str] = []
    with pytest.raises(Exception) as info:  # the callers assert the exact type
        for chunk in client.chat.completions.create(model=SMOL, messages=USER, stream=True, **kwargs):  # type: ignore[call-overload,arg-type]
            assert not (chunk.choices and chunk.choices[0].finish_reason), "no finish chunk expected"
            if chunk.choices and chunk.choices[0].delta.content:
                received.append(chunk.choices[0].delta.content)
    return received, info.value


def post_chat(mock: MockServer, **body: object) -> requests.Response:
    return requests.post(
        f"{mock.url}/chat/completions",
        json={"model": SMOL, "messages": USER, **body},
        timeout=10,
        stream=True,
    )


# -- HTTP error faults ---------------------------------------------------------------------


@pytest.mark.parametrize("stream", [False, True])
def test_429_raises_rate_limit_error_with_retry_after(
    client: openai.OpenAI, mock: MockServer, stream: bool
) -> None:
    mock.add_fault("429")
    with pytest.raises(openai.RateLimitError) as info:
        client.chat.completions.create(model=SMOL, messages=USER, stream=stream)  # type: ignore[call-overload,arg-type]
    error = info.value
    assert error.status_code == 429 and error.code == "rate_limit_exceeded"
    assert error.response.headers["retry-after"] == "1"
    assert error.response.headers["retry-after-ms"] == "1000"


def test_429_retry_after_is_configurable_and_honoured_by_client_retries(mock: MockServer) -> None:
    mock.add_fault("429", retry_after=2.5)
    response = requests.post(
        f"{mock.url}/chat/completions", json={"model": SMOL, "messages": USER}, timeout=10
    )
    assert response.status_code == 429
    assert (response.headers["retry-after"], response.headers["retry-after-ms"]) == ("3", "2500")

    mock.clear_requests()
    mock.add_fault("429", retry_after=0.2)
    with openai.OpenAI(base_url=mock.url, api_key="unused", max_retries=1) as retrying:
        started = time.perf_counter()
        assert ask(retrying) == reply_text(USER, SMOL)
    assert time.perf_counter() - started >= 0.2, "the client should have waited retry-after-ms"
    assert len(mock.requests) == 2


def test_500_raises_internal_server_error(client: openai.OpenAI, mock: MockServer) -> None:
    mock.add_fault("500")
    with pytest.raises(openai.InternalServerError) as info:
        ask(client)
    assert info.value.status_code == 500
    assert info.value.type == "server_error"


def test_503_means_model_loading(client: openai.OpenAI, mock: MockServer) -> None:
    mock.add_fault("503", retry_after=4)
    with pytest.raises(openai.InternalServerError) as info:
        ask(client)
    assert info.value.status_code == 503
    assert info.value.message == "Error code: 503 - Model is loading, retry shortly"
    assert info.value.response.headers["retry-after"] == "4"
    body = info.value.response.json()["error"]
    assert (body["message"], body["type"]) == ("Model is loading, retry shortly", "server_error")


# -- connection faults ---------------------------------------------------------------------


def test_disconnect_mid_stream_raises_after_partial_content(client: openai.OpenAI, mock: MockServer) -> None:
    mock.add_fault("disconnect", after_tokens=3)
    received, error = stream_until_error(client)
    assert received == PIECES[:3]
    assert type(error) is openai.APIConnectionError
    assert isinstance(error.__cause__, httpx2.RemoteProtocolError)
    assert "incomplete chunked read" in str(error.__cause__)
    assert ask(client) == reply_text(USER, SMOL), "the server keeps serving after dropping a connection"


def test_disconnect_defaults_to_two_tokens_and_sends_no_done(mock: MockServer) -> None:
    mock.add_fault("disconnect")
    lines: list[bytes] = []
    with post_chat(mock, stream=True) as response, pytest.raises(requests.exceptions.ChunkedEncodingError):
        lines.extend(response.iter_lines())
    payloads = sse_payloads(lines)
    assert len(payloads) == 3 and "[DONE]" not in payloads
    deltas = [json.loads(p)["choices"][0]["delta"] for p in payloads]
    assert deltas == [{"role": "assistant", "content": ""}, {"content": PIECES[0]}, {"content": PIECES[1]}]


def test_disconnect_without_streaming_sends_no_response(client: openai.OpenAI, mock: MockServer) -> None:
    mock.add_fault("disconnect", count=2)
    with pytest.raises(openai.APIConnectionError) as info:
        ask(client)
    assert type(info.value) is openai.APIConnectionError
    assert isinstance(info.value.__cause__, httpx2.RemoteProtocolError)
    assert "without sending a response" in str(info.value.__cause__)
    with pytest.raises(requests.ConnectionError):
        requests.post(f"{mock.url}/chat/completions", json={"model": SMOL, "messages": USER}, timeout=10)


def test_stall_mid_stream_trips_the_client_read_timeout(client: openai.OpenAI, mock: MockServer) -> None:
    mock.add_fault("stall", stall_seconds=5, after_tokens=1)
    received, error = stream_until_error(client.with_options(timeout=0.3))
    assert type(error) is openai.APITimeoutError
    assert received == PIECES[:1]


def test_stall_without_streaming_trips_the_client_timeout(client: openai.OpenAI, mock: MockServer) -> None:
    mock.add_fault("stall", stall_seconds=5)
    with pytest.raises(openai.APITimeoutError):
        ask(client.with_options(timeout=0.3))


def test_short_stall_delays_then_completes(mock: MockServer) -> None:
    mock.add_fault("stall", stall_seconds=0.3, after_tokens=2)
    arrivals: list[float] = []
    with post_chat(mock, stream=True) as response:
        started = time.perf_counter()
        lines = []
        for line in response.iter_lines():
            lines.append(line)
            if line:
                arrivals.append(time.perf_counter() - started)
    chunks = sse_chunks(lines)
    assert "".join(c["choices"][0]["delta"].get("content", "") for c in chunks) == reply_text(USER, SMOL)
    # Lines: role, token 0, token 1, <pause>, token 2, ...
    gaps = [b - a for a, b in itertools.pairwise(arrivals)]
    assert gaps.index(max(gaps)) == 2, "the pause comes after the role chunk and 2 content chunks"
    # The clock starts when the headers have arrived; the server's pause may begin a moment before that.
    assert arrivals[2] < 0.2 and arrivals[3] >= 0.3 - 0.05

    mock.add_fault("stall", stall_seconds=0.3)
    started = time.perf_counter()
    body = requests.post(
        f"{mock.url}/chat/completions", json={"model": SMOL, "messages": USER}, timeout=10
    ).json()
    assert time.perf_counter() - started >= 0.3
    assert body["choices"][0]["message"]["content"] == reply_text(USER, SMOL)


# -- malformed payloads --------------------------------------------------------------------


def test_malformed_body_breaks_json_parsing(client: openai.OpenAI, mock: MockServer) -> None:
    mock.add_fault("malformed", count=2)
    with pytest.raises(json.JSONDecodeError):
        ask(client)
    response = requests.post(
        f"{mock.url}/chat/completions", json={"model": SMOL, "messages": USER}, timeout=10
    )
    assert response.status_code == 200 and response.text == '{"choices": ['
    assert response.headers["content-type"] == "application/json"
    with pytest.raises(requests.exceptions.JSONDecodeError):
        response.json()


def test_malformed_stream_event(client: openai.OpenAI, mock: MockServer) -> None:
    mock.add_fault("malformed")
    received, error = stream_until_error(client)
    assert isinstance(error, json.JSONDecodeError)
    assert received == PIECES[:2]

    mock.add_fault("malformed", after_tokens=1)
    with post_chat(mock, stream=True) as response:
        payloads = sse_payloads(response.iter_lines())
    assert payloads[2] == "{not json"
    assert payloads[-1] == "[DONE]", "the stream goes on after the broken event"
    content = "".join(json.loads(p)["choices"][0]["delta"].get("content", "") for p in payloads[3:-1])
    assert PIECES[0] + content == reply_text(USER, SMOL)


# -- matching rules ------------------------------------------------------------------------


def test_fault_count_is_consumed(client: openai.OpenAI, mock: MockServer) -> None:
    mock.add_fault("500", count=2)
    for _ in range(2):
        with pytest.raises(openai.InternalServerError):
            ask(client)
    assert ask(client) == reply_text(USER, SMOL)
    assert mock.faults == []


def test_fault_without_count_lasts_until_cleared(client: openai.OpenAI, mock: MockServer) -> None:
    mock.add_fault("503", count=None)
    for _ in range(3):
        with pytest.raises(openai.InternalServerError):
            ask(client)
    assert [rule.count for rule in mock.faults] == [None]
    mock.clear_faults()
    assert ask(client) == reply_text(USER, SMOL)


def test_model_filtered_fault_only_hits_that_model(client: openai.OpenAI, mock: MockServer) -> None:
    mock.add_fault("429", model="qwen2.5-0.5b")  # alias matches requests by id too
    assert ask(client, SMOL) == reply_text(USER, SMOL)
    assert len(mock.faults) == 1
    with pytest.raises(openai.RateLimitError):
        ask(client, QWEN)
    assert ask(client, QWEN) == reply_text(USER, QWEN)


def test_rules_match_in_order(client: openai.OpenAI, mock: MockServer) -> None:
    mock.add_fault("500", model=QWEN)
    mock.add_fault("429")
    with pytest.raises(openai.RateLimitError):
        ask(client, SMOL)
    with pytest.raises(openai.InternalServerError):
        ask(client, QWEN)
    assert ask(client, QWEN) == reply_text(USER, QWEN)


def test_header_fault_applies_to_one_request_and_leaves_the_queue(
    client: openai.OpenAI, mock: MockServer
) -> None:
    mock.add_fault("429")
    with pytest.raises(openai.InternalServerError) as info:
        ask(client, extra_headers={"X-Mock-Fault": "503; retry_after=7"})
    assert info.value.status_code == 503 and info.value.response.headers["retry-after"] == "7"
    with pytest.raises(openai.RateLimitError):
        ask(client)
    assert ask(client) == reply_text(USER, SMOL)

    received, error = stream_until_error(client, extra_headers={"X-Mock-Fault": "disconnect; after_tokens=4"})
    assert received == PIECES[:4] and type(error) is openai.APIConnectionError


@pytest.mark.parametrize(
    "header", ["teapot", "stall; forever=1", "429; retry_after=soon", "stall; stall_seconds=-1"]
)
def test_invalid_fault_header_is_400(mock: MockServer, header: str) -> None:
    response = requests.post(
        f"{mock.url}/chat/completions",
        json={"model": SMOL, "messages": USER},
        headers={"X-Mock-Fault": header},
        timeout=10,
    )
    assert response.status_code == 400
    assert response.json()["error"]["param"] == "x-mock-fault"


def test_rejected_requests_do_not_consume_faults(client: openai.OpenAI, mock: MockServer) -> None:
    mock.add_fault("429")
    with pytest.raises(openai.BadRequestError):
        client.chat.completions.create(model=SMOL, messages=[])
    with pytest.raises(openai.NotFoundError):
        ask(client, "no-such-model")
    with pytest.raises(openai.RateLimitError):
        ask(client)


def test_add_fault_validates_its_arguments(mock: MockServer) -> None:
    for bad in (
        {"fault": "teapot"},
        {"fault": "429", "count": 0},
        {"fault": "stall", "stall_seconds": -1},
        {"fault": "disconnect", "after_tokens": 1.5},
    ):
        with pytest.raises(ValueError):
            mock.add_fault(**bad)  # type: ignore[arg-type]
    assert mock.faults == []
    assert mock.add_fault(429).kind == "429"
