"""The exercise machinery itself: registry, solutions lookup, check() results, records and display."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from foundry_workshop import from_env
from foundry_workshop.errors import ConfigurationError
from foundry_workshop.exercises import (
    MIME_TYPE,
    SolutionNotFoundError,
    UnknownExerciseError,
    check,
    evaluate,
    exercise,
    format_report,
    list_exercises,
    register,
    solutions_dir,
)
from foundry_workshop.exercises import registry as registry_module
from foundry_workshop.exercises.learner_run import ExerciseStatus, read_results, statuses
from foundry_workshop.notebook_runner import NotebookResult


@pytest.fixture
def demo(clean_env: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[pytest.MonkeyPatch]:
    """Exercise 99.double with its check, and a solutions folder in the working directory (tmp_path)."""

    @register("99.double")
    def check_double(double, *, factor: int = 2) -> str | None:
        """double(x) returns 2 * x."""
        got = double(21)
        return None if got == 42 else f"double(21) should be 42, got {got!r}."

    (tmp_path / "solutions").mkdir()
    (tmp_path / "solutions" / "99_demo.py").write_text("def double(x):\n    return 2 * x\n")
    yield clean_env
    registry_module._REGISTRY.pop("99.double", None)


def double(x):
    raise NotImplementedError("Exercise 99.double: multiply by two")


stub = double  # the learner's untouched stub


def test_solutions_setting_reads_yes_and_no(clean_env: pytest.MonkeyPatch) -> None:
    assert from_env("solutions") is False
    for raw, expected in [("1", True), ("yes", True), ("TRUE", True), ("0", False), ("no", False)]:
        clean_env.setenv("WORKSHOP_SOLUTIONS", raw)
        assert from_env("solutions") is expected
    clean_env.setenv("WORKSHOP_SOLUTIONS", "maybe")
    with pytest.raises(ConfigurationError, match="WORKSHOP_SOLUTIONS"):
        from_env("solutions")


def test_learner_mode_keeps_the_stub_and_solutions_mode_swaps_in_the_reference(demo) -> None:
    assert exercise("99.double", solutions=False)(stub) is stub
    solution = exercise("99.double", solutions=True)(stub)
    assert solution is not stub and solution(4) == 8


def test_solutions_folder_from_setting_or_working_directory(demo, tmp_path: Path) -> None:
    assert solutions_dir() == (tmp_path / "solutions").resolve()
    nested = tmp_path / "repo" / "notebooks" / "solutions"
    nested.mkdir(parents=True)
    demo.chdir(tmp_path / "repo")  # the repository root: papermill, make check
    assert solutions_dir() == nested.resolve()
    demo.setenv("WORKSHOP_SOLUTIONS_DIR", str(tmp_path / "missing"))
    with pytest.raises(SolutionNotFoundError, match="WORKSHOP_SOLUTIONS_DIR"):
        solutions_dir()


def test_a_missing_solution_function_says_how_it_is_named(demo) -> None:
    def triple(x):
        raise NotImplementedError

    with pytest.raises(SolutionNotFoundError, match="named like the stub"):
        exercise("99.double", solutions=True)(triple)


def test_results_stub_wrong_error_and_right(demo) -> None:
    assert evaluate("99.double", stub).hint == "not written yet: Exercise 99.double: multiply by two"
    assert evaluate("99.double", lambda x: x + 2).hint == "double(21) should be 42, got 23."
    crashed = evaluate("99.double", lambda x: x / "2")
    assert not crashed.passed and crashed.hint.startswith("TypeError: unsupported operand")
    assert "\n" not in crashed.hint and "Traceback" not in crashed.hint
    assert evaluate("99.double", lambda x: 2 * x).passed


def test_check_prints_and_appends_a_json_line(demo, tmp_path: Path, capsys) -> None:
    record = tmp_path / "checks.jsonl"
    demo.setenv("WORKSHOP_CHECKS_FILE", str(record))
    check("99.double", stub)
    check("99.double", exercise("99.double", solutions=True)(stub))
    out = capsys.readouterr().out
    assert "❌ 99.double: not written yet" in out and "✅ 99.double: passed (reference solution)" in out
    lines = [json.loads(line) for line in record.read_text().splitlines()]
    assert [(r["exercise"], r["passed"], r["reference"], r["lesson"]) for r in lines] == [
        ("99.double", False, False, "99"), ("99.double", True, True, "99")]
    assert read_results(record)["99.double"]["passed"] is True


def test_check_shows_a_rich_output_once_in_a_kernel(demo) -> None:
    shown = []

    class Shell:
        kernel = object()
        execution_count = 7

    demo.setattr("IPython.get_ipython", lambda: Shell())
    demo.setattr("IPython.display.display", lambda *objs, **kw: shown.append(objs))
    result = check("99.double", stub)
    assert shown[0][0][MIME_TYPE] == {"exercise": "99.double", "passed": False, "hint": result.hint,
                                      "reference": False}
    result._ipython_display_()  # the same cell's last expression: not shown again
    assert len(shown) == 1
    Shell.execution_count = 8
    result._ipython_display_()  # shown again when asked for in a later cell
    assert len(shown) == 2


def test_unknown_ids_list_the_known_ones(demo) -> None:
    with pytest.raises(UnknownExerciseError, match=r"99\.double"):
        evaluate("99.tripel", stub)
    with pytest.raises(ValueError, match="two-digit lesson"):
        exercise("double", solutions=False)
    assert ("99.double", "99", "double(x) returns 2 * x.") in [(i.id, i.lesson, i.title) for i in list_exercises()]


def test_report_marks_passed_failed_and_not_reached(demo) -> None:
    runs = [NotebookResult("notebooks/99_demo.ipynb", "out.ipynb", False, 1.0, "NameError: conn")]
    rows = statuses(runs, {})
    assert rows == [ExerciseStatus("99.double", "99", "double(x) returns 2 * x.", "not reached", "NameError: conn")]
    rows = statuses(runs, {"99.double": {"passed": False, "hint": "double(21) should be 42"}})
    assert rows[0].status == "failed"
    assert format_report(rows).endswith("0 of 1 exercises pass.")
