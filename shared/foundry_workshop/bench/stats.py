"""Distribution statistics of benchmark samples, with numpy.

Means hide what users notice: one request in twenty that takes three times as long. So every metric gets
its percentiles (p50 = the typical request, p95/p99 = the slow tail), its spread and its extremes.
Percentiles use numpy's default linear interpolation; with few samples p99 is close to the maximum, so
read the tail of a small run with care (the report states n next to every number).

Only successful samples of the ``measure`` phase count: warm-up requests pay one-off costs (loading
weights into caches, the client's first connection) that a user sees once, not on every request.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

import numpy as np

from foundry_workshop.bench.measure import Sample

#: Sample fields that get distribution statistics.
METRICS = ("ttft_s", "latency_s", "decode_tps", "output_tps", "server_decode_tps", "prompt_tokens",
           "completion_tokens")
STATS = ("n", "mean", "p50", "p95", "p99", "min", "max", "stdev")
#: Metrics checked for outliers. Both are comparable across prompts (latency is not: it grows with the
#: answer's length), so one model's samples form one group.
OUTLIER_METRICS = ("ttft_s", "decode_tps")
#: Tukey's fences: outside [Q1 - k*IQR, Q3 + k*IQR] is an outlier.
TUKEY_K = 1.5
#: Fewer samples than this give no meaningful quartiles: nothing is flagged.
MIN_SAMPLES_FOR_OUTLIERS = 4

T = TypeVar("T")


def describe(values: Iterable[float | int | None]) -> dict[str, float | int | None]:
    """n, mean, p50, p95, p99, min, max and sample standard deviation of the non-missing ``values``."""
    data = np.array([v for v in values if v is not None], dtype=float)
    if data.size == 0:
        return {name: (0 if name == "n" else None) for name in STATS}
    p50, p95, p99 = np.percentile(data, [50, 95, 99])
    return {
        "n": int(data.size),
        "mean": float(data.mean()),
        "p50": float(p50),
        "p95": float(p95),
        "p99": float(p99),
        "min": float(data.min()),
        "max": float(data.max()),
        "stdev": float(data.std(ddof=1)) if data.size > 1 else 0.0,
    }


def measured(samples: Iterable[Sample]) -> list[Sample]:
    """The samples statistics are computed from: successful, and not warm-up or concurrency requests."""
    return [s for s in samples if s.ok and s.phase == "measure"]


def flag_outliers(samples: Sequence[Sample]) -> int:
    """Mark measured samples whose TTFT or decode rate lies outside Tukey's fences of their model's samples.

    Returns how many were flagged. Flagged samples stay in the statistics (a benchmark that drops its slow
    requests reports a system nobody has); the flag says which ones to look at.
    """
    flagged = 0
    for group in group_by(measured(samples), lambda s: s.model).values():
        for sample in group:
            sample.outlier, sample.outlier_reason = False, ""
        if len(group) < MIN_SAMPLES_FOR_OUTLIERS:
            continue
        for metric in OUTLIER_METRICS:
            values = [getattr(s, metric) for s in group]
            present = np.array([v for v in values if v is not None], dtype=float)
            if present.size < MIN_SAMPLES_FOR_OUTLIERS:
                continue
            q1, q3 = np.percentile(present, [25, 75])
            low, high = q1 - TUKEY_K * (q3 - q1), q3 + TUKEY_K * (q3 - q1)
            for sample, value in zip(group, values, strict=True):
                if value is None or low <= value <= high:
                    continue
                side = "above" if value > high else "below"
                reason = f"{metric} {value:.4g} {side} the fence {high if value > high else low:.4g}"
                sample.outlier_reason = f"{sample.outlier_reason}; {reason}" if sample.outlier else reason
                flagged += not sample.outlier
                sample.outlier = True
    return flagged


def group_by(samples: Iterable[T], key: Callable[[T], Any]) -> dict[Any, list[T]]:
    """Samples (or any items) grouped by ``key``, groups and members in first-seen order."""
    groups: dict[Any, list[T]] = {}
    for sample in samples:
        groups.setdefault(key(sample), []).append(sample)
    return groups


def metric_stats(samples: Sequence[Sample]) -> dict[str, dict[str, float | int | None]]:
    """Statistics of every metric in :data:`METRICS` over ``samples``."""
    return {metric: describe(getattr(s, metric) for s in samples) for metric in METRICS}


def per_model(samples: Sequence[Sample]) -> dict[str, dict[str, dict[str, float | int | None]]]:
    """``{model: {metric: stats}}`` over the measured samples."""
    return {model: metric_stats(group) for model, group in group_by(measured(samples), lambda s: s.model).items()}


def per_prompt(samples: Sequence[Sample]) -> dict[tuple[str, str], dict[str, dict[str, float | int | None]]]:
    """``{(model, prompt_id): {metric: stats}}`` over the measured samples."""
    groups = group_by(measured(samples), lambda s: (s.model, s.prompt_id))
    return {key: metric_stats(group) for key, group in groups.items()}
