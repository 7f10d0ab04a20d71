"""The benchmark's measuring instrument against the mock's injected truth (first-token delay, token gap).

The mock paces every token against an absolute deadline, so what it injects is what a perfect client would
measure. These tests hold the harness to 3 % of that, and show the seed script's method is not close.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import openai
import pytest

from foundry_workshop.bench import Prompt, RequestOptions, measure_sample, run_benchmark
from foundry_workshop.mock import Latency, MockServer, count_prompt_tokens
from foundry_workshop.mock.testing import reset

QWEN = "qwen2.5-0.5b-instruct-generic-cpu:4"
# Injected time to first token, and gap between tokens (= 40 tokens/s). The client's own share of TTFT (building
# the request, parsing the first chunk) measured 4-9 ms on a loaded 2-core machine: 0.4 s keeps it well inside 3 %.
FIRST, GAP = 0.4, 0.025
MAX_TOKENS = 16  # every answer is cut to 16 tokens: short requests, and N/(N-1) = 6.7 % is plainly visible
TOLERANCE = 0.03
SHORT = Prompt("short", "Hi")
LONG = Prompt("long", " ".join(["Summarize the following meeting notes for the product team."] * 20))
#: The mock schedules tokens on time.monotonic(), which ticks every 15.6 ms on Windows (Python 3.11); the client
#: times with perf_counter. A lower bound allows the mock's clock one tick.
TICK = time.get_clock_info("monotonic").resolution


@pytest.fixture
def mock(server: MockServer) -> Iterator[MockServer]:
    """The shared module server, with this module's injected latency."""
    reset(server, Latency(first_token=FIRST, inter_token=GAP))
    yield server
    reset(server)


@pytest.fixture
def client(server: MockServer) -> Iterator[openai.OpenAI]:
    with openai.OpenAI(base_url=server.url, api_key="unused", max_retries=0, timeout=10) as c:
        c.models.list()  # the first call through a fresh client pays one-off costs; keep them out of the checks
        yield c


def seed_script_tokens_per_second(client: openai.OpenAI, prompt: str) -> float:
    """Seed 001's ``run_round``: non-streamed, ``usage.total_tokens / (end - start)``."""
    start = time.time()
    resp = client.chat.completions.create(model=QWEN, messages=[{"role": "user", "content": prompt}],
                                          max_tokens=MAX_TOKENS, temperature=0.2, stream=False)
    return resp.usage.total_tokens / (time.time() - start)


def test_ttft_and_decode_rate_are_within_3_percent_of_the_injected_truth(mock):
    truth = {"ttft_s": FIRST, "decode_tps": 1 / GAP, "latency_s": FIRST + (MAX_TOKENS - 1) * GAP}
    # The typical (median) request is held to 3 %. A busy CI machine can delay one run's tokens (two CPU hogs
    # on two cores once added 16 ms to a first token), so up to three runs are tried; an instrument that is
    # really off fails all of them.
    for _attempt in range(3):
        result = run_benchmark(backend="mock", endpoint=mock.url, models=["qwen2.5-0.5b"], prompts=[SHORT, LONG],
                               rounds=2, warmup=1, max_tokens=MAX_TOKENS, concurrency=(), progress=False)
        samples = [s for s in result.samples if s.phase == "measure"]
        assert len(samples) == 4 and all(s.ok for s in samples)
        stats = result.model_summary()["qwen2.5-0.5b"]["stats"]
        assert stats["ttft_s"]["n"] == 4
        if all(stats[k]["p50"] == pytest.approx(v, rel=TOLERANCE) for k, v in truth.items()):
            break
    for key, value in truth.items():
        assert stats[key]["p50"] == pytest.approx(value, rel=TOLERANCE), key
    for s in samples:
        assert s.usage_source == "stream" and s.completion_tokens == MAX_TOKENS and s.finish_reason == "length"
        assert s.ttft_s >= FIRST - TICK, "no token can arrive before the injected delay"
    # Dividing all N tokens by the decode interval (one gap short) would miss by N/(N-1): 6.7 % here.
    naive = MAX_TOKENS / (MAX_TOKENS - 1) * stats["decode_tps"]["p50"]
    assert abs(naive * GAP - 1) > TOLERANCE


