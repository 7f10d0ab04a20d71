"""Figures of a run, saved as PNG: latency distributions, tokens/s, TTFT against total time, concurrency.

Figures are built with ``matplotlib.figure.Figure`` directly, never through ``pyplot``: that needs no GUI
backend (it renders with Agg in a terminal, a test or a server) and leaves a notebook's own figure state
alone. Notebooks show the saved PNGs with :func:`show_figures`, so what a learner sees is exactly the file on disk.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from foundry_workshop.bench.measure import Sample
from foundry_workshop.bench.result import BenchResult
from foundry_workshop.bench.stats import group_by, measured

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def _figure(width: float, height: float) -> Figure:
    """A new figure; matplotlib is imported on first use (0.7 s), not by every program that imports the bench."""
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


FIGURES = ("latency_distribution", "tokens_per_second", "ttft_vs_total", "concurrency")
_DPI = 110


def _colors(models: Sequence[str]) -> dict[str, tuple[float, ...]]:
    from matplotlib import colormaps

    palette = colormaps["tab10"]
    return {model: palette(i % 10) for i, model in enumerate(models)}


def _values(samples: Sequence[Sample], metric: str) -> list[float]:
    """A metric of each sample, NaN where it was not measured (matplotlib leaves NaN points out)."""
    return [np.nan if (v := getattr(s, metric)) is None else float(v) for s in samples]


def _empty(fig: Figure, message: str) -> Figure:
    ax = fig.add_subplot()
    ax.text(0.5, 0.5, message, ha="center", va="center", fontsize=11)
    ax.set_axis_off()
    return fig


def latency_distribution(result: BenchResult) -> Figure:
    """Box plots of TTFT and end-to-end latency per model, each request a dot, p95 marked."""
    groups = group_by(measured(result.samples), lambda s: s.model)
    models = list(groups)
    fig = _figure(10, 1.6 + 0.55 * max(len(models), 2))
    if not models:
        return _empty(fig, "No successful measurements to plot.")
    axes = fig.subplots(1, 2, sharey=True)
    rng = np.random.default_rng(0)  # fixed jitter: the same run draws the same picture
    for ax, metric, title in ((axes[0], "ttft_s", "Time to first token"), (axes[1], "latency_s", "End-to-end latency")):
        data = [[v for v in (getattr(s, metric) for s in groups[m]) if v is not None] for m in models]
        positions = np.arange(len(models))
        ax.boxplot([d or [np.nan] for d in data], positions=positions, orientation="horizontal", widths=0.5,
                   showfliers=False, medianprops={"color": "black"})
        for y, values in zip(positions, data, strict=True):
            if values:
                ax.scatter(values, y + rng.uniform(-0.15, 0.15, len(values)), s=14, alpha=0.6, color="tab:blue")
                ax.plot([np.percentile(values, 95)] * 2, [y - 0.3, y + 0.3], color="tab:red", lw=2)
        ax.set_title(title)
        ax.set_xlabel("seconds")
        ax.set_xlim(left=0)
        ax.grid(axis="x", alpha=0.3)
    axes[0].set_yticks(np.arange(len(models)), models)
    axes[0].invert_yaxis()
    fig.suptitle("Latency per request (box: quartiles, black: median, red: p95)", fontsize=10)
    return fig


def tokens_per_second(result: BenchResult) -> Figure:
    """Decode rate and whole-answer output rate per model (mean, error bar = one standard deviation)."""
    summary = {k: v for k, v in result.model_summary().items() if v["stats"]}
    models = list(summary)
    fig = _figure(8, 1.9 + 0.6 * max(len(models), 2))
    if not models:
        return _empty(fig, "No successful measurements to plot.")
    ax = fig.add_subplot()
    y = np.arange(len(models))
    for offset, metric, label, color in ((-0.2, "decode_tps", "decode tokens/s (generation only)", "tab:green"),
                                         (0.2, "output_tps", "output tokens/s (incl. time to first token)",
                                          "tab:gray")):
        means = [summary[m]["stats"][metric]["mean"] or 0.0 for m in models]
        errors = [summary[m]["stats"][metric]["stdev"] or 0.0 for m in models]
        bars = ax.barh(y + offset, means, height=0.38, xerr=errors, color=color, label=label, capsize=3)
        ax.bar_label(bars, fmt="%.1f", padding=4, fontsize=8)
    ax.set_yticks(y, models)
    ax.invert_yaxis()
    ax.set_xlim(0, ax.get_xlim()[1] * 1.12)  # room for the value labels
    ax.set_xlabel("tokens per second (higher is better)")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.18 - 0.1 / max(len(models), 1)), ncol=2, fontsize=8,
              frameon=False)
    ax.grid(axis="x", alpha=0.3)
    ax.set_title("Throughput per request")
    return fig


def ttft_vs_total(result: BenchResult) -> Figure:
    """Each request's TTFT against its total time; warm-up requests (x) and outliers (red ring) marked."""
    samples = [s for s in result.samples if s.ok and s.phase in ("warmup", "measure") and s.ttft_s is not None]
    fig = _figure(8, 5)
    if not samples:
        return _empty(fig, "No streamed measurements (TTFT needs streaming).")
    ax = fig.add_subplot()
    colors = _colors(list(dict.fromkeys(s.model for s in samples)))
    for model, color in colors.items():
        for phase, marker, label in (("measure", "o", model), ("warmup", "x", f"{model} (warm-up)")):
            points = [s for s in samples if s.model == model and s.phase == phase]
            if points:
                ax.scatter(_values(points, "ttft_s"), _values(points, "latency_s"), marker=marker, s=30,
                           color=color, alpha=0.75, label=label)
    outliers = [s for s in samples if s.outlier]
    if outliers:
        ax.scatter(_values(outliers, "ttft_s"), _values(outliers, "latency_s"), s=140,
                   facecolors="none", edgecolors="tab:red", linewidths=1.5, label="outlier")
    ax.set_xlabel("time to first token (s)")
    ax.set_ylabel("end-to-end latency (s)")
    ax.set_xlim(left=0)
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    ax.set_title("What users wait for first vs. in total")
    return fig


