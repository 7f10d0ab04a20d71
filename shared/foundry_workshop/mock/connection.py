"""Dropping a client connection on purpose.

ASGI has no message for "abort the connection", yet the ``disconnect`` fault
needs exactly that: a stream that stops mid-way with no finish chunk, or a
request that gets no response at all. Raising from the app is not enough
(before the response starts, uvicorn turns an exception into a tidy 500), so
the mock reaches for the server's transport: uvicorn hands every request the
bound ``receive`` method of its per-request cycle object, which owns
``transport`` and a ``disconnected`` flag. :class:`ConnectionHandle` wraps that
and degrades to raising :class:`ConnectionAbort` (which still drops a started
stream) under any other ASGI server.
"""

from __future__ import annotations

import asyncio
from typing import Any

#: Scope key under which :class:`~foundry_workshop.mock.middleware.InstrumentMiddleware` stores the handle.
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


def connection_from_scope(scope: dict[str, Any]) -> ConnectionHandle:
    handle = scope.get(SCOPE_KEY)
    return handle if isinstance(handle, ConnectionHandle) else ConnectionHandle(None)


def received_at_from_scope(scope: dict[str, Any]) -> float:
    """When the request arrived (event-loop clock); "now" if the middleware did not run."""
    received_at = scope.get(RECEIVED_AT_KEY)
    return received_at if isinstance(received_at, float) else asyncio.get_running_loop().time()
