"""Running a benchmark: every model, warm-up then measured rounds, the concurrency sweep, the footprint.

A model that cannot be reached (unknown alias, server down), that fails repeatedly (5xx, broken streams)
or that times out is recorded with its error and skipped; the run goes on with the next model, because a
comparison of the models that did answer is still worth having, and the failure is itself a finding.

Requests go out with ``max_retries=0``: the OpenAI client's automatic retries would turn a failure into
one mysteriously slow sample.
"""

from __future__ import annotations

import os
import platform
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import numpy
import openai

from foundry_workshop import __version__, connect
from foundry_workshop.bench.concurrency import ConcurrencyPoint, run_level
from foundry_workshop.bench.config import BenchConfig, Prompt, bench_config, with_overrides
from foundry_workshop.bench.footprint import measure_footprint
from foundry_workshop.bench.measure import RequestOptions, Sample, measure_sample
from foundry_workshop.bench.quality import load_manual_scores, score_answer
from foundry_workshop.bench.result import BenchResult, ModelRun
from foundry_workshop.bench.stats import flag_outliers
from foundry_workshop.connection import Connection
from foundry_workshop.models import matches_alias


def available_models(conn: Connection, known: Sequence[str] = ()) -> list[str]:
    """The models a backend can run now: bundled its one model, foundry the cached ones, an endpoint its list.

    Listed ids are shown by a ``known`` alias (from the models file) when exactly one listed id matches it,
    so reports say ``qwen2.5-0.5b`` rather than ``qwen2.5-0.5b-instruct-generic-cpu:4``.
    """
    if conn.backend == "bundled":
        return [conn.alias]
    if conn.backend == "foundry":
        try:
            cached = conn.details["manager"].catalog.get_cached_models()
            return sorted({m.alias for m in cached}) or [conn.alias]
        except Exception:  # the SDK's catalog may be unreachable offline: fall back to what is loaded
            return [conn.alias]
    ids = conn.list_models()
    names = []
    for model_id in ids:
        aliases = [a for a in known if matches_alias(a, model_id)]
        alias = aliases[0] if len(aliases) == 1 and sum(matches_alias(aliases[0], i) for i in ids) == 1 else model_id
        if alias not in names:
            names.append(alias)
    return names


def _serves(conn: Connection, alias: str) -> bool:
    return alias in (conn.alias, conn.model) or matches_alias(alias, conn.model)


def _environment(config: BenchConfig, first: Connection | None) -> dict[str, Any]:
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    return {
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cpu_count": os.cpu_count(),
        "load_average_at_start": list(load) if load else None,
        "backend": first.backend if first else config.backend,
        "endpoint": first.endpoint if first else config.endpoint,
        "versions": {"foundry_workshop": __version__, "openai": openai.__version__, "numpy": numpy.__version__},
    }


class _Progress:
    """A tqdm bar (notebook widget or terminal) that worker threads may update, or nothing."""

    def __init__(self, total: int, enabled: bool) -> None:
        self._lock = threading.Lock()
        self._bar = None
        if enabled:
            from tqdm.auto import tqdm

            self._bar = tqdm(total=total, desc="benchmark", unit="req", dynamic_ncols=True)

    def model(self, alias: str) -> None:
        if self._bar is not None:
            self._bar.set_postfix_str(alias, refresh=True)

    def advance(self, n: int = 1) -> None:
        if self._bar is not None and n > 0:
            with self._lock:
                self._bar.update(n)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


class _ModelBench:
    """Measures one model over an open connection."""

    def __init__(self, run: ModelRun, conn: Connection, config: BenchConfig, progress: _Progress) -> None:
        self.run, self.conn, self.config, self.progress = run, conn, config, progress
        self.client = conn.client.with_options(timeout=config.timeout, max_retries=0)
        self.options = RequestOptions(max_tokens=config.max_tokens, temperature=config.temperature,
                                      seed=config.seed, stream=config.stream, timeout=config.timeout)
        self.samples: list[Sample] = []
        self.points: list[ConcurrencyPoint] = []

    def _measure(self, prompt: Prompt, phase: str, round_index: int) -> Sample:
        sample = measure_sample(self.client, self.conn.model, prompt, self.options, alias=self.run.alias,
                                phase=phase, round_index=round_index)
        if self._seed_rejected(sample):
            self.options = replace(self.options, seed=None)
            sample = measure_sample(self.client, self.conn.model, prompt, self.options, alias=self.run.alias,
                                    phase=phase, round_index=round_index)
        self.run.seed_sent = self.options.seed is not None
        return sample

    def _seed_rejected(self, sample: Sample) -> bool:
        """A 400/422 naming ``seed``: this server does not take one, so the run carries on without it."""
        return (not sample.ok and self.options.seed is not None and sample.status_code in (400, 422)
                and "seed" in (sample.error or "").lower())

    def rounds(self, prompts: Sequence[Prompt], per_model: int) -> None:
        """Warm-up rounds, then measured rounds; each round sends every prompt once (interleaved, so slow
        drift of the machine spreads over all prompts instead of landing on one)."""
        schedule = [("warmup", r) for r in range(self.config.warmup)]
        schedule += [("measure", r) for r in range(self.config.rounds)]
        consecutive, done = 0, 0
        for phase, round_index in schedule:
            for prompt in prompts:
                sample = self._measure(prompt, phase, round_index)
                if sample.ok and phase == "measure":
                    sample.quality, sample.matched_aspects = score_answer(sample.text, prompt.expect)
                self.samples.append(sample)
                done += 1
                self.progress.advance()
                consecutive = 0 if sample.ok else consecutive + 1
                if consecutive >= self.config.max_consecutive_errors:
                    self.run.error = (f"skipped after {consecutive} failed requests in a row; "
                                      f"last: {sample.error}")
                    self.progress.advance(per_model - done)
                    return

    def sweep(self, prompts: Sequence[Prompt]) -> None:
        for level in self.config.concurrency:
            point, samples = run_level(
                self.client, self.conn.model, prompts, self.options, level, self.config.concurrency_requests,
                alias=self.run.alias, on_sample=lambda _: self.progress.advance(),
            )
            self.points.append(point)
            self.samples.extend(samples)

    def finish(self) -> None:
        self.run.footprint = measure_footprint(self.conn, self.run.info)
        measured_ok = [s for s in self.samples if s.ok and s.phase == "measure"]
        if not measured_ok:
            self.run.status = "failed"
            if self.run.error is None:
                failed = next((s for s in self.samples if not s.ok), None)
                self.run.error = failed.error if failed else "no measurement"
        else:
            self.run.status = "ok" if all(s.ok for s in self.samples) else "partial"


