"""Checks of lesson 10 (structured output and tool calling)."""

from __future__ import annotations

import json
from typing import Any

from openai.types.chat import ChatCompletionMessageFunctionToolCall

from foundry_workshop.exercises.registry import register

_WEATHER = {"type": "function", "function": {
    "name": "get_weather", "description": "Current weather for a city",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"],
                   "additionalProperties": False}}}


def _call(arguments: str, name: str = "get_weather") -> ChatCompletionMessageFunctionToolCall:
    return ChatCompletionMessageFunctionToolCall.model_validate(
        {"id": "call_check", "type": "function", "function": {"name": name, "arguments": arguments}})


def _answer(run_tool_call: Any, call: ChatCompletionMessageFunctionToolCall, ran: list[str]) -> Any:
    def get_weather(city: str) -> dict[str, Any]:
        ran.append(city)
        return {"city": city, "temperature_c": 21}

    return run_tool_call(call, [_WEATHER], {"get_weather": get_weather})


@register("10.run_tool_call")
def check_run_tool_call(run_tool_call: Any) -> str | None:
    """run_tool_call(call, tools, functions) validates the arguments, runs the function, returns the tool message."""
    ran: list[str] = []
    message = _answer(run_tool_call, _call('{"city": "Oslo"}'), ran)
    if not isinstance(message, dict) or message.get("role") != "tool":
        return 'return the message to send back: {"role": "tool", "tool_call_id": call.id, "content": ...}.'
    if message.get("tool_call_id") != "call_check":
        return "tool_call_id must be the id of the call it answers (call.id): the model matches them up."
    if ran != ["Oslo"] or json.loads(message.get("content") or "null") != {"city": "Oslo", "temperature_c": 21}:
        return "run functions[name](**arguments) once and send its result as JSON text (json.dumps)."
    for bad, why in (('{"town": "Oslo"}', "an argument the schema does not allow"), ('{"city": ', "broken JSON"),
                     ('{"city": 7}', "a number where the schema wants a string")):
        ran.clear()
        try:
            message = _answer(run_tool_call, _call(bad), ran)
        except Exception as error:  # the learner's code may raise anything
            return f"{why} ({bad}) raised {type(error).__name__}: return an error message to the model instead."
        if ran:
            return f"validate before running: {why} ({bad}) reached the function."
        if not _reports_error(str(message.get("content", ""))):
            return (f"for {why} ({bad}) send back an error the model can read (content starting with 'error', "
                    'or JSON such as {"error": "..."}) so it can retry.')
    return None


def _reports_error(content: str) -> bool:
    """An error message the model can act on: text starting with "error", or a JSON object with an "error" key."""
    if content.lower().startswith("error"):
        return True
    try:
        parsed = json.loads(content)
    except ValueError:
        return False
    return isinstance(parsed, dict) and "error" in parsed
