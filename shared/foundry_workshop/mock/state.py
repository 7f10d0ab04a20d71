"""Mutable state shared by the HTTP handlers and the controlling test.

The server runs on its own thread and event loop while tests (or the control
API) change faults and latency, so everything here is guarded by locks or is
thread-safe by construction.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterable

from .faults import FaultQueue, FaultRule
from .latency import Latency
from .models import DEFAULT_MODELS, MockModel, find_model
from .recording import RequestRecorder


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
