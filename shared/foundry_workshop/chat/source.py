"""Show a Chainlit app's handlers in a lesson: their source, decorators included, as a Markdown code block.

Lesson 06 reads the handlers from the app's file rather than pasting them, so what the learner reads is
exactly what runs.
"""

from __future__ import annotations

import ast
from pathlib import Path

__all__ = ["function_names", "functions_markdown"]


def _functions(source: str) -> dict[str, ast.FunctionDef | ast.AsyncFunctionDef]:
    return {node.name: node for node in ast.parse(source).body
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)}


def function_names(path: Path) -> list[str]:
    """The top-level functions of the Python file at ``path``, in file order."""
    return list(_functions(path.read_text(encoding="utf-8")))


def functions_markdown(path: Path, *names: str) -> str:
    """The named top-level functions of ``path`` (decorators included) as one fenced Python block.

    An unknown name raises ``KeyError`` listing the functions the file has.
    """
    source = path.read_text(encoding="utf-8")
    found, lines = _functions(source), source.splitlines()
    parts = []
    for name in names:
        if name not in found:
            raise KeyError(f"{path.name} has no function {name!r}; it has: {', '.join(found)}")
        node = found[name]
        first = min([d.lineno for d in node.decorator_list] + [node.lineno])
        parts.append("\n".join(lines[first - 1 : node.end_lineno]))
    return "```python\n" + "\n\n\n".join(parts) + "\n```"
