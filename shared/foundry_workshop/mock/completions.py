"""Pure builders for chat-completion bodies and stream chunks.

Kept free of I/O and timing so the exact wire format (which fields, in which
chunk, ``usage: null`` placement) is easy to read against OpenAI's reference.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from .replies import reply_text
from .tokens import count_prompt_tokens, split_tokens

SYSTEM_FINGERPRINT = "fp_mock"


@dataclass(frozen=True)
class CompletionPlan:
    """Everything about one answer that does not depend on timing or faults."""

    id: str
    created: int
    model: str
    pieces: tuple[str, ...]
    finish_reason: str
    prompt_tokens: int

    @classmethod
    def build(
        cls,
        messages: list[dict[str, Any]],
        model: str,
        max_tokens: int | None,
        completion_id: str,
        created: int,
    ) -> CompletionPlan:
        pieces = tuple(split_tokens(reply_text(messages, model)))
        finish_reason = "stop"
        if max_tokens is not None and len(pieces) > max_tokens:
            pieces, finish_reason = pieces[:max_tokens], "length"
        return cls(completion_id, created, model, pieces, finish_reason, count_prompt_tokens(messages))

    @property
    def content(self) -> str:
        return "".join(self.pieces)

    @property
    def usage(self) -> dict[str, int]:
        completion_tokens = len(self.pieces)
        return {
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": self.prompt_tokens + completion_tokens,
        }

    def completion_body(self) -> dict[str, Any]:
        """The non-streaming ``chat.completion`` object."""
        return {
            "id": self.id,
            "object": "chat.completion",
            "created": self.created,
            "model": self.model,
            "system_fingerprint": SYSTEM_FINGERPRINT,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": self.content, "refusal": None},
                    "logprobs": None,
                    "finish_reason": self.finish_reason,
                }
            ],
            "usage": self.usage,
        }

    def _chunk(self, choices: list[dict[str, Any]], include_usage: bool) -> dict[str, Any]:
        chunk: dict[str, Any] = {
            "id": self.id,
            "object": "chat.completion.chunk",
            "created": self.created,
            "model": self.model,
            "system_fingerprint": SYSTEM_FINGERPRINT,
            "choices": choices,
        }
        if include_usage:
            # OpenAI sends "usage": null on every chunk but the last when usage was requested.
            chunk["usage"] = None
        return chunk

    def delta_chunk(
        self, delta: dict[str, Any], include_usage: bool, finish_reason: str | None = None
    ) -> dict[str, Any]:
        choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}
        return self._chunk([choice], include_usage)

    def leading_chunks(self) -> list[dict[str, Any]]:
        """Chunks sent before the role chunk: none here; Azure OpenAI sends its prompt-filter results."""
        return []

    def role_chunk(self, include_usage: bool) -> dict[str, Any]:
        return self.delta_chunk({"role": "assistant", "content": ""}, include_usage)

    def content_chunk(self, piece: str, include_usage: bool) -> dict[str, Any]:
        return self.delta_chunk({"content": piece}, include_usage)

    def finish_chunk(self, include_usage: bool) -> dict[str, Any]:
        return self.delta_chunk({}, include_usage, self.finish_reason)

    def usage_chunk(self) -> dict[str, Any]:
        chunk = self._chunk([], include_usage=False)
        chunk["usage"] = self.usage
        return chunk


def sse_event(data: dict[str, Any] | str) -> bytes:
    """One server-sent event: ``data: <payload>\\n\\n``."""
    payload = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return f"data: {payload}\n\n".encode()


def bare_sse_event(data: dict[str, Any] | str) -> bytes:
    """``data:<payload>``: the SSE standard makes the space after the colon optional, and some servers omit it."""
    return b"data:" + sse_event(data)[len(b"data: "):]


#: What the ``malformed`` fault injects into a stream.
SSE_MALFORMED = b"data: {not json\n\n"
#: What the ``malformed`` fault returns instead of a JSON completion.
MALFORMED_BODY = b'{"choices": ['
