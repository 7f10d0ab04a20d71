"""What OpenAI answers with 400, the mock answers with 400 too (and what OpenAI accepts stays accepted).

llama.cpp differs in places; measured on the bundled server (2026-12-01) and written down in docs/fault-matrix.md:
it accepts a null user content, an unknown role, an empty message list, a tool message without tool_call_id and
any model name; it answers a message without a role with 500.
"""

from __future__ import annotations

import pytest
import requests

SMOL = "smollm2-135m-instruct-generic-cpu:1"
CALL = {"id": "c1", "type": "function", "function": {"name": "weather", "arguments": "{}"}}

REJECTED = [
    # (messages, the param the error names)
    ([{"role": "user"}], "messages[0].content"),
    ([{"role": "user", "content": None}], "messages[0].content"),
    ([{"role": "system", "content": None}, {"role": "user", "content": "hi"}], "messages[0].content"),
    ([{"role": "wizard", "content": "hi"}], "messages[0].role"),
    ([{"content": "hi"}], "messages[0].role"),
    ([{"role": "user", "content": 5}], "messages[0].content"),
    ([{"role": "user", "content": [{"type": "banana"}]}], "messages[0].content[0].type"),
    ([{"role": "user", "content": [{"type": "text", "text": 3}]}], "messages[0].content[0].text"),
    ([{"role": "system", "content": [{"type": "image_url", "image_url": {"url": "x"}}]}],
     "messages[0].content[0].type"),
    ([{"role": "user", "content": "hi", "name": 7}], "messages[0].name"),
    ([{"role": "user", "content": "hi"}, {"role": "assistant"}], "messages[1].content"),
    ([{"role": "user", "content": "hi"}, {"role": "assistant", "content": None, "tool_calls": {"id": 1}}],
     "messages[1].tool_calls"),
    ([{"role": "user", "content": "hi"}, {"role": "assistant", "tool_calls": [CALL]}, {"role": "tool", "content": "x"}],
     "messages[2].tool_call_id"),
    ([], "messages"),
]


@pytest.mark.parametrize(("messages", "param"), REJECTED)
def test_what_openai_rejects_is_rejected(mock, messages, param):
    answer = requests.post(f"{mock.url}/chat/completions", json={"model": SMOL, "messages": messages}, timeout=5)
    assert answer.status_code == 400, answer.text
    error = answer.json()["error"]
    assert error["type"] == "invalid_request_error" and error["param"] == param and error["message"]


ACCEPTED = [
    [{"role": "user", "content": ""}],
    [{"role": "user", "content": [{"type": "text", "text": "hi"}, {"type": "image_url", "image_url": {"url": "x"}}]}],
    [{"role": "user", "content": "weather?"}, {"role": "assistant", "tool_calls": [CALL]},
     {"role": "tool", "tool_call_id": "c1", "content": "sunny"}],
    [{"role": "user", "content": "weather?"}, {"role": "assistant", "content": None, "tool_calls": [CALL]},
     {"role": "tool", "tool_call_id": "c1", "content": [{"type": "text", "text": "sunny"}]}],
    [{"role": "developer", "content": "be brief", "name": "ops"}, {"role": "user", "content": "hi"}],
]


@pytest.mark.parametrize("messages", ACCEPTED)
def test_what_openai_accepts_is_accepted(mock, messages):
    answer = requests.post(f"{mock.url}/chat/completions", json={"model": SMOL, "messages": messages}, timeout=5)
    assert answer.status_code == 200, answer.text
