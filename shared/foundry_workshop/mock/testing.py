"""Helpers for tests that drive the mock (kept free of pytest so any harness can use them)."""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .latency import Latency
from .server import MockServer

DONE = "[DONE]"


def reset(mock: MockServer, latency: Latency | None = None) -> None:
    """Return a shared server to a clean slate between tests (no faults, no log, given latency)."""
    mock.clear_faults()
    mock.clear_requests()
    mock.set_latency(latency or Latency())


def sse_payloads(lines: Iterable[bytes | str]) -> list[str]:
    """The ``data:`` payloads of an SSE body, in order (``"[DONE]"`` included).

    Pass ``requests.Response.iter_lines()``; blank separator lines are skipped and
    any other non-``data:`` line is an error, since the mock never sends comments.
    """
    payloads = []
    for raw in lines:
        line = raw.decode() if isinstance(raw, bytes) else raw
        if not line:
            continue
        if not line.startswith("data: "):
            raise ValueError(f"Unexpected SSE line: {line!r}")
        payloads.append(line.removeprefix("data: "))
    return payloads


def sse_chunks(lines: Iterable[bytes | str]) -> list[dict[str, Any]]:
    """Decoded JSON chunks of an SSE body, requiring it to end with exactly one ``[DONE]``."""
    payloads = sse_payloads(lines)
    if not payloads or payloads[-1] != DONE or payloads.count(DONE) != 1:
        raise ValueError(f"Stream did not end with a single [DONE]: {payloads[-3:]}")
    return [json.loads(p) for p in payloads[:-1]]


@dataclass
class StreamTiming:
    """Client-side timing of one streamed completion (``time.perf_counter`` seconds)."""

    ttft: float
    """From just before the request to the first non-empty content delta."""
    arrivals: list[float] = field(default_factory=list)
    """Arrival time of every content delta, relative to the request start."""
    content: str = ""

    @property
    def gaps(self) -> list[float]:
        return [b - a for a, b in itertools.pairwise(self.arrivals)]

    @property
    def mean_gap(self) -> float:
        """Mean inter-token gap: total decode time / (tokens - 1), i.e. 1 / decode rate."""
        if len(self.arrivals) < 2:
            raise ValueError("Need at least two content chunks to measure a gap")
        return (self.arrivals[-1] - self.arrivals[0]) / (len(self.arrivals) - 1)


def time_stream(client: Any, **create_kwargs: Any) -> StreamTiming:
    """Stream one chat completion with an ``openai.OpenAI`` client and time its content chunks."""
    start = time.perf_counter()
    arrivals: list[float] = []
    parts: list[str] = []
    for chunk in client.chat.completions.create(stream=True, **create_kwargs):
        if chunk.choices and chunk.choices[0].delta.content:
            arrivals.append(time.perf_counter() - start)
            parts.append(chunk.choices[0].delta.content)
    if not arrivals:
        raise ValueError("The stream carried no content")
    return StreamTiming(ttft=arrivals[0], arrivals=arrivals, content="".join(parts))


class FakeCredential:
    """An Azure ``TokenCredential`` for the keyless path: hands out a fixed token (which the Azure emulation
    can be told to accept) and remembers the scopes it was asked for, so tests can check them."""

    def __init__(self, token: str = "entra-token") -> None:
        self.token = token
        self.scopes: list[tuple[str, ...]] = []

    def get_token(self, *scopes: str, **kwargs: Any) -> Any:
        from azure.core.credentials import AccessToken  # azure-core only where Azure is tested

        self.scopes.append(scopes)
        return AccessToken(self.token, int(time.time()) + 3600)

    def get_token_info(self, *scopes: str, options: Any = None) -> Any:
        from azure.core.credentials import AccessTokenInfo

        self.scopes.append(scopes)
        return AccessTokenInfo(self.token, int(time.time()) + 3600)
