"""Reference solutions of lesson 03. ``@exercise(..., solutions=True)`` loads these in place of the stubs."""

from __future__ import annotations

import json
from collections.abc import Iterable


def sse_data(line: str) -> str | None:
    """The data of an SSE line ("data:" then one optional space), or None for any other line."""
    if not line.startswith("data:"):
        return None
    data = line[len("data:"):]
    return data[1:] if data.startswith(" ") else data


def sse_text(lines: Iterable[str]) -> str:
    """Join delta.content of every chunk until [DONE]; tolerate role-only and usage-only chunks."""
    parts = []
    for line in lines:
        data = sse_data(line)
        if data is None:
            continue
        if data == "[DONE]":
            break
        for choice in json.loads(data).get("choices") or []:
            parts.append(choice.get("delta", {}).get("content") or "")
    return "".join(parts)
