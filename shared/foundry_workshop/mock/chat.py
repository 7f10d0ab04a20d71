"""Producing a chat completion over time: latency, streaming and faults.

The wire format lives in :mod:`.completions`; this module decides *when* each
byte goes out and where an injected fault interrupts the answer.
"""

from __future__ import annotations

import math
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

from starlette.responses import JSONResponse, Response, StreamingResponse

from .faults import FaultKind, FaultRule
from .latency import Latency, Pacer, sleep_for, sleep_until
from .transport import ConnectionHandle
from .wire import MALFORMED_BODY, SSE_MALFORMED, CompletionPlan, MockAPIError, bare_sse_event, sse_event


@dataclass(frozen=True)
class Generation:
    """One accepted request, ready to be answered."""

    plan: CompletionPlan
    latency: Latency
    fault: FaultRule | None
    connection: ConnectionHandle
    server_stopping: Callable[[], bool]
    received_at: float
    include_usage: bool = False
    request_id: str = ""
    #: Send only what the wire format requires (MockServer(bare_stream=True)): no role chunk, no usage chunk
    #: even when asked for, and ``data:`` without the optional space, as some servers do.
    bare: bool = False

    def interrupted(self) -> bool:
        return self.server_stopping() or self.connection.disconnected

    @property
    def headers(self) -> dict[str, str]:
        return {"x-request-id": self.request_id} if self.request_id else {}


#: The context length the ``overflow`` fault reports (the bundled model's per-request context).
MOCK_CONTEXT_TOKENS = 2048


def _retry_headers(seconds: float) -> dict[str, str]:
    # Retry-After must be whole seconds; retry-after-ms (read by the openai client) keeps precision.
    return {"retry-after": str(max(math.ceil(seconds), 0)), "retry-after-ms": str(round(seconds * 1000))}


def fault_error(rule: FaultRule) -> MockAPIError:
    """The HTTP error answer for the status-code faults (429, 500, 503)."""
    if rule.kind is FaultKind.RATE_LIMIT:
        return MockAPIError(
            429,
            "Rate limit reached (injected by the mock server). "
            f"Please retry after {rule.retry_after:g} seconds.",
            type="requests",
            code="rate_limit_exceeded",
            headers=_retry_headers(rule.retry_after),
        )
    if rule.kind is FaultKind.MODEL_LOADING:
        return MockAPIError(
            503,
            "Model is loading, retry shortly",
            type="server_error",
            code="model_loading",
            headers=_retry_headers(rule.retry_after),
        )
    if rule.kind is FaultKind.CONTEXT_OVERFLOW:
        return MockAPIError(
            400,
            f"This model's maximum context length is {MOCK_CONTEXT_TOKENS} tokens. However, your messages "
            f"resulted in {MOCK_CONTEXT_TOKENS + 1} tokens. Please reduce the length of the messages.",
            param="messages",
            code="context_length_exceeded",
        )
    return MockAPIError(
        500,
        "The server had an error while processing your request (injected by the mock server).",
        type="server_error",
    )


async def complete(gen: Generation) -> Response:
    """Answer a non-streaming request."""
    fault = gen.fault.kind if gen.fault else None
    if fault is FaultKind.DISCONNECT:
        await gen.connection.abort()
        return Response(status_code=500)  # never reaches the client: the connection is gone
    delay = gen.latency.non_streaming_delay(len(gen.plan.pieces))
    if gen.fault is not None and fault is FaultKind.STALL:
        delay += gen.fault.stall_seconds
    await sleep_until(gen.received_at + delay, gen.interrupted)
    if fault is FaultKind.MALFORMED:
        return Response(MALFORMED_BODY, media_type="application/json", headers=gen.headers)
    return JSONResponse(gen.plan.completion_body(), headers=gen.headers)


async def _stream_body(gen: Generation) -> AsyncIterator[bytes]:
    plan, usage = gen.plan, gen.include_usage and not gen.bare
    event = bare_sse_event if gen.bare else sse_event
    fault = gen.fault if gen.fault and not gen.fault.kind.is_error_status else None
    fault_at = min(fault.tokens_before_fault, len(plan.pieces)) if fault else -1
    pacer = Pacer(gen.latency, gen.received_at, gen.interrupted)

    # The role chunk goes out with the first content token, so time-to-first-chunk
    # equals time-to-first-token however a client measures it.
    await pacer.wait_for_token(0)
    pending = b"".join(event(c) for c in plan.leading_chunks())
    if not gen.bare:
        pending += event(plan.role_chunk(usage))

    for index in range(len(plan.pieces) + 1):
        if index == fault_at and fault is not None:
            if pending:
                yield pending
                pending = b""
            if fault.kind is FaultKind.DISCONNECT:
                await gen.connection.abort()
                return
            if fault.kind is FaultKind.MALFORMED:
                yield SSE_MALFORMED
            elif fault.kind is FaultKind.STALL:
                await sleep_for(fault.stall_seconds, gen.interrupted)
                pacer.restart_after_pause(index)
        if index == len(plan.pieces):
            break
        if index > 0 or fault_at == 0:
            await pacer.wait_for_token(index)
        yield pending + event(plan.content_chunk(plan.pieces[index], usage))
        pending = b""

    tail = pending + event(plan.finish_chunk(usage))
    if usage:
        tail += sse_event(plan.usage_chunk())
    yield tail + event("[DONE]")


def stream(gen: Generation) -> StreamingResponse:
    """Answer a streaming request with server-sent events."""
    headers = {"cache-control": "no-cache", "x-accel-buffering": "no", **gen.headers}
    return StreamingResponse(_stream_body(gen), media_type="text/event-stream", headers=headers)
