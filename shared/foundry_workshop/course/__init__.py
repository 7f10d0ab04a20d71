"""The instructors' toolbox: ``foundry_workshop.course``, the course's one command-line entry point.

``python -m foundry_workshop.course run|check|test|test-fast|lint|format|lab|chat|bench|kit|...`` is what the
Makefile and the standard-library bootstrap ``course.py`` call, on every OS. From Python::

    from foundry_workshop.course import run_course
    result = run_course(models="smollm2-135m-instruct,qwen2.5-0.5b", notebooks="02,05", backend="endpoint")
    result.reports["html"]        # one comparison report: status, time, answers, checks, benchmark, machine

A notebook makes its answers comparable across models with ``record_answer(prompt, answer)``.
"""

from __future__ import annotations

from foundry_workshop.browser.chromium import CHROMIUM_ARGS, chromium_problem, find_chromium
from foundry_workshop.course.answers import ANSWER_MIME, CHECK_MIME, Answer, Harvest, harvest, record_answer
from foundry_workshop.course.batch import run_course, select_notebooks
from foundry_workshop.course.kit import Kit, build_kit
from foundry_workshop.course.results import AliasRun, CourseRun, NotebookRun

__all__ = [
    "ANSWER_MIME", "CHECK_MIME", "CHROMIUM_ARGS", "AliasRun", "Answer", "CourseRun", "Harvest", "Kit",
    "NotebookRun", "build_kit", "chromium_problem", "find_chromium", "harvest", "record_answer", "run_course",
    "select_notebooks",
]
