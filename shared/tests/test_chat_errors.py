"""Failures while streaming are explained for the person chatting: driven by the real mock's faults.

Each case sends a real streamed request through ``stream_reply`` to the mock server, which injects the fault
on the wire, so the exceptions are exactly the ones the openai client raises in the app.
"""

from __future__ import annotations

import asyncio
import json

import httpx2
import openai
import pytest

from foundry_workshop.chat.streaming import stream_reply
from foundry_workshop.failures import MAX_QUOTE_CHARS, classify
from foundry_workshop.http_checks import free_port
from foundry_workshop.mock import Latency, MockServer, reply_text

MODEL = "smollm2-135m-instruct-generic-cpu:1"
MESSAGES = [{"role": "user", "content": "Hello there"}]
FULL = reply_text(MESSAGES, MODEL)  # 'Mock reply 1 from ...: you said "Hello there".'


@pytest.fixture(scope="module")
def mock():
    with MockServer(latency=Latency(first_token=0.0, inter_token=0.002)) as server:
        yield server


@pytest.fixture(autouse=True)
def _no_faults(mock):
    mock.clear_faults()
    yield
    mock.clear_faults()


def ask(base_url: str, *, api_key: str = "unused", timeout: float = 10.0, model: str = MODEL,
        messages=MESSAGES, **params):
    """One streamed request with no automatic retries: every failure reaches the mapping."""
    async def go():
        client = openai.AsyncOpenAI(base_url=base_url, api_key=api_key, timeout=timeout, max_retries=0)
        pieces: list[str] = []

        async def on_token(piece: str) -> None:
            pieces.append(piece)

        try:
            reply = await stream_reply(client, model=model, messages=messages, on_token=on_token,
                                       secrets=(api_key,), **params)
        finally:
            await client.close()
        assert "".join(pieces) == reply.text, "on_token saw exactly the text the reply holds"
        return reply

    return asyncio.run(go())


def test_a_complete_answer_streams_in_pieces(mock):
    reply = ask(mock.url)
    assert reply.ok and not reply.partial
    assert reply.text == FULL
    assert reply.chunks > 5
    assert reply.finish_reason == "stop"


def test_an_answer_cut_at_max_tokens_is_complete_but_flagged(mock):
    reply = ask(mock.url, max_tokens=3)
    assert reply.ok and reply.cut_at_limit
    assert reply.text == "Mock reply 1"


def test_rate_limit_says_how_long_to_wait(mock):
    mock.add_fault("429", retry_after=2.5)
    reply = ask(mock.url)
    assert reply.problem.kind == "rate_limited"
    assert reply.problem.retry_after == pytest.approx(2.5)
    assert "429" in reply.problem.message and "Wait 3 seconds" in reply.problem.message
    assert reply.text == ""


def test_model_loading_503(mock):
    mock.add_fault("503", retry_after=1)
    problem = ask(mock.url).problem
    assert problem.kind == "loading" and "still loading" in problem.message and "Wait 1 second," in problem.message


def test_server_error_500(mock):
    mock.add_fault("500")
    problem = ask(mock.url).problem
    assert problem.kind == "server_error" and "(500)" in problem.message and problem.retryable


def test_stream_broken_midway_keeps_the_partial_answer(mock):
    mock.add_fault("disconnect", after_tokens=3)
    reply = ask(mock.url)
    assert reply.partial
    assert reply.text == "Mock reply 1"  # exactly the three pieces sent before the connection was cut
    assert reply.problem.kind == "stream_broken"
    assert "middle of the answer" in reply.problem.message and "kept above" in reply.problem.message


def test_stream_broken_before_any_text(mock):
    mock.add_fault("disconnect", after_tokens=0)
    reply = ask(mock.url)
    assert not reply.partial and reply.text == ""
    assert reply.problem.kind == "stream_broken" and "before the answer began" in reply.problem.message


