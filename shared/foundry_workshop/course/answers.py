"""Machine-readable outputs of a lesson: answers to prompts and exercise checks, as display outputs.

A notebook that shows a model's answer with :func:`record_answer` leaves a display output carrying the
course's answer MIME type next to the usual text. papermill keeps it in the executed copy, so a batch run
(:func:`foundry_workshop.course.run_course`) can put the answers of several models to the same prompt side by
side without parsing printed text. Exercise checks (``foundry_workshop.exercises.check``) leave
:data:`CHECK_MIME` outputs the same way. Both are read back by :func:`harvest`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from foundry_workshop.exercises import MIME_TYPE, CheckResult

ANSWER_MIME = "application/vnd.foundry-workshop.answer+json"
#: The record ``foundry_workshop.exercises.check()`` leaves (its ``CheckResult`` as JSON).
CHECK_MIME = MIME_TYPE


def record_answer(prompt: str, answer: str, *, key: str | None = None, show: bool = True) -> None:
    """Show ``answer`` (when ``show``) and record it with its ``prompt`` for the instructors' comparison report.

    ``key`` names the prompt across models (default: the prompt text itself). Outside IPython the answer is
    only printed: recording needs a notebook.
    """
    from IPython import get_ipython  # lazy: the CLI and scripts import this module without a kernel
    from IPython.display import display

    if get_ipython() is None:
        if show:
            print(answer)
        return
    payload = {"key": key or prompt, "prompt": prompt, "answer": answer}
    display({ANSWER_MIME: payload, "text/plain": answer if show else ""}, raw=True)


@dataclass(frozen=True)
class Answer:
    key: str
    prompt: str
    answer: str


@dataclass(frozen=True)
class Harvest:
    """What an executed notebook recorded machine-readably."""

    answers: tuple[Answer, ...] = ()
    checks: tuple[CheckResult, ...] = ()


def _outputs(notebook: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for cell in notebook.get("cells", []):
        if cell.get("cell_type") == "code":
            yield from cell.get("outputs", [])


def _payload(output: dict[str, Any], mime: str) -> dict[str, Any] | None:
    data = output.get("data") or {}
    value = data.get(mime)
    if isinstance(value, str):  # some writers store JSON bundles as text
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            return None
    return value if isinstance(value, dict) else None


def harvest(path: str | Path) -> Harvest:
    """Answers and checks recorded in the executed notebook at ``path`` (empty if it has none or is missing)."""
    try:
        notebook = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return Harvest()
    answers, checks = [], []
    for output in _outputs(notebook):
        if (a := _payload(output, ANSWER_MIME)) is not None:
            answers.append(Answer(str(a.get("key") or a.get("prompt", "")), str(a.get("prompt", "")),
                                  str(a.get("answer", ""))))
        if (c := _payload(output, CHECK_MIME)) is not None:
            exercise = c.get("exercise") or c.get("id") or "?"
            checks.append(CheckResult(str(exercise), bool(c.get("passed")), str(c.get("hint") or ""),
                                      bool(c.get("reference"))))
    return Harvest(tuple(answers), tuple(checks))
