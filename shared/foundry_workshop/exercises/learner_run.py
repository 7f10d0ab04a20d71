"""``make check``: run the learner's notebooks as they are (no reference solutions) and report each exercise.

Each notebook with exercises runs with papermill against the configured backend, with ``SOLUTIONS`` off
and ``WORKSHOP_CHECKS_FILE`` pointing at a fresh file; every ``check()`` appends its result there. The
report lists every registered exercise of those lessons: passed, failed (with the hint), or not reached
(the notebook stopped before its check, with the error).

    python -m foundry_workshop.exercises notebooks/0*.ipynb            # what `make check` runs
    python -m foundry_workshop.exercises --param BACKEND=mock notebooks/01_basic_chat.ipynb
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from foundry_workshop.exercises.checking import CHECKS_FILE_VAR
from foundry_workshop.exercises.registry import list_exercises
from foundry_workshop.notebook_runner import NotebookResult, kernel_environment, run_notebook

_LESSON = re.compile(r"^(\d{2})_")


@dataclass(frozen=True)
class ExerciseStatus:
    """One row of the report: ``status`` is ``passed``, ``failed`` or ``not reached``."""

    exercise: str
    lesson: str
    title: str
    status: str
    detail: str = ""


def lesson_of(notebook: Path) -> str | None:
    """``notebooks/05_benchmarking.ipynb`` -> ``"05"``."""
    match = _LESSON.match(notebook.name)
    return match[1] if match else None


def read_results(checks_file: Path) -> dict[str, dict[str, Any]]:
    """The last recorded result of each exercise in a ``WORKSHOP_CHECKS_FILE``."""
    latest: dict[str, dict[str, Any]] = {}
    if checks_file.exists():
        for line in checks_file.read_text(encoding="utf-8").splitlines():
            if line.strip():
                record = json.loads(line)
                latest[record["exercise"]] = record
    return latest


def run_checks(
    notebooks: Sequence[Path],
    out_dir: Path,
    *,
    kernel: str = "foundry-workshop",
    parameters: dict[str, Any] | None = None,
) -> tuple[list[ExerciseStatus], list[NotebookResult]]:
    """Run the notebooks that have exercises without solutions; one status per registered exercise."""
    lessons = {info.lesson for info in list_exercises()}
    chosen = [n for n in notebooks if lesson_of(n) in lessons]
    out_dir.mkdir(parents=True, exist_ok=True)
    checks_file = (out_dir / "checks.jsonl").resolve()
    checks_file.write_text("", encoding="utf-8")
    runs = []
    with kernel_environment(WORKSHOP_SOLUTIONS="0", **{CHECKS_FILE_VAR: str(checks_file)}):
        for notebook in chosen:
            print(f"running {notebook} (your code, no solutions) ...", flush=True)
            runs.append(run_notebook(notebook, out_dir, kernel, {**(parameters or {}), "SOLUTIONS": False}))
    return statuses(runs, read_results(checks_file)), runs


def statuses(runs: Sequence[NotebookResult], results: dict[str, dict[str, Any]]) -> list[ExerciseStatus]:
    """Join what ran with what was recorded, for every registered exercise of the lessons that ran."""
    errors = {lesson_of(Path(r.notebook)): r.error for r in runs if not r.ok}
    rows = []
    for info in list_exercises():
        if info.lesson not in {lesson_of(Path(r.notebook)) for r in runs}:
            continue
        record = results.get(info.id)
        if record is None:
            detail = errors.get(info.lesson) or "the notebook ran but never called check() for it"
            rows.append(ExerciseStatus(info.id, info.lesson, info.title, "not reached", detail))
        elif record["passed"]:
            rows.append(ExerciseStatus(info.id, info.lesson, info.title, "passed"))
        else:
            rows.append(ExerciseStatus(info.id, info.lesson, info.title, "failed", record["hint"]))
    return rows


def format_report(rows: Sequence[ExerciseStatus]) -> str:
    """A plain-text table a learner reads in the terminal."""
    marks = {"passed": "✅", "failed": "❌", "not reached": "⏸"}
    lines = [f"{marks[r.status]} {r.exercise:28} {r.status}" + (f": {r.detail}" if r.detail else "") for r in rows]
    passed = sum(r.status == "passed" for r in rows)
    lines.append(f"{passed} of {len(rows)} exercises pass.")
    return "\n".join(lines)
