"""Recording of the requests the mock receives.

Tests inspect what a notebook or app actually sent (model, messages, stream
flags, headers). Credentials are redacted at record time so they can never leak
into test output or CI logs.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Iterable
from typing import Any

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
