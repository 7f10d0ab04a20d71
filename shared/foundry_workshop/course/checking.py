"""``course check``: run the learner's own notebooks (no reference solutions) and list the exercise results.

The checks themselves belong to ``foundry_workshop.exercises``; they leave machine-readable outputs in the
executed notebook (see :mod:`.answers`), which this reads back, so the summary is exactly what the learner saw.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from foundry_workshop.course.answers import harvest
from foundry_workshop.course.batch import KERNEL, environ_for_kernels, select_notebooks
from foundry_workshop.notebook_runner import progress_line, run_notebook


def check_notebooks(selectors: str | Sequence[str] | None = None, *, backend: str | None = None,
                    out: str | Path = "build/check", notebook_dir: str | Path = "notebooks") -> int:
    """Print one line per notebook and per exercise check; 0 when every notebook ran and every check passed."""
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    params = {"BACKEND": backend} if backend else {}
    passed = failed = 0
    broken = []
    checks_file = str((folder / "checks.jsonl").resolve())
    with environ_for_kernels({"WORKSHOP_SOLUTIONS": "0", "WORKSHOP_CHECKS_FILE": checks_file}):
        for path in select_notebooks(selectors, notebook_dir):
            result = run_notebook(path, folder, KERNEL, params)
            print(progress_line(path.name, result), flush=True)
            if not result.ok:
                broken.append(path.name)
            for check in harvest(result.output).checks:
                passed += check.passed
                failed += not check.passed
                print(f"    {'passed' if check.passed else 'not yet'}  {check.exercise}"
                      + ("" if check.passed or not check.hint else f": {check.hint}"))
    print(f"{passed} exercise(s) passed, {failed} not yet" + (f"; notebooks that stopped: {', '.join(broken)}"
                                                             if broken else ""))
    return 0 if not failed and not broken else 1
