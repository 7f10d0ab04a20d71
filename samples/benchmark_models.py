#!/usr/bin/env python3
"""Benchmark local models from a terminal: the seed's ``benchmark_models.py``, measuring the right things.

    python samples/benchmark_models.py                        # the bundled model, offline
    BENCH_MODELS=qwen2.5-0.5b,phi-3.5-mini BENCH_ROUNDS=5 WORKSHOP_BACKEND=endpoint \\
        FOUNDRY_LOCAL_ENDPOINT=http://127.0.0.1:5273/v1 python samples/benchmark_models.py build/bench/cpu

Settings come from the environment, as in the seed: BENCH_MODELS (default: every model the backend offers),
BENCH_ROUNDS, BENCH_STREAM, BENCH_WARMUP, BENCH_MAX_TOKENS, BENCH_CONCURRENCY, BENCH_PROMPTS (a prompts.json),
and WORKSHOP_BACKEND / FOUNDRY_LOCAL_ENDPOINT for where the models run. The one argument is the report folder
(default build/bench/sample). For every option, use ``python -m foundry_workshop.bench --help``.
"""

from __future__ import annotations

import json
import sys

from foundry_workshop.bench import highlights, run_benchmark, write_reports


def main() -> int:
    out_dir = sys.argv[1] if len(sys.argv) > 1 else "build/bench/sample"
    result = run_benchmark()  # everything from BENCH_* / WORKSHOP_* variables, or the defaults
    summary = [
        {key: row[key] for key in ("rank", "model", "status", "ttft_p50", "ttft_p95", "latency_mean", "latency_p95",
                                   "decode_tps_mean", "quality", "rss_mb", "error")}
        for row in result.ranked()
    ]
    print(json.dumps(summary, indent=2))
    print("\nHighlights:")
    for line in highlights(result):
        print(f"- {line}")
    written = write_reports(result, out_dir)
    print(f"\nReport with figures: {written['markdown']}")
    print("Interpretation: TTFT = wait before the first word (lower is better); latency p95 = what 1 request in 20 "
          "is slower than; decode_tps = generation speed (higher is better); quality = rubric score 1-5.")
    return 0 if result.ok_models else 1


if __name__ == "__main__":
    sys.exit(main())
