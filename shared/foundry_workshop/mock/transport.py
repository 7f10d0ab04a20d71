"""The mock's ASGI layer: recording each request and reaching its raw connection.

:class:`InstrumentMiddleware` is pure ASGI (not ``BaseHTTPMiddleware``) for two reasons: it must see the
server's original ``receive`` callable to build a :class:`ConnectionHandle`, and it must not buffer
streaming responses, which would ruin latency measurements.

Dropping a client connection on purpose: ASGI has no message for "abort the connection", yet the
``disconnect`` fault needs exactly that: a stream that stops mid-way with no finish chunk, or a request that
gets no response at all. Raising from the app is not enough (before the response starts, uvicorn turns an
exception into a tidy 500), so the mock reaches for the server's transport: uvicorn hands every request the
bound ``receive`` method of its per-request cycle object, which owns ``transport`` and a ``disconnected``
flag. :class:`ConnectionHandle` wraps that and degrades to raising :class:`ConnectionAbort` (which still
drops a started stream) under any other ASGI server.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import MutableMapping
from typing import Any
from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .state import MockState, redact_headers

#: Scope key under which :class:`InstrumentMiddleware` stores the handle.
SCOPE_KEY = "foundry_mock.connection"
#: Scope key holding the event-loop time at which the request reached the app. Injected
#: latency is measured from here, so parsing and validation do not inflate the TTFT.
RECEIVED_AT_KEY = "foundry_mock.received_at"

#: How long to wait for the server to notice a closed transport before giving up.
_CLOSE_TIMEOUT = 2.0


class ConnectionAbort(RuntimeError):
    """Raised to make the ASGI server drop a connection when the transport is out of reach."""


class ConnectionHandle:
    """Access to one request's underlying connection (uvicorn-specific, with a fallback)."""

    def __init__(self, cycle: Any | None) -> None:
        transport = getattr(cycle, "transport", None)
        self._cycle = cycle if transport is not None and hasattr(cycle, "disconnected") else None

    @classmethod
    def from_receive(cls, receive: object) -> ConnectionHandle:
        return cls(getattr(receive, "__self__", None))

    @property
    def disconnected(self) -> bool:
        """True once the server has seen the client go away."""
        return bool(self._cycle is not None and self._cycle.disconnected)

    async def abort(self) -> None:
        """Close the TCP connection after flushing what was already sent.

        ``close()`` (not ``abort()``) is used so chunks already written reach the
        client before the FIN; the client then sees a body that ends without the
        chunked terminator. Returns once the server has marked the request as
        disconnected, so anything the framework sends afterwards is discarded
        instead of being written to the wire.
        """
        if self._cycle is None:
            raise ConnectionAbort("Connection dropped by the mock 'disconnect' fault")
        self._cycle.transport.close()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + _CLOSE_TIMEOUT
        while not self._cycle.disconnected and loop.time() < deadline:
            await asyncio.sleep(0.005)
        if not self._cycle.disconnected:
            self._cycle.transport.abort()
            raise ConnectionAbort("Connection dropped by the mock 'disconnect' fault")


def connection_from_scope(scope: MutableMapping[str, Any]) -> ConnectionHandle:
    handle = scope.get(SCOPE_KEY)
    return handle if isinstance(handle, ConnectionHandle) else ConnectionHandle(None)


def received_at_from_scope(scope: MutableMapping[str, Any]) -> float:
    """When the request arrived (event-loop clock); "now" if the middleware did not run."""
    received_at = scope.get(RECEIVED_AT_KEY)
    return received_at if isinstance(received_at, float) else asyncio.get_running_loop().time()


#: Paths never recorded: the control plane itself and readiness probes, which a
#: harness may poll many times before the code under test sends anything.
UNRECORDED_PREFIXES = ("/_mock", "/health")


def _is_recorded(path: str) -> bool:
    return not any(path == prefix or path.startswith(prefix + "/") for prefix in UNRECORDED_PREFIXES)


async def _read_body(receive: Receive) -> tuple[bytes, list[Message]]:
    """Drain the request body; returns it plus any non-body message (a disconnect) to replay."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks), [message]
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks), []


def _decode_json(body: bytes) -> Any:
    if not body:
        return None
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None


class InstrumentMiddleware:
    """Attach a ConnectionHandle to every HTTP scope and record non-control requests."""

    def __init__(self, app: ASGIApp, state: MockState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        scope[RECEIVED_AT_KEY] = asyncio.get_running_loop().time()
        scope[SCOPE_KEY] = ConnectionHandle.from_receive(receive)
        if not _is_recorded(scope["path"]):
            await self.app(scope, receive, send)
            return

        body, leftovers = await _read_body(receive)
        self.state.recorder.append(
            {
                "method": scope["method"],
                "path": scope["path"],
                "query": dict(parse_qsl(scope.get("query_string", b"").decode("latin-1"))),
                "headers": redact_headers(scope.get("headers", [])),
                "json": _decode_json(body),
                "time": time.time(),
            }
        )

        pending: list[Message] = [{"type": "http.request", "body": body, "more_body": False}, *leftovers]

        async def replay() -> Message:
            return pending.pop(0) if pending else await receive()

        await self.app(scope, replay, send)
