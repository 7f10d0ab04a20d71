"""Run the course's notebooks once per model alias and collect what a comparison needs: ``run_course``.

An instructor choosing the room's model runs the same lessons on several aliases. Each (alias, notebook)
pair is one papermill job in its own kernel; a failure is recorded and the run goes on. Before an alias's
notebooks start, one ``connect()`` checks that the backend offers it, so an unknown alias costs one clear
message instead of one failed kernel per notebook. A short benchmark of the aliases that worked adds
comparable numbers. :mod:`.report` turns the result into Markdown and HTML.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from foundry_workshop import connect
from foundry_workshop.course.answers import harvest
from foundry_workshop.course.environment import environment
from foundry_workshop.course.report import write_course_report
from foundry_workshop.course.results import AliasRun, CourseRun, NotebookRun
from foundry_workshop.errors import ConfigurationError
from foundry_workshop.failures import classify
from foundry_workshop.notebook_runner import kernel_environment, progress_line, run_notebook
from foundry_workshop.settings import build_dir, resolve

KERNEL = "foundry-workshop"
#: Label of the run that sets no model (each notebook's default, from the environment).
DEFAULT_LABEL = "default"


def _names(value: str | Sequence[str] | None) -> list[str]:
    if value is None:
        return []
    items = value.split(",") if isinstance(value, str) else list(value)
    return [str(item).strip() for item in items if str(item).strip()]


def select_notebooks(
    selectors: str | Sequence[str | Path] | None, notebook_dir: str | Path = "notebooks"
) -> list[Path]:
    """The lesson notebooks named by ``selectors`` (``"02,05"``, ``["02_streaming"]``, paths); all when empty."""
    folder = Path(notebook_dir)
    lessons = sorted(folder.glob("[0-9][0-9]_*.ipynb"))
    if selectors is None or (isinstance(selectors, str) and not selectors.strip()):
        if not lessons:
            raise ConfigurationError(f"No lesson notebooks (NN_name.ipynb) in {folder.resolve()}.")
        return lessons
    chosen: list[Path] = []
    for item in [selectors] if isinstance(selectors, Path) else _names(selectors):  # type: ignore[arg-type]
        path = Path(item)
        if path.suffix == ".ipynb" and path.exists():
            chosen.append(path)
            continue
        stem = path.stem if path.suffix == ".ipynb" else str(item)
        matches = [p for p in lessons if p.stem == stem or p.stem.split("_", 1)[0] == stem]
        if not matches:
            names = ", ".join(p.stem for p in lessons) or "none"
            raise ConfigurationError(f"No notebook {item!r} in {folder}. Lessons: {names}. Use e.g. NOTEBOOKS=02,05.")
        chosen.extend(matches)
    return list(dict.fromkeys(chosen))


def safe_name(alias: str) -> str:
    """A folder name for ``alias`` on every OS (``qwen2.5-0.5b-instruct-generic-cpu:4`` has a colon)."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", alias) or "_"


def preflight(backend: str, alias: str) -> tuple[str | None, str]:
    """``(model id, "")`` when ``backend`` offers ``alias``, else ``(None, what went wrong and what to do)``."""
    try:
        with connect(backend=backend, model=alias) as conn:
            return conn.model, ""
    except Exception as exc:  # any failure to connect is the alias's result, not the end of the run
        return None, f"{type(exc).__name__}: {classify(exc).message}"


def _bench(backend: str, models: list[str], rounds: int) -> list[dict[str, Any]]:
    """A short benchmark (no warm-up, no concurrency sweep): comparable, cheap key figures per alias."""
    from foundry_workshop.bench import run_benchmark

    result = run_benchmark(backend=backend, models=models, rounds=rounds, warmup=0, concurrency=(),
                           max_tokens=64, progress=False)
    return [dict(row) for row in result.ranked()]


def run_course(
    models: str | Sequence[str] | None = None,
    notebooks: str | Sequence[str | Path] | None = None,
    backend: str | None = None,
    *,
    out: str | Path | None = None,
    notebook_dir: str | Path = "notebooks",
    kernel: str = KERNEL,
    parameters: Mapping[str, Any] | None = None,
    bench: bool = True,
    bench_rounds: int = 1,
    progress: Callable[[str], None] | None = print,
) -> CourseRun:
    """Execute ``notebooks`` once per alias in ``models`` on ``backend`` and write one comparison report.

    ``models``: aliases or ids (``"a,b,c"`` or a list); none runs each notebook's default model once.
    ``notebooks``: ``"02,05"``, names or paths (default: every lesson in ``notebook_dir``). ``backend``: default
    from ``WORKSHOP_BACKEND``/``.env``, else bundled. Executed copies go to ``out/<alias>/`` (default
    ``build/run``, see ``settings.build_dir``), the report to ``out/report.md`` and ``out/report.html``.
    Failures are recorded in the result, never raised.
    """
    say = progress or (lambda _line: None)
    chosen = select_notebooks(notebooks, notebook_dir)
    backend_name = resolve(backend=backend).backend
    aliases = _names(models)
    out_dir = Path(out) if out is not None else build_dir() / "run"
    out_dir.mkdir(parents=True, exist_ok=True)
    run = CourseRun(backend=backend_name, notebooks=[p.name for p in chosen], aliases=[],
                    parameters=dict(parameters or {}), environment=environment(backend_name))
    start = time.monotonic()
    labels = aliases or [DEFAULT_LABEL]
    for number, label in enumerate(labels, 1):
        alias = label if aliases else None
        say(f"[{number}/{len(labels)}] {label} on {backend_name}: {len(chosen)} notebook(s)")
        alias_run = AliasRun(label)
        run.aliases.append(alias_run)
        if alias is not None:
            alias_run.model_id, alias_run.error = preflight(backend_name, alias)
            if alias_run.error:
                say(f"  skipped: {alias_run.error}")
                continue
        target = out_dir / safe_name(label)
        target.mkdir(parents=True, exist_ok=True)
        params = {**run.parameters, "BACKEND": backend_name, **({"MODEL": alias} if alias else {})}
        kernel_env = {"WORKSHOP_SOLUTIONS": "1", "WORKSHOP_CHECKS_FILE": str((target / "checks.jsonl").resolve())}
        with kernel_environment(**kernel_env):
            for path in chosen:
                result = run_notebook(path, target, kernel, params)
                found = harvest(result.output)
                alias_run.notebooks.append(NotebookRun(path.name, result.ok, result.seconds, result.output,
                                                       result.error, list(found.answers), list(found.checks)))
                say("  " + progress_line(path.name, result))
    bench_models = [a.alias for a in run.aliases if not a.error] if aliases else [resolve(backend=backend_name).model]
    if bench and bench_models:
        say(f"benchmark: {', '.join(bench_models)} ({bench_rounds} round(s) per prompt)")
        try:
            run.bench = _bench(backend_name, bench_models, bench_rounds)
        except Exception as exc:  # the notebooks' results stand without the figures
            run.bench_error = f"{type(exc).__name__}: {exc}"
    run.seconds = time.monotonic() - start
    run.reports = {kind: str(path) for kind, path in write_course_report(run, out_dir).items()}
    say(f"report: {run.reports['html']}")
    return run
