"""The registry of exercise checks: one plain function per exercise id, registered with :func:`register`.

A check receives the learner's function (``candidate``) and whatever the notebook passes to
:func:`foundry_workshop.exercises.check` as keyword arguments (a client, a model id, data). It returns
``None`` when the candidate is right, or a hint: one sentence saying what is missing or wrong. It may
simply call the candidate and let it fail; :func:`~foundry_workshop.exercises.check` turns any exception
into a one-line hint.

Checks live in ``foundry_workshop/exercises/lessonNN.py``; every ``lesson*`` module of this package is
imported the first time the registry is read, so adding a module is all it takes to add checks.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Callable
from dataclasses import dataclass

from foundry_workshop.errors import WorkshopError

#: A check: ``check(candidate, **context) -> None`` (right) or a hint (wrong).
Check = Callable[..., "str | None"]

_ID = re.compile(r"^(?P<lesson>\d{2})\.(?P<name>[a-z_][a-z0-9_]*)$")


class UnknownExerciseError(WorkshopError, LookupError):
    """An exercise id that no check is registered for."""

    def __init__(self, exercise: str, known: list[str]) -> None:
        self.exercise = exercise
        super().__init__(
            f"No check is registered for exercise {exercise!r}. Known exercises: {', '.join(known) or '(none)'}. "
            "Check the id in the @exercise(...) and check(...) lines of the notebook."
        )


@dataclass(frozen=True)
class ExerciseInfo:
    """One exercise as the course lists it (``make check``, the instructors' report)."""

    id: str
    lesson: str
    title: str


@dataclass(frozen=True)
class _Entry:
    info: ExerciseInfo
    check: Check


_REGISTRY: dict[str, _Entry] = {}
_loaded = False


def parse_id(exercise: str) -> tuple[str, str]:
    """``"05.pick_model"`` -> ``("05", "pick_model")``; the name is the function the learner writes."""
    match = _ID.match(exercise)
    if not match:
        raise ValueError(
            f"Exercise ids look like '05.pick_model' (two-digit lesson, dot, function name), not {exercise!r}."
        )
    return match["lesson"], match["name"]


def register(exercise: str, *, title: str | None = None) -> Callable[[Check], Check]:
    """Register the decorated function as the check of ``exercise`` (``title``: its docstring's first line)."""
    lesson, _ = parse_id(exercise)

    def decorate(check: Check) -> Check:
        if exercise in _REGISTRY and _REGISTRY[exercise].check is not check:
            raise ValueError(f"Exercise {exercise!r} already has a check ({_REGISTRY[exercise].check.__qualname__}).")
        text = title or (check.__doc__ or exercise).strip().splitlines()[0]
        _REGISTRY[exercise] = _Entry(ExerciseInfo(exercise, lesson, text), check)
        return check

    return decorate


def _load_lessons() -> None:
    global _loaded
    if _loaded:
        return
    package = __name__.rpartition(".")[0]
    for module in pkgutil.iter_modules(importlib.import_module(package).__path__):
        if module.name.startswith("lesson"):
            importlib.import_module(f"{package}.{module.name}")
    _loaded = True


def get_check(exercise: str) -> Check:
    """The registered check of ``exercise``, or :class:`UnknownExerciseError` listing the known ids."""
    _load_lessons()
    if exercise not in _REGISTRY:
        raise UnknownExerciseError(exercise, sorted(_REGISTRY))
    return _REGISTRY[exercise].check


def list_exercises(lesson: str | None = None) -> list[ExerciseInfo]:
    """Every registered exercise (or one lesson's, ``lesson="05"``): by lesson, then in the order they are defined."""
    _load_lessons()
    infos = sorted((e.info for e in _REGISTRY.values()), key=lambda i: i.lesson)  # stable: keeps definition order
    return [i for i in infos if lesson is None or i.lesson == lesson]

