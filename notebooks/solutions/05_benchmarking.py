"""Reference solutions for lesson 05 (benchmarking). `make run` and the tests use them in place of the stubs."""

from __future__ import annotations


def stream_stats(start: float, arrivals: list[float], completion_tokens: int | None) -> dict:
    """TTFT, latency and decode rate of one streamed answer, from the times its text pieces arrived."""
    tokens = completion_tokens or len(arrivals)  # a server that sends no usage chunk: one token per piece
    first, last = arrivals[0], arrivals[-1]
    decode = (tokens - 1) / (last - first) if tokens > 1 and last > first else None
    return {"ttft_s": first - start, "latency_s": last - start, "decode_tps": decode}


def pick_model(rows: list[dict], max_ttft_p95_s: float, min_quality: float) -> str | None:
    """The fastest-decoding model among those that meet the first-token budget and the quality bar."""
    candidates = [
        row for row in rows
        if row["status"] != "failed"
        and row["ttft_p95"] is not None and row["ttft_p95"] <= max_ttft_p95_s
        and (row["quality"] or 0) >= min_quality
    ]
    if not candidates:
        return None
    return max(candidates, key=lambda row: row["decode_tps_mean"])["model"]
