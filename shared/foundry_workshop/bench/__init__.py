"""Benchmarking local models the way users experience them: ``foundry_workshop.bench``.

One streamed request per sample gives time to first token, end-to-end latency and the decode rate; warm-up
rounds are excluded; numpy gives percentiles; a concurrency sweep, the memory/disk footprint and a quality
rubric complete the picture; failing models are recorded and skipped. From a notebook::

    from foundry_workshop.bench import run_benchmark, write_reports
    result = run_benchmark(models=["qwen2.5-0.5b", "phi-3.5-mini"], rounds=3)
    result                                  # the ranked table
    write_reports(result, "build/bench")    # JSON, CSV, Markdown, PNG figures

From a terminal: ``python -m foundry_workshop.bench --help`` (or ``make bench``).
"""

from __future__ import annotations

from foundry_workshop.bench.concurrency import ConcurrencyPoint
from foundry_workshop.bench.config import (
    BENCH_ENV,
    BenchConfig,
    ModelInfo,
    Prompt,
    bench_config,
    load_models,
    load_prompts,
)
from foundry_workshop.bench.footprint import Footprint, measure_footprint
from foundry_workshop.bench.measure import RequestOptions, Sample, decode_rate, measure_sample
from foundry_workshop.bench.plots import save_figures, show_figures
from foundry_workshop.bench.quality import load_manual_scores, score_answer
from foundry_workshop.bench.report import highlights, markdown_report, ranking_table, selection_table, write_reports
from foundry_workshop.bench.result import BenchResult, ModelRun
from foundry_workshop.bench.runner import available_models, run_benchmark
from foundry_workshop.bench.stats import describe

__all__ = [
    "BENCH_ENV", "BenchConfig", "BenchResult", "ConcurrencyPoint", "Footprint", "ModelInfo", "ModelRun", "Prompt",
    "RequestOptions", "Sample", "available_models", "bench_config", "decode_rate", "describe", "highlights",
    "load_manual_scores", "load_models", "load_prompts", "markdown_report", "measure_footprint", "measure_sample",
    "ranking_table", "run_benchmark", "save_figures", "score_answer", "selection_table", "show_figures",
    "write_reports",
]
