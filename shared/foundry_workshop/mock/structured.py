"""``response_format``: answer ``json_schema`` requests with JSON that matches the schema, deterministically.

``{"type": "json_schema", "json_schema": {"schema": ...}}`` gets an instance made by
:func:`~.tool_calls.sample_value` (strings: the last word of the user's message); ``{"type": "json_object"}``
gets ``{"reply": <the usual mock reply>}``; ``{"type": "text"}`` changes nothing. The JSON is streamed and cut
by ``max_tokens`` like any reply, so a too-small ``max_tokens`` gives truncated JSON, as real servers do.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from foundry_workshop.tokens import split_tokens

from .tool_calls import _last_word, sample_value, tool_result_reply
from .wire import CompletionPlan, count_prompt_tokens, invalid_request, reply_text


def structured_text(body: Mapping[str, Any], messages: Sequence[Mapping[str, Any]], model: str) -> str | None:
    """The JSON text this request's ``response_format`` asks for, or None for plain text."""
    fmt = body.get("response_format")
    if fmt is None:
        return None
    kind = fmt.get("type") if isinstance(fmt, Mapping) else None
    if kind == "text":
        return None
    if kind == "json_object":
        return json.dumps({"reply": reply_text(messages, model)})
    if kind == "json_schema":
        spec = fmt.get("json_schema")
        if not isinstance(spec, Mapping) or not isinstance(spec.get("name"), str):
            raise invalid_request("Missing required parameter: 'response_format.json_schema.name'.",
                                  "response_format.json_schema.name", "missing_required_parameter")
        schema = spec.get("schema") or {"type": "object"}
        if not isinstance(schema, Mapping):
            raise invalid_request("Invalid type for 'response_format.json_schema.schema': expected an object.",
                                  "response_format.json_schema.schema", "invalid_type")
        return json.dumps(sample_value(schema, _last_word(messages)))
    raise invalid_request(
        f"Invalid value for 'response_format.type': {kind!r}. Supported values are: 'text', 'json_object', "
        "'json_schema'.", "response_format.type", "invalid_value")


def plan_type_for(raw: Mapping[str, Any], messages: Sequence[Mapping[str, Any]], model: str) -> type[CompletionPlan]:
    """The plan builder for this request: JSON for ``response_format``, a quote after a tool result, else the usual."""
    text = structured_text(raw, messages, model) or tool_result_reply(messages)
    if text is None:
        return CompletionPlan
    fixed = text

    class FixedTextPlan(CompletionPlan):
        @classmethod
        def build(cls, messages: list[dict[str, Any]], model: str, max_tokens: int | None, completion_id: str,
                  created: int) -> CompletionPlan:
            pieces, finish = tuple(split_tokens(fixed)), "stop"
            if max_tokens is not None and len(pieces) > max_tokens:
                pieces, finish = pieces[:max_tokens], "length"
            return cls(completion_id, created, model, pieces, finish, count_prompt_tokens(messages))

    return FixedTextPlan
