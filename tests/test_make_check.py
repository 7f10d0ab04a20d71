"""``make check``: a learner's notebook runs without solutions and the report says where each exercise stands."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from foundry_workshop.exercises import format_report, run_checks

PARAMETERS = 'from foundry_workshop import from_env\n\nSOLUTIONS = from_env("solutions")'
STUB = '''from foundry_workshop.exercises import check, exercise


@exercise("03.sse_data", solutions=SOLUTIONS)
def sse_data(line):
    raise NotImplementedError("Exercise 03.sse_data: recognise data lines")'''


@pytest.mark.slow
def test_a_learner_notebook_reports_each_exercise(tmp_path: Path) -> None:
    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell(PARAMETERS, metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell(STUB),
        nbformat.v4.new_code_cell('check("03.sse_data", sse_data)'),
        nbformat.v4.new_code_cell('print("the notebook went on after the check")'),
    ], metadata={"kernelspec": {"name": "foundry-workshop", "display_name": "Foundry Workshop (.venv)",
                                "language": "python"}, "language_info": {"name": "python"}})
    path = tmp_path / "03_my_rest_lesson.ipynb"
    nbformat.write(notebook, path)
    rows, runs = run_checks([path], tmp_path / "out")  # the suite's WORKSHOP_SOLUTIONS=1 is overridden
    assert [r.ok for r in runs] == [True], runs  # an unwritten exercise never stops the notebook
    assert [(r.exercise, r.status) for r in rows] == [("03.sse_data", "failed"), ("03.sse_text", "not reached")]
    assert rows[0].detail == "not written yet: Exercise 03.sse_data: recognise data lines"
    assert "never called check()" in rows[1].detail
    assert format_report(rows).endswith("0 of 2 exercises pass.")
