"""Exercises the learner writes: a stub in the notebook, a check here, a reference solution apart.

In a notebook (the parameters cell has ``SOLUTIONS = from_env("solutions")``, env ``WORKSHOP_SOLUTIONS``)::

    from foundry_workshop.exercises import check, exercise

    @exercise("05.pick_model", solutions=SOLUTIONS)   # with SOLUTIONS the reference solution replaces the stub
    def pick_model(results):
        \"\"\"Return the alias with the lowest p95 latency among models scoring >= 3.\"\"\"
        raise NotImplementedError("Exercise 05.pick_model: ...")

    check("05.pick_model", pick_model, results=results)   # ✅, or ❌ with a hint

Checks are registered per lesson in ``foundry_workshop/exercises/lessonNN.py`` with :func:`register`;
reference solutions live in ``notebooks/solutions/<NN>_<slug>.py`` (found as :mod:`.solutions` explains).
``python -m foundry_workshop.exercises notebooks/*.ipynb`` (``make check``) runs the learner's notebooks
without solutions and reports which exercises pass.
"""

from __future__ import annotations

from foundry_workshop.exercises.checking import (
    CHECKS_FILE_VAR,
    MIME_TYPE,
    CheckResult,
    check,
    evaluate,
    exercise,
    hint_for,
)
from foundry_workshop.exercises.learner_run import ExerciseStatus, format_report, run_checks
from foundry_workshop.exercises.registry import (
    ExerciseInfo,
    UnknownExerciseError,
    list_exercises,
    parse_id,
    register,
)
from foundry_workshop.exercises.solutions import (
    SOLUTIONS_DIR_VAR,
    SolutionNotFoundError,
    load_solution,
    solutions_dir,
)

__all__ = [
    "CHECKS_FILE_VAR", "MIME_TYPE", "SOLUTIONS_DIR_VAR", "CheckResult", "ExerciseInfo", "ExerciseStatus",
    "SolutionNotFoundError", "UnknownExerciseError", "check", "evaluate", "exercise", "format_report",
    "hint_for", "list_exercises", "load_solution", "parse_id", "register", "run_checks", "solutions_dir",
]
