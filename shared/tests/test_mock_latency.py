"""Injected latency is accurate enough for the mock to calibrate TTFT / decode-rate measurements."""

from __future__ import annotations

import statistics
import time
from collections.abc import Iterator

import openai
import pytest
import requests

from foundry_workshop.mock import Latency, MockServer, reply_text, split_tokens
from foundry_workshop.mock.testing import time_stream

SMOL = "smollm2-135m-instruct-generic-cpu:1"
USER = [{"role": "user", "content": "Hi"}]
TOLERANCE = 0.03
#: Scheduling noise (other processes, GIL hand-offs between the client and the server thread) only ever
#: *adds* delay, while a pacing bug is systematic. So every run must not be early, and a run that is too
#: late may be repeated: a broken instrument fails all attempts, a busy machine rarely fails twice.
ATTEMPTS = 3
#: The mock schedules tokens on time.monotonic(), which ticks every 15.6 ms on Windows (Python 3.11); the client
#: times with perf_counter. A lower bound allows the mock's clock one tick.
TICK = time.get_clock_info("monotonic").resolution


def within(measured: float, expected: float, rel: float = TOLERANCE) -> bool:
    return abs(measured - expected) <= rel * expected


@pytest.fixture
def client(mock: MockServer) -> Iterator[openai.OpenAI]:
    """Unlike the shared fixture, this client is warmed up before any timing."""
    with openai.OpenAI(base_url=mock.url, api_key="unused", max_retries=0, timeout=10) as c:
        # The first call through a fresh client pays one-off client-side costs (tens of ms).
        c.chat.completions.create(model=SMOL, messages=USER, stream=True).close()  # type: ignore[arg-type]
        c.chat.completions.create(model=SMOL, messages=USER, max_tokens=1)  # type: ignore[arg-type]
        yield c


def test_stream_ttft_and_decode_rate_match_injected_values(client: openai.OpenAI, mock: MockServer) -> None:
    mock.set_latency(Latency(first_token=0.3, inter_token=0.02))
    assert len(split_tokens(reply_text(USER, SMOL))) == 22
    for _ in range(ATTEMPTS):
        timing = time_stream(client, model=SMOL, messages=USER)
        assert len(timing.arrivals) == 22 and timing.content == reply_text(USER, SMOL)
        assert timing.ttft >= 0.3 - TICK, "no token may arrive before the injected first-token delay"
        # One chunk per token, not one burst. The median, not the minimum: tokens keep absolute deadlines, so
        # after one late token (a busy machine) the next arrives sooner.
        paced = statistics.median(timing.gaps) > 0.01
        if paced and within(timing.ttft, 0.3) and within(timing.mean_gap, 0.02):
            break
    assert timing.ttft == pytest.approx(0.3, rel=TOLERANCE)
    assert timing.mean_gap == pytest.approx(0.02, rel=TOLERANCE)
    assert statistics.median(timing.gaps) > 0.01, "tokens are paced, not sent in bursts"


def test_non_streaming_waits_for_the_whole_generation(client: openai.OpenAI, mock: MockServer) -> None:
    mock.set_latency(Latency(first_token=0.2, inter_token=0.02))
    expected = 0.2 + 0.02 * 21
    for _ in range(ATTEMPTS):
        started = time.perf_counter()
        response = client.chat.completions.create(model=SMOL, messages=USER)  # type: ignore[arg-type]
        elapsed = time.perf_counter() - started
        assert response.usage is not None and response.usage.completion_tokens == 22
        assert elapsed >= expected - TICK
        if within(elapsed, expected):
            break
    assert elapsed == pytest.approx(expected, rel=TOLERANCE)


def test_headers_override_latency_for_one_request(client: openai.OpenAI, mock: MockServer) -> None:
    mock.set_latency(Latency(first_token=5, inter_token=1))
    timing = time_stream(
        client,
        model=SMOL,
        messages=USER,
        extra_headers={"X-Mock-First-Token-Delay": "0.15", "X-Mock-Inter-Token-Delay": "0.005"},
    )
    # Only shows the headers won over the server's 5 s / 1 s; accuracy is covered above. (No lower bound on the
    # gap: tokens keep absolute deadlines, so after a late first token the rest arrive closer together.)
    assert 0.15 <= timing.ttft < 1
    assert timing.mean_gap < 0.5


@pytest.mark.parametrize("value", ["fast", "-0.1", "nan", "inf"])
def test_invalid_latency_header_is_400(mock: MockServer, value: str) -> None:
    response = requests.post(
        f"{mock.url}/chat/completions",
        json={"model": SMOL, "messages": USER},
        headers={"X-Mock-Inter-Token-Delay": value},
        timeout=10,
    )
    assert response.status_code == 400
    assert response.json()["error"]["param"] == "x-mock-inter-token-delay"


@pytest.mark.parametrize("bad", [{"first_token": -1}, {"inter_token": float("nan")}, {"first_token": "1"}])
def test_latency_rejects_nonsense(bad: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        Latency(**bad)  # type: ignore[arg-type]
