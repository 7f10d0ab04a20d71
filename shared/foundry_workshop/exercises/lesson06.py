"""Checks for lesson 06 (the Chainlit app): each returns None when the learner's code is right, else a hint.

The exercise is the body of a Chainlit ``on_message`` handler. The check runs it for real against the
lesson's model server, with a recorder in place of ``cl.Message`` (it has the same ``stream_token``, ``send``
and ``update`` coroutines) and an HTTP hook that records the request the handler sent: fast, no browser.
"""

from __future__ import annotations

import asyncio
import inspect
import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx2
import openai

from foundry_workshop.exercises.registry import register

_HISTORY = [
    {"role": "system", "content": "You are a helpful assistant."},
    {"role": "user", "content": "My name is Ada."},
    {"role": "assistant", "content": "Nice to meet you, Ada."},
]
_QUESTION = "What is my name?"


class MessageRecorder:
    """Stands in for ``chainlit.Message``: records what a handler streamed and when it finished."""

    def __init__(self) -> None:
        self.events: list[tuple[str, str]] = []

    async def stream_token(self, token: str, is_sequence: bool = False) -> None:
        self.events.append(("token", token))

    async def send(self) -> MessageRecorder:
        self.events.append(("finish", ""))
        return self

    async def update(self) -> bool:
        self.events.append(("finish", ""))
        return True

    @property
    def tokens(self) -> list[str]:
        return [text for kind, text in self.events if kind == "token"]


async def _run(handler: Callable[..., Any], endpoint: str, api_key: str, model: str) -> dict[str, Any]:
    bodies: list[dict[str, Any]] = []

    async def record(request: httpx2.Request) -> None:
        if request.url.path.endswith("/chat/completions"):
            bodies.append(json.loads(request.content or b"{}"))

    async with httpx2.AsyncClient(event_hooks={"request": [record]}, timeout=120) as http:
        client = openai.AsyncOpenAI(base_url=endpoint, api_key=api_key, http_client=http, max_retries=0)
        history, msg = [dict(m) for m in _HISTORY], MessageRecorder()
        await handler(client, model, history, _QUESTION, msg)
        return {"bodies": bodies, "history": history, "msg": msg}


@register("06.stream_answer")
def check_stream_answer(stream_answer: Callable[..., Any], *, endpoint: str, model: str,
                        api_key: str = "not-needed") -> str | None:
    """An on_message handler that streams and remembers."""
    if not inspect.iscoroutinefunction(stream_answer):
        return "Define it with `async def`: Chainlit handlers are coroutines, and the client is an AsyncOpenAI."
    # The notebook's kernel already runs an event loop: run the handler on a fresh one in a worker thread.
    with ThreadPoolExecutor(1) as pool:
        seen = pool.submit(asyncio.run, _run(stream_answer, endpoint, api_key, model)).result(timeout=180)
    bodies, history, msg = seen["bodies"], seen["history"], seen["msg"]
    if len(bodies) != 1:
        return f"Send exactly one request with `await client.chat.completions.create(...)`; I saw {len(bodies)}."
    body = bodies[0]
    if body.get("stream") is not True:
        return "Pass `stream=True`, so the answer can appear piece by piece instead of all at the end."
    sent = body.get("messages") or []
    if sent and sent[-1] == {"role": "user", "content": _QUESTION} and sent[:-1] != _HISTORY:
        return ("Send the whole conversation (`history`) plus the new message: the model remembers nothing "
                "between requests, so with only the last message it cannot know the user's name.")
    if sent != [*_HISTORY, {"role": "user", "content": _QUESTION}]:
        return "The request's messages should be the history followed by {'role': 'user', 'content': text}."
    if len(msg.tokens) < 2:
        return ("Call `await msg.stream_token(piece)` for every piece of text as it arrives "
                "(`async for chunk in stream`), not once with the whole answer.")
    if not msg.events or msg.events[-1][0] != "finish":
        return "Finish with `await msg.send()` (or `await msg.update()`) after the last piece."
    expected = [{"role": "user", "content": _QUESTION}, {"role": "assistant", "content": "".join(msg.tokens)}]
    if history[len(_HISTORY):] != expected:
        return ("Keep the turn: append the user's message and the assistant's whole answer (the streamed pieces "
                "joined) to `history`, so the next question can refer to it.")
    return None
