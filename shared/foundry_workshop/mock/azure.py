"""An emulation of Azure AI Foundry Models' chat endpoints, on the mock's generation machinery.

It lets the hybrid lesson and the tests run the *real* Azure clients with no Azure account and no
network. What it emulates was captured by pointing the real clients (azure-ai-inference 1.0.0b9,
openai 3.54.0) at a recording server first:

* ``ChatCompletionsClient(endpoint=R + "/models", credential=AzureKeyCredential(k)).complete(model=d, ...)``
  -> ``POST /models/chat/completions?api-version=2024-05-01-preview`` with ``api-key: k`` *and*
  ``Authorization: Bearer k``; body ``{"messages": [...], "model": d}`` (+ ``"stream": true``).
* The same with a ``TokenCredential`` -> ``Authorization: Bearer <token>`` (scope
  ``https://cognitiveservices.azure.com/.default``), no ``api-key``. azure-core refuses to send a bearer
  token over plain HTTP, hence the emulation's ``tls`` option.
* ``AzureOpenAI(azure_endpoint=R, api_key=k, api_version=V).chat.completions.create(model=d, ...)``
  -> ``POST /openai/deployments/d/chat/completions?api-version=V`` with ``api-key: k`` and no
  ``Authorization``; body ``{"model": d, "messages": [...]}`` (+ ``"stream": true``).
* The same with ``azure_ad_token_provider=`` -> same path, ``Authorization: Bearer <token>``, no ``api-key``.
* ``OpenAI(base_url=R + "/openai/v1", api_key=k)`` (the GA "v1" API) -> ``POST /openai/v1/chat/completions``,
  no api-version, ``Authorization: Bearer k``.

A deployment is a name for a model (``AzureDeployment``): requests name the deployment (in the URL
for Azure OpenAI, in ``model`` for the inference endpoint) and answers report the model. Errors use
the bodies Azure returns, as seen in public error reports: an unknown Azure OpenAI deployment is
``404 {"error": {"code": "DeploymentNotFound", ...}}``; an unknown model on the inference endpoint is
``404 {"error": {"code": "unknown_model", "message": "Unknown model: d", "details": ...}}``; a missing
model there is ``400 no_model_name``; a bad key is ``401``. Each deployment has its own request rate
limit (Azure's requests-per-minute), answered with ``429`` and ``retry-after`` / ``retry-after-ms``.
Azure OpenAI answers carry content-filter annotations, and its streams start with a chunk that has
``choices: []`` and ``prompt_filter_results`` - client code must not assume ``chunk.choices[0]``.

Not verified against live Azure (no access from here): the exact wording of the inference endpoint's
429 and of api-version errors. Request bodies are validated like the OpenAI-compatible mock's, and
the mock's latency, fault injection (``add_fault(..., model=<deployment>)``, ``X-Mock-Fault``), request
recording and ``/_mock`` control API all apply to the Azure routes too.
"""

from __future__ import annotations

import hmac
import math
import secrets
import threading
import time
import weakref
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

from fastapi import FastAPI, Request
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse, Response

from . import chat
from .answering import request_fault as _request_fault
from .answering import request_latency as _request_latency
from .completions import CompletionPlan
from .connection import connection_from_scope, received_at_from_scope
from .errors import MockAPIError
from .faults import FaultKind, FaultRule
from .latency import Latency
from .models import MockModel
from .server import MockServer
from .state import MockState
from .tls import SelfSignedCertificate
from .validation import parse_json_body, validate_chat_request

#: api-version values the Azure OpenAI routes accept (GA and recent previews).
OPENAI_API_VERSIONS = frozenset({
    "2024-02-01", "2024-06-01", "2024-10-21", "2024-12-01-preview", "2025-01-01-preview",
    "2025-03-01-preview", "2025-04-01-preview",
})
#: What azure-ai-inference 1.0.0b9 sends; the Azure AI Model Inference API version.
INFERENCE_API_VERSIONS = frozenset({"2024-05-01-preview"})
#: Entra ID scope of Azure AI services (Foundry, Azure OpenAI): what keyless clients ask tokens for.
COGNITIVE_SERVICES_SCOPE = "https://cognitiveservices.azure.com/.default"

