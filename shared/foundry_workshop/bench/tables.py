"""Markdown tables of benchmark numbers: cells, tables, and the ranked per-model table.

Kept apart from :mod:`.report` so that :class:`~.result.BenchResult` can show itself as the ranked table in a
notebook without importing the report writer (which imports the result: that would be a cycle).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from foundry_workshop.bench.config import RANKINGS

DASH = "–"


def fmt(value: float | int | None, digits: int = 2, scale: float = 1.0, unit: str = "") -> str:
    """A table cell: the number rounded, or a dash when it was not measured."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return DASH
    return f"{value * scale:.{digits}f}{unit}"


def markdown_table(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(cell).replace("|", "\\|") for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def ranked_markdown(ranked: Iterable[Mapping[str, Any]], rank_by: str) -> str:
    """The ranked per-model table from :meth:`BenchResult.ranked` rows, ranked by ``rank_by``."""
    header = ["#", "model", "status", "n", "TTFT p50 (ms)", "TTFT p95 (ms)", "latency mean (s)", "latency p95 (s)",
              "decode tok/s", "quality (1-5)", "RSS (MB)", "on disk (MB)", "load (s)", "failed req."]
    rows = [[
        row["rank"] or DASH, f"`{row['model']}`", row["status"], row["n"],
        fmt(row["ttft_p50"], 0, 1000), fmt(row["ttft_p95"], 0, 1000),
        fmt(row["latency_mean"]), fmt(row["latency_p95"]), fmt(row["decode_tps_mean"], 1),
        fmt(row["quality"], 1) + (" (manual)" if row["quality_source"] == "manual" else ""),
        fmt(row["rss_mb"], 0), fmt(row["model_mb"], 0), fmt(row["load_s"], 1), row["failed_requests"],
    ] for row in ranked]
    metric, stat, higher = RANKINGS[rank_by]
    note = f"Ranked by {metric} {stat} ({'higher' if higher else 'lower'} is better)."
    return markdown_table(header, rows) + f"\n\n{note}"
