"""Checks of lesson 02 (streaming)."""

from __future__ import annotations

from typing import Any

from openai.types.chat import ChatCompletionChunk

from foundry_workshop.exercises.registry import register


def _chunk(content: str | None = None, *, role: str | None = None, finish: str | None = None,
           usage: dict[str, int] | None = None) -> ChatCompletionChunk:
    delta: dict[str, Any] = {}
    if role:
        delta["role"] = role
    if content is not None:
        delta["content"] = content
    choices = [] if usage else [{"index": 0, "delta": delta, "finish_reason": finish}]
    return ChatCompletionChunk.model_validate({
        "id": "chatcmpl-check", "object": "chat.completion.chunk", "created": 0, "model": "check",
        "choices": choices, "usage": usage,
    })


#: What servers send: OpenAI (role chunk first, a usage chunk with choices == [] when asked for) ...
#: Pieces split words, as tokens do, so counting words is not counting pieces.
WITH_ROLE_AND_USAGE = [
    _chunk("", role="assistant"), _chunk("Lo"), _chunk("cal mo"), _chunk("dels"), _chunk(" stream."),
    _chunk(finish="stop"), _chunk(usage={"prompt_tokens": 7, "completion_tokens": 4, "total_tokens": 11}),
]
#: ... and servers that send neither a role chunk nor usage (both are optional in the wire format).
BARE = [_chunk("Tok"), _chunk("ens arr"), _chunk("ive."), _chunk(finish="stop")]


def _expect(collect: Any, chunks: list[ChatCompletionChunk], text: str, pieces: int, usage: bool) -> str | None:
    try:
        result = collect(iter(chunks))
    except (IndexError, AttributeError, TypeError) as error:
        where = "a usage chunk (choices == [])" if usage else "a stream without role or usage chunks"
        return f"{type(error).__name__} on {where}: check `chunk.choices` and `chunk.usage` before using them."
    if not (isinstance(result, tuple) and len(result) == 3):
        return "return a triple: (text, pieces, usage)."
    got_text, got_pieces, got_usage = result
    if got_text != text:
        return f"text should join every delta.content: expected {text!r}, got {got_text!r}."
    if got_pieces != pieces:
        return f"pieces counts the chunks that carried text ({pieces} here), not every chunk: got {got_pieces!r}."
    if usage and getattr(got_usage, "completion_tokens", None) != 4:
        return "usage should be the `usage` of the last chunk (sent when stream_options include_usage is on)."
    if not usage and got_usage is not None:
        return "usage should be None when the server sent no usage chunk."
    return None


@register("02.collect_stream")
def check_collect_stream(collect_stream: Any, *, client: Any, model: str) -> str | None:
    """collect_stream(chunks) returns (text, pieces, usage) from any stream, usage None when not sent."""
    hint = _expect(collect_stream, WITH_ROLE_AND_USAGE, "Local models stream.", 4, usage=True)
    hint = hint or _expect(collect_stream, BARE, "Tokens arrive.", 3, usage=False)
    if hint:
        return hint
    live = client.chat.completions.create(
        model=model, messages=[{"role": "user", "content": "Count to three."}], max_tokens=20,
        stream=True, stream_options={"include_usage": True},
    )
    text, pieces, _ = collect_stream(live)
    if not (isinstance(text, str) and text and pieces >= 1):
        return "a live stream from the server gave no text: iterate over the chunks you are given."
    return None