_SAFE = {"filtered": False, "severity": "safe"}
CONTENT_FILTER_RESULTS: dict[str, dict[str, Any]] = {
    category: dict(_SAFE) for category in ("hate", "self_harm", "sexual", "violence")
}
PROMPT_FILTER_RESULTS = [{"prompt_index": 0, "content_filter_results": CONTENT_FILTER_RESULTS}]

_DEPLOYMENT_NOT_FOUND = (
    "The API deployment for this resource does not exist. If you created the deployment within the "
    "last 5 minutes, please wait a moment and try again."
)
_ACCESS_DENIED = (
    "Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key "
    "for an active subscription and use a correct regional API endpoint for your resource."
)


@dataclass(frozen=True)
class AzureDeployment:
    """A named deployment of a model, with its own rate limit (None: unlimited)."""

    name: str
    model: str
    requests_per_minute: int | None = None


DEFAULT_DEPLOYMENTS: tuple[AzureDeployment, ...] = (
    AzureDeployment("gpt-4o-mini", "gpt-4o-mini-2024-07-18", requests_per_minute=60),
    AzureDeployment("gpt-4o", "gpt-4o-2024-11-20", requests_per_minute=30),
    AzureDeployment("mistral-large", "Mistral-Large-2411", requests_per_minute=30),
)


class Surface(Enum):
    """Which Azure API a request came through; decides the error shapes and annotations."""

    OPENAI = "Azure OpenAI"
    INFERENCE = "Azure AI model inference"


