"""Every lesson notebook is committed clean and follows the course's shape."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

NOTEBOOKS = sorted((Path(__file__).parents[1] / "notebooks").glob("[0-9][0-9]_*.ipynb"))
EXTRA_KEYS = "metadata.papermill cell.metadata.papermill cell.metadata.execution"


def test_there_are_notebooks():
    assert len(NOTEBOOKS) >= 4


@pytest.fixture(scope="module")
def unstripped() -> set[str]:
    """Notebooks that stripping would change: ONE ``nbstripout --verify`` over all of them (~2.5 s each saved).

    ``--verify`` implies a dry run, which names every such file: "Dry run: would have stripped <file>"."""
    result = subprocess.run(
        [sys.executable, "-m", "nbstripout", "--verify", "--extra-keys", EXTRA_KEYS, *map(str, NOTEBOOKS)],
        capture_output=True, text=True,
    )
    assert result.returncode in (0, 1) and not result.stderr.strip(), result.stderr
    named = {line.split("would have stripped", 1)[1].strip() for line in result.stdout.splitlines()
             if "would have stripped" in line}
    assert bool(named) == (result.returncode == 1), result.stdout
    return named


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_outputs_are_stripped(path, unstripped):
    """nbstripout --verify exits non-zero if stripping would change the file."""
    assert str(path) not in unstripped, f"{path.name} has outputs or run metadata; run `make format`."


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_shape(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    first = nb.cells[0]
    assert first.cell_type == "markdown" and "**Objectives.**" in first.source, "first cell states objectives"
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1, "exactly one cell tagged `parameters`"
    params = tagged[0].source
    assert 'from_env("backend")' in params and 'from_env("model")' in params, "defaults read the environment"
    assert nb.metadata["kernelspec"]["name"] == "foundry-workshop"
    assert any("Exercise" in c.source for c in nb.cells if c.cell_type == "markdown"), "ends with an exercise"
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    assert any("check(" in c or "assert" in c for c in code), "the exercise is checked"
    if any("@exercise(" in c for c in code):
        assert 'from_env("solutions")' in params, "SOLUTIONS = from_env(\"solutions\") in the parameters cell"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_code_cells_are_short(path):
    """The course's rule: no code cell over 25 lines (longer code belongs in the package or a sample file)."""
    nb = nbformat.read(path, as_version=4)
    long = {i: len(c.source.splitlines()) for i, c in enumerate(nb.cells)
            if c.cell_type == "code" and len(c.source.splitlines()) > 25}
    assert not long, f"code cells over 25 lines (cell index: lines): {long}"
