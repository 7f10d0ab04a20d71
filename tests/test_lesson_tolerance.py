"""Lessons 02 and 03 run their own code against a server that sends only what the wire format requires:
no role chunk, no usage chunk (even when asked for), and ``data:`` without the optional space."""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterator
from types import SimpleNamespace

import openai
import pytest
import requests
from notebook_cells import run_cell

from foundry_workshop.mock import MockServer


@pytest.fixture(scope="module")
def bare() -> Iterator[MockServer]:
    with MockServer(bare_stream=True) as server:
        yield server


@pytest.fixture(scope="module")
def model(bare: MockServer) -> str:
    return requests.get(f"{bare.url}/models", timeout=10).json()["data"][0]["id"]


def test_the_bare_mock_sends_only_required_fields(bare: MockServer, model: str) -> None:
    body = {"model": model, "messages": [{"role": "user", "content": "Hi"}], "stream": True,
            "stream_options": {"include_usage": True}}
    lines = [line for line in requests.post(f"{bare.url}/chat/completions", json=body, timeout=10).text.splitlines()
             if line]
    assert lines and all(line.startswith("data:") and not line.startswith("data: ") for line in lines)
    assert '"role"' not in lines[0] and '"content"' in lines[0]  # no role chunk: text comes first
    assert not any('"usage":{' in line for line in lines)  # no usage chunk, although include_usage was asked


def test_lesson_02_measures_a_server_that_sends_no_usage(bare: MockServer, model: str) -> None:
    client = openai.OpenAI(base_url=bare.url, api_key="unused", max_retries=0)
    namespace = {"client": client, "conn": SimpleNamespace(model=model, backend="mock"), "ROUNDS": 1,
                 "messages": [{"role": "user", "content": "Why stream?"}]}
    run_cell("02_streaming.ipynb", "def timed_call", namespace)
    streamed = namespace["results"]["stream=True"][0]
    assert streamed["tokens"] is None and streamed["first_token_s"] is not None
    run_cell("02_streaming.ipynb", "def mean_of", namespace)
    assert namespace["rows"][-1].endswith("| not reported |")


def test_lesson_03_parses_data_lines_without_a_space(bare: MockServer, model: str) -> None:
    payload = {"model": model, "messages": [{"role": "user", "content": "What is HTTP?"}], "max_tokens": 60}
    expected = requests.post(f"{bare.url}/chat/completions", json=payload, timeout=10).json()
    namespace = {"base_url": bare.url, "headers": {"Content-Type": "application/json"}, "payload": payload,
                 "conn": SimpleNamespace(timeout=10)}
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        run_cell("03_rest_requests.ipynb", "stream_payload =", namespace)
    assert expected["choices"][0]["message"]["content"] in out.getvalue()
    assert out.getvalue().rstrip().endswith("[DONE]")


class _Answer:
    """What ``requests.post`` returns, reduced to what lesson 03 reads."""

    def __init__(self, status: int, body: object, text: str = "") -> None:
        self.status_code, self._body, self.text = status, body, text

    def raise_for_status(self) -> None:
        pass

    def json(self) -> object:
        if self._body is None:
            raise ValueError("not JSON")
        return self._body


def test_lesson_03_prints_a_completion_without_usage(monkeypatch: pytest.MonkeyPatch) -> None:
    body = {"choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": "Hi."}}]}
    monkeypatch.setattr(requests, "post", lambda *args, **kwargs: _Answer(200, body))
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        run_cell("03_rest_requests.ipynb", '"max_tokens": 60', {"base_url": "http://x/v1", "headers": {},
                                                                "conn": SimpleNamespace(model="m", timeout=10)})
    assert "Hi." in out.getvalue() and "usage: None" in out.getvalue()


@pytest.mark.parametrize(("answer", "expected"), [
    (_Answer(400, {"error": {"message": "messages is required", "type": "invalid_request_error"}}),
     "HTTP 400: messages is required (type: invalid_request_error)"),
    (_Answer(400, {"error": "model not loaded"}), "HTTP 400: model not loaded"),
    (_Answer(502, None, "<html>Bad Gateway</html>"), "HTTP 502: <html>Bad Gateway</html>"),
])
def test_lesson_03_explains_every_error_shape(monkeypatch: pytest.MonkeyPatch, answer: _Answer,
                                              expected: str) -> None:
    monkeypatch.setattr(requests, "post", lambda *args, **kwargs: answer)
    namespace = run_cell("03_rest_requests.ipynb", "def explain_error", {
        "base_url": "http://x/v1", "headers": {}, "conn": SimpleNamespace(model="m", timeout=10)})
    assert namespace["explain_error"](answer) == expected
