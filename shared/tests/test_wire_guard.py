"""The wire guard reads what the server meant, even when the body arrives gzip-compressed (Azure compresses)."""

from __future__ import annotations

import gzip
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import openai
import pytest

from foundry_workshop.wire_guard import MalformedResponseError, guarded_http_client

COMPLETION = {
    "id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": "m",
    "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": "Paris"}}],
    "usage": {"prompt_tokens": 3, "completion_tokens": 1, "total_tokens": 4},
}


class _Handler(BaseHTTPRequestHandler):
    """Answers every POST with ``server.body`` gzip-compressed, as Azure OpenAI does."""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length", 0)))
        payload = gzip.compress(self.server.body)  # type: ignore[attr-defined]
        self.send_response(200)
        self.send_header("content-type", self.server.content_type)  # type: ignore[attr-defined]
        self.send_header("content-encoding", "gzip")
        self.send_header("content-length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def gzip_server() -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _client(server: ThreadingHTTPServer) -> openai.OpenAI:
    host, port = server.server_address[:2]
    return openai.OpenAI(base_url=f"http://{host}:{port}/v1", api_key="k", http_client=guarded_http_client(),
                         max_retries=0)


def _ask(server: ThreadingHTTPServer, body: bytes, content_type: str, stream: bool = False) -> object:
    server.body, server.content_type = body, content_type  # type: ignore[attr-defined]
    return _client(server).chat.completions.create(
        model="m", messages=[{"role": "user", "content": "Capital of France?"}], stream=stream)


def test_gzip_json_answer_passes_through(gzip_server: ThreadingHTTPServer) -> None:
    response = _ask(gzip_server, json.dumps(COMPLETION).encode(), "application/json")
    assert response.choices[0].message.content == "Paris"  # type: ignore[attr-defined]


def test_gzip_stream_passes_through(gzip_server: ThreadingHTTPServer) -> None:
    chunk = {"id": "c", "object": "chat.completion.chunk", "created": 1, "model": "m",
             "choices": [{"index": 0, "delta": {"content": "Paris"}, "finish_reason": None}]}
    body = f"data: {json.dumps(chunk)}\n\ndata: [DONE]\n\n".encode()
    stream = _ask(gzip_server, body, "text/event-stream", stream=True)
    assert "".join(c.choices[0].delta.content or "" for c in stream) == "Paris"  # type: ignore[attr-defined]


def test_gzip_malformed_answer_is_still_caught(gzip_server: ThreadingHTTPServer) -> None:
    with pytest.raises(MalformedResponseError, match="not valid JSON"):
        _ask(gzip_server, b'{"id": "chatcmpl-1", "choi', "application/json")
