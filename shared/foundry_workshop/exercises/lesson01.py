"""Checks of lesson 01 (basic chat)."""

from __future__ import annotations

from typing import Any

import openai

from foundry_workshop.exercises.registry import register
from foundry_workshop.exercises.spy import RecordingClient


@register("01.make_client")
def check_make_client(make_client: Any, *, endpoint: str, api_key: str) -> str | None:
    """make_client(endpoint, api_key) builds the OpenAI client for a local server."""
    client = make_client(endpoint, api_key)
    if not isinstance(client, openai.OpenAI):
        return f"return an openai.OpenAI(...) client, not a {type(client).__name__}."
    base_url = str(client.base_url).rstrip("/")
    if base_url != endpoint.rstrip("/"):
        return f"the client talks to {base_url}, not to the local server: pass base_url=endpoint ({endpoint})."
    if client.api_key != api_key:
        return "pass api_key=api_key: OpenAI's client needs a key even when a local server ignores it."
    client.models.list()  # a real request: the client must reach the server
    return None


@register("01.chat")
def check_chat(chat: Any, *, client: Any, model: str) -> str | None:
    """chat(client, model, system, user, **options) returns (text, usage)."""
    spy = RecordingClient(client)
    result = chat(spy, model, "Answer with one word.", "What color is the sky on a clear day?",
                  max_tokens=5, temperature=0)
    if not spy.calls:
        return "chat() never called client.chat.completions.create(...)."
    sent = spy.calls[-1]
    roles = [m.get("role") for m in sent.messages]
    if roles != ["system", "user"]:
        return f'send two messages, the system one first: roles ["system", "user"], not {roles}.'
    if sent.messages[0].get("content") != "Answer with one word.":
        return "the system message's content should be the `system` argument."
    if sent.kwargs.get("max_tokens") != 5 or sent.kwargs.get("temperature") != 0:
        return "extra keyword arguments (max_tokens=5, temperature=0) did not reach the API call: pass **options."
    if not (isinstance(result, tuple) and len(result) == 2):
        return "return a pair: (text, usage)."
    text, usage = result
    if not isinstance(text, str):
        return f"the first item should be the reply text (a str), not a {type(text).__name__}."
    if text != sent.reply_text:
        return "the first item should be the model's reply: response.choices[0].message.content."
    if not hasattr(usage, "completion_tokens"):
        return "the second item should be response.usage (it has prompt_tokens and completion_tokens)."
    return None
