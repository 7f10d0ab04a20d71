"""Checks of lesson 00 (setup check)."""

from __future__ import annotations

from typing import Any

from foundry_workshop.exercises.registry import register
from foundry_workshop.exercises.spy import RecordingClient

QUESTION = "Name one planet of the solar system."


@register("00.ask")
def check_ask(ask: Any, *, client: Any, model: str) -> str | None:
    """ask(client, model, question) sends one user message and returns the reply text."""
    spy = RecordingClient(client)
    answer = ask(spy, model, QUESTION)
    if not spy.calls:
        return "ask() never called client.chat.completions.create(...)."
    sent = spy.calls[-1]
    if sent.kwargs.get("model") != model:
        return f"send model=model (the id {model!r}), not {sent.kwargs.get('model')!r}."
    if not any(m.get("role") == "user" and m.get("content") == QUESTION for m in sent.messages):
        return 'send the question as a user message: messages=[{"role": "user", "content": question}].'
    if hasattr(answer, "choices"):
        return "ask() returned the whole response object: return response.choices[0].message.content."
    if not isinstance(answer, str):
        return f"ask() should return the reply text (a str), not a {type(answer).__name__}."
    if not answer.strip():
        return "ask() returned an empty string: return the content of the reply message."
    if answer != sent.reply_text:
        return ("ask() returned some other text than the model's reply: return "
                "response.choices[0].message.content.")
    return None
