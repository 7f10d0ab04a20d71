"""Where the reference solutions are, and how one is loaded.

Solutions are plain Python modules kept apart from the learner's notebooks, one per lesson:
``notebooks/solutions/<NN>_<slug>.py`` (``05_benchmarking.py``), with functions named like the stubs.
The folder is found through the setting ``WORKSHOP_SOLUTIONS_DIR``; unset, from the working directory:
``./solutions`` (a notebook's own folder: JupyterLab, nbval, ``make run``) or ``./notebooks/solutions``
(the repository root: papermill, ``make check``). The package never guesses from where it is installed.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

from foundry_workshop.errors import WorkshopError
from foundry_workshop.settings import env_value

SOLUTIONS_DIR_VAR = "WORKSHOP_SOLUTIONS_DIR"
_CANDIDATES = (Path("solutions"), Path("notebooks") / "solutions")
_modules: dict[Path, ModuleType] = {}


class SolutionNotFoundError(WorkshopError, LookupError):
    """The reference solution of an exercise could not be found."""


def solutions_dir() -> Path:
    """The folder of reference solutions (see the module docstring for the order it is looked up in)."""
    configured = env_value(SOLUTIONS_DIR_VAR)
    if configured:
        path = Path(configured).expanduser()
        if not path.is_dir():
            raise SolutionNotFoundError(
                f"{SOLUTIONS_DIR_VAR} is {configured!r}, which is not a folder. "
                "Point it at the course's notebooks/solutions folder, or unset it."
            )
        return path.resolve()
    for candidate in _CANDIDATES:
        if candidate.is_dir():
            return candidate.resolve()
    raise SolutionNotFoundError(
        f"No reference solutions in {Path.cwd()} (looked for ./solutions and ./notebooks/solutions). "
        f"Run from the repository or the notebooks folder, or set {SOLUTIONS_DIR_VAR} to notebooks/solutions."
    )


def _module_for(lesson: str, folder: Path) -> ModuleType:
    files = sorted(folder.glob(f"{lesson}_*.py"))
    if len(files) != 1:
        found = ", ".join(f.name for f in files) or "none"
        raise SolutionNotFoundError(
            f"Expected one solutions file {lesson}_<slug>.py in {folder}, found {found}."
        )
    path = files[0].resolve()
    if path not in _modules:
        spec = importlib.util.spec_from_file_location(f"workshop_solutions_{lesson}", path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        _modules[path] = module
    return _modules[path]


def load_solution(lesson: str, name: str) -> Callable[..., Any]:
    """The reference function ``name`` of lesson ``lesson`` (``load_solution("05", "pick_model")``)."""
    folder = solutions_dir()
    module = _module_for(lesson, folder)
    function = getattr(module, name, None)
    if not callable(function):
        raise SolutionNotFoundError(
            f"{Path(module.__file__ or folder).name} defines no function {name!r}: "
            "a reference solution is named like the stub it replaces."
        )
    return function
