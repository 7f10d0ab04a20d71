"""Streaming one answer with the async OpenAI client, and never losing what already arrived.

The seed's sample iterated a *synchronous* client inside an ``async`` Chainlit handler: while one user's answer
was generated, the event loop (every other user's session, even the page's heartbeats) stood still. Here the
client is ``openai.AsyncOpenAI`` and each token is handed to ``on_token`` as it arrives (Chainlit's
``Message.stream_token``), so the page shows the answer growing and other sessions keep running.

Failures do not raise: :func:`stream_reply` returns a :class:`Reply` holding the text received so far and a
:class:`~foundry_workshop.failures.Failure`. A stream that breaks after ten tokens still gives those ten
tokens to the caller, who can keep them on the page and mark them. Only cancellation (the user pressed *stop*)
propagates, as ``asyncio`` requires; the caller reads the partial text from its own message then.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any, cast

import openai

from foundry_workshop.failures import Failure, classify, incomplete_stream

logger = logging.getLogger(__name__)


@dataclass
class Reply:
    """The outcome of one streamed request."""

    text: str = ""
    #: ``stop`` (finished), ``length`` (cut at ``max_tokens``), ... or None if the stream never said.
    finish_reason: str | None = None
    #: Content chunks received.
    chunks: int = 0
    problem: Failure | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None

    @property
    def partial(self) -> bool:
        """Some text arrived, but the answer broke off."""
        return self.problem is not None and bool(self.text)

    @property
    def cut_at_limit(self) -> bool:
        """The answer is complete as far as the server goes, but stopped at the ``max_tokens`` limit."""
        return self.problem is None and self.finish_reason == "length"


async def stream_reply(
    client: openai.AsyncOpenAI,
    *,
    model: str,
    messages: list[dict[str, str]],
    on_token: Callable[[str], Awaitable[Any]] | None = None,
    endpoint: str = "",
    secrets: Iterable[str] = (),
    **params: Any,
) -> Reply:
    """Stream a chat completion, calling ``on_token(piece)`` for each piece of text; never raises for a failed
    request (see the module docstring). ``params`` go to ``chat.completions.create`` (``temperature``,
    ``max_tokens``, ...). ``endpoint`` and ``secrets`` only shape the error message (the key is never shown).
    """
    reply = Reply()
    endpoint = endpoint or str(client.base_url).rstrip("/")
    timeout = client.timeout if isinstance(client.timeout, int | float) else None
    try:
        # The dict messages are valid ChatCompletionMessageParams; openai's TypedDicts cannot say so for dict[str, str].
        stream = await client.chat.completions.create(model=model, messages=cast(Any, messages), stream=True, **params)
    except openai.OpenAIError as exc:
        reply.problem = classify(exc, endpoint=endpoint, model=model, timeout=timeout, secrets=secrets)
        return reply

    async with stream:  # closes the HTTP response whatever happens, cancellation included
        chunks = stream.__aiter__()
        while True:
            # Only the client's work is inside the try: an error in on_token (the UI) is a bug, not a model failure.
            try:
                chunk = await chunks.__anext__()
            except StopAsyncIteration:
                break
            except Exception as exc:
                reply.problem = classify(
                    exc, endpoint=endpoint, model=model, timeout=timeout, streaming=True, partial=bool(reply.text),
                    secrets=secrets,
                )
                if reply.problem.kind == "unknown":
                    logger.exception("Unexpected error while streaming from %s", endpoint)
                return reply
            if not chunk.choices:
                continue  # e.g. the final usage chunk
            choice = chunk.choices[0]
            if choice.finish_reason:
                reply.finish_reason = choice.finish_reason
            piece = choice.delta.content if choice.delta else None
            if piece:
                reply.text += piece
                reply.chunks += 1
                if on_token is not None:
                    await on_token(piece)

    if reply.finish_reason is None and reply.text:
        reply.problem = incomplete_stream()
    return reply
