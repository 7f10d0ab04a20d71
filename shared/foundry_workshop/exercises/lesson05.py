"""Checks for lesson 05 (benchmarking): each returns None when the learner's function is right, else a hint.

Both exercises are pure functions, so the checks feed them hand-made inputs whose right answers are known:
no model, no timing noise, and every case a wrong answer could get wrong.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from foundry_workshop.exercises.registry import register

#: A streamed answer that started at t=10.0 s: five pieces, the first after 0.5 s, then one every 0.1 s.
_START = 10.0
_ARRIVALS = [10.5, 10.6, 10.7, 10.8, 10.9]


def _close(value: Any, expected: float) -> bool:
    return isinstance(value, int | float) and math.isclose(value, expected, rel_tol=1e-6)


@register("05.stream_stats")
def check_stream_stats(stream_stats: Callable[..., Any]) -> str | None:
    """TTFT, latency and decode rate from a stream's timestamps."""
    stats = stream_stats(_START, list(_ARRIVALS), 5)
    if not isinstance(stats, dict) or not {"ttft_s", "latency_s", "decode_tps"} <= set(stats):
        return "Return a dict with the keys 'ttft_s', 'latency_s' and 'decode_tps'."
    if not _close(stats["ttft_s"], 0.5):
        return "TTFT is the time from `start` until the FIRST piece arrived: arrivals[0] - start."
    if not _close(stats["latency_s"], 0.9):
        return "Latency runs from `start` until the LAST piece arrived: arrivals[-1] - start."
    if _close(stats["decode_tps"], 5 / 0.9) or _close(stats["decode_tps"], 5 / 0.4):
        return ("The decode rate counts the decode steps after the first token, (tokens - 1), over the time "
                "between the first and the last piece, (arrivals[-1] - arrivals[0]); the wait for the first "
                "token is not decoding.")
    if not _close(stats["decode_tps"], 10.0):
        return "decode_tps = (completion_tokens - 1) / (arrivals[-1] - arrivals[0]): 4 steps in 0.4 s is 10/s."
    try:
        no_usage = stream_stats(_START, list(_ARRIVALS), None)
    except TypeError:
        no_usage = None
    if not isinstance(no_usage, dict) or not _close(no_usage.get("decode_tps"), 10.0):
        return ("Some servers send no usage chunk, so completion_tokens can be None: count one token per "
                "piece (len(arrivals)) instead.")
    return None


def _row(model: str, ttft_p95: float | None, quality: float | None, decode: float | None,
         status: str = "ok") -> dict[str, Any]:
    return {"model": model, "status": status, "ttft_p95": ttft_p95, "quality": quality, "decode_tps_mean": decode}


#: Ranked rows as `result.ranked()` gives them. The fastest decoder is too slow to start; the quickest to
#: start decodes slowly; one model failed; one has no quality score.
_ROWS = [
    _row("quick-start", 0.20, 4.0, 30.0),
    _row("balanced", 0.80, 4.5, 55.0),
    _row("fast-but-slow-start", 2.50, 5.0, 90.0),
    _row("sloppy", 0.50, 2.0, 70.0),
    _row("unscored", 0.30, None, 60.0),
    _row("broken", None, None, None, status="failed"),
]


@register("05.pick_model")
def check_pick_model(pick_model: Callable[..., Any], rows: list[dict[str, Any]] | None = None) -> str | None:
    """Pick a model from a benchmark's table."""
    choice = pick_model([dict(r) for r in _ROWS], max_ttft_p95_s=1.0, min_quality=3.0)
    if choice == "quick-start":
        return "Among the models that qualify, pick the one with the HIGHEST decode rate, not the lowest TTFT."
    if choice == "fast-but-slow-start":
        return "Drop the models whose 'ttft_p95' is above max_ttft_p95_s before you pick the fastest."
    if choice in ("sloppy", "unscored"):
        return "Drop the models whose 'quality' is below min_quality (a missing score, None, does not qualify)."
    if choice != "balanced":
        return f"With a 1 s budget and quality >= 3 the answer is 'balanced'; your function returned {choice!r}."
    if pick_model([dict(r) for r in _ROWS], max_ttft_p95_s=0.1, min_quality=3.0) is not None:
        return "When no model qualifies, return None."
    if rows:  # the learner's own benchmark: the pick must be one of its measured models
        mine = pick_model(rows, max_ttft_p95_s=60.0, min_quality=0.0)
        if mine not in {r["model"] for r in rows if r["status"] != "failed"}:
            return f"On your own benchmark the pick must be a model that produced measurements, not {mine!r}."
    return None
