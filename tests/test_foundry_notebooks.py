"""The Foundry Local lessons run on real Foundry Local (offline, on the model `make foundry-model` builds)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from foundry_workshop.byom.store import Store

ROOT = Path(__file__).parents[1]

pytestmark = [
    pytest.mark.skipif(not Store.default().built,
                       reason="no converted model: run `make foundry-model` (make test does it)"),
    pytest.mark.foundry_local,
]


def outputs(path: Path) -> str:
    nb = nbformat.read(path, as_version=4)
    return "\n".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []))


def test_sdk_lessons_run_on_real_foundry_local(tmp_path):
    notebooks = [ROOT / "notebooks" / "01_basic_chat.ipynb", ROOT / "notebooks" / "04_model_catalog.ipynb"]
    result = subprocess.run(
        [sys.executable, "-m", "foundry_workshop.notebook_runner", "--kernel", "foundry-workshop",
         "--out", str(tmp_path / "notebooks"), "--param", "BACKEND=foundry", *map(str, notebooks)],
        capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    catalog = outputs(tmp_path / "notebooks" / "04_model_catalog.ipynb")
    assert "uses the Foundry Local SDK" not in catalog, "SDK cells were skipped on the foundry backend"
    assert "smollm2-135m-instruct-generic-cpu:1" in catalog
    assert "Paris" in catalog  # in-process ChatSession and HTTP both answered the probe question
    assert "over HTTP: 404" in catalog  # the local-catalog gap is shown, not hidden
    assert "alias: smollm2-135m-instruct" in outputs(tmp_path / "notebooks" / "01_basic_chat.ipynb")
