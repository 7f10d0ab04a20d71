"""A client wrapper for checks: it records what the learner's code asked the model, and what came back.

Checks hand ``RecordingClient(client)`` to the learner's function instead of the client itself, so they can
say *which* argument was missing (a system message, ``max_tokens``, ``stream=True``) on any backend, not
only on the mock, and compare the learner's result with what the server really answered. ``with_options(...)``
(and its alias ``copy``) return a recording client too, sharing the same ``calls``; everything else passes
straight through.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any


@dataclass
class RecordedCall:
    """One ``chat.completions.create`` call: its keyword arguments, and what came back: the response (not
    streamed) or every chunk yielded (streamed)."""

    kwargs: dict[str, Any]
    chunks: list[Any] = field(default_factory=list)
    response: Any = None

    @property
    def reply_text(self) -> str | None:
        """``response.choices[0].message.content`` of a non-streamed call (None if there was none)."""
        choices = getattr(self.response, "choices", None)
        return choices[0].message.content if choices else None

    @property
    def messages(self) -> list[dict[str, Any]]:
        return list(self.kwargs.get("messages") or [])

    @property
    def streamed_text(self) -> list[str]:
        """The non-empty ``delta.content`` pieces of a stream, in order."""
        return [c.choices[0].delta.content for c in self.chunks if c.choices and c.choices[0].delta.content]


class _Completions:
    def __init__(self, real: Any, calls: list[RecordedCall]) -> None:
        self._real, self._calls = real, calls

    def create(self, **kwargs: Any) -> Any:
        call = RecordedCall(dict(kwargs))
        self._calls.append(call)
        response = self._real.create(**kwargs)
        if kwargs.get("stream"):
            return _recorded_stream(response, call)
        call.response = response
        return response

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


def _recorded_stream(stream: Any, call: RecordedCall) -> Iterator[Any]:
    for chunk in stream:
        call.chunks.append(chunk)
        yield chunk


class _Chat:
    def __init__(self, real: Any, calls: list[RecordedCall]) -> None:
        self.completions = _Completions(real.completions, calls)
        self._real = real

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


class RecordingClient:
    """``openai.OpenAI`` look-alike recording every chat completion request (``.calls``)."""

    def __init__(self, client: Any, calls: list[RecordedCall] | None = None) -> None:
        self.calls: list[RecordedCall] = [] if calls is None else calls
        self.chat = _Chat(client.chat, self.calls)
        self._client = client

    def with_options(self, **options: Any) -> RecordingClient:
        """``client.with_options(timeout=30).chat.completions.create(...)`` is recorded like any other call."""
        return RecordingClient(self._client.with_options(**options), self.calls)

    copy = with_options

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)
