"""The mock server's state: the requests it recorded, its faults and latency, its models.

Shared by the HTTP handlers and the controlling test. The server runs on its own thread and event loop while
tests (or the control API) change faults and latency, so everything here is guarded by locks or is
thread-safe by construction. Recorded requests are what a notebook or app actually sent (model, messages,
stream flags, headers); credentials are redacted at record time so they can never leak into test output or
CI logs.
"""

from __future__ import annotations

import copy
import itertools
import threading
from collections.abc import Iterable
from typing import Any

from .faults import FaultQueue, FaultRule
from .latency import Latency
from .models import DEFAULT_MODELS, MockModel, find_model

#: Headers whose values are replaced by ``"***"``.
REDACTED_HEADERS = frozenset({"authorization", "proxy-authorization", "api-key", "x-api-key", "cookie"})
REDACTED = "***"


def redact_headers(raw_headers: Iterable[tuple[bytes, bytes]]) -> dict[str, str]:
    """Lower-case header names, join repeated headers with ", ", hide credentials."""
    headers: dict[str, str] = {}
    for raw_name, raw_value in raw_headers:
        name = raw_name.decode("latin-1").lower()
        value = REDACTED if name in REDACTED_HEADERS else raw_value.decode("latin-1")
        headers[name] = f"{headers[name]}, {value}" if name in headers else value
    return headers


class RequestRecorder:
    """Thread-safe append-only log of request dicts (see ``MockServer.requests``)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._requests: list[dict[str, Any]] = []

    def append(self, record: dict[str, Any]) -> None:
        with self._lock:
            self._requests.append(record)

    def snapshot(self) -> list[dict[str, Any]]:
        """Deep copy, so callers can mutate what they get without touching the log."""
        with self._lock:
            return copy.deepcopy(self._requests)

    def clear(self) -> int:
        with self._lock:
            cleared = len(self._requests)
            self._requests.clear()
        return cleared


class MockState:
    """Configuration and runtime state of one mock server."""

    def __init__(
        self,
        models: Iterable[MockModel] = DEFAULT_MODELS,
        latency: Latency | None = None,
        api_key: str | None = None,
        faults: Iterable[FaultRule] = (),
        bare_stream: bool = False,
    ) -> None:
        self.models: tuple[MockModel, ...] = tuple(models)
        if not self.models:
            raise ValueError("The mock needs at least one model")
        self.api_key = api_key or None
        self.faults = FaultQueue()
        for rule in faults:
            self.faults.add(rule)
        self.recorder = RequestRecorder()
        #: Streams carry only what the wire format requires (see ``chat.Generation.bare``).
        self.bare_stream = bare_stream
        #: Set when the server is shutting down, so stalls and delays end at once.
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._latency = latency or Latency()
        self._sequence = itertools.count(1)

    @property
    def latency(self) -> Latency:
        with self._lock:
            return self._latency

    def set_latency(self, latency: Latency) -> None:
        with self._lock:
            self._latency = latency

    def find_model(self, name: str) -> MockModel | None:
        return find_model(self.models, name)

    def next_sequence(self) -> int:
        """Monotonic per-server number; makes completion ids deterministic."""
        with self._lock:
            return next(self._sequence)
