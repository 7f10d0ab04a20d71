"""Profile ``foundry-service``: the Foundry Local *service* learners run on Windows and macOS.

``MockServer(profile="foundry-service")`` or ``python -m foundry_workshop.mock --profile foundry-service``.
It reproduces the *service-based* generation (CLI before 0.10, ``foundry service start|status``, the one the
legacy SDK 0.5.1 drives): no such service runs on this machine, so this emulation is what puts that path (the
``endpoint`` backend, lesson 04's catalog/load/unload cells over REST) under test. CLI 0.10 (``foundry server
...``, with a Linux x64 build) is newer; whether its server keeps every ``/openai/*`` route is not documented.
Routes, as learners meet them:

============================================  ====================================================================
``GET /foundry/list``                         the catalog: a bare JSON array of variants (``name`` = the id,
                                              ``alias``, ``runtime: {deviceType, executionProvider}``, ...)
``GET /openai/models``                        ids of *downloaded* (cached) models, a string array
``GET /openai/loadedmodels``                  ids of loaded models, a string array
``GET /openai/load/{id}?ttl=&ep=``            load a cached model: 200, empty body; not cached or unknown: 400
``GET /openai/unload/{id}?force=``            unload: 200, empty body; unknown: 400
``GET /openai/unloadall``                     unload everything: 200, empty body
``GET /openai/status``                        ``{"endpoints": [...], "modelDirPath": ..., "pipeName": ...}``
``POST /openai/download``                     streamed progress lines, then ``{"success": ..., "errorMessage": ...}``
``GET /v1/models``                            OpenAI list of the *cached* models, plus ``IsDelta``/``Successful``/
                                              ``HttpStatusCode``
``POST /v1/chat/completions``                 exact id of a *loaded* model (an alias, an unknown or an unloaded
                                              model: 400 with an empty body); chunks and bodies carry the
                                              service's extra fields
``POST /v1/chat/completions/tokenizer/encode/count``  ``{"tokenCount": N}``
============================================  ====================================================================

The mock's latency, faults (``add_fault``, ``X-Mock-Fault``, ``route="models"`` for ``/v1/models``), request
recording and ``/_mock`` control API apply here as on the plain mock.

Sources (read 2026-12-01; the service itself cannot run here, so every line is from documentation or captures):

* Microsoft Learn, "Foundry Local REST API Reference" (``articles/foundry-local/reference/reference-rest.md``
  in MicrosoftDocs/azure-ai-docs, ms.date 2026-06-15): the route list, query parameters, the catalog fields,
  ``/openai/status``, ``/openai/download``'s request and final body, the token-count route.
* The legacy Python SDK ``foundry-local-sdk<=0.5.1`` (microsoft/Foundry-Local ``sdk/python/foundry_local/
  api.py``, ``client.py``, ``models.py``, ``test/test_api.py``): it reads the catalog and status in
  *camelCase* (``modelDirPath``, ``success``/``errorMessage``) although the Learn page prints PascalCase -
  the emulation follows the client code that works against the real service; it parses download progress
  as ``NN.N%`` in each line and the final JSON line; it treats "No OpenAIService provider found for
  modelName" from ``/openai/load`` as "not downloaded yet".
* microsoft/Foundry-Local issue #752 (2026-06-01): a captured ``GET /v1/models`` body,
  ``{"data":[],"IsDelta":false,"Successful":true,"HttpStatusCode":0,"object":"list"}``.
* Issue #144 (2025-06-05): captured streamed chunks with ``CreatedAt``, ``StreamEvent``, ``IsDelta``,
  ``Successful``, ``error``, ``HttpStatusCode``, ``HeaderValues`` beside OpenAI's fields.
* Issue #92 (chat with a model that is not loaded: HTTP 400, log "No OpenAIService provider found for
  modelName") and microsoft/foundry-dev-tools #368 ("400 status code (no body)", 2026-05-12).
* A third-party .NET client's test of ``/openai/download`` streams ``Total  100.0% Downloading done``.

Not settled by any source, so chosen and written down here: the exact status and body of ``/openai/load``
for an unknown id (400, plain text, the provider message); whether ``/v1/models`` lists cached or loaded
models (cached: one capture and platform notes §7). A third-party module notes ``/openai/download`` is gone
from service v0.10+; the emulation keeps the documented route.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI, Request
from starlette.responses import PlainTextResponse, Response, StreamingResponse

from .answering import answer_chat, answer_listing
from .models import MockModel
from .profile import Profile
from .state import MockState
from .validation import parse_json_body, validate_chat_request
from .wire import CompletionPlan, count_prompt_tokens

#: Where the emulated service says its models live (``/openai/status``).
MODEL_DIR = "~/.foundry/cache/models"
#: Fields every streamed chunk and completion body of the service carries beside OpenAI's (issue #144).
SERVICE_FIELDS = {"StreamEvent": None, "IsDelta": False, "Successful": True, "error": None,
                  "HttpStatusCode": 0, "HeaderValues": None}
_EXECUTION_PROVIDERS = {"cpu": "CPUExecutionProvider", "cuda": "CUDAExecutionProvider",
                        "generic-gpu": "WebGpuExecutionProvider", "qnn": "QNNExecutionProvider",
                        "openvino": "OpenVINOExecutionProvider"}


@dataclass(frozen=True)
class ServiceVariant(MockModel):
    """One catalog variant. ``cached``/``loaded``: its state when the emulation starts."""

    file_size_mb: int = 500
    supports_tool_calling: bool = False
    license: str = "MIT"
    publisher: str = "Microsoft"
    max_output_tokens: int = 2048
    cached: bool = True
    loaded: bool = False

    @property
    def name(self) -> str:
        return self.id.partition(":")[0]

    @property
    def version(self) -> str:
        return self.id.partition(":")[2] or "1"

    @property
    def device(self) -> str:
        return self.name.rsplit("-", 1)[-1].upper() if self.name.endswith(("-cpu", "-gpu", "-npu")) else "CPU"

    @property
    def execution_provider(self) -> str:
        vendor = self.name.rsplit("-", 2)[-2] if self.device != "CPU" else "cpu"
        key = "generic-gpu" if vendor == "generic" and self.device == "GPU" else vendor
        return _EXECUTION_PROVIDERS.get(key, "CPUExecutionProvider")

    def to_catalog(self) -> dict[str, Any]:
        """One element of ``GET /foundry/list``, with every field the legacy SDK's model requires."""
        uri = f"azureml://registries/azureml/models/{self.name}/versions/{self.version}"
        return {
            "name": self.id, "displayName": self.name, "modelType": "ONNX", "providerType": "AzureFoundry",
            "uri": uri, "version": self.version,
            "promptTemplate": {"prompt": "<|user|>{Content}<|end|><|assistant|>"},
            "publisher": self.publisher, "task": "chat-completion",
            "runtime": {"deviceType": self.device, "executionProvider": self.execution_provider},
            "fileSizeMb": self.file_size_mb, "modelSettings": {"parameters": []}, "alias": self.alias,
            "supportsToolCalling": self.supports_tool_calling, "license": self.license,
            "licenseDescription": f"This model is provided under the {self.license} license.",
            "parentModelUri": f"azureml://registries/azureml/models/{self.alias}/versions/{self.version}",
            "maxOutputTokens": self.max_output_tokens, "minFLVersion": "0.5.0",
        }


