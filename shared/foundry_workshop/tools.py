"""Structured output and tool calling with the ``openai`` client: schemas, validation, the tool loop.

Lesson 10 writes these steps by hand first; this module is the same code, reusable and tested:

* :func:`json_schema_format` builds ``response_format`` for a JSON schema; :func:`parse_structured` parses and
  validates what came back (a server may ignore ``response_format``: never trust unchecked JSON).
* :class:`Tool` pairs a Python function with the JSON schema the model sees; :func:`validate_arguments`
  checks the arguments a model produced before anything runs.
* :func:`run_tool_loop`: the model asks for tools, the code validates and runs them, the model answers.
* :func:`supports_tool_calling`: what the Foundry Local catalog says about a model (``supportsToolCalling``).

A model that cannot call tools raises :class:`ToolCallingUnsupportedError`, with what to do about it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

import jsonschema

from foundry_workshop.errors import WorkshopError

if TYPE_CHECKING:
    import openai

    from foundry_workshop.connection import Connection

__all__ = [
    "InvalidToolArgumentsError", "StructuredOutputError", "Tool", "ToolCallingUnsupportedError", "ToolLoopResult",
    "ToolStep", "json_schema_format", "parse_structured", "run_tool_loop", "supports_tool_calling",
    "validate_arguments",
]


class StructuredOutputError(WorkshopError, ValueError):
    """The model's answer is not JSON, or not JSON that matches the schema."""


class InvalidToolArgumentsError(WorkshopError, ValueError):
    """The arguments a model produced for a tool are not valid JSON for the tool's schema."""


class ToolCallingUnsupportedError(WorkshopError):
    """The model (or the server) did not call a tool when one was required."""

    def __init__(self, model: str, detail: str) -> None:
        self.model = model
        super().__init__(
            f"Model {model!r} did not call a tool ({detail}). Tool calling needs a model trained for it and a "
            "server that turns `tools` into a grammar: on Foundry Local pick a model whose catalog entry has "
            "supportsToolCalling (e.g. qwen2.5-0.5b), on the bundled backend send tool_choice='required'. "
            "Without tools, ask for JSON with response_format and run the function yourself."
        )


def json_schema_format(name: str, schema: Mapping[str, Any]) -> dict[str, Any]:
    """``response_format`` asking for JSON that matches ``schema`` (OpenAI's ``json_schema`` type, strict)."""
    return {"type": "json_schema", "json_schema": {"name": name, "schema": dict(schema), "strict": True}}


def _schema_problem(value: Any, schema: Mapping[str, Any]) -> str | None:
    error = jsonschema.exceptions.best_match(jsonschema.Draft202012Validator(schema).iter_errors(value))
    if error is None:
        return None
    where = "/".join(str(p) for p in error.absolute_path) or "the top level"
    return f"at {where}: {error.message}"


def parse_structured(text: str | None, schema: Mapping[str, Any]) -> Any:
    """Parse ``text`` as JSON and check it against ``schema``; :class:`StructuredOutputError` says what is wrong."""
    try:
        value = json.loads(text or "")
    except json.JSONDecodeError as exc:
        raise StructuredOutputError(
            f"The answer is not JSON ({exc.msg} at character {exc.pos}): {(text or '')[:80]!r}. "
            "Send response_format with a JSON schema, and a max_tokens large enough for the whole object."
        ) from None
    problem = _schema_problem(value, schema)
    if problem:
        raise StructuredOutputError(f"The JSON does not match the schema {problem}. Check the schema you sent.")
    return value


@dataclass(frozen=True)
class Tool:
    """A Python function the model may call, described by a JSON schema for its keyword arguments."""

    name: str
    description: str
    parameters: Mapping[str, Any]
    function: Callable[..., Any] = field(compare=False)

    def spec(self) -> dict[str, Any]:
        """The entry for ``tools=[...]`` in a chat completion request."""
        return {"type": "function", "function": {
            "name": self.name, "description": self.description, "parameters": dict(self.parameters)}}


def validate_arguments(tool: Tool, raw: str | None) -> dict[str, Any]:
    """Parse a tool call's ``arguments`` string and check it against the tool's schema."""
    try:
        arguments = json.loads(raw or "{}")
    except json.JSONDecodeError as exc:
        raise InvalidToolArgumentsError(
            f"Arguments for {tool.name} are not JSON ({exc.msg}): {(raw or '')[:80]!r}. "
            "Nothing was run; send the error back to the model as the tool result so it can retry."
        ) from None
    if not isinstance(arguments, dict):
        raise InvalidToolArgumentsError(f"Arguments for {tool.name} must be a JSON object, got {arguments!r}.")
    problem = _schema_problem(arguments, tool.parameters)
    if problem:
        raise InvalidToolArgumentsError(
            f"Arguments for {tool.name} do not match its schema {problem}. Nothing was run; "
            "send the error back to the model as the tool result so it can retry."
        )
    return arguments


@dataclass(frozen=True)
class ToolStep:
    """One tool call: what the model asked for and what the code answered."""

    name: str
    arguments: str
    result: str
    ok: bool


@dataclass
class ToolLoopResult:
    answer: str
    steps: list[ToolStep]
    messages: list[dict[str, Any]]
    requests: int


def _run_call(tools: Mapping[str, Tool], name: str, raw: str) -> tuple[str, bool]:
    tool = tools.get(name)
    if tool is None:
        return f"error: no tool named {name!r}; available: {', '.join(tools)}", False
    try:
        arguments = validate_arguments(tool, raw)
    except InvalidToolArgumentsError as exc:
        return f"error: {exc}", False
    return json.dumps(tool.function(**arguments)), True


def run_tool_loop(
    client: openai.OpenAI, model: str, messages: Sequence[Mapping[str, Any]], tools: Sequence[Tool], *,
    tool_choice: str = "required", max_requests: int = 4, **options: Any,
) -> ToolLoopResult:
    """Ask, run the tools the model calls (validated first), send results back, until it answers in text.

    ``tool_choice`` applies to the first request (``"required"``: small models rarely call a tool on their
    own); later requests use ``"auto"`` so the model can answer. ``options`` go to every request.
    """
    by_name = {t.name: t for t in tools}
    history: list[Any] = [dict(m) for m in messages]  # the client's message TypedDicts, built from dicts
    steps: list[ToolStep] = []
    for request in range(1, max_requests + 1):
        choice: Any = tool_choice if request == 1 else "auto"
        response = client.chat.completions.create(
            model=model, messages=history, tools=[cast(Any, t.spec()) for t in tools], tool_choice=choice, **options)
        message = response.choices[0].message
        if not message.tool_calls:
            if request == 1 and choice == "required":
                raise ToolCallingUnsupportedError(model, f"it answered in text: {(message.content or '')[:60]!r}")
            return ToolLoopResult(message.content or "", steps, history, request)
        history.append(message.model_dump(exclude_none=True, include={"role", "content", "tool_calls"}))
        for call in message.tool_calls:
            result, ok = _run_call(by_name, call.function.name, call.function.arguments)
            steps.append(ToolStep(call.function.name, call.function.arguments, result, ok))
            history.append({"role": "tool", "tool_call_id": call.id, "content": result})
    raise ToolCallingUnsupportedError(model, f"it was still calling tools after {max_requests} requests")


def supports_tool_calling(conn: Connection) -> bool | None:
    """What Foundry Local's catalog says (``supportsToolCalling``); None when the backend has no catalog."""
    sdk_model = conn.details.get("sdk_model")
    return None if sdk_model is None else sdk_model.supports_tool_calling
