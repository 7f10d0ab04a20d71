"""The FastAPI application: OpenAI-compatible routes plus the ``/_mock`` control plane.

Build it with :func:`create_app` around a :class:`~foundry_workshop.mock.state.MockState`;
``MockServer`` does this for you and serves it with uvicorn.
"""

from __future__ import annotations

import hmac
import math
import time
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from . import chat
from .faults import FaultRule, parse_fault_header
from .latency import Latency
from .models import MockModel
from .state import MockState
from .transport import InstrumentMiddleware, connection_from_scope, received_at_from_scope
from .validation import parse_json_body, validate_chat_request
from .wire import CompletionPlan, MockAPIError, invalid_request

FAULT_HEADER = "x-mock-fault"
FIRST_TOKEN_HEADER = "x-mock-first-token-delay"
INTER_TOKEN_HEADER = "x-mock-inter-token-delay"


def _model_not_found(state: MockState, name: object) -> MockAPIError:
    available = ", ".join(m.id for m in state.models)
    return MockAPIError(
        404,
        f"The model '{name}' does not exist or you do not have access to it. Available models: {available}.",
        param="model",
        code="model_not_found",
    )


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


def request_fault(request: Request, state: MockState, model: MockModel) -> FaultRule | None:
    """The X-Mock-Fault header wins; otherwise consume the first matching queued rule."""
    header = request.headers.get(FAULT_HEADER)
    if header is None:
        return state.faults.take(model)
    try:
        return parse_fault_header(header)
    except ValueError as exc:
        raise invalid_request(f"Invalid X-Mock-Fault header: {exc}", FAULT_HEADER, "invalid_value") from None


async def _json_object(request: Request) -> dict[str, Any]:
    raw = await request.body()
    body = parse_json_body(raw) if raw.strip() else {}
    if not isinstance(body, dict):
        raise invalid_request("Invalid request body: expected a JSON object.", None, "invalid_type")
    return body


def create_app(state: MockState) -> FastAPI:
    """Build the ASGI app serving ``state``."""
    app = FastAPI(title="Foundry Local mock", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.mock = state
    app.add_middleware(InstrumentMiddleware, state=state)

    @app.exception_handler(MockAPIError)
    async def _openai_error(_: Request, exc: MockAPIError) -> Response:
        return exc.to_response()

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        # Unknown routes and wrong methods still answer in OpenAI's error shape.
        message = (
            f"Invalid URL ({request.method} {request.url.path})"
            if exc.status_code in (404, 405)
            else str(exc.detail)
        )
        return MockAPIError(exc.status_code, message, code=None).to_response()

    def require_api_key(request: Request) -> None:
        if state.api_key is None:
            return
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(
            token.strip().encode(), state.api_key.encode()
        ):
            # Like OpenAI, never echo the key (neither the expected nor the presented one).
            raise MockAPIError(
                401,
                "Incorrect or missing API key provided. Send it as 'Authorization: Bearer <key>'.",
                code="invalid_api_key",
            )

    authenticated = [Depends(require_api_key)]

    @app.get("/health")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/v1/models", dependencies=authenticated)
    async def list_models() -> dict[str, Any]:
        return {"object": "list", "data": [m.to_openai() for m in state.models]}

    @app.get("/v1/models/{model_id:path}", dependencies=authenticated)
    async def retrieve_model(model_id: str) -> dict[str, Any]:
        model = state.find_model(model_id)
        if model is None:
            raise _model_not_found(state, model_id)
        return model.to_openai()

    @app.post("/v1/chat/completions", dependencies=authenticated)
    async def chat_completions(request: Request) -> Response:
        body = validate_chat_request(parse_json_body(await request.body()))
        model = state.find_model(body.model)
        if model is None:
            raise _model_not_found(state, body.model)
        latency = request_latency(request, state)
        fault = request_fault(request, state, model)
        if fault is not None and fault.kind.is_error_status:
            raise chat.fault_error(fault)

        sequence = state.next_sequence()
        generation = chat.Generation(
            plan=CompletionPlan.build(
                body.messages, model.id, body.max_tokens, f"chatcmpl-mock{sequence:06d}", int(time.time())
            ),
            latency=latency,
            fault=fault,
            connection=connection_from_scope(request.scope),
            server_stopping=state.stopping.is_set,
            received_at=received_at_from_scope(request.scope),
            include_usage=body.include_usage,
            request_id=f"req_mock{sequence:06d}",
        )
        return chat.stream(generation) if body.stream else await chat.complete(generation)

    _add_control_routes(app, state)
    return app


def _add_control_routes(app: FastAPI, state: MockState) -> None:
    """``/_mock/*``: drive the mock from another process (notebook kernels, Chainlit)."""

    @app.get("/_mock/requests")
    async def get_requests() -> list[dict[str, Any]]:
        return state.recorder.snapshot()

    @app.delete("/_mock/requests")
    async def clear_requests() -> dict[str, int]:
        return {"cleared": state.recorder.clear()}

    @app.get("/_mock/faults")
    async def get_faults() -> list[dict[str, object]]:
        return [rule.to_dict() for rule in state.faults.snapshot()]

    @app.post("/_mock/faults")
    async def add_fault(request: Request) -> JSONResponse:
        body = await _json_object(request)
        known = {"fault", "count", "model", "after_tokens", "retry_after", "stall_seconds"}
        unknown = sorted(set(body) - known)
        if unknown:
            raise invalid_request(f"Unknown fault fields: {unknown}; allowed: {sorted(known)}", unknown[0])
        if "fault" not in body:
            raise invalid_request(
                "Missing required parameter: 'fault'.", "fault", "missing_required_parameter"
            )
        options = {
            k: v for k, v in body.items() if k != "fault" and (v is not None or k in ("count", "model"))
        }
        try:
            rule = FaultRule.create(body["fault"], **options)
        except (TypeError, ValueError) as exc:
            raise invalid_request(str(exc), "fault", "invalid_value") from None
        state.faults.add(rule)
        return JSONResponse(rule.to_dict(), status_code=201)

    @app.delete("/_mock/faults")
    async def clear_faults() -> dict[str, int]:
        return {"cleared": state.faults.clear()}

    @app.get("/_mock/latency")
    async def get_latency() -> dict[str, float]:
        return state.latency.to_dict()

    @app.post("/_mock/latency")
    async def set_latency(request: Request) -> dict[str, float]:
        body = await _json_object(request)
        current = state.latency
        try:
            latency = Latency(
                first_token=body.get("first_token", current.first_token),
                inter_token=body.get("inter_token", current.inter_token),
            )
        except ValueError as exc:
            raise invalid_request(str(exc), None, "invalid_value") from None
        state.set_latency(latency)
        return latency.to_dict()
