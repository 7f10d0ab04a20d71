"""Run a lesson's own cell source in the test process: the exact code a learner reads, against a chosen server."""

from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import Any

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


def code_cells(notebook: str) -> list[str]:
    """The source of every code cell of ``notebooks/<notebook>``, in order."""
    cells = json.loads((NOTEBOOKS / notebook).read_text(encoding="utf-8"))["cells"]
    return ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]


def imports_of(sources: list[str]) -> str:
    """Every top-level import statement of these cells (so later cells' names and annotations resolve)."""
    return "\n".join(ast.unparse(node) for source in sources for node in ast.parse(source).body
                     if isinstance(node, ast.Import | ast.ImportFrom))


def run_cell(notebook: str, marker: str, namespace: dict[str, Any]) -> dict[str, Any]:
    """Execute the one code cell containing ``marker`` (after the notebook's earlier imports) in ``namespace``."""
    cells = code_cells(notebook)
    matches = [i for i, source in enumerate(cells) if marker in source]
    assert len(matches) == 1, f"{notebook}: expected one cell containing {marker!r}, found {len(matches)}"
    index = matches[0]
    exec(compile(imports_of(cells[:index]), f"<{notebook} imports>", "exec"), namespace)
    exec(compile(cells[index], f"<{notebook} cell {index}>", "exec"), namespace)
    return namespace
