"""One comparison report of a batch run (:class:`~foundry_workshop.course.batch.CourseRun`): Markdown, HTML, JSON.

Both documents come from the same tables (header + rows of plain strings), so they never disagree. Sections:
status and time per alias x notebook, failures, answers to the same prompts side by side, exercise checks,
benchmark key figures, environment; figures are PNG files next to the report.
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

from foundry_workshop.course.results import AliasRun, CourseRun, NotebookRun

Table = tuple[list[str], list[list[str]]]
DASH = "-"


def _cell(run: AliasRun, notebook: str) -> NotebookRun | None:
    return next((n for n in run.notebooks if n.notebook == notebook), None)


def status_table(run: CourseRun) -> Table:
    header = ["notebook", *[a.alias for a in run.aliases]]
    rows = []
    for notebook in run.notebooks:
        row = [notebook]
        for a in run.aliases:
            n = _cell(a, notebook)
            row.append("skipped (alias failed)" if n is None else f"{'ok' if n.ok else 'FAILED'} {n.seconds:.1f} s")
        rows.append(row)
    rows.append(["total", *[f"{sum(n.seconds for n in a.notebooks):.1f} s" for a in run.aliases]])
    return header, rows


def answers_table(run: CourseRun) -> Table:
    """One row per (notebook, prompt key), one column per alias: the same prompt's answers side by side."""
    keys: dict[tuple[str, str], str] = {}
    for a in run.aliases:
        for n in a.notebooks:
            for answer in n.answers:
                keys.setdefault((n.notebook, answer.key), answer.prompt)
    header = ["notebook", "prompt", *[a.alias for a in run.aliases]]
    rows = []
    for (notebook, key), prompt in keys.items():
        row = [notebook, prompt]
        for a in run.aliases:
            cell = _cell(a, notebook)
            found = [x.answer for x in (cell.answers if cell else []) if x.key == key]
            row.append(found[-1] if found else DASH)
        rows.append(row)
    return header, rows


def checks_table(run: CourseRun) -> Table:
    """One row per exercise, one column per alias: passed, or failed with the check's hint."""
    exercises: dict[str, None] = {}
    for a in run.aliases:
        for n in a.notebooks:
            exercises.update(dict.fromkeys(c.exercise for c in n.checks))
    header = ["exercise", *[a.alias for a in run.aliases]]
    rows = []
    for exercise in sorted(exercises):
        row = [exercise]
        for a in run.aliases:
            results = [c for n in a.notebooks for c in n.checks if c.exercise == exercise]
            if not results:
                row.append(DASH)
            else:
                last = results[-1]
                source = " (reference solution)" if last.reference else ""
                row.append(f"passed{source}" if last.passed else f"failed{source}: {last.hint}".rstrip(": "))
        rows.append(row)
    return header, rows


def _fmt(value: Any, digits: int = 2, scale: float = 1.0) -> str:
    return DASH if value is None else f"{value * scale:.{digits}f}"


def bench_table(run: CourseRun) -> Table:
    header = ["model", "status", "n", "TTFT p50 (ms)", "latency p95 (s)", "decode tok/s", "quality (1-5)", "error"]
    rows = [[str(r.get("model")), str(r.get("status")), str(r.get("n")), _fmt(r.get("ttft_p50"), 0, 1000),
             _fmt(r.get("latency_p95")), _fmt(r.get("decode_tps_mean"), 1), _fmt(r.get("quality"), 1),
             str(r.get("error") or "")] for r in run.bench or []]
    return header, rows


def environment_table(run: CourseRun) -> Table:
    env = dict(run.environment)
    packages = env.pop("packages", {})
    rows = [[k, str(v)] for k, v in env.items()] + [[f"package {k}", str(v)] for k, v in packages.items()]
    return ["", "value"], rows


