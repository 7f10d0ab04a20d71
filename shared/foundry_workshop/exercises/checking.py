"""``@exercise`` and ``check()``: what a notebook calls.

``check()`` never raises because of the learner's code: a stub that still raises ``NotImplementedError``
gets "not written yet", any other exception a one-line hint with its type and message (a traceback is
noise to someone learning). The result is shown (✅ / ❌ with the hint) and recorded machine-readably: a
``application/vnd.foundry-workshop.check+json`` display output in the notebook, and a JSON line appended
to the file named by ``WORKSHOP_CHECKS_FILE`` when it is set (``make check`` reads those).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, TypeVar

import openai

from foundry_workshop.exercises.registry import get_check, parse_id
from foundry_workshop.exercises.solutions import load_solution
from foundry_workshop.failures import classify
from foundry_workshop.settings import env_value

MIME_TYPE = "application/vnd.foundry-workshop.check+json"
CHECKS_FILE_VAR = "WORKSHOP_CHECKS_FILE"
_REFERENCE = "__workshop_reference__"
_EXERCISE = "__workshop_exercise__"

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one check: ``hint`` says what to fix (empty when passed)."""

    exercise: str
    passed: bool
    hint: str = ""
    #: True when the function checked was the reference solution (``SOLUTIONS`` on), not the learner's.
    reference: bool = False

    @property
    def text(self) -> str:
        source = " (reference solution)" if self.reference else ""
        if self.passed:
            return f"✅ {self.exercise}: passed{source}"
        return f"❌ {self.exercise}: {self.hint}{source}"

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    def _ipython_display_(self) -> None:
        # check() already showed this result in the current cell; a bare `check(...)` on a cell's last line
        # would show it twice.
        shell = _shell()
        if shell is not None and getattr(self, "_shown_in", None) == shell.execution_count:
            return
        _show(self)


def exercise(exercise_id: str, *, solutions: bool = False) -> Callable[[F], F]:
    """Mark a function as the learner's answer to ``exercise_id``.

    With ``solutions=False`` (what a learner runs) the function is returned unchanged. With
    ``solutions=True`` (``make run``, the test suite) the reference solution of the same name from
    ``notebooks/solutions/<NN>_<slug>.py`` is returned instead, so executed notebooks are complete.
    """
    lesson, _ = parse_id(exercise_id)

    def decorate(function: F) -> F:
        chosen: Any = load_solution(lesson, function.__name__) if solutions else function
        try:
            setattr(chosen, _EXERCISE, exercise_id)
            if solutions:
                setattr(chosen, _REFERENCE, True)
        except (AttributeError, TypeError):  # a builtin or a bound method: nothing to mark
            pass
        return chosen

    return decorate


def hint_for(error: BaseException) -> str:
    """One line for an exception raised by the learner's code (or by a check calling it)."""
    message = " ".join(str(error).split())
    if isinstance(error, NotImplementedError):
        return f"not written yet: {message}" if message else "not written yet: replace the `raise NotImplementedError`."
    if isinstance(error, openai.OpenAIError):  # the server or the network: say which, and what to do next
        return f"{type(error).__name__}: {classify(error, endpoint=_endpoint_of(error)).message}"
    if len(message) > 300:
        message = message[:297] + "..."
    return f"{type(error).__name__}: {message}" if message else f"{type(error).__name__} was raised."


def _endpoint_of(error: openai.OpenAIError) -> str | None:
    """``http://host:port/v1`` of the request that failed, for the message (None if unknown)."""
    request = getattr(error, "request", None)
    if request is None:
        return None
    url = str(request.url)
    return url[: url.index("/v1") + 3] if "/v1" in url else url


def evaluate(exercise_id: str, candidate: Callable[..., Any], **context: Any) -> CheckResult:
    """Run the check of ``exercise_id`` on ``candidate`` without showing or recording anything."""
    run_check = get_check(exercise_id)
    reference = bool(getattr(candidate, _REFERENCE, False))
    try:
        hint = run_check(candidate, **context)
    except Exception as error:  # the learner's code may raise anything; the hint names it
        return CheckResult(exercise_id, False, hint_for(error), reference)
    if hint:
        return CheckResult(exercise_id, False, str(hint), reference)
    return CheckResult(exercise_id, True, "", reference)


def check(exercise_id: str, candidate: Callable[..., Any], **context: Any) -> CheckResult:
    """Check the learner's ``candidate`` for ``exercise_id``, show ✅ or ❌ with a hint, record the result."""
    result = evaluate(exercise_id, candidate, **context)
    _show(result)
    _record(result)
    return result


def _shell() -> Any:
    try:
        from IPython import get_ipython  # IPython is optional: scripts and tests run without it
    except ImportError:
        return None
    return get_ipython()


def _show(result: CheckResult) -> None:
    shell = _shell()
    if shell is None or not hasattr(shell, "kernel"):  # a terminal: print, no rich output
        print(result.text)
        return
    from IPython.display import display

    display({"text/plain": result.text, MIME_TYPE: result.to_json()}, raw=True)
    object.__setattr__(result, "_shown_in", shell.execution_count)


def _record(result: CheckResult) -> None:
    target = env_value(CHECKS_FILE_VAR)
    if not target:
        return
    line = {**result.to_json(), "lesson": parse_id(result.exercise)[0], "time": time.time()}
    with Path(target).open("a", encoding="utf-8") as file:
        file.write(json.dumps(line, ensure_ascii=False) + "\n")
