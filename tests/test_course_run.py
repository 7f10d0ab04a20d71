"""Instructors compare models: ``run_course`` runs notebooks once per alias and writes one comparison report.

Real kernels (papermill) against the session mock: two aliases the mock offers, one it does not. The unknown
alias is reported (with what exists), a notebook that fails on one alias is recorded, and the rest goes on.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from foundry_workshop.course import ANSWER_MIME, run_course, select_notebooks
from foundry_workshop.errors import ConfigurationError

ROOT = Path(__file__).parents[1]
SMOL, QWEN = "smollm2-135m-instruct-generic-cpu:1", "qwen2.5-0.5b-instruct-generic-cpu:4"
PROMPT = "What is the capital of France?"

pytestmark = pytest.mark.slow


def answering_notebook(folder: Path) -> Path:
    """A lesson-shaped notebook that records an answer and an exercise check, and fails on the qwen model."""
    cells = [
        new_markdown_cell("**Objectives.** Compare answers."),
        new_code_cell('from foundry_workshop import from_env\nBACKEND = from_env("backend")\nMODEL = from_env("model")',
                      metadata={"tags": ["parameters"]}),
        new_code_cell(
            "from foundry_workshop import connect\n"
            "from foundry_workshop.exercises import check, exercise\n"
            "from foundry_workshop.course import record_answer\n"
            "conn = connect(backend=BACKEND, model=MODEL)\n"
            f"messages = [{{'role': 'user', 'content': {PROMPT!r}}}]\n"
            "reply = conn.client.chat.completions.create(model=conn.model, messages=messages)\n"
            f"record_answer({PROMPT!r}, reply.choices[0].message.content, key='capital')\n"
            # a real exercise: the reference solution on smollm2, the unwritten stub on qwen (fails with its hint)
            f"@exercise('03.sse_data', solutions=conn.model == {SMOL!r})\n"
            "def sse_data(line):\n"
            "    raise NotImplementedError('Exercise 03.sse_data: recognise data lines')\n"
            "check('03.sse_data', sse_data)"),
        new_code_cell(f"if conn.model == {QWEN!r}:\n    raise RuntimeError('this lesson needs a bigger model')"),
    ]
    nb = new_notebook(cells=cells, metadata={"kernelspec": {"name": "foundry-workshop", "language": "python",
                                                            "display_name": "Foundry Workshop (.venv)"}})
    path = folder / "90_compare.ipynb"
    nbformat.write(nb, path)
    return path


def test_two_aliases_and_an_unknown_one_give_one_report(mock_server, tmp_path, monkeypatch):
    mock_server.clear_requests()
    # The generated notebook runs in tmp_path: its kernel finds the course's reference solutions this way.
    monkeypatch.setenv("WORKSHOP_SOLUTIONS_DIR", str(ROOT / "notebooks" / "solutions"))
    notebooks = [str(ROOT / "notebooks" / "01_basic_chat.ipynb"), str(answering_notebook(tmp_path))]
    lines: list[str] = []
    result = run_course(models="smollm2-135m-instruct, qwen2.5-0.5b, no-such-model", notebooks=notebooks,
                        backend="mock", out=tmp_path / "run", progress=lines.append)

    smol, qwen, unknown = result.aliases
    # The unknown alias: one clear message naming what exists, and none of its notebooks started.
    assert "no-such-model" in unknown.error and "qwen2.5-0.5b" in unknown.error
    assert unknown.notebooks == []
    # Every notebook ran on both known aliases; the failure on qwen is recorded with its message.
    assert [(n.notebook, n.ok) for n in smol.notebooks] == [("01_basic_chat.ipynb", True), ("90_compare.ipynb", True)]
    assert [(n.notebook, n.ok) for n in qwen.notebooks] == [("01_basic_chat.ipynb", True), ("90_compare.ipynb", False)]
    assert "this lesson needs a bigger model" in qwen.notebooks[1].error
    assert (smol.model_id, qwen.model_id) == (SMOL, QWEN)
    assert not result.ok and len(result.failures()) == 2
    # The kernels really talked to the server with each alias's model.
    asked = {r["json"]["model"] for r in mock_server.requests if r["path"] == "/v1/chat/completions"}
    assert asked >= {SMOL, QWEN}

    # Progress: a header per alias and one line per notebook with its time.
    assert sum(line.startswith("[") for line in lines) == 3
    assert sum("90_compare.ipynb" in line and " s" in line for line in lines) == 2

    # Answers and checks were read from the executed notebooks.
    answers = {n.answers[0].answer for n in (smol.notebooks[1], qwen.notebooks[1])}
    assert len(answers) == 2 and all(PROMPT in a for a in answers)  # the mock echoes the prompt, per model
    assert [(c.exercise, c.passed, c.reference) for c in smol.notebooks[1].checks] == [("03.sse_data", True, True)]
    (stub,) = qwen.notebooks[1].checks
    assert (stub.exercise, stub.passed, stub.reference) == ("03.sse_data", False, False)
    assert "recognise data lines" in stub.hint
    # The benchmark measured both known models (and was not asked about the unknown one).
    assert sorted(r["model"] for r in result.bench or []) == ["qwen2.5-0.5b", "smollm2-135m-instruct"]
    assert all(r["status"] == "ok" and r["decode_tps_mean"] for r in result.bench or [])

    # One report, three formats, with the figures it links.
    md = Path(result.reports["markdown"]).read_text()
    for section in ("## Status and time", "## Failures", "## Answers side by side", "## Exercise checks",
                    "## Benchmark", "## Environment"):
        assert section in md
    assert "| 90_compare.ipynb | ok " in md and "| FAILED " in md and "skipped (alias failed)" in md
    assert f"| 03.sse_data | passed (reference solution) | failed: {stub.hint} | - |" in md
    html = Path(result.reports["html"]).read_text()
    assert "<table>" in html and 'src="figures/notebook_times.png"' in html and 'src="figures/bench.png"' in html
    for figure in ("notebook_times.png", "bench.png"):
        assert (tmp_path / "run" / "figures" / figure).stat().st_size > 1000
    data = json.loads(Path(result.reports["json"]).read_text())
    assert [a["ok"] for a in data["aliases"]] == [True, False, False]
    assert data["environment"]["cpus"] and data["environment"]["packages"]["papermill"]
    # Executed copies keep the machine-readable answer output.
    executed = nbformat.read(tmp_path / "run" / "smollm2-135m-instruct" / "90_compare.ipynb", as_version=4)
    assert any(ANSWER_MIME in o.get("data", {}) for c in executed.cells for o in c.get("outputs", []))


def test_the_cli_runs_without_make_and_fails_on_a_failed_run(tmp_path):
    out = tmp_path / "run"
    result = subprocess.run(
        [sys.executable, "-m", "foundry_workshop.course", "run", "--backend", "mock", "--models", "no-such-model",
         "--notebooks", "00", "--out", str(out)],
        capture_output=True, text=True, timeout=120, cwd=ROOT,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "0 of 0 notebook runs passed" in result.stdout
    assert "no-such-model: UnknownModelError" in result.stdout
    assert (out / "report.html").exists() and (out / "report.md").exists()


def test_notebook_selection(tmp_path):
    folder = ROOT / "notebooks"
    assert [p.name for p in select_notebooks("00, 03", folder)] == ["00_setup_check.ipynb", "03_rest_requests.ipynb"]
    assert [p.name for p in select_notebooks(["02_streaming"], folder)] == ["02_streaming.ipynb"]
    assert select_notebooks(None, folder) == sorted(folder.glob("[0-9][0-9]_*.ipynb"))
    with pytest.raises(ConfigurationError, match=r"No notebook '99'.*00_setup_check"):
        select_notebooks("99", folder)
