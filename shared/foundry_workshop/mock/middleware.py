"""ASGI middleware that records requests and exposes the raw connection.

It is pure ASGI (not ``BaseHTTPMiddleware``) for two reasons: it must see the
server's original ``receive`` callable to build a
:class:`~foundry_workshop.mock.connection.ConnectionHandle`, and it must not
buffer streaming responses, which would ruin latency measurements.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any
from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .connection import RECEIVED_AT_KEY, SCOPE_KEY, ConnectionHandle
from .recording import redact_headers
from .state import MockState

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