#: A catalog shaped like the real one (ids and aliases from platform notes §7 / `foundry model list`
#: captures), plus the course's own small model, cached and loaded so lessons run without a load step.
SERVICE_CATALOG: tuple[ServiceVariant, ...] = (
    ServiceVariant("smollm2-135m-instruct-generic-cpu:1", "smollm2-135m-instruct", file_size_mb=112,
                   license="apache-2.0", publisher="HuggingFaceTB", loaded=True),
    ServiceVariant("Phi-4-mini-instruct-generic-cpu:5", "phi-4-mini", file_size_mb=4915, supports_tool_calling=True),
    ServiceVariant("Phi-4-mini-instruct-generic-gpu:5", "phi-4-mini", file_size_mb=3809, supports_tool_calling=True,
                   cached=False),
    ServiceVariant("Phi-4-generic-cpu:2", "phi-4", file_size_mb=10404, cached=False),
    ServiceVariant("qwen2.5-0.5b-instruct-generic-cpu:4", "qwen2.5-0.5b", file_size_mb=822, license="apache-2.0",
                   publisher="Alibaba", supports_tool_calling=True),
    ServiceVariant("qwen2.5-1.5b-instruct-generic-cpu:4", "qwen2.5-1.5b", file_size_mb=1822, license="apache-2.0",
                   publisher="Alibaba", supports_tool_calling=True, cached=False),
    ServiceVariant("mistralai-Mistral-7B-Instruct-v0-2-generic-cpu:3", "mistral-7b-v0.2", file_size_mb=4167,
                   license="apache-2.0", publisher="Mistral AI", cached=False),
)


def _variant(model: MockModel) -> ServiceVariant:
    if isinstance(model, ServiceVariant):
        return model
    return ServiceVariant(model.id, model.alias, loaded=True)  # plain mock models: ready to chat


@dataclass
class ServiceState:
    """What the service knows at run time: the catalog, what is downloaded, what is loaded."""

    catalog: tuple[ServiceVariant, ...]
    cached: set[str] = field(default_factory=set)
    loaded: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def of(cls, models: Iterable[MockModel]) -> ServiceState:
        catalog = tuple(_variant(m) for m in models)
        return cls(catalog, {v.id for v in catalog if v.cached or v.loaded}, {v.id for v in catalog if v.loaded})

    def find(self, name: str) -> ServiceVariant | None:
        """The variant named by an exact id, or by a name without ``:version`` (the newest cached one)."""
        exact = [v for v in self.catalog if v.id == name]
        if exact:
            return exact[0]
        same_name = sorted((v for v in self.catalog if v.name == name), key=lambda v: (v.id in self.cached,
                           int(v.version) if v.version.isdigit() else 0))
        return same_name[-1] if same_name else None

    def snapshot(self) -> tuple[list[str], list[str]]:
        with self.lock:
            order = [v.id for v in self.catalog]
            return [i for i in order if i in self.cached], [i for i in order if i in self.loaded]