def concurrency(result: BenchResult) -> Figure:
    """Aggregate tokens/s and per-request p95 latency against the number of parallel requests."""
    fig = _figure(10, 4)
    points = [p for p in result.concurrency if p.aggregate_tps is not None]
    if not points:
        return _empty(fig, "No concurrency sweep in this run.")
    left, right = fig.subplots(1, 2)
    by_model = group_by(points, lambda p: p.model)
    colors = _colors(list(by_model))
    for model, series in by_model.items():
        levels = [p.level for p in series]
        left.plot(levels, [p.aggregate_tps for p in series], marker="o", color=colors[model], label=model)
        right.plot(levels, [p.latency_p95_s for p in series], marker="o", color=colors[model], label=model)
    all_levels = sorted({p.level for p in points})
    for ax, title, ylabel in ((left, "Aggregate throughput", "tokens/s, all requests together"),
                              (right, "Per-request latency p95", "seconds")):
        ax.set_xticks(all_levels)
        ax.set_xlabel("parallel requests")
        ax.set_ylabel(ylabel)
        ax.set_ylim(bottom=0)
        ax.grid(alpha=0.3)
        ax.set_title(title)
    left.legend(fontsize=8)
    return fig


def save_figures(result: BenchResult, directory: str | Path) -> dict[str, Path]:
    """Render every figure to ``directory/<name>.png``; returns name -> path."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name in FIGURES:
        fig = globals()[name](result)
        path = directory / f"{name}.png"
        fig.savefig(path, dpi=_DPI)
        paths[name] = path
    return paths


def show_figures(paths: dict[str, Path] | Sequence[str | Path]) -> None:
    """Display saved figures inline in a notebook (prints their paths elsewhere)."""
    files = list(paths.values()) if isinstance(paths, dict) else [Path(p) for p in paths]
    try:
        from IPython import get_ipython
        from IPython.display import Image, display
    except ImportError:
        get_ipython = None
    if get_ipython is None or get_ipython() is None:
        for path in files:
            print(f"figure: {path}")
        return
    for path in files:
        display(Image(filename=str(path)))
