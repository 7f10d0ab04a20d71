"""One record per routing decision, so a lesson can show a decision table and totals.

A record says what was asked (task, privacy, prompt size and how it was counted), which rule fired and
what it chose, what actually answered (after any fallback, with every attempt), how long it took, the
tokens the server reported, and the estimated cloud cost (for local answers: what the same tokens would
have cost in the cloud - an estimate, since the cloud model's tokenizer differs).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

#: Columns of :meth:`DecisionLog.to_markdown` by default.
TABLE_COLUMNS = ("n", "prompt", "task", "private", "tokens", "rule", "planned", "answered_by", "fallback",
                 "latency_s", "usage", "cost_usd")


@dataclass
class Attempt:
    route: str
    ok: bool
    latency_s: float = 0.0
    #: Why it failed, or why it was skipped (a route marked down).
    error: str | None = None
    skipped: bool = False


@dataclass
class DecisionRecord:
    n: int
    #: The last user message, shortened; "[private]" for private requests.
    prompt: str
    task: str | None
    private: bool
    stream: bool
    prompt_tokens_counted: int
    token_method: str
    rule: str
    reason: str
    planned: str
    answered_by: str | None = None
    model: str | None = None
    attempts: list[Attempt] = field(default_factory=list)
    latency_s: float | None = None
    first_token_s: float | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    #: Estimated cost of this answer (0 for local answers; None if the cloud model has no price).
    cost_usd: float | None = None
    #: For local answers: the estimated cloud cost of the same tokens (what local saved).
    cloud_equivalent_usd: float | None = None
    error: str | None = None

    @property
    def fallback(self) -> bool:
        """True when something other than the planned route answered (or was tried)."""
        return any(a.route != self.planned for a in self.attempts)

    def row(self) -> dict[str, Any]:
        """Flat values for a table."""
        usage = (f"{self.prompt_tokens}+{self.completion_tokens}"
                 if self.prompt_tokens is not None and self.completion_tokens is not None else "")
        values = asdict(self)
        tried = " → ".join(
            f"{a.route}: {'ok' if a.ok else ('skipped, ' if a.skipped else '') + (a.error or 'failed')}"
            for a in self.attempts
        )
        values.update(
            tried=tried,
            tokens=f"{self.prompt_tokens_counted} ({'exact' if self.token_method != 'approx' else 'approx'})",
            fallback="yes" if self.fallback else "",
            answered_by=self.answered_by or f"failed: {self.error}",
            usage=usage,
            private="yes" if self.private else "",
            task=self.task or "",
            latency_s="" if self.latency_s is None else f"{self.latency_s:.3f}",
            cost_usd="" if self.cost_usd is None else f"{self.cost_usd:.6f}",
        )
        return values


class DecisionLog:
    """Thread-safe list of records with totals and a Markdown table."""

    def __init__(self) -> None:
        self._records: list[DecisionRecord] = []
        self._lock = threading.Lock()

    def append(self, record: DecisionRecord) -> None:
        """Add a record and number it (1, 2, ...), atomically, so concurrent requests get distinct numbers."""
        with self._lock:
            self._records.append(record)
            record.n = len(self._records)

    def clear(self) -> None:
        with self._lock:
            self._records.clear()

    def __iter__(self) -> Iterator[DecisionRecord]:
        with self._lock:
            return iter(list(self._records))

    def __len__(self) -> int:
        return len(self._records)

    def __getitem__(self, index: int) -> DecisionRecord:
        return self._records[index]

    def totals(self) -> dict[str, Any]:
        """Counts per route, fallbacks, failures, tokens, latency and estimated cloud cost."""
        records = list(self)
        by_route: dict[str, dict[str, Any]] = {}
        for r in records:
            if r.answered_by is None:
                continue
            t = by_route.setdefault(r.answered_by, {"requests": 0, "prompt_tokens": 0, "completion_tokens": 0,
                                                    "latency_s": 0.0})
            t["requests"] += 1
            t["prompt_tokens"] += r.prompt_tokens or 0
            t["completion_tokens"] += r.completion_tokens or 0
            t["latency_s"] += r.latency_s or 0.0
        for t in by_route.values():
            t["mean_latency_s"] = t.pop("latency_s") / t["requests"]
        return {
            "requests": len(records),
            "by_route": by_route,
            "fallbacks": sum(r.fallback for r in records),
            "failed": sum(r.answered_by is None for r in records),
            "cloud_cost_usd": sum(r.cost_usd or 0.0 for r in records),
            "saved_by_local_usd": sum(r.cloud_equivalent_usd or 0.0 for r in records if r.answered_by == "local"),
            "private_requests_sent_to_cloud": sum(
                any(a.route == "cloud" and not a.skipped for a in r.attempts) for r in records if r.private
            ),
        }

    def to_markdown(self, columns: Sequence[str] = TABLE_COLUMNS) -> str:
        rows = [r.row() for r in self]
        lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
        for row in rows:
            cells = (str(row.get(c, "")).replace("|", "\\|").replace("\n", " ") for c in columns)
            lines.append("| " + " | ".join(cells) + " |")
        return "\n".join(lines)
