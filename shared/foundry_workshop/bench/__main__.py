"""Command line: ``python -m foundry_workshop.bench [options]`` (``make bench`` runs it into build/bench/).

Examples::

    python -m foundry_workshop.bench                                  # the bundled model, default settings
    python -m foundry_workshop.bench --backend endpoint --endpoint http://127.0.0.1:5273/v1 \\
        --models qwen2.5-0.5b,phi-3.5-mini --rounds 5 --out build/bench/cpu
    BENCH_MODELS=qwen2.5-0.5b BENCH_ROUNDS=5 python -m foundry_workshop.bench --backend foundry

Options left out come from BENCH_* environment variables (see --help), then defaults; the backend and
endpoint from WORKSHOP_BACKEND and FOUNDRY_LOCAL_ENDPOINT as everywhere in the course. Exit status 0 when at
least one model was measured, 1 when none was (every model failed, or the backend could not be reached).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from foundry_workshop.bench.config import BENCH_ENV, RANKINGS, bench_config, with_overrides
from foundry_workshop.bench.report import highlights, ranking_table, write_reports
from foundry_workshop.bench.runner import run_benchmark
from foundry_workshop.errors import WorkshopError
from foundry_workshop.settings import BACKENDS

_UNSET = object()


def _levels(text: str) -> tuple[int, ...]:
    if text.strip().lower() in ("", "none", "0"):
        return ()
    try:
        return tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected levels like 1,2,4, got {text!r}") from None


def _seed(text: str) -> int | None:
    if text.strip().lower() == "none":
        return None
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer or 'none', got {text!r}") from None


def parser() -> argparse.ArgumentParser:
    env_help = "\n".join(f"  {name:<18} {text}" for name, text in BENCH_ENV.items())
    p = argparse.ArgumentParser(
        prog="python -m foundry_workshop.bench", description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=f"Environment variables (used when the option is not given):\n{env_help}",
    )
    where = p.add_argument_group("what to benchmark")
    where.add_argument("--backend", choices=BACKENDS, help="default: WORKSHOP_BACKEND, else bundled")
    where.add_argument("--endpoint", help="server URL for the endpoint/mock backends (default: FOUNDRY_LOCAL_ENDPOINT)")
    where.add_argument("--models", help="comma-separated aliases or ids (default: every model the backend offers)")
    where.add_argument("--models-file", type=Path, help="models.json whose aliases are the models to run")
    where.add_argument("--prompts", type=Path, help="prompts.json (default: the seed's prompt set)")
    how = p.add_argument_group("how")
    how.add_argument("--rounds", type=int, help="measured rounds per prompt (default 3)")
    how.add_argument("--warmup", type=int, help="warm-up rounds, excluded from statistics (default 1)")
    how.add_argument("--max-tokens", type=int, help="max_tokens per request (default 128)")
    how.add_argument("--temperature", type=float, help="default 0 (deterministic mode)")
    how.add_argument("--seed", type=_seed, default=_UNSET,
                     help="sampling seed sent to the server, or 'none' (default 42)")
    how.add_argument("--stream", action=argparse.BooleanOptionalAction, default=None,
                     help="stream requests (default; needed for TTFT and decode rate)")
    how.add_argument("--concurrency", type=_levels, help="parallel-request levels, e.g. 1,2,4; 'none' to skip")
    how.add_argument("--concurrency-requests", type=int, help="requests per parallel worker and level (default 2)")
    how.add_argument("--timeout", type=float, help="seconds per request before it counts as failed (default 120)")
    how.add_argument("--rank-by", choices=list(RANKINGS), help="ranking of the report (default decode_tps)")
    out = p.add_argument_group("output")
    out.add_argument("--out", type=Path, default=Path("build/bench"), help="report folder (default build/bench)")
    out.add_argument("--manual-scores", type=Path, help="JSON of manual quality scores {model: {prompt_id: 1-5}}")
    out.add_argument("--no-plots", action="store_true", help="skip the PNG figures")
    out.add_argument("--no-progress", action="store_true", help="no progress bar")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        config = bench_config(
            backend=args.backend, endpoint=args.endpoint, models=args.models, models_file=args.models_file,
            prompts=args.prompts, rounds=args.rounds, warmup=args.warmup, max_tokens=args.max_tokens,
            temperature=args.temperature, stream=args.stream, concurrency=args.concurrency,
            concurrency_requests=args.concurrency_requests, timeout=args.timeout, rank_by=args.rank_by,
        )
        if args.seed is not _UNSET:  # may be None ("--seed none"), which bench_config would read as "not given"
            config = with_overrides(config, seed=args.seed)
        result = run_benchmark(config, progress=not args.no_progress, manual_scores=args.manual_scores)
    except WorkshopError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    written = write_reports(result, args.out, plots=not args.no_plots)
    print(ranking_table(result))
    print()
    for line in highlights(result):
        print(f"- {line}")
    print(f"\nReport: {written['markdown']}\nData:   {written['json']}, {written['samples_csv']}, "
          f"{written['summary_csv']}")
    return 0 if result.ok_models else 1


if __name__ == "__main__":
    sys.exit(main())
