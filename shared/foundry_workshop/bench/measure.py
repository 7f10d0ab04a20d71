"""One benchmark sample: a single streamed request, timed from the client's side.

The seed's script sent a non-streamed request and divided ``usage.total_tokens`` by the wall time. That number
counts the *prompt* tokens as if they had been generated and spreads them over a time that also holds the
prompt processing, so it changes when only the prompt changes and says nothing about responsiveness. A
separate request to time the first token measures a different request. Here one streamed request yields
everything:

* **TTFT** (time to first token): from just before the request is sent to the arrival of the first chunk that
  carries text. That is what a user waits before anything appears (network + queueing + prompt processing).
* **End-to-end latency**: until the stream ends.
* **Decode rate** (tokens/s): ``(completion_tokens - 1) / (t_end - t_first)``. The first token's arrival ends
  the prefill phase; every later token is one decode step, and there are ``completion_tokens - 1`` of them
  between ``t_first`` and ``t_end``. ``t_end`` is the arrival of the chunk carrying ``finish_reason``:
  servers count a stop token they never stream as text (llama.cpp reports 66 completion tokens for 65 text
  chunks) and that token's step ends when the finish chunk is sent. ``completion_tokens / (t_end - t_first)``
  would overstate the rate by ``N / (N - 1)`` (5 % for a 20-token answer); ``completion_tokens / latency``
  mixes in the prefill, which TTFT already reports. That last ratio is still recorded, as ``output_tps``:
  it is the rate a user perceives for a whole answer.
* **Token counts** come from the usage chunk the stream ends with (``stream_options.include_usage``).
  A server that sends none gets its text chunks counted instead (``usage_source = "counted_chunks"``):
  a lower bound, since one chunk can hold several tokens and a stop token is never streamed; prompt tokens
  are then unknown (None).

All times use ``time.perf_counter()``, a monotonic clock: wall-clock adjustments cannot bend a measurement.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from typing import Any, cast

import openai

from foundry_workshop.bench.config import Prompt
from foundry_workshop.failures import classify
from foundry_workshop.reasoning import chat_params

#: ``usage_source`` values: where a sample's token counts come from.
USAGE_FROM_STREAM = "stream"
USAGE_FROM_RESPONSE = "response"
USAGE_COUNTED = "counted_chunks"


@dataclass(frozen=True)
class RequestOptions:
    """How every request of a run is sent."""

    max_tokens: int = 128
    temperature: float | None = 0.0
    seed: int | None = 42
    stream: bool = True
    #: Seconds a request may take in total, and may stay silent between two chunks.
    timeout: float = 120.0
    #: Ask for the final usage chunk. False simulates a server that sends none.
    request_usage: bool = True

    def create_kwargs(self) -> dict[str, Any]:
        kwargs: dict[str, Any] = {"max_tokens": self.max_tokens, "stream": self.stream}
        if self.temperature is not None:
            kwargs["temperature"] = self.temperature
        if self.seed is not None:
            kwargs["seed"] = self.seed
        if self.stream and self.request_usage:
            kwargs["stream_options"] = {"include_usage": True}
        return kwargs


@dataclass
class Sample:
    """One request's measurements. Times in seconds, rates in tokens per second; None when not measurable."""

    model: str
    model_id: str
    prompt_id: str
    #: "warmup" (excluded from statistics), "measure", or "concurrency".
    phase: str
    round: int
    concurrency: int = 1
    ok: bool = False
    error: str | None = None
    #: HTTP status of a failed request, when the server answered with one.
    status_code: int | None = None
    #: What the failure means and what to do (the course's classifier), beside the technical ``error``.
    advice: str | None = None
    ttft_s: float | None = None
    latency_s: float | None = None
    decode_tps: float | None = None
    output_tps: float | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    text_chunks: int = 0
    finish_reason: str | None = None
    usage_source: str | None = None
    #: The server's own decode rate, when it reports one (llama.cpp's ``timings.predicted_per_second``).
    server_decode_tps: float | None = None
    text: str = ""
    #: Wall-clock start (Unix time), for the record only; durations use the monotonic clock.
    started_at: float = 0.0
    quality: float | None = None
    matched_aspects: list[int] = field(default_factory=list)
    outlier: bool = False
    outlier_reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def decode_rate(completion_tokens: int | None, t_first: float | None, t_end: float | None) -> float | None:
    """Decode tokens/s: ``(completion_tokens - 1)`` decode steps over ``t_end - t_first`` (see module doc)."""
    if completion_tokens is None or completion_tokens < 2 or t_first is None or t_end is None:
        return None
    interval = t_end - t_first
    return (completion_tokens - 1) / interval if interval > 0 else None


def _chunk_text(delta: Any) -> str:
    """Text a delta carries: ``content``, or ``reasoning_content`` for reasoning models on llama.cpp."""
    text = getattr(delta, "content", None)
    if not text:
        text = (getattr(delta, "model_extra", None) or {}).get("reasoning_content")
    return text or ""


