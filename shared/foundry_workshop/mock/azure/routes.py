"""The Azure OpenAI (``/openai/...``) and Azure AI model inference (``/models/...``) routes on a mock app."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from ..answering import answer_chat
from ..state import MockState
from ..validation import parse_json_body, validate_chat_request
from ..wire import CompletionPlan, MockAPIError
from .resource import INFERENCE_API_VERSIONS, OPENAI_API_VERSIONS, AzureDeployment, AzureState
from .responses import (
    ACCESS_DENIED,
    DEPLOYMENT_NOT_FOUND,
    AzureError,
    AzureOpenAIPlan,
    Surface,
    fault_error,
    rate_limited,
)


def _check_api_version(request: Request, accepted: frozenset[str]) -> str | None:
    version = request.query_params.get("api-version")
    if version is None:
        raise AzureError(404, "404", "Resource not found")
    if version not in accepted:
        raise AzureError(400, "BadRequest", "API version not supported")
    return version


def _authorize(request: Request, azure: AzureState) -> None:
    if not azure.authorized(request):
        raise AzureError(401, "401", ACCESS_DENIED)


#: Models Azure serves as reasoning models: they refuse ``max_tokens`` and a non-default ``temperature``.
REASONING_MODEL_PREFIXES = ("gpt-5", "o1", "o3", "o4")


def _refuse_reasoning_params(deployment: AzureDeployment, body: Any) -> None:
    """Answer 400 as Azure does when a gpt-5.x / o-series deployment gets ``max_tokens`` or ``temperature != 1``
    (wire format as reported in GitHub issues against OpenAI and Azure, 2025-2026; docs/facts.md)."""
    if not isinstance(body, dict) or not deployment.model.lower().startswith(REASONING_MODEL_PREFIXES):
        return
    if body.get("max_tokens") is not None:
        raise MockAPIError(400, "Unsupported parameter: 'max_tokens' is not supported with this model. Use "
                                "'max_completion_tokens' instead.", param="max_tokens", code="unsupported_parameter")
    temperature = body.get("temperature")
    if temperature is not None and temperature != 1:
        raise MockAPIError(400, f"Unsupported value: 'temperature' does not support {temperature} with this model. "
                                "Only the default (1) value is supported.", param="temperature",
                           code="unsupported_value")


async def _body(request: Request) -> Any:
    return parse_json_body(await request.body())


def add_azure_routes(app: FastAPI, state: MockState, azure: AzureState) -> None:
    """Mount the Azure OpenAI (``/openai/...``) and inference (``/models/...``) routes on a mock app."""

    @app.exception_handler(AzureError)
    async def _azure_error(_: Request, exc: AzureError) -> Response:
        return exc.to_response()

    openai_style_not_found: Any = app.exception_handlers[StarletteHTTPException]  # the app's own (async) handler

    async def _not_found(request: Request, exc: Exception) -> Response:
        path = request.url.path
        if isinstance(exc, StarletteHTTPException) and (path.startswith("/openai") or path.startswith("/models")):
            return AzureError(exc.status_code, str(exc.status_code), "Resource not found").to_response()
        return await openai_style_not_found(request, exc)

    app.add_exception_handler(StarletteHTTPException, _not_found)

    async def answer(request: Request, deployment: AzureDeployment, body: Any, surface: Surface,
                     api_version: str | None) -> Response:
        retry_after, remaining = azure.admit(deployment.name)
        if retry_after is not None:
            raise rate_limited(surface, retry_after, api_version)
        if surface is Surface.OPENAI:  # documented for Azure OpenAI; the inference route's rule is not
            _refuse_reasoning_params(deployment, body)
        chat_request = validate_chat_request(body)
        model = state.find_model(deployment.name)
        assert model is not None, "every deployment is registered as a mock model"
        plan_type = AzureOpenAIPlan if surface is Surface.OPENAI else CompletionPlan
        response = await answer_chat(request, state, chat_request, model, plan_type=plan_type, id_prefix="azure",
                                     fault_error=lambda fault: fault_error(fault, surface, api_version),
                                     reported_model=deployment.model)
        response.headers["apim-request-id"] = response.headers["x-request-id"]
        if remaining is not None:
            response.headers["x-ratelimit-remaining-requests"] = str(remaining)
        return response

    def openai_deployment(name: str) -> AzureDeployment:
        deployment = azure.deployments.get(name)
        if deployment is None:
            raise AzureError(404, "DeploymentNotFound", DEPLOYMENT_NOT_FOUND)
        return deployment

    @app.post("/openai/deployments/{name}/chat/completions")
    async def azure_openai_chat(name: str, request: Request) -> Response:
        version = _check_api_version(request, OPENAI_API_VERSIONS)
        _authorize(request, azure)
        deployment = openai_deployment(name)
        body = await _body(request)
        if isinstance(body, dict):
            body.setdefault("model", name)  # the URL names the deployment; the body may omit it
        return await answer(request, deployment, body, Surface.OPENAI, version)

    @app.post("/openai/v1/chat/completions")
    async def azure_openai_v1_chat(request: Request) -> Response:
        _authorize(request, azure)
        body = await _body(request)
        name = body.get("model") if isinstance(body, dict) else None
        if not isinstance(name, str) or not name:
            raise MockAPIError(400, "Missing required parameter: 'model'.", param="model",
                               code="missing_required_parameter")
        return await answer(request, openai_deployment(name), body, Surface.OPENAI, None)

    @app.get("/openai/models")
    async def azure_openai_models(request: Request) -> dict[str, Any]:
        _check_api_version(request, OPENAI_API_VERSIONS)
        return await azure_openai_v1_models(request)

    @app.get("/openai/v1/models")
    async def azure_openai_v1_models(request: Request) -> dict[str, Any]:
        _authorize(request, azure)
        models = sorted({d.model for d in azure.deployments.values()})
        return {"object": "list", "data": [
            {"id": m, "object": "model", "status": "succeeded", "lifecycle_status": "generally-available",
             "capabilities": {"chat_completion": True}} for m in models
        ]}

    @app.post("/models/chat/completions")
    async def inference_chat(request: Request) -> Response:
        version = _check_api_version(request, INFERENCE_API_VERSIONS)
        _authorize(request, azure)
        body = await _body(request)
        name = body.get("model") if isinstance(body, dict) else None
        name = name or request.headers.get("x-ms-model-mesh-model-name")
        if not name:
            message = ("No model specified in request. Please provide a model name in the request body or "
                       "as a x-ms-model-mesh-model-name header.")
            raise AzureError(400, "no_model_name", message, details=message)
        deployment = azure.deployments.get(name)
        if deployment is None:
            raise AzureError(404, "unknown_model", f"Unknown model: {name}", details=f"Unknown model: {name}")
        if isinstance(body, dict):
            body["model"] = name
        return await answer(request, deployment, body, Surface.INFERENCE, version)