def test_the_seed_scripts_total_tokens_method_is_off_and_depends_on_the_prompt(mock, client):
    truth = 1 / GAP
    short, long = (seed_script_tokens_per_second(client, p.text) for p in (SHORT, LONG))
    assert abs(short / truth - 1) > TOLERANCE, "even the short prompt misses: TTFT is in the denominator"
    assert long / truth > 3, "prompt tokens are counted as if generated: a long prompt looks several times faster"
    assert count_prompt_tokens([{"role": "user", "content": LONG.text}]) > 100
    # The harness on the very same requests: one decode rate, whatever the prompt. Up to three tries each, as in
    # the first test: a busy machine once read a first token 11 ms late, which shortens that run's decoding span;
    # an instrument that is off (6.7 % for the one-gap-short mistake) nearly always misses all three, and the
    # first test holds the same rate to 3 % over medians.
    for prompt in (SHORT, LONG):
        rates: list[float] = []
        for _attempt in range(3):
            rates.append(measure_sample(client, QWEN, prompt, RequestOptions(max_tokens=MAX_TOKENS)).decode_tps)
            if rates[-1] == pytest.approx(truth, rel=TOLERANCE):
                break
        assert rates[-1] == pytest.approx(truth, rel=TOLERANCE), rates


def test_without_a_usage_chunk_text_chunks_are_counted_and_say_so(mock, client):
    sample = measure_sample(client, QWEN, SHORT, RequestOptions(max_tokens=MAX_TOKENS, request_usage=False))
    assert sample.ok and sample.usage_source == "counted_chunks"
    assert sample.completion_tokens == sample.text_chunks == MAX_TOKENS
    assert sample.prompt_tokens is None
    # The counted tokens make the rate: 15 decode steps between the first chunk and the last. (How close that is to
    # the injected truth is the first test's question, over medians: one run on a busy CI machine read 35 for 40.)
    assert sample.decode_tps == pytest.approx((MAX_TOKENS - 1) / (sample.latency_s - sample.ttft_s), rel=0.01)
    request = mock.requests[-1]["json"]
    assert "stream_options" not in request and request["stream"] is True


def test_deterministic_mode_sends_temperature_zero_and_the_seed(mock, client):
    measure_sample(client, QWEN, SHORT, RequestOptions(max_tokens=4))
    sent = mock.requests[-1]["json"]
    assert sent["temperature"] == 0 and sent["seed"] == 42
    assert sent["stream_options"] == {"include_usage": True}


def test_not_streamed_only_latency_is_measurable(mock, client):
    generated = FIRST + (MAX_TOKENS - 1) * GAP
    started = time.perf_counter()
    sample = measure_sample(client, QWEN, SHORT, RequestOptions(max_tokens=MAX_TOKENS, stream=False))
    stopwatch = time.perf_counter() - started
    assert sample.ok and sample.usage_source == "response" and sample.completion_tokens == MAX_TOKENS
    assert sample.ttft_s is None and sample.decode_tps is None, "a single reply shows neither"
    # Bounds a busy machine does not break (it only adds delay): the whole answer cannot arrive before it is
    # generated, and the instrument cannot report more time than a stopwatch around it saw. How close it comes to
    # the injected truth on a quiet machine is the streamed test's question (a single reply was 42 ms late once
    # in CI, under three pytest workers on two cores).
    assert generated - TICK <= sample.latency_s <= stopwatch
    assert sample.output_tps == pytest.approx(MAX_TOKENS / sample.latency_s)


@pytest.mark.parametrize(("fault", "expected"), [
    ("500", "HTTP 500"),
    ("429", "HTTP 429"),
    ("disconnect", "connection lost mid-stream after 3 chunks"),
    ("malformed", "malformed stream"),
])
def test_a_failed_request_is_a_sample_with_its_error(mock, client, fault, expected):
    mock.set_latency(Latency())
    mock.add_fault(fault, after_tokens=3)
    sample = measure_sample(client, QWEN, SHORT, RequestOptions(max_tokens=MAX_TOKENS))
    assert not sample.ok and expected in sample.error
    assert sample.status_code == (int(fault) if fault.isdigit() else None)
    assert sample.decode_tps is None and sample.latency_s is not None


def test_silence_longer_than_the_timeout_fails_the_request(mock, client):
    mock.add_fault("stall", after_tokens=2, stall_seconds=5)
    sample = measure_sample(client.with_options(timeout=0.5), QWEN, SHORT,
                            RequestOptions(max_tokens=MAX_TOKENS, timeout=0.5))
    assert not sample.ok and sample.error.startswith("timeout")
    # The first token did arrive before the stall, and the failure came at least one read timeout after it.
    assert sample.ttft_s is not None and FIRST - TICK <= sample.ttft_s <= sample.latency_s - 0.4


def test_a_trickle_past_the_total_timeout_fails_too(mock, client):
    # Tokens keep coming every 25 ms, so no read ever times out; the request as a whole still must.
    sample = measure_sample(client, QWEN, SHORT, RequestOptions(max_tokens=MAX_TOKENS, timeout=0.3))
    assert not sample.ok and sample.error.startswith("timeout: no complete answer within 0.3 s")
