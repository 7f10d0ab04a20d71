"""Answering one accepted chat request: per-request latency and fault, then the completion or the stream.

Shared by every route that produces a completion (the OpenAI-compatible app, the Foundry Local service
profile, the Azure emulation), so they all honour ``X-Mock-*`` headers and queued faults the same way.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from fastapi import Request
from starlette.responses import JSONResponse, Response

from . import chat
from .faults import FaultKind, FaultRule, parse_fault_header
from .latency import Latency, sleep_for
from .models import MockModel
from .state import MockState
from .transport import connection_from_scope, received_at_from_scope
from .validation import ChatRequest
from .wire import MALFORMED_BODY, CompletionPlan, invalid_request

FAULT_HEADER = "x-mock-fault"
FIRST_TOKEN_HEADER = "x-mock-first-token-delay"
INTER_TOKEN_HEADER = "x-mock-inter-token-delay"


def _header_seconds(request: Request, name: str, default: float) -> float:
    raw = request.headers.get(name)
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < 0:
        raise invalid_request(
            f"Header {name} must be a non-negative number of seconds.", name, "invalid_value"
        )
    return value


def request_latency(request: Request, state: MockState) -> Latency:
    """Server latency, overridden per request by the X-Mock-*-Delay headers."""
    base = state.latency
    return Latency(
        first_token=_header_seconds(request, FIRST_TOKEN_HEADER, base.first_token),
        inter_token=_header_seconds(request, INTER_TOKEN_HEADER, base.inter_token),
    )


def request_fault(request: Request, state: MockState, model: MockModel | None, route: str = "chat") -> FaultRule | None:
    """The X-Mock-Fault header wins; otherwise consume the first matching queued rule for ``route``."""
    header = request.headers.get(FAULT_HEADER)
    if header is None:
        return state.faults.take(model, route)
    try:
        return parse_fault_header(header)
    except ValueError as exc:
        raise invalid_request(f"Invalid X-Mock-Fault header: {exc}", FAULT_HEADER, "invalid_value") from None


async def answer_chat(
    request: Request,
    state: MockState,
    body: ChatRequest,
    model: MockModel,
    *,
    plan_type: type[CompletionPlan] = CompletionPlan,
    id_prefix: str = "mock",
    fault_error: Callable[[FaultRule], Exception] = chat.fault_error,
    reported_model: str | None = None,
) -> Response:
    """The completion (or stream) for ``body``, after the request's fault and latency are applied.

    ``reported_model`` is the model name the answer carries when it is not ``model.id`` (an Azure deployment
    answers with its underlying model's name)."""
    latency = request_latency(request, state)
    fault = request_fault(request, state, model)
    if fault is not None and fault.kind.is_error_status:
        raise fault_error(fault)
    sequence = state.next_sequence()
    generation = chat.Generation(
        plan=plan_type.build(
            body.messages, reported_model or model.id, body.max_tokens, f"chatcmpl-{id_prefix}{sequence:06d}",
            int(time.time()),
        ),
        latency=latency,
        fault=fault,
        connection=connection_from_scope(request.scope),
        server_stopping=state.stopping.is_set,
        received_at=received_at_from_scope(request.scope),
        include_usage=body.include_usage,
        request_id=f"req_{id_prefix}{sequence:06d}",
        bare=state.bare_stream,
    )
    return chat.stream(generation) if body.stream else await chat.complete(generation)


async def answer_listing(request: Request, state: MockState, body: object) -> Response:
    """A model list (``GET /v1/models`` and the like), hit by faults queued with ``route="models"``.

    Error statuses answer as they do for chat (a 503 with Retry-After is a server still loading its
    model); ``stall`` delays the answer, ``disconnect`` drops the connection, ``malformed`` truncates it.
    """
    fault = request_fault(request, state, None, route="models")
    kind = fault.kind if fault else None
    if fault is not None and fault.kind.is_error_status:
        raise chat.fault_error(fault)
    connection = connection_from_scope(request.scope)
    if kind is FaultKind.DISCONNECT:
        await connection.abort()
        return Response(status_code=500)  # never reaches the client: the connection is gone
    if fault is not None and kind is FaultKind.STALL:
        await sleep_for(fault.stall_seconds, lambda: state.stopping.is_set() or connection.disconnected)
    if kind is FaultKind.MALFORMED:
        return Response(MALFORMED_BODY, media_type="application/json")
    return JSONResponse(body)
