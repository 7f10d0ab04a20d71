"""Lesson 04 on the Windows/macOS path: its REST cells run against the Foundry Local service emulation.

The kernel reaches the emulation through FOUNDRY_LOCAL_ENDPOINT (the endpoint backend), as a learner's does with
the URL `foundry service status` prints (the emulated CLI generation; 0.10 and later: `foundry server status`).
The catalog, load and unload cells must run, not skip, and their requests must reach the service's own routes.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import nbformat

from foundry_workshop.mock import MockServer

ROOT = Path(__file__).parents[1]
COURSE_MODEL = "smollm2-135m-instruct-generic-cpu:1"


def test_lesson_04_rest_cells_run_on_the_service_emulation(tmp_path):
    with MockServer(profile="foundry-service") as service:
        env = {**os.environ, "FOUNDRY_LOCAL_ENDPOINT": service.url, "WORKSHOP_BACKEND": "endpoint"}
        result = subprocess.run(
            [sys.executable, "-m", "foundry_workshop.notebook_runner", "--kernel", "foundry-workshop",
             "--out", str(tmp_path / "notebooks"), "--param", "BACKEND=endpoint",
             str(ROOT / "notebooks" / "04_model_catalog.ipynb")],
            capture_output=True, text=True, timeout=300, env=env,
        )
        paths = [r["path"] for r in service.requests]
    assert result.returncode == 0, result.stdout + result.stderr
    nb = nbformat.read(tmp_path / "notebooks" / "04_model_catalog.ipynb", as_version=4)
    text = "\n".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []))
    assert "Foundry Local service's REST API" not in text, "a REST cell was skipped on the service"
    assert "Phi-4-mini-instruct-generic-cpu:5" in text  # the catalog listing printed the service's variants
    assert f"/openai/unload/{COURSE_MODEL}" in paths and f"/openai/load/{COURSE_MODEL}" in paths
    assert paths.index(f"/openai/unload/{COURSE_MODEL}") < paths.index(f"/openai/load/{COURSE_MODEL}")
    assert "/openai/loadedmodels" in paths and "/foundry/list" in paths
    assert f"loaded now: ['{COURSE_MODEL}']" in text  # loaded again at the end of the cell
