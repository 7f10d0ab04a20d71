"""The exact requests Open WebUI 0.12.4 sends, replayed against the course's servers.

The requests were captured once from the real Open WebUI (a logging proxy between it and the server; see
``tests/fixtures/openwebui/README.md``) and are replayed byte for byte, with two changes: the ``model`` becomes
the id the server lists, and ``max_tokens`` is capped so the suite stays fast. Each answer is read the way
Open WebUI reads it (:mod:`foundry_workshop.openwebui.wire`), so a pass means "Open WebUI would show this".

Servers: the mock (always), the bundled llama.cpp (always), and real Foundry Local on the converted model
(``make foundry-model``; skipped with that advice when it is absent). One server of each kind per module.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from foundry_workshop import Connection, connect
from foundry_workshop.byom.store import ALIAS, Store
from foundry_workshop.mock import MockServer, reply_text
from foundry_workshop.openwebui import model_ids, parse_stream, task_json

pytestmark = pytest.mark.foundry_local  # real Foundry Local: one such module at a time

FIXTURES = Path(__file__).parent / "fixtures" / "openwebui"
#: Enough for a few words: what is checked is the wire format, not the prose.
MAX_TOKENS = 12
QUESTION = "What is the capital of France?"

needs_foundry_model = pytest.mark.skipif(
    not Store.default().built, reason="no converted model: run `make foundry-model` (make test does it)"
)
BACKENDS = ["mock", "bundled", pytest.param("foundry", marks=needs_foundry_model)]


def captured(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / f"{name}.json").read_text())


@pytest.fixture(scope="module", params=BACKENDS)
def conn(request: pytest.FixtureRequest, mock_server: MockServer) -> Iterator[Connection]:
    """One connection per backend for the whole module (pytest groups the tests by it)."""
    if request.param == "mock":
        with connect(backend="endpoint", endpoint=mock_server.url, model="smollm2-135m-instruct") as c:
            yield c
    elif request.param == "bundled":
        yield request.getfixturevalue("bundled")  # the session's server (root conftest.py)
    else:
        with connect(backend=request.param, model=ALIAS) as c:
            yield c


def replay(conn: Connection, name: str, **changes: Any) -> requests.Response:
    """Send captured request ``name`` to ``conn``'s server: same path, headers and body, except ``changes``
    (and the server's own model id and key)."""
    request = captured(name)
    headers = dict(request["headers"], Authorization=f"Bearer {conn.api_key}")
    body = request["body"]
    if body is not None:
        body = {**body, "model": conn.model, **changes}
    url = conn.root_url + request["path"]
    data = json.dumps(body).encode() if body is not None else None
    return requests.request(request["method"], url, headers=headers, data=data, timeout=120, stream=True)


def test_fixtures_are_what_open_webui_sent():
    """The committed requests are the captured ones: the shapes the rest of this module relies on."""
    lean, default, title = captured("chat_lean"), captured("chat_default_tools"), captured("title")
    assert set(lean["body"]) == {"stream", "model", "messages"}
    assert lean["body"]["messages"] == [{"role": "user", "content": QUESTION}]
    assert default["body"]["messages"] == lean["body"]["messages"] and default["body"]["stream"] is True
    assert len(default["body"]["tools"]) == 36 and len(json.dumps(default["body"]["tools"])) > 25_000
    assert (title["body"]["stream"], title["body"]["max_tokens"]) == (False, 1000)
    assert captured("models")["method"] == "GET" and captured("models")["body"] is None
    for name in ("models", "chat_lean", "chat_default_tools", "title", "follow_ups", "tags"):
        assert captured(name)["headers"]["User-Agent"].startswith("Python/3.11 aiohttp/")


def test_model_listing_offers_the_model(conn: Connection):
    response = replay(conn, "models")
    assert response.status_code == 200, response.text
    assert conn.model in model_ids(response.json())


def test_lean_chat_streams_an_answer_open_webui_can_show(conn: Connection):
    response = replay(conn, "chat_lean", max_tokens=MAX_TOKENS)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/event-stream")
    answer = parse_stream(response.iter_lines())
    assert answer.done and not answer.skipped and answer.error is None
    assert answer.content.strip() and answer.content_chunks >= 1
    assert answer.finish_reason in ("stop", "length")
    if conn.backend == "endpoint":  # the mock: the exact, deterministic reply (cut at MAX_TOKENS pieces)
        full = reply_text([{"role": "user", "content": QUESTION}], conn.model)
        assert full.startswith(answer.content) and answer.finish_reason == "length"


def test_usage_reaches_open_webui_only_where_the_server_sends_it_unasked(conn: Connection):
    """Open WebUI sends no ``stream_options``; it shows whatever ``usage`` and llama.cpp ``timings`` arrive."""
    answer = parse_stream(replay(conn, "chat_lean", max_tokens=MAX_TOKENS).iter_lines())
    if conn.backend == "bundled":  # llama.cpp adds its timings to the last chunk unasked, but no usage
        assert answer.usage["predicted_n"] >= 1 and "completion_tokens" not in answer.usage
    else:  # the mock and Foundry Local follow OpenAI: nothing unless asked
        assert answer.usage == {}
    asked = parse_stream(replay(conn, "chat_lean", max_tokens=MAX_TOKENS,
                               stream_options={"include_usage": True}).iter_lines())
    assert asked.usage["completion_tokens"] >= 1


def test_default_chat_carries_36_tools_that_foundry_local_refuses(conn: Connection):
    """Open WebUI's default ("native" function calling) attaches 36 tool definitions (~26 KB) to the chat.

    What each server makes of them: the mock, like a tool-capable model, calls the first one; the bundled
    llama.cpp, whose tool-aware chat template (lesson 10) renders them into the prompt, refuses the ~7,000-token
    prompt as past its 2,048-token context (HTTP 400 ``exceed_context_size_error``); Foundry Local
    refuses them for this model: HTTP 200, then one SSE error chunk ("structured tool calling requires
    model-published opening and closing tool markers": the converted SmolLM2 declares no tool-call markers) and no
    text, so Open WebUI shows an error instead of an answer. The lean settings send no tools: see lesson 09.
    """
    usage = {"stream_options": {"include_usage": True}, "max_tokens": MAX_TOKENS}
    lean = parse_stream(replay(conn, "chat_lean", **usage).iter_lines())
    response = replay(conn, "chat_default_tools", **usage)
    if conn.backend == "bundled":  # the course's tool-aware template (lesson 10) puts all 36 into the prompt
        assert response.status_code == 400, response.text
        error = response.json()["error"]
        assert error["type"] == "exceed_context_size_error" and error["n_prompt_tokens"] > error["n_ctx"]
        assert lean.usage["prompt_tokens"] < 100  # the same question without the tools fits easily
        return
    assert response.status_code == 200, response.text
    answer = parse_stream(response.iter_lines())
    if conn.backend == "endpoint":  # the mock plays a tool-capable model: one call to the first tool, by its rule
        first_tool = captured("chat_default_tools")["body"]["tools"][0]["function"]["name"]
        assert [c["name"] for c in answer.tool_calls] == [first_tool]
        assert answer.finish_reason == "tool_calls" and answer.content == "" and answer.error is None
        return
    assert answer.tool_calls == []
    if conn.backend == "foundry":
        assert answer.content == "" and answer.error is not None and answer.error["type"] == "server_error"
        assert "tool calling requires model-published opening and closing tool markers" in answer.error["message"]
        return
    assert answer.error is None and answer.done and answer.content.strip()
    assert answer.finish_reason in ("stop", "length")


@pytest.mark.parametrize("task, key", [("title", "title"), ("follow_ups", "follow_ups"), ("tags", "tags")])
def test_background_tasks_get_a_json_answer_open_webui_reads(conn: Connection, task: str, key: str):
    """Title, follow-ups and tags are non-streamed; Open WebUI looks for a JSON object in the text."""
    response = replay(conn, task, max_tokens=MAX_TOKENS)
    assert response.status_code == 200, response.text
    body = response.json()
    assert len(body["choices"]) == 1 and isinstance(body["choices"][0]["message"]["content"], str)
    value = task_json(body, key)
    if conn.backend == "endpoint":
        # The mock echoes instead of writing JSON: Open WebUI then keeps the chat's first message as its title
        # and shows no tags or suggestions. Nothing breaks; the request was simply wasted.
        assert value is None
    else:
        assert value is None or isinstance(value, str | list)  # a 135M model may or may not manage JSON
