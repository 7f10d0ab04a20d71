"""What a run produced, and its summary: per-model statistics, quality, footprint, and a ranking.

The raw samples are kept whole (the JSON report has every one), so any summary here can be recomputed, and
a learner can check a number by hand from the samples it came from.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

from foundry_workshop.bench.concurrency import ConcurrencyPoint
from foundry_workshop.bench.config import RANKINGS, BenchConfig, ModelInfo
from foundry_workshop.bench.footprint import Footprint
from foundry_workshop.bench.measure import Sample
from foundry_workshop.bench.quality import on_five_point_scale
from foundry_workshop.bench.stats import group_by, measured, per_model, per_prompt
from foundry_workshop.bench.tables import ranked_markdown

MB = 1024 * 1024


@dataclass
class ModelRun:
    """One model's part of a run: how it went, and what it costs to keep loaded."""

    alias: str
    info: ModelInfo
    model_id: str | None = None
    backend: str | None = None
    #: "ok" (no failed request), "partial" (some failed), "failed" (no usable measurement).
    status: str = "pending"
    error: str | None = None
    footprint: Footprint = field(default_factory=Footprint)
    #: Whether ``seed`` was sent (False after the server rejected it), None when no request was made.
    seed_sent: bool | None = None

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["info"] = {**asdict(self.info), "capabilities": list(self.info.capabilities)}
        return data


@dataclass
class BenchResult:
    """Everything one benchmark run measured. Reports are written from it by :mod:`.report`."""

    config: BenchConfig
    models: list[ModelRun]
    samples: list[Sample]
    concurrency: list[ConcurrencyPoint]
    environment: dict[str, Any]
    #: ``{model: {prompt_id: 1-5}}`` from a manual scores file (see :mod:`.quality`).
    manual_scores: dict[str, dict[str, float]] = field(default_factory=dict)

    # -- summaries ---------------------------------------------------------------------------------------------
    def model_summary(self) -> dict[str, dict[str, Any]]:
        """Per model: status, statistics of every metric, quality, footprint and metadata."""
        stats = per_model(self.samples)
        by_model = group_by(self.samples, lambda s: s.model)
        summary = {}
        for run in self.models:
            samples = by_model.get(run.alias, [])
            good = measured(samples)
            coverage = [s.quality for s in good if s.quality is not None]
            auto = sum(coverage) / len(coverage) if coverage else None
            manual = list(self.manual_scores.get(run.alias, {}).values())
            manual_mean = sum(manual) / len(manual) if manual else None
            summary[run.alias] = {
                "model": run.alias,
                "model_id": run.model_id,
                "status": run.status,
                "error": run.error,
                "measured": len(good),
                "failed_requests": sum(not s.ok for s in samples),
                "outliers": sum(s.outlier for s in good),
                "usage_source": dict(Counter(s.usage_source for s in good if s.usage_source)),
                "stats": stats.get(run.alias, {}),
                "quality": {
                    "auto_coverage": auto,
                    "manual": manual_mean,
                    "score": manual_mean if manual_mean is not None else on_five_point_scale(auto),
                    "source": "manual" if manual_mean is not None else ("auto" if auto is not None else None),
                },
                "footprint": run.footprint.to_dict(),
                "info": run.to_dict()["info"],
                "seed_sent": run.seed_sent,
            }
        return summary

    def prompt_summary(self) -> list[dict[str, Any]]:
        """Per model and prompt: latency, TTFT and decode statistics, mean quality coverage."""
        rows = []
        quality = group_by([s for s in measured(self.samples) if s.quality is not None],
                           lambda s: (s.model, s.prompt_id))
        for (model, prompt_id), stats in per_prompt(self.samples).items():
            scores = [s.quality for s in quality.get((model, prompt_id), []) if s.quality is not None]
            rows.append({
                "model": model, "prompt_id": prompt_id, "stats": stats,
                "quality_coverage": sum(scores) / len(scores) if scores else None,
                "manual_score": self.manual_scores.get(model, {}).get(prompt_id),
            })
        return rows

    def ranked(self) -> list[dict[str, Any]]:
        """Flat per-model rows (the CSV and the report's table), best first by ``config.rank_by``.

        Models without the ranking metric (failed ones) come last, in run order.
        """
        metric, stat, higher = RANKINGS[self.config.rank_by]
        rows = [self._flat(entry) for entry in self.model_summary().values()]

        def key(row: dict[str, Any]) -> tuple[int, float]:
            value = row["quality"] if metric == "quality" else row.get(f"{_SHORT[metric]}_{stat}")
            if value is None or row["status"] == "failed":
                return (1, 0.0)
            return (0, -value if higher else value)

        rows.sort(key=key)
        for rank, row in enumerate(rows, start=1):
            row["rank"] = rank if row["status"] != "failed" else None
        return rows

    @staticmethod
    def _flat(entry: dict[str, Any]) -> dict[str, Any]:
        stats, fp, quality = entry["stats"], entry["footprint"], entry["quality"]

        def stat(metric: str, name: str) -> float | None:
            return stats.get(metric, {}).get(name)

        def mb(value: int | None) -> float | None:
            return None if value is None else value / MB

        row: dict[str, Any] = {"rank": None, "model": entry["model"], "model_id": entry["model_id"],
                               "status": entry["status"], "n": entry["measured"]}
        for metric, short in _SHORT.items():
            for name in _FLAT_STATS[metric]:
                row[f"{short}_{name}"] = stat(metric, name)
        row.update({
            "quality": quality["score"], "quality_source": quality["source"],
            "quality_coverage": quality["auto_coverage"],
            "rss_mb": mb(fp["rss_bytes"]), "peak_rss_mb": mb(fp["peak_rss_bytes"]), "model_mb": mb(fp["model_bytes"]),
            "load_s": fp["load_seconds"], "failed_requests": entry["failed_requests"], "outliers": entry["outliers"],
            "license": entry["info"]["license"], "capabilities": " ".join(entry["info"]["capabilities"]),
            "error": entry["error"] or "",
        })
        return row

    @property
    def ok_models(self) -> list[str]:
        """Aliases of the models that produced measurements."""
        return [run.alias for run in self.models if run.status in ("ok", "partial")]

    def _repr_markdown_(self) -> str:
        return ranked_markdown(self.ranked(), self.config.rank_by)


#: Metric -> column prefix in flat rows.
_SHORT = {"ttft_s": "ttft", "latency_s": "latency", "decode_tps": "decode_tps", "output_tps": "output_tps",
          "server_decode_tps": "server_decode_tps", "completion_tokens": "completion_tokens"}
#: Which statistics flat rows carry for each metric (the JSON report has all of them).
_FLAT_STATS = {
    "ttft_s": ("mean", "p50", "p95", "p99"),
    "latency_s": ("mean", "p50", "p95", "p99", "stdev", "min", "max"),
    "decode_tps": ("mean", "p50", "min", "stdev"),
    "output_tps": ("mean",),
    "server_decode_tps": ("mean",),
    "completion_tokens": ("mean",),
}