class AzureError(Exception):
    """Raise in an Azure route to answer with Azure's error body ``{"error": {"code", "message"}}``."""

    def __init__(
        self, status: int, code: str, message: str, *, details: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.details = status, code, message, details
        self.headers = dict(headers or {})

    def to_response(self) -> JSONResponse:
        error: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.details is not None:
            error["details"] = self.details
        return JSONResponse({"error": error}, status_code=self.status, headers=self.headers)


class RequestRateLimiter:
    """At most ``limit`` requests per sliding ``window`` seconds: one deployment's RPM quota."""

    def __init__(self, limit: int, window: float = 60.0, clock: Callable[[], float] = time.monotonic) -> None:
        if limit < 1 or window <= 0:
            raise ValueError("A rate limit needs limit >= 1 and window > 0")
        self.limit, self.window, self._clock = limit, window, clock
        self._admitted: deque[float] = deque()
        self._lock = threading.Lock()

    def admit(self) -> tuple[float | None, int]:
        """``(None, remaining)`` if the request may go ahead, else ``(seconds until a slot frees, 0)``."""
        with self._lock:
            now = self._clock()
            while self._admitted and now - self._admitted[0] >= self.window:
                self._admitted.popleft()
            if len(self._admitted) >= self.limit:
                return self._admitted[0] + self.window - now, 0
            self._admitted.append(now)
            return None, self.limit - len(self._admitted)


class AzureState:
    """Deployments, credentials and rate limits of one emulated Foundry resource."""

    def __init__(
        self, deployments: Iterable[AzureDeployment], api_key: str, tokens: Iterable[str] = (),
        rate_window: float = 60.0,
    ) -> None:
        self.deployments = {d.name: d for d in deployments}
        self.api_key = api_key
        self.tokens = frozenset(tokens)
        self.rate_window = rate_window
        self._limiters = {
            d.name: RequestRateLimiter(d.requests_per_minute, rate_window)
            for d in self.deployments.values() if d.requests_per_minute
        }

    def set_rate_limit(self, deployment: str, requests: int | None) -> None:
        """Replace a deployment's limit (requests per ``rate_window``); None removes it."""
        if deployment not in self.deployments:
            raise KeyError(deployment)
        if requests:
            self._limiters[deployment] = RequestRateLimiter(requests, self.rate_window)
        else:
            self._limiters.pop(deployment, None)

    def admit(self, deployment: str) -> tuple[float | None, int | None]:
        limiter = self._limiters.get(deployment)
        return limiter.admit() if limiter else (None, None)

    def authorized(self, request: Request) -> bool:
        """A valid ``api-key`` header, or a bearer that is the key (the inference client sends both) or a
        token the emulation was told to accept (what a keyless client got from Entra ID)."""
        key = request.headers.get("api-key")
        if key is not None:
            return hmac.compare_digest(key.encode(), self.api_key.encode())
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            return False
        token = token.strip()
        return hmac.compare_digest(token.encode(), self.api_key.encode()) or token in self.tokens


class AzureOpenAIPlan(CompletionPlan):
    """Azure OpenAI's answers: OpenAI's, plus content-filter annotations and the prompt-filter chunk."""

    def completion_body(self) -> dict[str, Any]:
        body = super().completion_body()
        body["prompt_filter_results"] = PROMPT_FILTER_RESULTS
        for choice in body["choices"]:
            choice["content_filter_results"] = CONTENT_FILTER_RESULTS
        return body

    def leading_chunks(self) -> list[dict[str, Any]]:
        return [{"choices": [], "created": 0, "id": "", "model": "", "object": "",
                 "prompt_filter_results": PROMPT_FILTER_RESULTS}]

    def content_chunk(self, piece: str, include_usage: bool) -> dict[str, Any]:
        chunk = self.delta_chunk({"content": piece}, include_usage)
        chunk["choices"][0]["content_filter_results"] = CONTENT_FILTER_RESULTS
        return chunk


def _retry_headers(seconds: float) -> dict[str, str]:
    return {"retry-after": str(max(math.ceil(seconds), 1)), "retry-after-ms": str(max(round(seconds * 1000), 1))}


def _rate_limited(surface: Surface, seconds: float, api_version: str | None) -> AzureError:
    wait = max(math.ceil(seconds), 1)
    if surface is Surface.OPENAI:
        version = f" under Azure OpenAI API version {api_version}" if api_version else ""
        message = (
            f"Requests to the ChatCompletions_Create Operation{version} have exceeded call rate limit of your "
            f"current AIServices S0 pricing tier. Please retry after {wait} seconds. Please contact Azure "
            "support service if you would like to further increase the default rate limit."
        )
    else:
        message = f"Rate limit is exceeded. Try again in {wait} seconds."
    return AzureError(429, "429", message, headers=_retry_headers(seconds))


def _fault_error(rule: FaultRule, surface: Surface, api_version: str | None) -> AzureError:
    """The mock's injected status faults, in Azure's error shape."""
    if rule.kind is FaultKind.RATE_LIMIT:
        return _rate_limited(surface, rule.retry_after, api_version)
    if rule.kind is FaultKind.MODEL_LOADING:
        return AzureError(503, "ServiceUnavailable", "The service is temporarily unable to process your request. "
                          "Please try again later. (injected by the emulation)",
                          headers=_retry_headers(rule.retry_after))
    return AzureError(500, "InternalServerError", "The server had an error while processing your request. Sorry "
                      "about that! (injected by the emulation)")


def _check_api_version(request: Request, accepted: frozenset[str]) -> str | None:
    version = request.query_params.get("api-version")
    if version is None:
        raise AzureError(404, "404", "Resource not found")
    if version not in accepted:
        raise AzureError(400, "BadRequest", "API version not supported")
    return version


def _authorize(request: Request, azure: AzureState) -> None:
    if not azure.authorized(request):
        raise AzureError(401, "401", _ACCESS_DENIED)


async def _body(request: Request) -> Any:
    return parse_json_body(await request.body())


def add_azure_routes(app: FastAPI, state: MockState, azure: AzureState) -> None:
    """Mount the Azure OpenAI (``/openai/...``) and inference (``/models/...``) routes on a mock app."""

    @app.exception_handler(AzureError)
    async def _azure_error(_: Request, exc: AzureError) -> Response:
        return exc.to_response()

    openai_style_not_found = app.exception_handlers[StarletteHTTPException]

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
            raise _rate_limited(surface, retry_after, api_version)
        chat_request = validate_chat_request(body)
        model = state.find_model(deployment.name)
        assert model is not None, "every deployment is registered as a mock model"
        fault = _request_fault(request, state, model)
        if fault is not None and fault.kind.is_error_status:
            raise _fault_error(fault, surface, api_version)
        sequence = state.next_sequence()
        plan_type = AzureOpenAIPlan if surface is Surface.OPENAI else CompletionPlan
        generation = chat.Generation(
            plan=plan_type.build(chat_request.messages, deployment.model, chat_request.max_tokens,
                                 f"chatcmpl-azure{sequence:06d}", int(time.time())),
            latency=_request_latency(request, state),
            fault=fault,
            connection=connection_from_scope(request.scope),
            server_stopping=state.stopping.is_set,
            received_at=received_at_from_scope(request.scope),
            include_usage=chat_request.include_usage,
            request_id=f"req_azure{sequence:06d}",
        )
        response = chat.stream(generation) if chat_request.stream else await chat.complete(generation)
        response.headers["apim-request-id"] = generation.request_id
        if remaining is not None:
            response.headers["x-ratelimit-remaining-requests"] = str(remaining)
        return response

    def openai_deployment(name: str) -> AzureDeployment:
        deployment = azure.deployments.get(name)
        if deployment is None:
            raise AzureError(404, "DeploymentNotFound", _DEPLOYMENT_NOT_FOUND)
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


class AzureEmulator(MockServer):
    """A mock server that also serves Azure AI Foundry's chat endpoints on 127.0.0.1.

    ``api_key`` is generated unless given. ``tokens`` are bearer tokens accepted as Entra ID tokens (a
    test's fake credential hands one out). ``tls=True`` serves HTTPS with a throw-away certificate
    (``ca_file``), which the keyless path of azure-ai-inference needs. ``rate_window`` is the window of
    each deployment's ``requests_per_minute`` limit (60 s, like Azure; tests shorten it)::

        with AzureEmulator() as azure:
            client = openai.AzureOpenAI(azure_endpoint=azure.openai_endpoint, api_key=azure.api_key,
                                        api_version="2024-10-21")
            client.chat.completions.create(model="gpt-4o-mini", messages=[...])
    """

    def __init__(
        self,
        deployments: Iterable[AzureDeployment] = DEFAULT_DEPLOYMENTS,
        *,
        api_key: str | None = None,
        tokens: Iterable[str] = (),
        latency: Latency | None = None,
        port: int = 0,
        tls: bool = False,
        rate_window: float = 60.0,
        faults: Iterable[FaultRule] = (),
        log_level: str = "warning",
    ) -> None:
        deployments = tuple(deployments)
        names = [d.name for d in deployments]
        if not deployments or len(set(names)) != len(names):
            raise ValueError(f"Deployments need unique names, got {names}")
        certificate = SelfSignedCertificate.create() if tls else None
        super().__init__(
            models=[MockModel(d.name, d.model, owned_by="azure-emulation") for d in deployments],
            latency=latency, port=port, faults=faults, log_level=log_level,
            ssl_certfile=str(certificate.cert_file) if certificate else None,
            ssl_keyfile=str(certificate.key_file) if certificate else None,
        )
        self._certificate = certificate
        if certificate is not None:
            weakref.finalize(self, certificate.remove)
        self.azure = AzureState(deployments, api_key or secrets.token_urlsafe(24), tokens, rate_window)

    def build_app(self) -> Any:
        app = super().build_app()
        add_azure_routes(app, self.state, self.azure)
        return app

    @property
    def api_key(self) -> str:
        return self.azure.api_key

    @property
    def openai_endpoint(self) -> str:
        """What ``openai.AzureOpenAI(azure_endpoint=...)`` takes (the resource root)."""
        return self.root_url

    @property
    def inference_endpoint(self) -> str:
        """What ``ChatCompletionsClient(endpoint=...)`` takes."""
        return f"{self.root_url}/models"

    @property
    def ca_file(self) -> str | None:
        """The certificate to trust when ``tls=True``."""
        return str(self._certificate.cert_file) if self._certificate else None

    @property
    def deployments(self) -> dict[str, AzureDeployment]:
        return dict(self.azure.deployments)

    def set_rate_limit(self, deployment: str, requests: int | None) -> None:
        self.azure.set_rate_limit(deployment, requests)

    def connect_settings(self) -> dict[str, str]:
        """Settings for ``connect(backend="azure", **emulator.connect_settings())``."""
        return {"azure_openai_endpoint": self.openai_endpoint, "azure_inference_endpoint": self.inference_endpoint,
                "azure_api_key": self.api_key}
