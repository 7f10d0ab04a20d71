"""The OpenAI wire format the mock speaks: error bodies, the deterministic reply, completion bodies and chunks.

* **Errors**: clients (the ``openai`` package in particular) map the HTTP status to an exception class and
  read ``error.message`` / ``error.code`` from the body, so every failure the mock produces uses exactly
  this shape (:class:`MockAPIError`).
* **The reply** is derived from the request alone, so a test can compute the expected answer with
  :func:`reply_text` and compare it with what a notebook printed.
* **Bodies and chunks** (:class:`CompletionPlan`) are pure builders, free of I/O and timing, so the exact
  wire format (which fields, in which chunk, ``usage: null`` placement) is easy to read against OpenAI's
  reference. Text is split into tokens by the course's one tokenizer, :mod:`foundry_workshop.tokens`: each
  piece is one streamed chunk and one completion token, so streamed pieces concatenate back to the exact
  non-streaming text and tests can assert on token counts exactly.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from starlette.responses import JSONResponse

from foundry_workshop.tokens import approx_message_tokens, count_pieces, message_text, split_tokens


class MockAPIError(Exception):
    """Raise anywhere in a request handler to answer with an OpenAI error body."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        type: str = "invalid_request_error",
        param: str | None = None,
        code: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.type = type
        self.param = param
        self.code = code
        self.headers = dict(headers or {})

    def body(self) -> dict[str, object]:
        return {"error": {"message": self.message, "type": self.type, "param": self.param, "code": self.code}}

    def to_response(self) -> JSONResponse:
        return JSONResponse(self.body(), status_code=self.status, headers=self.headers)


def invalid_request(message: str, param: str | None = None, code: str | None = None) -> MockAPIError:
    """A 400 ``invalid_request_error``."""
    return MockAPIError(400, message, param=param, code=code)


def count_prompt_tokens(messages: Iterable[Mapping[str, object]]) -> int:
    """Prompt tokens the mock reports: every message's pieces plus the fixed per-message and per-request
    overheads (:func:`foundry_workshop.tokens.approx_message_tokens` counting pieces)."""
    return approx_message_tokens(messages, count=count_pieces)


#: Longest echo of the user's last message before it is cut (then "..." is appended).
MAX_ECHO_CHARS = 60


def reply_text(messages: Sequence[Mapping[str, object]], model: str) -> str:
    """Return ``Mock reply {turn} from {model}: you said "{last_user}".``.

    ``turn`` is the number of user messages (so multi-turn chats give different
    answers per turn); ``last_user`` is the last user message's text,
    whitespace-collapsed and cut to 60 characters plus "..." when longer.
    ``model`` is reported as given; the server passes the resolved model id.
    """
    user_messages = [m for m in messages if m.get("role") == "user"]
    last_user = " ".join(message_text(user_messages[-1].get("content")).split()) if user_messages else ""
    if len(last_user) > MAX_ECHO_CHARS:
        last_user = last_user[:MAX_ECHO_CHARS] + "..."
    return f'Mock reply {len(user_messages)} from {model}: you said "{last_user}".'


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
