"""Instructors swap models with papermill parameters: prove an injected alias reaches the server."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).parents[1]


def test_injected_parameters_reach_the_server(mock_server, tmp_path):
    mock_server.clear_requests()
    out = tmp_path / "notebooks"
    result = subprocess.run(
        [sys.executable, "-m", "foundry_workshop.notebook_runner", "--kernel", "foundry-workshop",
         "--out", str(out), "--param", "BACKEND=mock", "--param", "MODEL=qwen2.5-0.5b",
         str(ROOT / "notebooks" / "01_basic_chat.ipynb")],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    # Quiet: one line for the notebook (name, outcome, seconds) and a summary; no kernel transport warning
    # (the kernel runs with CurveZMQ keys provisioned by jupyter_client, see notebook_runner.quiet_kernel_config).
    assert "without encryption" not in result.stdout + result.stderr
    assert result.stdout.splitlines()[0].split()[:2] == ["01_basic_chat.ipynb", "ok"]
    assert len(result.stdout.splitlines()) == 2

    # The server saw the alias resolved to its full id - not the default model.
    chat_models = {r["json"]["model"] for r in mock_server.requests if r["path"] == "/v1/chat/completions"}
    assert chat_models == {"qwen2.5-0.5b-instruct-generic-cpu:4"}

    # papermill put the parameters in a cell of their own right after the defaults.
    executed = nbformat.read(out / "01_basic_chat.ipynb", as_version=4)
    tags = [c.metadata.get("tags", []) for c in executed.cells]
    injected = next(i for i, t in enumerate(tags) if "injected-parameters" in t)
    assert "parameters" in tags[injected - 1]
    assert 'MODEL = "qwen2.5-0.5b"' in executed.cells[injected].source

    report = json.loads((tmp_path / "run-report.json").read_text())
    assert report["parameters"] == {"BACKEND": "mock", "MODEL": "qwen2.5-0.5b"}
    assert [r["ok"] for r in report["results"]] == [True]
    assert "| 01_basic_chat.ipynb | ok |" in (tmp_path / "run-report.md").read_text()


def test_a_failing_notebook_is_reported_and_the_run_fails(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "foundry_workshop.notebook_runner", "--kernel", "foundry-workshop",
         "--out", str(tmp_path / "notebooks"), "--param", "BACKEND=nonsense",
         str(ROOT / "notebooks" / "00_setup_check.ipynb")],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 1
    report = json.loads((tmp_path / "run-report.json").read_text())
    assert report["results"][0]["ok"] is False
    assert "Unknown backend 'nonsense'" in report["results"][0]["error"]
