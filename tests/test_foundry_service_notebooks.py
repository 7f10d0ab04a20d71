"""Lessons 00 and 01 on the Windows/macOS path: the endpoint backend against the Foundry Local service emulation.

The kernel reaches the emulation through FOUNDRY_LOCAL_ENDPOINT, as a learner's does with the URL that
`foundry server status` prints.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from foundry_workshop.mock import MockServer

ROOT = Path(__file__).parents[1]
COURSE_MODEL = "smollm2-135m-instruct-generic-cpu:1"


def test_lessons_00_and_01_run_on_the_service_emulation(tmp_path):
    with MockServer(profile="foundry-service") as service:
        env = {**os.environ, "FOUNDRY_LOCAL_ENDPOINT": service.url, "WORKSHOP_BACKEND": "endpoint"}
        result = subprocess.run(
            [sys.executable, "-m", "foundry_workshop.notebook_runner", "--kernel", "foundry-workshop",
             "--out", str(tmp_path / "notebooks"), "--param", "BACKEND=endpoint",
             str(ROOT / "notebooks" / "00_setup_check.ipynb"), str(ROOT / "notebooks" / "01_basic_chat.ipynb")],
            capture_output=True, text=True, timeout=300, env=env,
        )
        requests = service.requests
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads((tmp_path / "run-report.json").read_text())
    assert [r["ok"] for r in report["results"]] == [True, True]
    paths = {r["path"] for r in requests}
    assert "/foundry/list" in paths  # connect() read the service's catalog
    chats = [r for r in requests if r["path"] == "/v1/chat/completions"]
    assert chats and {r["json"]["model"] for r in chats} == {COURSE_MODEL}  # the exact id the service needs
