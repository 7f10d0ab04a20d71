"""Checks of lesson 03 (REST with requests): parsing Server-Sent Events by hand."""

from __future__ import annotations

import json
from typing import Any

import requests

from foundry_workshop.exercises.registry import register

#: (line, expected data) per the SSE specification: "data:" then an optional single space.
SSE_LINES = [
    ('data: {"x": 1}', '{"x": 1}'),
    ('data:{"x": 1}', '{"x": 1}'),
    ("data: [DONE]", "[DONE]"),
    ("data:", ""),
    ("data:  two spaces", " two spaces"),
    ("", None),
    (": keep-alive comment", None),
    ("event: message", None),
]


def _event(content: str | None, *, role: bool = False, usage: bool = False) -> str:
    choices = [] if usage else [{"index": 0, "delta": {**({"role": "assistant"} if role else {}),
                                                      **({"content": content} if content is not None else {})},
                                 "finish_reason": None}]
    body = {"object": "chat.completion.chunk", "choices": choices,
            "usage": {"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5} if usage else None}
    return json.dumps(body)


#: A stream as a server may legally write it: no space after "data:" in places, a comment, a role-only
#: chunk, a usage chunk with no choices, and text after [DONE] that must be ignored.
SSE_STREAM = [
    "data: " + _event("", role=True), "", ": ping", "",
    "data:" + _event("Hello"), "", "data: " + _event(", world"), "",
    "data: " + _event(None), "", "data:" + _event(None, usage=True), "",
    "data: [DONE]", "", "data: " + _event("after done"),
]


@register("03.sse_data")
def check_sse_data(sse_data: Any) -> str | None:
    """sse_data(line) returns the data of an SSE `data:` line, else None."""
    for line, expected in SSE_LINES:
        got = sse_data(line)
        if got != expected:
            if line.startswith("data:") and not line.startswith("data: ") and got is None:
                return f"{line!r} is a data line too: the space after 'data:' is optional (SSE spec)."
            return f"sse_data({line!r}) should return {expected!r}, got {got!r}."
    return None


@register("03.sse_text")
def check_sse_text(sse_text: Any, *, base_url: str, headers: dict[str, str], model: str) -> str | None:
    """sse_text(lines) joins the delta.content of every chunk until [DONE]."""
    got = sse_text(iter(SSE_STREAM))
    if got != "Hello, world":
        if got == ", world":
            return "the chunk sent as 'data:{...}' (no space) was dropped: the space is optional."
        if isinstance(got, str) and got.endswith("after done"):
            return "stop at 'data: [DONE]': nothing after it belongs to the reply."
        return f"expected 'Hello, world' from the example stream, got {got!r}."
    payload = {"model": model, "messages": [{"role": "user", "content": "Say hi."}], "max_tokens": 20,
               "stream": True}
    with requests.post(f"{base_url}/chat/completions", headers=headers, json=payload, stream=True,
                       timeout=60) as response:
        response.raise_for_status()
        live = sse_text(response.iter_lines(decode_unicode=True))
    if not isinstance(live, str) or not live or "data:" in live:
        return f"a live stream from the server gave {live!r}: return only the joined content."
    return None
