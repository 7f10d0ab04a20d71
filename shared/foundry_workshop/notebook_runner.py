"""Run the course notebooks as parameterized jobs with papermill: ``make run`` calls this.

Each notebook runs in its own kernel with its folder as working directory (as nbval and JupyterLab do),
the executed copy goes to ``--out``, and a report (Markdown and JSON) says what ran, with which
parameters, how long it took, and what failed. One failing notebook does not stop the others.
Exercises run their reference solutions (``WORKSHOP_SOLUTIONS=1`` unless set), so executed copies are complete.

    python -m foundry_workshop.notebook_runner --kernel foundry-workshop --out build/notebooks \\
        --param BACKEND=mock --param MODEL=qwen2.5-0.5b notebooks/*.ipynb
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any


@dataclass
class NotebookResult:
    notebook: str
    output: str
    ok: bool
    seconds: float
    error: str = ""


def parse_param(text: str) -> tuple[str, Any]:
    """``NAME=VALUE`` with VALUE read as JSON when it is JSON (``3``, ``true``, ``[1, 2]``), else a string."""
    name, sep, raw = text.partition("=")
    if not sep or not name.isidentifier():
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
    try:
        return name, json.loads(raw)
    except json.JSONDecodeError:
        return name, raw


@contextlib.contextmanager
def kernel_environment(**values: str) -> Iterator[None]:
    """Set environment variables for the kernels started inside the block (they inherit this process's
    environment: the only way to reach a kernel besides parameters), and restore them afterwards."""
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, old in saved.items():
            if old is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = old


def quiet_kernel_config() -> Any:
    """Kernel-manager settings that keep ipykernel's "Kernel is running over TCP without encryption" away.

    ipykernel logs that warning on start-up unless its sockets use CurveZMQ. jupyter_client can provision the
    keys itself (``KernelManager.transport_encryption = "auto"``) for kernels whose kernelspec declares
    ``"supported_encryption": ["curve"]`` - ipykernel's does - so the traffic is encrypted instead of the warning
    being hidden. Without CurveZMQ in pyzmq the default (plain TCP, with the warning) stays.
    """
    import zmq
    from traitlets.config import Config

    config = Config()
    if zmq.has("curve"):
        config.KernelManager.transport_encryption = "auto"
    return config


def run_notebook(path: Path, out_dir: Path, kernel: str, parameters: dict[str, Any]) -> NotebookResult:
    import papermill

    output = out_dir / path.name
    start = time.monotonic()
    try:
        papermill.execute_notebook(
            str(path), str(output), parameters=parameters, kernel_name=kernel,
            cwd=str(path.parent), progress_bar=False, report_mode=False, config=quiet_kernel_config(),
        )
    except Exception as exc:  # papermill raises PapermillExecutionError, but a kernel can die otherwise too
        summary = str(exc).strip().splitlines()
        return NotebookResult(str(path), str(output), False, time.monotonic() - start,
                              " ".join(summary[-3:])[:500])
    return NotebookResult(str(path), str(output), True, time.monotonic() - start)


def progress_line(label: str, result: NotebookResult) -> str:
    """The one line printed per notebook: name, outcome, seconds (and the error's gist)."""
    status = "ok" if result.ok else "FAILED"
    return f"{label:<40} {status:<6} {result.seconds:6.1f} s" + (f"  {result.error}" if result.error else "")


def write_report(results: list[NotebookResult], parameters: dict[str, Any], out_dir: Path) -> Path:
    report = out_dir.parent / "run-report.md"
    lines = [
        "# Notebook run", "",
        f"Parameters: `{json.dumps(parameters)}` (empty: each notebook's defaults, from the environment)", "",
        "| notebook | result | seconds | executed copy |", "|---|---|---|---|",
    ]
    for r in results:
        status = "ok" if r.ok else f"FAILED: {r.error}"
        lines.append(f"| {Path(r.notebook).name} | {status} | {r.seconds:.1f} | {r.output} |")
    report.write_text("\n".join(lines) + "\n")
    (out_dir.parent / "run-report.json").write_text(
        json.dumps({"parameters": parameters, "results": [asdict(r) for r in results]}, indent=2)
    )
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--kernel", default="foundry-workshop")
    parser.add_argument("--out", type=Path, default=Path("build/notebooks"))
    parser.add_argument("--param", action="append", type=parse_param, default=[], metavar="NAME=VALUE")
    args = parser.parse_args(argv)

    parameters = dict(args.param)
    # Executed copies are complete: exercises run their reference solutions (`make check` runs without).
    os.environ.setdefault("WORKSHOP_SOLUTIONS", "1")
    args.out.mkdir(parents=True, exist_ok=True)
    results = []
    for path in args.notebooks:
        result = run_notebook(path, args.out, args.kernel, parameters)
        print(progress_line(path.name, result), flush=True)
        results.append(result)
    report = write_report(results, parameters, args.out)
    failed = [r for r in results if not r.ok]
    print(f"{len(results) - len(failed)} of {len(results)} notebooks ran; report: {report}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
