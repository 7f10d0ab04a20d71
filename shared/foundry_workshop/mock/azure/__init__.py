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

from .emulator import AzureEmulator
from .resource import (
    COGNITIVE_SERVICES_SCOPE,
    DEFAULT_DEPLOYMENTS,
    INFERENCE_API_VERSIONS,
    OPENAI_API_VERSIONS,
    AzureDeployment,
    AzureState,
    RequestRateLimiter,
)
from .responses import AzureError
from .routes import add_azure_routes

__all__ = [
    "COGNITIVE_SERVICES_SCOPE", "DEFAULT_DEPLOYMENTS", "INFERENCE_API_VERSIONS", "OPENAI_API_VERSIONS",
    "AzureDeployment", "AzureEmulator", "AzureError", "AzureState", "RequestRateLimiter", "add_azure_routes",
]