def _figures(run: CourseRun, folder: Path) -> dict[str, str]:
    """PNG figures (file name -> caption); matplotlib without a display."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    folder.mkdir(parents=True, exist_ok=True)
    made: dict[str, str] = {}
    ran = [a for a in run.aliases if a.notebooks]
    if ran:
        fig, ax = plt.subplots(figsize=(8, 0.4 * len(run.notebooks) * len(ran) + 1.5))
        height = 0.8 / len(ran)
        for i, a in enumerate(ran):
            seconds = [(_cell(a, nb).seconds if _cell(a, nb) else 0.0) for nb in run.notebooks]  # type: ignore[union-attr]
            ys = [j + i * height for j in range(len(run.notebooks))]
            bars = ax.barh(ys, seconds, height=height, label=a.alias)
            for bar, nb in zip(bars, run.notebooks, strict=True):
                cell = _cell(a, nb)
                if cell is not None and not cell.ok:
                    bar.set_hatch("//")
        ax.set_yticks([j + 0.4 - height / 2 for j in range(len(run.notebooks))], run.notebooks)
        ax.invert_yaxis()
        ax.set_xlabel("seconds (hatched: failed)")
        ax.legend(fontsize="small")
        ax.set_title("Time per notebook and model")
        fig.tight_layout()
        fig.savefig(folder / "notebook_times.png", dpi=100)
        plt.close(fig)
        made["notebook_times.png"] = "Time per notebook and model"
    measured = [r for r in run.bench or [] if r.get("decode_tps_mean") is not None]
    if measured:
        fig, (left, right) = plt.subplots(1, 2, figsize=(9, 0.5 * len(measured) + 2))
        names = [str(r["model"]) for r in measured]
        left.barh(names, [r["decode_tps_mean"] for r in measured])
        left.set_xlabel("decode tokens/s (higher is better)")
        right.barh(names, [(r.get("ttft_p50") or 0) * 1000 for r in measured])
        right.set_xlabel("time to first token p50, ms (lower is better)")
        right.set_yticklabels([])
        fig.tight_layout()
        fig.savefig(folder / "bench.png", dpi=100)
        plt.close(fig)
        made["bench.png"] = "Benchmark key figures"
    return made


def _md_escape(text: str) -> str:
    return " ".join(text.replace("|", "\\|").split())


def _md_table(table: Table) -> str:
    header, rows = table
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_md_escape(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _html_table(table: Table) -> str:
    header, rows = table
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)

    def css(text: str) -> str:
        return ' class="bad"' if text.startswith(("FAILED", "failed", "skipped")) else (
            ' class="good"' if text.startswith(("ok", "passed")) else "")

    body = "".join("<tr>" + "".join(f"<td{css(c)}>{html.escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _sections(run: CourseRun) -> list[tuple[str, str, Table | None]]:
    """(title, introduction, table) in report order; a None table means the text says why there is none."""
    failures = run.failures()
    answers, checks, bench = answers_table(run), checks_table(run), bench_table(run)
    return [
        ("Status and time", "Each notebook ran once per model in its own kernel (papermill).", status_table(run)),
        ("Failures", "Nothing failed." if not failures else "What failed, with the message a learner would see.",
         (["what failed"], [[line] for line in failures]) if failures else None),
        ("Answers side by side",
         "Answers the notebooks recorded with `foundry_workshop.course.record_answer`, one column per model."
         if answers[1] else "No notebook recorded answers (`record_answer`).", answers if answers[1] else None),
        ("Exercise checks", "Results of `foundry_workshop.exercises.check` in the executed notebooks (batch runs "
         "check the reference solutions: a failure means the exercise does not work on that model)."
         if checks[1] else "No exercise checks were recorded.", checks if checks[1] else None),
        ("Benchmark", "A short run of the benchmark harness (`foundry_workshop.bench`): one round per prompt, "
         "no warm-up; use `make bench` for numbers to publish." if bench[1] else
         (f"Not run: {run.bench_error}" if run.bench_error else "Not run."), bench if bench[1] else None),
        ("Environment", "Numbers depend on the machine and on what else ran on it.", environment_table(run)),
    ]


def _summary(run: CourseRun) -> str:
    failed = len(run.failures())
    return (f"Backend `{run.backend}`, {len(run.aliases)} model(s), {len(run.notebooks)} notebook(s), "
            f"{run.seconds:.0f} s in all; " + ("everything passed." if not failed else f"{failed} failure(s)."))


def markdown_report(run: CourseRun, figures: dict[str, str]) -> str:
    parts = ["# Course run: models compared", "", _summary(run), ""]
    for title, intro, table in _sections(run):
        parts += [f"## {title}", "", intro, ""]
        if table is not None:
            parts += [_md_table(table), ""]
        if title == "Status and time" and "notebook_times.png" in figures:
            parts += ["![Time per notebook and model](figures/notebook_times.png)", ""]
        if title == "Benchmark" and "bench.png" in figures:
            parts += ["![Benchmark key figures](figures/bench.png)", ""]
    return "\n".join(parts)


STYLE = ("body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em}"
         "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;"
         "vertical-align:top;text-align:left}th{background:#f3f3f3}.good{background:#e8f6e8}"
         ".bad{background:#fbe9e9}img{max-width:100%}")


def html_report(run: CourseRun, figures: dict[str, str]) -> str:
    parts = [f"<!doctype html><html lang=en><head><meta charset=utf-8><title>Course run</title><style>{STYLE}"
             "</style></head><body><h1>Course run: models compared</h1>",
             f"<p>{html.escape(_summary(run).replace('`', ''))}</p>"]
    for title, intro, table in _sections(run):
        parts.append(f"<h2>{html.escape(title)}</h2><p>{html.escape(intro.replace('`', ''))}</p>")
        if table is not None:
            parts.append(_html_table(table))
        for name, caption in figures.items():
            if (title, name) in (("Status and time", "notebook_times.png"), ("Benchmark", "bench.png")):
                parts.append(f'<img src="figures/{name}" alt="{html.escape(caption)}">')
    parts.append("</body></html>")
    return "\n".join(parts)


def write_course_report(run: CourseRun, out_dir: str | Path) -> dict[str, Path]:
    """Write ``report.md``, ``report.html``, ``report.json`` and ``figures/*.png`` into ``out_dir``."""
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    figures = _figures(run, folder / "figures")
    paths = {"markdown": folder / "report.md", "html": folder / "report.html", "json": folder / "report.json"}
    paths["markdown"].write_text(markdown_report(run, figures), encoding="utf-8")
    paths["html"].write_text(html_report(run, figures), encoding="utf-8")
    paths["json"].write_text(json.dumps(run.to_dict(), indent=2, default=str), encoding="utf-8")
    return paths
