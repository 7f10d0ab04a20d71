"""What a batch run (:func:`~foundry_workshop.course.batch.run_course`) found: plain data the report is made of."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from foundry_workshop.course.answers import Answer
from foundry_workshop.exercises import CheckResult


@dataclass
class NotebookRun:
    """One notebook on one alias."""

    notebook: str
    ok: bool
    seconds: float
    output: str = ""
    error: str = ""
    answers: list[Answer] = field(default_factory=list)
    checks: list[CheckResult] = field(default_factory=list)


@dataclass
class AliasRun:
    """Every selected notebook on one alias; ``error`` says why the alias could not run at all."""

    alias: str
    model_id: str | None = None
    error: str = ""
    notebooks: list[NotebookRun] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.error and all(n.ok for n in self.notebooks)


@dataclass
class CourseRun:
    """A whole batch run: what ran, how it went, the benchmark figures and the machine it ran on."""

    backend: str
    notebooks: list[str]
    aliases: list[AliasRun]
    seconds: float = 0.0
    parameters: dict[str, Any] = field(default_factory=dict)
    environment: dict[str, Any] = field(default_factory=dict)
    #: Rows of the benchmark's ranking (``BenchResult.ranked()``), or None when it was not run.
    bench: list[dict[str, Any]] | None = None
    bench_error: str = ""
    reports: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return all(a.ok for a in self.aliases) and not self.bench_error

    def failures(self) -> list[str]:
        """One line per failed alias or notebook."""
        lines = []
        for a in self.aliases:
            if a.error:
                lines.append(f"{a.alias}: {a.error}")
            lines += [f"{a.alias} / {n.notebook}: {n.error}" for n in a.notebooks if not n.ok]
        if self.bench_error:
            lines.append(f"benchmark: {self.bench_error}")
        return lines

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for alias, run in zip(data["aliases"], self.aliases, strict=True):
            alias["ok"] = run.ok
        data["ok"] = self.ok
        return data