class ServicePlan(CompletionPlan):
    """The service's answers: OpenAI's fields plus the service's own (``IsDelta``, ``Successful``...)."""

    def completion_body(self) -> dict[str, Any]:
        return {**super().completion_body(), **self._extras()}

    def _chunk(self, choices: list[dict[str, Any]], include_usage: bool) -> dict[str, Any]:
        return {**super()._chunk(choices, include_usage), **self._extras()}

    def _extras(self) -> dict[str, Any]:
        created_at = datetime.fromtimestamp(self.created, UTC).isoformat(timespec="seconds")
        return {"CreatedAt": created_at, **SERVICE_FIELDS}


def _no_provider(name: str) -> PlainTextResponse:
    # The message the legacy SDK looks for to say "not downloaded yet" (api.py, load_model).
    return PlainTextResponse(f"No OpenAIService provider found for modelName:{name}", status_code=400)


_PROGRESS_FILES = (("genai_config.json", 0.5), ("model.onnx", 10.0), ("model.onnx.data", 100.0))


async def _download_lines(variant: ServiceVariant | None, name: str, service: ServiceState) -> AsyncIterator[bytes]:
    """Progress lines (``Total NN.N% Downloading <file>``), then the final JSON line."""
    if variant is None:
        yield (f'{{"success": false, "errorMessage": "Model {name} was not found in the catalog."}}\n').encode()
        return
    for file, percent in _PROGRESS_FILES:
        yield f"Total {percent:5.1f}% Downloading {file}\n".encode()
        await asyncio.sleep(0)
    with service.lock:
        service.cached.add(variant.id)
    yield b'{"success": true, "errorMessage": null}\n'


def add_service_routes(app: FastAPI, state: MockState, dependencies: list[Any]) -> None:
    """Mount the Foundry Local service's routes (see the module docstring) on a mock app."""
    service = ServiceState.of(state.models)
    app.state.foundry_service = service

    @app.get("/foundry/list")
    async def catalog() -> list[dict[str, Any]]:
        return [v.to_catalog() for v in service.catalog]

    @app.get("/openai/models")
    async def cached_models() -> list[str]:
        return service.snapshot()[0]

    @app.get("/openai/loadedmodels")
    async def loaded_models() -> list[str]:
        return service.snapshot()[1]

    @app.get("/openai/status")
    async def status(request: Request) -> dict[str, Any]:
        root = f"{request.url.scheme}://{request.url.netloc}"
        return {"endpoints": [root], "modelDirPath": MODEL_DIR, "pipeName": "inference_agent"}

    @app.get("/openai/load/{name:path}")
    async def load(name: str) -> Response:
        variant = service.find(name)
        with service.lock:
            if variant is None or variant.id not in service.cached:
                return _no_provider(name)
            service.loaded.add(variant.id)
        return Response(status_code=200)

    @app.get("/openai/unload/{name:path}")
    async def unload(name: str) -> Response:
        variant = service.find(name)
        if variant is None:
            return _no_provider(name)
        with service.lock:
            service.loaded.discard(variant.id)
        return Response(status_code=200)

    @app.get("/openai/unloadall")
    async def unload_all() -> Response:
        with service.lock:
            service.loaded.clear()
        return Response(status_code=200)

    @app.post("/openai/download")
    async def download(request: Request) -> StreamingResponse:
        body = parse_json_body(await request.body())
        model = body.get("model") if isinstance(body, dict) else None
        name = str(model.get("Name", "")) if isinstance(model, dict) else ""
        variant = next((v for v in service.catalog if v.id == name), None)
        return StreamingResponse(_download_lines(variant, name, service), media_type="text/plain")

    @app.get("/v1/models", dependencies=dependencies)
    async def openai_models(request: Request) -> Response:
        cached = set(service.snapshot()[0])
        data = [v.to_openai() for v in service.catalog if v.id in cached]
        return await answer_listing(request, state, {"data": data, **_LIST_EXTRAS, "object": "list"})

    @app.post("/v1/chat/completions/tokenizer/encode/count", dependencies=dependencies)
    async def token_count(request: Request) -> dict[str, int]:
        body = parse_json_body(await request.body())
        messages = body.get("messages") if isinstance(body, dict) else None
        return {"tokenCount": count_prompt_tokens(messages if isinstance(messages, list) else [])}

    @app.post("/v1/chat/completions", dependencies=dependencies)
    async def chat_completions(request: Request) -> Response:
        body = validate_chat_request(parse_json_body(await request.body()))
        variant = service.find(body.model)
        with service.lock:
            ready = variant is not None and variant.id in service.loaded
        if variant is None or not ready:
            return Response(status_code=400)  # alias, unknown or unloaded id: 400, no body (#92, #368)
        return await answer_chat(request, state, body, variant, plan_type=ServicePlan, id_prefix="fl")


_LIST_EXTRAS = {"IsDelta": False, "Successful": True, "HttpStatusCode": 0}

FOUNDRY_SERVICE_PROFILE = Profile("foundry-service", SERVICE_CATALOG, add_service_routes)
