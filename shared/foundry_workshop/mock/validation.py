"""Validation of ``POST /v1/chat/completions`` bodies.

Real servers reject malformed requests with a 400; a mock that silently accepted
them would let notebook bugs pass tests and then fail against Foundry Local.
Checks cover what the workshop code can plausibly get wrong; unknown fields are
ignored, as OpenAI-compatible servers do.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .wire import invalid_request

VALID_ROLES = ("system", "user", "assistant", "tool", "developer")


@dataclass(frozen=True)
class ChatRequest:
    """The fields of a chat request the mock acts on."""

    model: str
    messages: list[dict[str, Any]]
    stream: bool = False
    include_usage: bool = False
    max_tokens: int | None = None
    temperature: float | None = None


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _is_positive_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def parse_json_body(raw: bytes) -> object:
    """Decode a request body, or raise the 400 OpenAI returns for unparsable JSON."""
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise invalid_request(
            "We could not parse the JSON body of your request. The API expects a JSON payload "
            "(send it with Content-Type: application/json).",
        ) from None


def _validate_message(index: int, message: object) -> dict[str, Any]:
    param = f"messages[{index}]"
    if not isinstance(message, Mapping):
        raise invalid_request(f"Invalid type for '{param}': expected an object.", param, "invalid_type")
    role = message.get("role")
    if role is None:
        raise invalid_request(
            f"Missing required parameter: '{param}.role'.", f"{param}.role", "missing_required_parameter"
        )
    if role not in VALID_ROLES:
        supported = ", ".join(repr(r) for r in VALID_ROLES)
        raise invalid_request(
            f"Invalid value for '{param}.role': {role!r}. Supported values are: {supported}.",
            f"{param}.role",
            "invalid_value",
        )
    content = message.get("content")
    if content is not None and not isinstance(content, str | list):
        raise invalid_request(
            f"Invalid type for '{param}.content': expected a string, an array of content parts, or null.",
            f"{param}.content",
            "invalid_type",
        )
    _check_content_required(param, role, message)
    if isinstance(content, list):
        for part_index, part in enumerate(content):
            _check_content_part(f"{param}.content[{part_index}]", role, part)
    _check_message_fields(param, role, message)
    return dict(message)


#: Content part types OpenAI accepts per role (chat completions reference).
PART_TYPES = {"user": ("text", "image_url", "input_audio", "file"), "assistant": ("text", "refusal")}


def _check_content_required(param: str, role: str, message: Mapping[str, Any]) -> None:
    """``content`` is required, and not null, except on an assistant message that carries ``tool_calls``
    (or the legacy ``function_call``): what OpenAI answers with 400."""
    if role == "assistant" and (message.get("tool_calls") or message.get("function_call")):
        return
    if "content" not in message:
        raise invalid_request(
            f"Missing required parameter: '{param}.content'.", f"{param}.content", "missing_required_parameter"
        )
    if message["content"] is None:
        raise invalid_request(
            f"Invalid value for '{param}.content': expected a string, got null.", f"{param}.content", None
        )


def _check_content_part(param: str, role: str, part: object) -> None:
    if not isinstance(part, Mapping) or not isinstance(part.get("type"), str):
        raise invalid_request(
            f"Invalid content part '{param}': expected an object with a string 'type'.", param, "invalid_type"
        )
    allowed = PART_TYPES.get(role, ("text",))
    if part["type"] not in allowed:
        supported = ", ".join(repr(t) for t in allowed)
        raise invalid_request(
            f"Invalid value for '{param}.type': {part['type']!r}. Supported values for a {role} message are: "
            f"{supported}.", f"{param}.type", "invalid_value",
        )
    if part["type"] == "text" and not isinstance(part.get("text"), str):
        raise invalid_request(f"Invalid type for '{param}.text': expected a string.", f"{param}.text", "invalid_type")


def _check_message_fields(param: str, role: str, message: Mapping[str, Any]) -> None:
    """Types of the optional fields, and ``tool_call_id`` on tool messages."""
    if "name" in message and not isinstance(message["name"], str):
        raise invalid_request(f"Invalid type for '{param}.name': expected a string.", f"{param}.name", "invalid_type")
    if role == "tool" and not isinstance(message.get("tool_call_id"), str):
        raise invalid_request(
            f"Missing required parameter: '{param}.tool_call_id'.", f"{param}.tool_call_id",
            "missing_required_parameter",
        )
    tool_calls = message.get("tool_calls")
    if tool_calls is not None and (
        not isinstance(tool_calls, list) or not all(isinstance(c, Mapping) for c in tool_calls)
    ):
        raise invalid_request(
            f"Invalid type for '{param}.tool_calls': expected an array of objects.", f"{param}.tool_calls",
            "invalid_type",
        )


def _optional_positive_int(body: Mapping[str, Any], name: str) -> int | None:
    value = body.get(name)
    if value is None:
        return None
    if not _is_positive_int(value):
        raise invalid_request(
            f"Invalid value for '{name}': expected a positive integer, got {json.dumps(value)}.",
            name,
            "invalid_value",
        )
    return int(value)


def validate_chat_request(body: object) -> ChatRequest:
    """Check a decoded chat-completions body and return the fields the mock needs."""
    if not isinstance(body, Mapping):
        raise invalid_request("Invalid request body: expected a JSON object.", None, "invalid_type")

    model = body.get("model")
    if model is None:
        raise invalid_request("Missing required parameter: 'model'.", "model", "missing_required_parameter")
    if not isinstance(model, str):
        raise invalid_request("Invalid type for 'model': expected a string.", "model", "invalid_type")

    messages = body.get("messages")
    if messages is None:
        raise invalid_request(
            "Missing required parameter: 'messages'.", "messages", "missing_required_parameter"
        )
    if not isinstance(messages, list):
        raise invalid_request("Invalid type for 'messages': expected an array.", "messages", "invalid_type")
    if not messages:
        raise invalid_request(
            "Invalid 'messages': empty array. Expected an array with minimum length 1.",
            "messages",
            "empty_array",
        )
    checked = [_validate_message(i, m) for i, m in enumerate(messages)]

    temperature = body.get("temperature")
    if temperature is not None:
        if not _is_number(temperature):
            raise invalid_request(
                "Invalid type for 'temperature': expected a number.", "temperature", "invalid_type"
            )
        if not 0 <= temperature <= 2:
            raise invalid_request(
                f"Invalid 'temperature': {temperature} is outside the allowed range [0, 2].",
                "temperature",
                "invalid_value",
            )

    max_tokens = _optional_positive_int(body, "max_tokens")
    max_completion_tokens = _optional_positive_int(body, "max_completion_tokens")
    limit = min((v for v in (max_tokens, max_completion_tokens) if v is not None), default=None)

    stream = body.get("stream")
    if stream is not None and not isinstance(stream, bool):
        raise invalid_request("Invalid type for 'stream': expected a boolean.", "stream", "invalid_type")

    include_usage = False
    stream_options = body.get("stream_options")
    if stream_options is not None:
        if not isinstance(stream_options, Mapping):
            raise invalid_request(
                "Invalid type for 'stream_options': expected an object.", "stream_options", "invalid_type"
            )
        flag = stream_options.get("include_usage")
        if flag is not None and not isinstance(flag, bool):
            raise invalid_request(
                "Invalid type for 'stream_options.include_usage': expected a boolean.",
                "stream_options.include_usage",
                "invalid_type",
            )
        include_usage = bool(flag)

    return ChatRequest(
        model=model,
        messages=checked,
        stream=bool(stream),
        include_usage=include_usage,
        max_tokens=limit,
        temperature=float(temperature) if temperature is not None else None,
    )
