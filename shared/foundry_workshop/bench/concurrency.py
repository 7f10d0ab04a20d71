"""Concurrency sweep: how one server behaves when several requests arrive at once.

A single user sees per-request latency; a server shared by an app's users (or a batch job) is judged by the
tokens it produces per second in total. Both move in opposite directions as parallel requests rise: the
server batches them (aggregate tokens/s goes up) while each request waits longer (its p95 goes up). The
sweep runs each level with that many threads, each sending ``requests_per_worker`` requests back to back,
and reports per level: aggregate tokens/s = completion tokens of all successful requests / wall time of the
level, and the per-request p95 of latency and TTFT. Threads (not asyncio) so the same code runs in a
terminal and inside Jupyter, whose event loop is already running; the OpenAI client is thread-safe.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from typing import Any

import openai

from foundry_workshop.bench.config import Prompt
from foundry_workshop.bench.measure import RequestOptions, Sample, measure_sample
from foundry_workshop.bench.stats import describe


@dataclass
class ConcurrencyPoint:
    """One level of the sweep for one model."""

    model: str
    level: int
    requests: int
    errors: int
    wall_s: float
    aggregate_tps: float | None
    latency_p50_s: float | None
    latency_p95_s: float | None
    ttft_p95_s: float | None
    decode_tps_mean: float | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def run_level(
    client: openai.OpenAI,
    model_id: str,
    prompts: Sequence[Prompt],
    options: RequestOptions,
    level: int,
    requests_per_worker: int,
    *,
    alias: str | None = None,
    on_sample: Callable[[Sample], None] = lambda sample: None,
) -> tuple[ConcurrencyPoint, list[Sample]]:
    """Run ``level`` parallel workers; worker ``w`` sends prompts ``w, w+1, ...`` (cycling the set)."""

    def worker(index: int) -> list[Sample]:
        done = []
        for i in range(requests_per_worker):
            prompt = prompts[(index + i) % len(prompts)]
            sample = measure_sample(client, model_id, prompt, options, alias=alias, phase="concurrency",
                                    round_index=i, concurrency=level)
            on_sample(sample)
            done.append(sample)
        return done

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=level, thread_name_prefix=f"bench-x{level}") as pool:
        samples = [s for batch in pool.map(worker, range(level)) for s in batch]
    wall = time.perf_counter() - started
    ok = [s for s in samples if s.ok]
    tokens = sum(s.completion_tokens or 0 for s in ok)
    latency, ttft, decode = (describe(getattr(s, m) for s in ok) for m in ("latency_s", "ttft_s", "decode_tps"))
    point = ConcurrencyPoint(
        model=alias or model_id, level=level, requests=len(samples), errors=len(samples) - len(ok), wall_s=wall,
        aggregate_tps=tokens / wall if ok and wall > 0 else None,
        latency_p50_s=latency["p50"], latency_p95_s=latency["p95"], ttft_p95_s=ttft["p95"],
        decode_tps_mean=decode["mean"],
    )
    return point, samples
