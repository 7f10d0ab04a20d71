"""Lessons 00, 01 and 04 on the Windows/macOS path: the endpoint backend against the Foundry Local service emulation.

The kernels reach the emulation through FOUNDRY_LOCAL_ENDPOINT, as a learner's do with the URL that
`foundry server status` prints (`foundry service status` on the CLI generation the emulation reproduces). One
papermill run covers the three lessons: lesson 04's catalog, load and unload cells must run, not skip, and their
requests must reach the service's own routes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import nbformat
import pytest

from foundry_workshop.mock import MockServer

ROOT = Path(__file__).parents[1]
COURSE_MODEL = "smollm2-135m-instruct-generic-cpu:1"
LESSONS = ("00_setup_check", "01_basic_chat", "04_model_catalog")


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("service-run")
    with MockServer(profile="foundry-service") as service:
        env = {**os.environ, "FOUNDRY_LOCAL_ENDPOINT": service.url, "WORKSHOP_BACKEND": "endpoint"}
        result = subprocess.run(
            [sys.executable, "-m", "foundry_workshop.notebook_runner", "--kernel", "foundry-workshop",
             "--out", str(out / "notebooks"), "--param", "BACKEND=endpoint",
             *(str(ROOT / "notebooks" / f"{name}.ipynb") for name in LESSONS)],
            capture_output=True, text=True, timeout=600, env=env,
        )
        requests = service.requests
    return {"result": result, "out": out, "requests": requests}


def test_the_lessons_run_on_the_service(run: dict[str, Any]):
    result = run["result"]
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads((run["out"] / "run-report.json").read_text())
    assert [r["ok"] for r in report["results"]] == [True] * len(LESSONS)


def test_connect_reads_the_catalog_and_chats_with_the_exact_id(run: dict[str, Any]):
    paths = {r["path"] for r in run["requests"]}
    assert "/foundry/list" in paths  # connect() read the service's catalog
    chats = [r for r in run["requests"] if r["path"] == "/v1/chat/completions"]
    assert chats and {r["json"]["model"] for r in chats} == {COURSE_MODEL}  # the exact id the service needs


def test_lesson_04_rest_cells_ran_on_the_service(run: dict[str, Any]):
    paths = [r["path"] for r in run["requests"]]
    nb = nbformat.read(run["out"] / "notebooks" / "04_model_catalog.ipynb", as_version=4)
    text = "\n".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []))
    assert "Foundry Local service's REST API" not in text, "a REST cell was skipped on the service"
    assert "Phi-4-mini-instruct-generic-cpu:5" in text  # the catalog listing printed the service's variants
    assert f"/openai/unload/{COURSE_MODEL}" in paths and f"/openai/load/{COURSE_MODEL}" in paths
    assert paths.index(f"/openai/unload/{COURSE_MODEL}") < paths.index(f"/openai/load/{COURSE_MODEL}")
    assert "/openai/loadedmodels" in paths and "/foundry/list" in paths
    assert f"loaded now: ['{COURSE_MODEL}']" in text  # loaded again at the end of the cell