def run_benchmark(
    config: BenchConfig | None = None,
    *,
    connection: Connection | None = None,
    progress: bool = True,
    manual_scores: str | os.PathLike[str] | None = None,
    on_model: Callable[[ModelRun], None] | None = None,
    **settings: Any,
) -> BenchResult:
    """Benchmark every model of ``config`` (or of ``bench_config(**settings)``) and return the result.

    ``connection``: an open connection to reuse (a notebook's ``conn``): its model is measured over it, other
    models are opened on the same backend and server, and it is left open. Without ``config.models`` the
    models are those the backend offers (:func:`available_models`). ``on_model`` is called after each model.
    """
    if config is None:
        config = bench_config(**settings)
    elif settings:
        config = with_overrides(config, **settings)
    manual = load_manual_scores(manual_scores) if manual_scores else {}

    opened: list[Connection] = []
    first = connection
    if first is None and config.models is None:
        first = connect(backend=config.backend, endpoint=config.endpoint, api_key=config.api_key)
        opened.append(first)
    environment = _environment(config, first)
    aliases = list(config.models or available_models(first, list(config.model_info)))  # type: ignore[arg-type]
    prompts = config.prompts
    per_model = (config.warmup + config.rounds) * len(prompts)
    per_sweep = sum(config.concurrency) * config.concurrency_requests
    bar = _Progress(len(aliases) * (per_model + per_sweep), progress)
    runs: list[ModelRun] = []
    samples: list[Sample] = []
    points: list[ConcurrencyPoint] = []
    started = time.perf_counter()
    try:
        for alias in aliases:
            run = ModelRun(alias=alias, info=config.info(alias))
            runs.append(run)
            bar.model(alias)
            conn = None
            try:
                conn = _open(alias, config, first, opened)
            except Exception as exc:  # unknown alias, server down, backend missing: record and go on
                run.status, run.error = "failed", str(exc)
                bar.advance(per_model + per_sweep)
            if conn is not None:
                run.model_id, run.backend = conn.model, conn.backend
                if environment["backend"] is None or environment["endpoint"] is None:  # models given, no connection
                    environment.update(backend=conn.backend, endpoint=conn.endpoint)
                bench = _ModelBench(run, conn, config, bar)
                try:
                    bench.rounds(prompts, per_model)
                    if run.error is None:
                        bench.sweep(prompts)
                    else:
                        bar.advance(per_sweep)
                    bench.finish()
                finally:
                    samples.extend(bench.samples)
                    points.extend(bench.points)
                    if conn is not first and conn in opened:
                        opened.remove(conn)
                        conn.close()
            if on_model is not None:
                on_model(run)
    finally:
        bar.close()
        for conn in opened:
            conn.close()
    flag_outliers(samples)
    environment["duration_s"] = time.perf_counter() - started
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    environment["load_average_at_end"] = list(load) if load else None
    return BenchResult(config=config, models=runs, samples=samples, concurrency=points,
                       environment=environment, manual_scores=manual)


def _open(alias: str, config: BenchConfig, first: Connection | None, opened: list[Connection]) -> Connection:
    """A connection for ``alias``: the given one if it serves that model, else a new one on the same server."""
    if first is not None and _serves(first, alias):
        return first
    backend, endpoint, api_key = config.backend, config.endpoint, config.api_key
    if first is not None:
        backend = first.backend
        if backend in ("mock", "endpoint"):  # other models of the same server
            endpoint, api_key = first.endpoint, first.api_key
    # No timeout here: it would also bound a local server's start-up; requests get theirs in _ModelBench.
    conn = connect(backend=backend, model=alias, endpoint=endpoint, api_key=api_key)
    opened.append(conn)
    return conn

