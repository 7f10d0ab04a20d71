"""Reports of a run: JSON (every sample + the summary), CSV (samples, per-model summary), Markdown, figures.

The Markdown report is meant to be pasted into an issue or a pull request: how the run was made, a ranked
table, highlights in plain words, the model-selection table of seed 001 (latency, throughput, memory,
quality, footprint, license), per-prompt numbers, the concurrency sweep, and the figures.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from foundry_workshop.bench.config import BENCH_ENV
from foundry_workshop.bench.plots import save_figures
from foundry_workshop.bench.quality import manual_template
from foundry_workshop.bench.result import BenchResult
from foundry_workshop.bench.stats import measured
from foundry_workshop.bench.tables import fmt, markdown_table, ranked_markdown

#: File names inside a report folder.
JSON_NAME, MARKDOWN_NAME = "benchmark.json", "benchmark_report.md"
SAMPLES_CSV, SUMMARY_CSV = "samples.csv", "summary.csv"
MANUAL_TEMPLATE = "manual-scores-template.json"
FIGURES_DIR = "figures"


def ranking_table(result: BenchResult) -> str:
    """The ranked per-model table (Markdown), ranked by ``config.rank_by``."""
    return ranked_markdown(result.ranked(), result.config.rank_by)


def highlights(result: BenchResult) -> list[str]:
    """Plain-language findings: fastest first token, steadiest, highest throughput, best quality, failures."""
    rows = [r for r in result.ranked() if r["status"] != "failed"]
    lines = []

    def best(key: str, lowest: bool) -> dict[str, Any] | None:
        candidates = [r for r in rows if r.get(key) is not None]
        if not candidates:
            return None
        return (min if lowest else max)(candidates, key=lambda r: r[key])

    if (row := best("ttft_p50", lowest=True)) is not None:
        lines.append(f"Fastest first token: `{row['model']}`, {fmt(row['ttft_p50'], 0, 1000)} ms typical "
                     f"(p95 {fmt(row['ttft_p95'], 0, 1000)} ms).")
    if (row := best("decode_tps_mean", lowest=False)) is not None:
        lines.append(f"Highest decode rate: `{row['model']}`, {fmt(row['decode_tps_mean'], 1)} tokens/s.")
    steady = [r for r in rows if r["latency_p50"] and r["latency_p95"] is not None]
    if steady:
        row = min(steady, key=lambda r: r["latency_p95"] / r["latency_p50"])
        lines.append(f"Steadiest: `{row['model']}`, p95 latency is {row['latency_p95'] / row['latency_p50']:.2f}x "
                     "its median.")
    if (row := best("quality", lowest=False)) is not None:
        lines.append(f"Best rubric quality: `{row['model']}`, {fmt(row['quality'], 1)} of 5 ({row['quality_source']}).")
    if (row := best("rss_mb", lowest=True)) is not None:
        lines.append(f"Smallest memory: `{row['model']}`, {fmt(row['rss_mb'], 0)} MB resident.")
    for run in result.models:
        if run.status == "failed":
            lines.append(f"Failed and skipped: `{run.alias}`: {run.error}")
        elif run.status == "partial":
            lines.append(f"Some requests of `{run.alias}` failed; its statistics use the successful ones.")
    outliers = [s for s in measured(result.samples) if s.outlier]
    if outliers:
        lines.append(f"{len(outliers)} outlier request(s) flagged (Tukey fences on TTFT and decode rate); "
                     "they stay in the statistics. See `outlier_reason` in samples.csv.")
    if any(s.usage_source == "counted_chunks" for s in measured(result.samples)):
        lines.append("Some answers came without a usage chunk: their tokens were counted as text chunks "
                     "(a lower bound).")
    return lines


SELECTION_DIMENSIONS = (
    ("Latency", "mean / p95", "consistency of the user experience"),
    ("Throughput", "tokens/s", "scaling of batch and streaming"),
    ("Memory", "resident size", "fits the device; room for concurrency"),
    ("Quality", "rubric prompts", "fit for the task"),
    ("Footprint", "disk cache", "distribution and updates"),
    ("License", "terms of use", "commercial compliance"),
)


def selection_table(result: BenchResult) -> str:
    """Seed 001's model-selection framework, filled in with this run's numbers, one column per model."""
    rows = {r["model"]: r for r in result.ranked()}
    models = list(rows)

    def cell(dimension: str, row: dict[str, Any]) -> str:
        if row["status"] == "failed" and dimension != "License":
            return "failed"
        match dimension:
            case "Latency":
                return f"{fmt(row['latency_mean'])} / {fmt(row['latency_p95'])} s"
            case "Throughput":
                return f"{fmt(row['decode_tps_mean'], 1)} tok/s"
            case "Memory":
                return f"{fmt(row['rss_mb'], 0)} MB" if row["rss_mb"] is not None else "not measurable"
            case "Quality":
                return f"{fmt(row['quality'], 1)} / 5" if row["quality"] is not None else "no rubric"
            case "Footprint":
                return f"{fmt(row['model_mb'], 0)} MB" if row["model_mb"] is not None else "not measurable"
            case _:
                return row["license"] or "check the model card"

    body = [[name, metric, why, *(cell(name, rows[m]) for m in models)] for name, metric, why in SELECTION_DIMENSIONS]
    return markdown_table(["Dimension", "Metric", "Why it matters", *(f"`{m}`" for m in models)], body)


def _prompt_table(result: BenchResult) -> str:
    rows = [[
        f"`{entry['model']}`", entry["prompt_id"], entry["stats"]["latency_s"]["n"],
        fmt(entry["stats"]["ttft_s"]["p50"], 0, 1000), fmt(entry["stats"]["latency_s"]["p50"]),
        fmt(entry["stats"]["latency_s"]["p95"]), fmt(entry["stats"]["decode_tps"]["mean"], 1),
        fmt(entry["stats"]["completion_tokens"]["mean"], 0), fmt(entry["quality_coverage"], 2),
    ] for entry in result.prompt_summary()]
    return markdown_table(["model", "prompt", "n", "TTFT p50 (ms)", "latency p50 (s)", "latency p95 (s)",
                           "decode tok/s", "tokens", "rubric coverage"], rows)


def _concurrency_table(result: BenchResult) -> str:
    rows = [[f"`{p.model}`", p.level, p.requests, p.errors, fmt(p.aggregate_tps, 1), fmt(p.latency_p50_s),
             fmt(p.latency_p95_s), fmt(p.ttft_p95_s, 0, 1000)] for p in result.concurrency]
    return markdown_table(["model", "parallel", "requests", "errors", "aggregate tok/s", "latency p50 (s)",
                   "latency p95 (s)", "TTFT p95 (ms)"], rows)


def markdown_report(result: BenchResult, figures: dict[str, Path] | None = None, base: Path | None = None) -> str:
    """The whole Markdown report. Figure links are relative to ``base`` (the report's folder)."""
    cfg, env = result.config, result.environment
    load = env.get("load_average_at_start")
    parts = [
        "# Model benchmark report", "",
        f"Run {env['started_at']} on `{env['backend']}` ({env['endpoint']}), {env['platform']}, "
        f"{env['cpu_count']} CPUs" + (f", load average {load[0]:.2f} at start" if load else "") + ".",
        f"{cfg.warmup} warm-up round(s) excluded, then {cfg.rounds} measured round(s) of {len(cfg.prompts)} "
        f"prompt(s); max_tokens {cfg.max_tokens}, temperature {cfg.temperature}, seed {cfg.seed}, "
        f"{'streamed' if cfg.stream else 'not streamed (no TTFT or decode rate)'}; run took "
        f"{env.get('duration_s', 0):.1f} s.", "",
        "## Ranking", "", ranking_table(result), "",
        "## Highlights", "", *(f"- {line}" for line in highlights(result) or ["No model produced measurements."]), "",
        "## Model selection", "", selection_table(result), "",
        "## Per prompt", "", _prompt_table(result), "",
    ]
    if result.concurrency:
        parts += ["## Concurrency", "", _concurrency_table(result), ""]
    if figures:
        parts += ["## Figures", ""]
        for name, path in figures.items():
            link = path.relative_to(base) if base and path.is_relative_to(base) else path
            parts += [f"![{name.replace('_', ' ')}]({link.as_posix()})", ""]
    parts += [
        "## How this was measured", "",
        "- One streamed request per sample. TTFT: request sent until the first text chunk arrives. Latency: "
        "until the stream ends. Decode tokens/s: (completion tokens - 1) / (finish chunk - first token). "
        "Monotonic clock (`time.perf_counter`).",
        "- Token counts from the stream's usage chunk; where a server sent none, text chunks were counted.",
        "- Statistics with numpy over successful measured requests only; p95/p99 use linear interpolation, so "
        "with few requests they sit close to the maximum.",
        "- Quality: share of each prompt's expected aspects the answer mentions (keyword rubric), mapped to 1-5; "
        f"manual scores replace it when given (`{MANUAL_TEMPLATE}` is a starting point).",
        "- Environment variables: " + ", ".join(f"`{name}`" for name in BENCH_ENV) + ".",
    ]
    return "\n".join(parts) + "\n"


def _json_default(value: Any) -> Any:
    if isinstance(value, tuple | set):
        return list(value)
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def to_json(result: BenchResult) -> dict[str, Any]:
    """The whole run as JSON-ready data: settings, environment, models, summaries, concurrency, samples."""
    return {
        "config": result.config.describe(),
        "prompts": [{"id": p.id, "prompt": p.text, "expect": [list(a) for a in p.expect]}
                    for p in result.config.prompts],
        "environment": result.environment,
        "ranking": result.ranked(),
        "models": result.model_summary(),
        "per_prompt": result.prompt_summary(),
        "concurrency": [p.to_dict() for p in result.concurrency],
        "manual_scores": result.manual_scores,
        "samples": [s.to_dict() for s in result.samples],
    }


def _write_csv(path: Path, rows: list[dict[str, Any]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        if not rows:
            return
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        for row in rows:
            writer.writerow({k: (" ".join(map(str, v)) if isinstance(v, list) else v) for k, v in row.items()})


def write_reports(result: BenchResult, out_dir: str | Path, *, plots: bool = True) -> dict[str, Path]:
    """Write JSON, CSVs, the manual-scores template, figures (unless ``plots=False``) and the Markdown report.

    Returns name -> path of every file written.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    written["json"] = out / JSON_NAME
    written["json"].write_text(json.dumps(to_json(result), indent=2, default=_json_default), encoding="utf-8")
    written["samples_csv"] = out / SAMPLES_CSV
    _write_csv(written["samples_csv"], [s.to_dict() for s in result.samples])
    written["summary_csv"] = out / SUMMARY_CSV
    _write_csv(written["summary_csv"], result.ranked())
    last_answers = ((s.model, s.prompt_id, s.text) for s in measured(result.samples))
    written["manual_template"] = out / MANUAL_TEMPLATE
    written["manual_template"].write_text(
        json.dumps(manual_template(last_answers, result.config.prompts), indent=2, ensure_ascii=False),
        encoding="utf-8",
    )
    figures: dict[str, Path] = {}
    if plots:
        figures = save_figures(result, out / FIGURES_DIR)
        written.update({f"figure_{name}": path for name, path in figures.items()})
    written["markdown"] = out / MARKDOWN_NAME
    written["markdown"].write_text(markdown_report(result, figures, base=out), encoding="utf-8")
    return written
