"""The FastAPI application: OpenAI-compatible routes plus the ``/_mock`` control plane.

Build it with :func:`create_app` around a :class:`~foundry_workshop.mock.state.MockState`;
``MockServer`` does this for you and serves it with uvicorn.
"""

from __future__ import annotations

import hmac
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from .answering import answer_chat, answer_listing
from .embeddings import embeddings_body
from .faults import FaultRule
from .foundry_service import FOUNDRY_SERVICE_PROFILE
from .latency import Latency
from .profile import OPENAI_PROFILE, Profile
from .state import MockState
from .structured import plan_type_for
from .tool_calls import HEADER as TOOL_CALL_HEADER
from .tool_calls import answer_tool_call
from .transport import InstrumentMiddleware
from .validation import parse_json_body, validate_chat_request
from .wire import MockAPIError, invalid_request

#: Servers the mock can imitate: ``MockServer(profile=...)``, ``python -m foundry_workshop.mock --profile``.
PROFILES: dict[str, Profile] = {profile.name: profile for profile in (OPENAI_PROFILE, FOUNDRY_SERVICE_PROFILE)}


def _model_not_found(state: MockState, name: object) -> MockAPIError:
    available = ", ".join(m.id for m in state.models)
    return MockAPIError(
        404,
        f"The model '{name}' does not exist or you do not have access to it. Available models: {available}.",
        param="model",
        code="model_not_found",
    )


async def _json_object(request: Request) -> dict[str, Any]:
    raw = await request.body()
    body = parse_json_body(raw) if raw.strip() else {}
    if not isinstance(body, dict):
        raise invalid_request("Invalid request body: expected a JSON object.", None, "invalid_type")
    return body


def create_app(state: MockState, profile: str = "openai") -> FastAPI:
    """Build the ASGI app serving ``state`` as the server ``profile`` imitates (see :data:`PROFILES`)."""
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
    # A profile's routes come first: where it serves a path differently (the Foundry Local service's
    # /v1/models lists only downloaded models), its route wins over the generic one below.
    PROFILES[profile].add_routes(app, state, authenticated)

    @app.get("/health")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/v1/models", dependencies=authenticated)
    async def list_models(request: Request) -> Response:
        return await answer_listing(request, state, {"object": "list", "data": [m.to_openai() for m in state.models]})

    @app.get("/v1/models/{model_id:path}", dependencies=authenticated)
    async def retrieve_model(model_id: str) -> dict[str, Any]:
        model = state.find_model(model_id)
        if model is None:
            raise _model_not_found(state, model_id)
        return model.to_openai()

    @app.post("/v1/chat/completions", dependencies=authenticated)
    async def chat_completions(request: Request) -> Response:
        raw = parse_json_body(await request.body())
        body = validate_chat_request(raw)
        model = state.find_model(body.model)
        if model is None:
            raise _model_not_found(state, body.model)
        assert isinstance(raw, dict)  # validate_chat_request accepted it
        tool_call = answer_tool_call(raw, body.messages, model.id, body.stream, body.include_usage,
                                     request.headers.get(TOOL_CALL_HEADER), state.next_sequence)
        if tool_call is not None:
            return tool_call
        return await answer_chat(request, state, body, model, plan_type=plan_type_for(raw, body.messages, model.id))

    @app.post("/v1/embeddings", dependencies=authenticated)
    async def embeddings(request: Request) -> dict[str, Any]:
        raw = await _json_object(request)
        return embeddings_body(raw, [m.id for m in state.models])

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
        known = {"fault", "count", "model", "after_tokens", "retry_after", "stall_seconds", "route"}
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
