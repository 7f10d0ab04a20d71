"""Reference solutions of lesson 10. ``@exercise(..., solutions=True)`` loads these in place of the stubs."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import jsonschema


def run_tool_call(call: Any, tools: Sequence[Mapping[str, Any]], functions: Mapping[str, Callable[..., Any]]
                  ) -> dict[str, str]:
    """Validate the model's arguments against the tool's schema, run the function, return the tool message."""
    schemas = {t["function"]["name"]: t["function"]["parameters"] for t in tools}
    name = call.function.name
    try:
        arguments = json.loads(call.function.arguments)
        jsonschema.validate(arguments, schemas[name])
    except (json.JSONDecodeError, jsonschema.ValidationError, KeyError) as error:
        content = f"error: invalid call of {name}: {error}"
    else:
        content = json.dumps(functions[name](**arguments))
    return {"role": "tool", "tool_call_id": call.id, "content": content}
