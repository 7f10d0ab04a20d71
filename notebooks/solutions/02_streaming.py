"""Reference solutions of lesson 02. ``@exercise(..., solutions=True)`` loads these in place of the stubs."""

from __future__ import annotations

from collections.abc import Iterable

from openai.types import CompletionUsage
from openai.types.chat import ChatCompletionChunk


def collect_stream(chunks: Iterable[ChatCompletionChunk]) -> tuple[str, int, CompletionUsage | None]:
    """Join the streamed text, count the pieces that carried text, keep the usage if the server sent it."""
    parts: list[str] = []
    usage = None
    for chunk in chunks:
        if chunk.usage is not None:  # only when stream_options={"include_usage": True}, and only if supported
            usage = chunk.usage
        if chunk.choices and chunk.choices[0].delta.content:  # the usage chunk has choices == []
            parts.append(chunk.choices[0].delta.content)
    return "".join(parts), len(parts), usage