def test_malformed_stream_event_keeps_the_partial_answer(mock):
    mock.add_fault("malformed", after_tokens=2)
    reply = ask(mock.url)
    assert reply.partial and reply.text == "Mock reply"
    assert reply.problem.kind == "malformed"


def test_stalled_stream_times_out_with_the_partial_answer(mock):
    mock.add_fault("stall", after_tokens=3, stall_seconds=5)
    reply = ask(mock.url, timeout=0.3)
    assert reply.partial and reply.text == "Mock reply 1"
    assert reply.problem.kind == "timeout"
    assert "stopped sending the answer within 0.3 s" in reply.problem.message


def test_unknown_model_points_at_the_settings_panel(mock):
    problem = ask(mock.url, model="phi-4-mini").problem
    assert problem.kind == "not_found" and not problem.retryable
    assert "phi-4-mini" in problem.message and "settings panel" in problem.message


def test_refused_request_quotes_the_server(mock):
    problem = ask(mock.url, messages=[]).problem
    assert problem.kind == "bad_request"
    assert "(400)" in problem.message and "empty array" in problem.message


def test_wrong_api_key_never_shows_a_key():
    with MockServer(api_key="sk-the-real-key") as keyed:
        reply = ask(keyed.url, api_key="sk-a-wrong-key")
    assert reply.problem.kind == "auth"
    assert "API_KEY" in reply.problem.message
    assert "sk-" not in reply.problem.message


def test_endpoint_down_names_the_url():
    url = f"http://127.0.0.1:{free_port()}/v1"
    problem = ask(url).problem
    assert problem.kind == "connection"
    assert url in problem.message and "foundry server status" in problem.message


def _status_error(status: int, message: str) -> openai.APIStatusError:
    request = httpx2.Request("POST", "http://127.0.0.1:1/v1/chat/completions")
    response = httpx2.Response(status, request=request, json={"error": {"message": message}})
    return openai.APIStatusError(message, response=response, body={"message": message})


def test_quoted_server_text_hides_secrets_and_is_shortened():
    exc = _status_error(422, "bad key sk-secret-value given; " + "x" * 500)
    problem = classify(exc, endpoint="http://e/v1", model="m", secrets=("sk-secret-value",))
    assert "sk-secret-value" not in problem.message and "[hidden]" in problem.message
    assert len(problem.message) < MAX_QUOTE_CHARS + 150


def test_unexpected_errors_show_no_details():
    exc = RuntimeError("Traceback ... password=hunter2 at /home/user/app.py line 3")
    problem = classify(exc, endpoint="http://e/v1", model="m")
    assert problem.kind == "unknown"
    assert "RuntimeError" in problem.message and "console log" in problem.message
    assert "hunter2" not in problem.message and "Traceback" not in problem.message


def test_json_errors_mean_a_malformed_stream():
    exc = json.JSONDecodeError("Expecting value", "{not json", 1)
    assert classify(exc, endpoint="http://e/v1", model="m", partial=True).kind == "malformed"


def test_a_stream_that_ends_without_finishing_is_flagged():
    """A server that closes the stream cleanly but never says the answer is finished (no finish_reason)."""
    chunk = {"id": "x", "object": "chat.completion.chunk", "created": 0, "model": MODEL,
             "choices": [{"index": 0, "delta": {"content": "Half an ans"}, "finish_reason": None}]}
    body = f"data: {json.dumps(chunk)}\n\n".encode()

    def handler(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(200, headers={"content-type": "text/event-stream"}, content=body)

    async def go():
        http = httpx2.AsyncClient(transport=httpx2.MockTransport(handler))
        client = openai.AsyncOpenAI(base_url="http://127.0.0.1:9/v1", api_key="unused", http_client=http)
        try:
            return await stream_reply(client, model=MODEL, messages=MESSAGES)
        finally:
            await client.close()

    reply = asyncio.run(go())
    assert reply.text == "Half an ans" and reply.partial
    assert reply.problem.kind == "incomplete" and "cut short" in reply.problem.message
