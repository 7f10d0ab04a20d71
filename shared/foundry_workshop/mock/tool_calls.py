"""Deterministic tool calls, in OpenAI's wire format (non-streamed and streamed).

The rule, so a test can predict every call: a request that carries ``tools`` and whose last message is the
user's (not a tool result) gets ONE tool call, unless ``tool_choice`` is ``"none"``:

* which tool: the ``X-Mock-Tool-Call`` header (``name`` or ``name {json arguments}``), else the function named
  by ``tool_choice``, else the first tool;
* which arguments: the header's JSON, else values made from the tool's JSON schema (:func:`sample_value`),
  strings taken from the last word of the user's message ("weather in Paris?" -> ``"Paris"``).

After a tool result, the normal reply path answers (see :func:`tool_result_reply`).
Streamed, the call arrives as OpenAI sends it: the first chunk carries the role and
``tool_calls[0]`` with ``index``, ``id``, ``type`` and the name with empty arguments; then argument
fragments; then an empty delta with ``finish_reason: "tool_calls"``.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from starlette.responses import JSONResponse, Response, StreamingResponse

from foundry_workshop.tokens import count_pieces, message_text, split_tokens

from .wire import SYSTEM_FINGERPRINT, count_prompt_tokens, invalid_request, sse_event

HEADER = "x-mock-tool-call"


def _function_names(tools: object) -> list[str]:
    if not isinstance(tools, list) or not tools:
        raise invalid_request("Invalid type for 'tools': expected a non-empty array of tools.", "tools",
                              "invalid_type")
    names = []
    for i, tool in enumerate(tools):
        function = tool.get("function") if isinstance(tool, Mapping) else None
        if not isinstance(tool, Mapping) or tool.get("type") != "function" or not isinstance(function, Mapping) \
                or not isinstance(function.get("name"), str):
            raise invalid_request(
                f"Invalid value for 'tools[{i}]': expected a function tool with a string 'function.name'.",
                f"tools[{i}]", "invalid_value")
        names.append(function["name"])
    return names


def _chosen_name(tool_choice: object, names: list[str]) -> str | None:
    """None means: do not call a tool."""
    if tool_choice in (None, "auto", "required"):
        return names[0]
    if tool_choice == "none":
        return None
    if isinstance(tool_choice, Mapping) and isinstance(tool_choice.get("function"), Mapping):
        name = tool_choice["function"].get("name")
        if name in names:
            return str(name)
        raise invalid_request(f"Invalid value for 'tool_choice': no tool named {name!r} in 'tools'.", "tool_choice",
                              "invalid_value")
    raise invalid_request("Invalid value for 'tool_choice': expected 'none', 'auto', 'required' or a function.",
                          "tool_choice", "invalid_value")


def _last_word(messages: Sequence[Mapping[str, Any]]) -> str:
    users = [m for m in messages if m.get("role") == "user"]
    words = re.findall(r"\w+", message_text(users[-1].get("content"))) if users else []
    return words[-1] if words else "mock"


def sample_value(schema: Mapping[str, Any], word: str) -> Any:
    """A deterministic value that matches a (simple) JSON schema."""
    if "enum" in schema:
        return schema["enum"][0]
    if "const" in schema:
        return schema["const"]
    for key in ("anyOf", "oneOf"):
        if key in schema:
            return sample_value(schema[key][0], word)
    kind = schema.get("type", "object")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind == "object":
        properties = schema.get("properties", {})
        return {name: sample_value(sub, word) for name, sub in properties.items()}
    if kind == "array":
        return [sample_value(schema.get("items", {}), word) for _ in range(max(1, schema.get("minItems", 1)))]
    return {"string": word, "integer": 1, "number": 1.5, "boolean": True, "null": None}.get(kind, word)


@dataclass(frozen=True)
class ToolCall:
    id: str
    name: str
    arguments: str

    def to_openai(self) -> dict[str, Any]:
        return {"id": self.id, "type": "function", "function": {"name": self.name, "arguments": self.arguments}}


def plan_tool_call(body: Mapping[str, Any], messages: Sequence[Mapping[str, Any]], header: str | None,
                   call_id: str) -> ToolCall | None:
    """The tool call this request gets, or None (no tools, tool_choice none, or the last message is a tool result)."""
    if "tools" not in body:
        return None
    names = _function_names(body["tools"])
    name = _chosen_name(body.get("tool_choice"), names)
    if name is None or not messages or messages[-1].get("role") != "user":
        return None
    arguments: Any = None
    if header:
        name, _, raw = header.strip().partition(" ")
        if name not in names:
            raise invalid_request(f"Header X-Mock-Tool-Call names {name!r}, which is not in 'tools'.", HEADER)
        arguments = json.loads(raw) if raw.strip() else None
    if arguments is None:
        function = next(t["function"] for t in body["tools"] if t["function"]["name"] == name)
        arguments = sample_value(function.get("parameters") or {"type": "object"}, _last_word(messages))
    return ToolCall(call_id, name, json.dumps(arguments))


def tool_result_reply(messages: Sequence[Mapping[str, Any]]) -> str | None:
    """After a tool result, the mock's answer quotes it, so a test sees the result reached the model."""
    if messages and messages[-1].get("role") == "tool":
        return f"Mock answer from the tool result: {message_text(messages[-1].get('content'))}"
    return None


