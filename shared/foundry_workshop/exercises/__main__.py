"""``python -m foundry_workshop.exercises``: which of your exercises pass (``make check``)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from foundry_workshop.exercises.learner_run import format_report, run_checks
from foundry_workshop.notebook_runner import parse_param


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m foundry_workshop.exercises",
        description="Run your notebooks without the reference solutions and report which exercises pass.",
    )
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--kernel", default="foundry-workshop")
    parser.add_argument("--out", type=Path, default=Path("build/check"))
    parser.add_argument("--param", action="append", type=parse_param, default=[], metavar="NAME=VALUE")
    args = parser.parse_args(argv)
    rows, _ = run_checks(args.notebooks, args.out, kernel=args.kernel, parameters=dict(args.param))
    print(format_report(rows))
    return 0 if rows and all(r.status == "passed" for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
