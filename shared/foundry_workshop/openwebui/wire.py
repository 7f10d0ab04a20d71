"""Read a server's answers the way Open WebUI 0.12.4 reads them, to check a server is good enough for it.

Open WebUI proxies the chat stream and parses it in its backend (``open_webui/utils/middleware.py``,
``stream_body_handler``): it takes the lines that start with ``data:``, JSON-decodes the rest, skips what does
not decode (``[DONE]``), takes usage from ``usage`` (plus llama.cpp's ``timings``), and the text from
``choices[0].delta.content``; a chunk with no ``choices`` but an ``error`` ends the answer with that error.
The background tasks (title, tags, follow-ups) are non-streamed: it takes ``choices[0].message.content``,
cuts it from the first ``{`` to the last ``}``, and JSON-decodes that; anything else gives no title.

These functions mirror that logic so a test can say "Open WebUI would show this answer" without running
Open WebUI (3 GB, 30 s to start); the browser test checks the real thing.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class StreamedAnswer:
    """What Open WebUI takes from one streamed chat completion."""

    #: The answer's text, the concatenated ``choices[0].delta.content`` pieces.
    content: str = ""
    #: How many chunks carried text.
    content_chunks: int = 0
    #: The last ``usage`` seen, merged with llama.cpp's ``timings`` (Open WebUI shows both under "i").
    usage: dict[str, Any] = field(default_factory=dict)
    #: ``choices[0].finish_reason`` of the last chunk that had one.
    finish_reason: str | None = None
    #: Tool calls the model asked for (``choices[0].delta.tool_calls``), merged by index.
    tool_calls: list[dict[str, Any]] = field(default_factory=list)
    #: An ``error`` object sent inside the stream (Open WebUI shows it as the answer's error).
    error: dict[str, Any] | None = None
    #: Whether the stream ended with ``data: [DONE]``.
    done: bool = False
    #: ``data:`` lines that were neither JSON nor ``[DONE]`` (Open WebUI skips them silently).
    skipped: list[str] = field(default_factory=list)


def parse_stream(lines: Iterable[bytes | str]) -> StreamedAnswer:
    """Parse an SSE chat stream (``requests.Response.iter_lines()``) as Open WebUI's backend does."""
    answer = StreamedAnswer()
    for raw in lines:
        line = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
        if not line.strip():
            continue
        if not line.startswith("data:"):
            answer.error = answer.error or _plain_json_error(line)  # some servers send `{"error": ...}` bare
            continue  # `event:`/`id:` lines and `: comments` are ignored
        data = line[len("data:"):].strip()
        if data == "[DONE]":
            answer.done = True
            continue
        try:
            chunk = json.loads(data)
        except json.JSONDecodeError:
            answer.skipped.append(data)
            continue
        _take_chunk(answer, chunk)
    return answer


def _plain_json_error(line: str) -> dict[str, Any] | None:
    try:
        value = json.loads(line)
    except json.JSONDecodeError:
        return None
    return value.get("error") if isinstance(value, dict) and value.get("error") else None


def _take_chunk(answer: StreamedAnswer, chunk: dict[str, Any]) -> None:
    usage = dict(chunk.get("usage") or {})
    usage.update(chunk.get("timings") or {})
    if usage:
        answer.usage = usage
    choices = chunk.get("choices") or []
    if not choices:
        if chunk.get("error"):
            answer.error = chunk["error"]
        return
    choice = choices[0]
    delta = choice.get("delta") or {}
    if delta.get("content"):
        answer.content += delta["content"]
        answer.content_chunks += 1
    for call in delta.get("tool_calls") or []:
        _merge_tool_call(answer.tool_calls, call)
    if choice.get("finish_reason"):
        answer.finish_reason = choice["finish_reason"]


def _merge_tool_call(calls: list[dict[str, Any]], piece: dict[str, Any]) -> None:
    """Tool calls arrive in pieces: the first names the function, the next ones extend its arguments."""
    index = piece.get("index", len(calls))
    while len(calls) <= index:
        calls.append({"name": "", "arguments": ""})
    function = piece.get("function") or {}
    calls[index]["name"] += function.get("name") or ""
    calls[index]["arguments"] += function.get("arguments") or ""


def task_json(response: dict[str, Any], key: str) -> Any:
    """The value under ``key`` ("title", "tags", "follow_ups") of a non-streamed task answer, or None.

    Open WebUI's rule: the message text from its first ``{`` to its last ``}`` must be JSON; anything else
    (a model that chats instead of writing JSON) leaves the chat untitled, untagged, without suggestions.
    """
    choices = response.get("choices") or []
    if len(choices) != 1:
        return None
    message = choices[0].get("message") or {}
    text = message.get("content") or message.get("reasoning_content") or ""
    candidate = text[text.find("{"): text.rfind("}") + 1]
    try:
        value = json.loads(candidate)
    except json.JSONDecodeError:
        return None
    return value.get(key) if isinstance(value, dict) else None


def model_ids(response: dict[str, Any]) -> list[str]:
    """The ids Open WebUI offers in its model picker, from a ``GET /v1/models`` answer (``data[].id``)."""
    return [entry["id"] for entry in response.get("data") or [] if isinstance(entry, dict) and "id" in entry]