@dataclass(frozen=True)
class ToolCallAnswer:
    id: str
    created: int
    model: str
    call: ToolCall
    prompt_tokens: int

    @classmethod
    def build(cls, completion_id: str, created: int, model: str, call: ToolCall,
              messages: Sequence[Mapping[str, Any]]) -> ToolCallAnswer:
        return cls(completion_id, created, model, call, count_prompt_tokens(messages))

    @property
    def usage(self) -> dict[str, int]:
        completion = count_pieces(self.call.name) + count_pieces(self.call.arguments)
        return {"prompt_tokens": self.prompt_tokens, "completion_tokens": completion,
                "total_tokens": self.prompt_tokens + completion}

    def _envelope(self, kind: str) -> dict[str, Any]:
        return {"id": self.id, "object": kind, "created": self.created, "model": self.model,
                "system_fingerprint": SYSTEM_FINGERPRINT}

    def completion_body(self) -> dict[str, Any]:
        message = {"role": "assistant", "content": None, "refusal": None, "tool_calls": [self.call.to_openai()]}
        return {**self._envelope("chat.completion"),
                "choices": [{"index": 0, "message": message, "logprobs": None, "finish_reason": "tool_calls"}],
                "usage": self.usage}

    def _chunk(self, delta: dict[str, Any] | None, finish: str | None, include_usage: bool) -> dict[str, Any]:
        chunk = self._envelope("chat.completion.chunk")
        chunk["choices"] = [] if delta is None else [
            {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}]
        if include_usage:
            chunk["usage"] = self.usage if delta is None else None
        return chunk

    def chunks(self, include_usage: bool) -> Iterator[dict[str, Any]]:
        head = {"index": 0, "id": self.call.id, "type": "function",
                "function": {"name": self.call.name, "arguments": ""}}
        yield self._chunk({"role": "assistant", "content": None, "tool_calls": [head]}, None, include_usage)
        for piece in split_tokens(self.call.arguments):
            yield self._chunk({"tool_calls": [{"index": 0, "function": {"arguments": piece}}]}, None, include_usage)
        yield self._chunk({}, "tool_calls", include_usage)
        if include_usage:
            yield self._chunk(None, None, include_usage)

    def response(self, stream: bool, include_usage: bool, headers: Mapping[str, str]) -> Response:
        if not stream:
            return JSONResponse(self.completion_body(), headers=dict(headers))
        body = b"".join(sse_event(c) for c in self.chunks(include_usage)) + sse_event("[DONE]")
        return StreamingResponse(iter([body]), media_type="text/event-stream",
                                 headers={"cache-control": "no-cache", **headers})


def answer_tool_call(raw: Mapping[str, Any], messages: Sequence[Mapping[str, Any]], model: str, stream: bool,
                     include_usage: bool, header: str | None, next_sequence: Callable[[], int]) -> Response | None:
    """The tool-call response for this request, or None when the normal reply path should answer."""
    call = plan_tool_call(raw, messages, header, "")
    if call is None:
        return None
    sequence = next_sequence()
    call = ToolCall(f"call_mock{sequence:06d}", call.name, call.arguments)
    answer = ToolCallAnswer.build(f"chatcmpl-mock{sequence:06d}", int(time.time()), model, call, messages)
    return answer.response(stream, include_usage, {"x-request-id": f"req_mock{sequence:06d}"})