def _server_rate(chunk: Any) -> float | None:
    timings = (getattr(chunk, "model_extra", None) or {}).get("timings")
    rate = timings.get("predicted_per_second") if isinstance(timings, dict) else None
    return float(rate) if isinstance(rate, int | float) else None


def measure_sample(
    client: openai.OpenAI,
    model_id: str,
    prompt: Prompt,
    options: RequestOptions,
    *,
    alias: str | None = None,
    phase: str = "measure",
    round_index: int = 0,
    concurrency: int = 1,
) -> Sample:
    """Send ``prompt`` to ``model_id`` once and measure it. Never raises for a failed request: the returned
    sample has ``ok=False`` and ``error`` set, so a benchmark records the failure and carries on.

    ``client`` should have ``max_retries=0``: a hidden retry would be timed as one slow request.
    """
    sample = Sample(model=alias or model_id, model_id=model_id, prompt_id=prompt.id, phase=phase,
                    round=round_index, concurrency=concurrency, started_at=time.time())
    messages = [{"role": "user", "content": prompt.text}]
    if not prompt.text.strip():  # a measurement of nothing; a local model would ramble up to max_tokens
        sample.error = f"empty prompt: prompt {prompt.id!r} has no text, so nothing was sent. Give it a text."
        return sample
    start = time.perf_counter()
    try:
        if options.stream:
            _read_stream(client, model_id, messages, options, sample, start)
        else:
            _read_response(client, model_id, messages, options, sample, start)
    except Exception as exc:  # a benchmark records every failure; KeyboardInterrupt still stops it
        failure = classify(exc, timeout=options.timeout, chunks=sample.text_chunks)
        sample.error, sample.status_code = failure.detail, failure.status
        sample.advice = classify(exc, endpoint=str(client.base_url).rstrip("/"), model=model_id,
                                 timeout=options.timeout, chunks=sample.text_chunks).message
        sample.latency_s = time.perf_counter() - start
        return sample
    sample.ok = True
    if sample.completion_tokens and sample.latency_s:
        sample.output_tps = sample.completion_tokens / sample.latency_s
    return sample


def _read_stream(client: openai.OpenAI, model_id: str, messages: list[dict[str, str]], options: RequestOptions,
                 sample: Sample, start: float) -> None:
    t_first = t_last_text = t_finish = None
    usage = None
    parts: list[str] = []
    deadline = start + options.timeout
    # create_kwargs() holds stream=True; the dict messages are valid ChatCompletionMessageParams.
    opened: openai.Stream[Any] = client.chat.completions.create(model=model_id, messages=cast(Any, messages),
                                                                **chat_params(model_id, options.create_kwargs()))
    with opened as stream:
        for chunk in stream:
            now = time.perf_counter()
            if chunk.usage is not None:
                usage = chunk.usage
                sample.server_decode_tps = _server_rate(chunk) or sample.server_decode_tps
            for choice in chunk.choices:
                text = _chunk_text(choice.delta)
                if text:
                    if t_first is None:
                        t_first, sample.ttft_s = now, now - start
                    t_last_text = now
                    sample.text_chunks += 1
                    parts.append(text)
                if choice.finish_reason:
                    sample.finish_reason, t_finish = choice.finish_reason, now
            if now > deadline:  # the read timeout only catches silence; this catches a trickle
                raise TimeoutError
    sample.latency_s = time.perf_counter() - start
    sample.text = "".join(parts)
    if usage is not None and usage.completion_tokens is not None:
        sample.usage_source = USAGE_FROM_STREAM
        sample.prompt_tokens, sample.completion_tokens = usage.prompt_tokens, usage.completion_tokens
    else:
        sample.usage_source = USAGE_COUNTED
        sample.completion_tokens = sample.text_chunks
    sample.decode_tps = decode_rate(sample.completion_tokens, t_first, t_finish or t_last_text)


def _read_response(client: openai.OpenAI, model_id: str, messages: list[dict[str, str]], options: RequestOptions,
                   sample: Sample, start: float) -> None:
    """Non-streamed (``BENCH_STREAM=0``): only the end-to-end latency is observable; TTFT and decode stay None."""
    response: Any = client.chat.completions.create(model=model_id, messages=cast(Any, messages),
                                                   **chat_params(model_id, options.create_kwargs()))
    sample.latency_s = time.perf_counter() - start
    choice = response.choices[0] if response.choices else None
    sample.text = (choice.message.content or "") if choice else ""
    sample.finish_reason = choice.finish_reason if choice else None
    if response.usage is not None:
        sample.usage_source = USAGE_FROM_RESPONSE
        sample.prompt_tokens, sample.completion_tokens = response.usage.prompt_tokens, response.usage.completion_tokens
