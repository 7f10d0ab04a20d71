"""Lessons and samples import only the public API: the package top level and the documented modules, and only
names those modules list in ``__all__`` (the architecture contract in docs/contributing.md; the package's inner
layers are checked by ``lint-imports``)."""

from __future__ import annotations

import ast
import importlib
import importlib.util
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: The documented modules lessons and samples may import from (optional ones are being added this round).
PUBLIC = {
    "foundry_workshop", "foundry_workshop.bench", "foundry_workshop.chat", "foundry_workshop.routing",
    "foundry_workshop.mock", "foundry_workshop.exercises", "foundry_workshop.failures",
    "foundry_workshop.foundry_local", "foundry_workshop.tokens", "foundry_workshop.browser",
    "foundry_workshop.openwebui", "foundry_workshop.course", "foundry_workshop.rag", "foundry_workshop.tools",
    "foundry_workshop.chat.deploy",
}


def _sources() -> list[tuple[str, str]]:
    found = []
    for notebook in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
        code = "\n".join(
            line for cell in cells if cell["cell_type"] == "code"
            for line in "".join(cell["source"]).splitlines() if not line.lstrip().startswith(("%", "!"))
        )
        found.append((notebook.name, code))
    for script in sorted((ROOT / "samples").rglob("*.py")) + sorted((ROOT / "notebooks" / "solutions").glob("*.py")):
        found.append((str(script.relative_to(ROOT)), script.read_text(encoding="utf-8")))
    return found


def _imports(code: str) -> list[tuple[str, list[str]]]:
    tree = compile(code, "<lesson>", "exec", flags=ast.PyCF_ONLY_AST | ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("foundry_workshop"):
            found.append((node.module, [alias.name for alias in node.names]))
        elif isinstance(node, ast.Import):
            found += [(a.name, []) for a in node.names if a.name.startswith("foundry_workshop")]
    return found


SOURCES = _sources()


@pytest.mark.parametrize(("where", "code"), SOURCES, ids=[name for name, _ in SOURCES])
def test_lessons_and_samples_import_only_public_names(where, code):
    for module, names in _imports(code):
        assert module in PUBLIC, f"{where} imports {module}: not a public module ({sorted(PUBLIC)})"
        exported = getattr(importlib.import_module(module), "__all__", None)
        assert exported is not None, f"{module} has no __all__"
        private = [n for n in names if n not in exported and importlib.util.find_spec(f"{module}.{n}") is None]
        assert not private, f"{where} imports {private} from {module}, which does not export them in __all__"
