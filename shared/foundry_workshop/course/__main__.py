"""``python -m foundry_workshop.course COMMAND``: the course's one entry point (``make`` and ``course.py`` call it).

    run        every (or the chosen) notebook once per model, then one comparison report (build/run/)
    check      run your notebooks and list which exercises pass
    test       ruff + the whole test suite;  test-fast  the inner loop (no real model, browser or slow tests)
    lint       ruff + notebooks committed without outputs;  format  fix both
    lab        JupyterLab on the course kernel;  chat  the Chainlit app;  bench  the benchmark harness
    kit        fill a classroom kit (wheels + models) for offline installs
    foundry-model  convert the bundled model for Foundry Local;  embedding-model  lesson 11's embedding model
    browser-demo / browser-model  lesson 08's ONNX Runtime Web and exports;  browser  make sure tests have one

Examples:
    python -m foundry_workshop.course run --models smollm2-135m-instruct,qwen2.5-0.5b --notebooks 02,05
    python -m foundry_workshop.course test -k streaming        (arguments after the command go to pytest)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from foundry_workshop.course import tasks
from foundry_workshop.errors import WorkshopError
from foundry_workshop.notebook_runner import parse_param
from foundry_workshop.settings import BACKENDS, build_dir

#: Commands whose remaining arguments go to the tool they wrap.
PASSTHROUGH = {
    "test": "pytest", "test-fast": "pytest", "lab": "jupyter lab", "chat": "python -m foundry_workshop.chat",
    "bench": "python -m foundry_workshop.bench", "foundry-model": "python -m foundry_workshop.byom.build",
    "embedding-model": "python -m foundry_workshop.rag.build",
    "browser-demo": "python -m foundry_workshop.browser vendor",
    "browser-model": "python -m foundry_workshop.browser models",
}


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m foundry_workshop.course", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, tool in PASSTHROUGH.items():
        sub.add_parser(name, help=f"arguments after it go to {tool}", add_help=False)

    run = sub.add_parser("run", help="notebooks x models -> one comparison report")
    run.add_argument("--models", help="comma-separated aliases or ids (default: each notebook's default model)")
    run.add_argument("--model", help="one alias (the same as --models with one name)")
    run.add_argument("--notebooks", help="e.g. 02,05 or 02_streaming (default: every lesson)")
    run.add_argument("--backend", choices=BACKENDS, help="default: WORKSHOP_BACKEND, else bundled")
    run.add_argument("--param", action="append", type=parse_param, default=[], metavar="NAME=VALUE",
                     help="another papermill parameter (repeatable)")
    run.add_argument("--out", type=Path, help="default: build/run")
    run.add_argument("--no-bench", action="store_true", help="skip the short benchmark of the models")

    check = sub.add_parser("check", help="run notebooks (your edits, no solutions) and list exercise results")
    check.add_argument("--notebooks", help="e.g. 05 (default: every lesson)")
    check.add_argument("--backend", choices=BACKENDS)
    check.add_argument("--out", type=Path, help="default: build/check")

    kit = sub.add_parser("kit", help="download every wheel and copy the models into one folder to share")
    kit.add_argument("--out", type=Path, help="default: build/classroom-kit")
    kit.add_argument("--platform", help="pip platform tag for other machines, e.g. win_amd64, macosx_11_0_arm64")
    kit.add_argument("--python-version", help="e.g. 3.11 (with --platform)")

    sub.add_parser("lint", help="ruff + nbstripout --verify")
    sub.add_parser("format", help="ruff --fix + nbstripout")
    sub.add_parser("browser", help="make sure a Chromium is available for the browser tests")
    return p


def _run(args: argparse.Namespace) -> int:
    from foundry_workshop.course.batch import run_course

    root = tasks.repo_root()
    status = tasks.embedding_model()  # lesson 11 serves it (cached after the first build)
    if status:
        return status
    models = args.models or args.model
    result = run_course(models=models, notebooks=args.notebooks, backend=args.backend,
                        out=args.out or build_dir() / "run", notebook_dir=root / "notebooks",
                        parameters=dict(args.param), bench=not args.no_bench)
    failures = result.failures()
    ran = sum(len(a.notebooks) for a in result.aliases)
    print(f"{ran - sum(not n.ok for a in result.aliases for n in a.notebooks)} of {ran} notebook runs passed"
          f" in {result.seconds:.0f} s" + (f"; {len(failures)} failure(s):" if failures else ""))
    for line in failures:
        print(f"  {line}")
    return 0 if result.ok else 1


def _check(args: argparse.Namespace) -> int:
    """The exercises' own report (``python -m foundry_workshop.exercises``) on the selected notebooks."""
    from foundry_workshop.course.batch import KERNEL, select_notebooks

    root = tasks.repo_root()
    chosen = select_notebooks(args.notebooks, root / "notebooks")
    params = ["--param", f"BACKEND={args.backend}"] if args.backend else []
    out = args.out or build_dir() / "check"
    return tasks.run_module("foundry_workshop.exercises", "--kernel", KERNEL, "--out", out, *params, *chosen)


def _kit(args: argparse.Namespace) -> int:
    from foundry_workshop.course.kit import build_kit

    tasks.repo_root()
    out = args.out or build_dir() / "classroom-kit"
    print(f"filling {out} (pip download of every requirement; ~1 GB the first time)...", flush=True)
    kit = build_kit(out, platform=args.platform, python_version=args.python_version)
    print(f"{kit.wheels} files, {kit.bytes / 2**20:.0f} MiB, for {kit.platform}, in {kit.seconds:.0f} s"
          + (f"; models: {', '.join(kit.models)}" if kit.models else ""))
    print(f"learners install with: python course.py install --wheels {Path(out) / 'wheels'}")
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    try:
        if argv and argv[0] in PASSTHROUGH:
            command, rest = argv[0], argv[1:]
            if command in ("test", "test-fast"):
                return tasks.test(rest, fast=command == "test-fast")
            return {"lab": tasks.lab, "chat": tasks.chat, "bench": tasks.bench,
                    "foundry-model": tasks.foundry_model, "embedding-model": tasks.embedding_model,
                    "browser-demo": tasks.browser_demo, "browser-model": tasks.browser_model}[command](rest)
        args = parser().parse_args(argv)
        simple = {"lint": tasks.lint, "format": tasks.format_code, "browser": tasks.browser}
        if args.command in simple:
            return simple[args.command]()
        return {"run": _run, "check": _check, "kit": _kit}[args.command](args)
    except WorkshopError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
