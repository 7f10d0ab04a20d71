"""Azure AI Foundry Models as a backend: the cloud side of the hybrid lesson (seed 003).

One call shape on both sides: ``conn.client.chat.completions.create(model=conn.model, messages=...)`` is the
same line as against Foundry Local; ``conn.model`` is the *deployment* name, which Azure routes on. Which client:

* ``AZURE_OPENAI_API_VERSION=v1`` (the default): Azure OpenAI's GA "v1" API, ``openai.OpenAI(base_url=
  "<resource>/openai/v1/", api_key=<key or bearer-token provider>)`` -> ``POST /openai/v1/chat/completions``,
  no api-version (Learn, "Azure OpenAI API version lifecycle", include dated 2026-03-19).
* ``AZURE_OPENAI_API_VERSION=2024-10-21`` (a dated version): the seed's ``openai.AzureOpenAI(azure_endpoint=...,
  api_version=...)`` -> ``/openai/deployments/<name>/chat/completions?api-version=...``.

The Azure AI inference endpoint's own client (``azure.ai.inference.ChatCompletionsClient``, the seed's way) for
the same resource is in ``conn.details["inference_client"]``.

Where: ``AZURE_INFERENCE_ENDPOINT`` (``https://<resource>.services.ai.azure.com/models``) and/or
``AZURE_OPENAI_ENDPOINT`` (``https://<resource>.openai.azure.com`` or the Foundry resource root); given
one, the other is derived (same resource: root <-> root + ``/models``). Which deployment: ``model=`` or
``WORKSHOP_MODEL``, else ``AZURE_AI_MODEL_DEPLOYMENT_NAME`` (a model that was asked for is never replaced).

Auth: the resource key from ``AZURE_INFERENCE_CREDENTIAL`` (``Authorization: Bearer`` on v1, ``api-key`` on
dated versions); without one, keyless Microsoft Entra ID through ``azure.identity.DefaultAzureCredential``
(``az login`` locally, managed identity in Azure) and ``get_bearer_token_provider`` with the scope
``https://ai.azure.com/.default`` on v1 (Learn's v1 examples) or ``https://cognitiveservices.azure.com/.default``
for ``AzureOpenAI`` and the inference client. Keys never appear in ``repr``, ``summary()`` or errors.

``connect()`` sends nothing to Azure: calls are billed, and a wrong deployment name is reported by the
first call with Azure's own message (``DeploymentNotFound`` / ``unknown_model``). ``conn.health()``
probes with a one-token completion.

Note: Microsoft deprecated the beta ``azure-ai-inference`` SDK and retired it on 26 August 2026 (Learn,
"Foundry Models supported languages"), recommending the GA "v1" API. It is kept here because the course's
source material teaches it; ``conn.client`` does not depend on it. See ``docs/facts.md``.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import requests

from foundry_workshop.connection import PLACEHOLDER_KEY, Connection
from foundry_workshop.errors import BackendUnavailableError, ConfigurationError, EndpointUnreachableError
from foundry_workshop.failures import classify
from foundry_workshop.settings import Settings
from foundry_workshop.wire_guard import guarded_async_http_client, guarded_http_client

if TYPE_CHECKING:
    import openai

#: Entra ID scope of Azure AI services: what ``AzureOpenAI`` and the inference client ask tokens for.
SCOPE = "https://cognitiveservices.azure.com/.default"
#: The scope Learn's v1 API examples ask tokens for (``get_bearer_token_provider(..., V1_SCOPE)``).
V1_SCOPE = "https://ai.azure.com/.default"
#: ``AZURE_OPENAI_API_VERSION`` value selecting the GA v1 API (no dated api-version at all).
V1 = "v1"

_WHERE_HINT = (
    "Set AZURE_INFERENCE_ENDPOINT=https://<resource>.services.ai.azure.com/models (a Foundry resource) "
    "or AZURE_OPENAI_ENDPOINT=https://<resource>.openai.azure.com, in the environment or .env."
)
_AUTH_HINT = (
    "Set AZURE_INFERENCE_CREDENTIAL to the resource key (Azure portal: the resource's Keys and Endpoint), "
    "or sign in for keyless access (`az login`) with the 'Cognitive Services User' role on the resource."
)


def _loopback(host: str | None) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host or "").is_loopback
    except ValueError:
        return False


def _checked_url(url: str, variable: str) -> str:
    """Azure is HTTPS; plain HTTP is accepted only on this machine (the emulation), never to send a key away."""
    url = url.strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return url
    if parts.scheme == "http" and _loopback(parts.hostname):
        return url
    raise ConfigurationError(
        f"{variable} must be an https:// URL (plain http only to 127.0.0.1/localhost), got {url!r}. {_WHERE_HINT}"
    )


def resolve_endpoints(settings: Settings) -> tuple[str, str]:
    """``(azure_openai_endpoint, inference_endpoint)`` from whichever of the two settings are given."""
    given_openai, given_inference = settings.azure_openai_endpoint, settings.azure_inference_endpoint
    openai_url = given_openai and _checked_url(given_openai, "AZURE_OPENAI_ENDPOINT")
    inference_url = given_inference and _checked_url(given_inference, "AZURE_INFERENCE_ENDPOINT")
    if not openai_url and not inference_url:
        raise ConfigurationError(f"The azure backend needs an endpoint. {_WHERE_HINT} {_AUTH_HINT}")
    if not openai_url:
        assert inference_url  # one of the two is set (checked above)
        if not inference_url.endswith("/models"):
            raise ConfigurationError(
                f"AZURE_INFERENCE_ENDPOINT {inference_url!r} does not end in /models, so the Azure OpenAI endpoint "
                "cannot be derived from it: set AZURE_OPENAI_ENDPOINT too."
            )
        openai_url = inference_url.removesuffix("/models")
    return openai_url, inference_url or f"{openai_url}/models"


def make_default_credential() -> Any:
    """``DefaultAzureCredential()``: environment, workload/managed identity, Azure CLI, ... in that order."""
    try:
        from azure.identity import DefaultAzureCredential
    except ImportError:
        raise BackendUnavailableError(
            "Keyless Azure sign-in needs the azure-identity package (`pip install azure-identity`). "
            "Or set AZURE_INFERENCE_CREDENTIAL to the resource key."
        ) from None
    return DefaultAzureCredential()


@dataclass
class AzureConnection(Connection):
    """A :class:`Connection` to an Azure AI Foundry deployment; ``model`` is the deployment name."""

    #: The Azure AI inference endpoint of the same resource (``.../models``).
    inference_endpoint: str = ""
    #: ``"v1"`` (the GA v1 API, ``openai.OpenAI``) or a dated ``api-version`` (``openai.AzureOpenAI``).
    api_version: str = V1
    #: A TokenCredential when keyless, else None (key auth with ``api_key``).
    credential: Any = field(default=None, repr=False)

    @property
    def keyless(self) -> bool:
        return self.credential is not None

    @property
    def v1(self) -> bool:
        """True when the GA v1 API is used (``openai.OpenAI`` on ``<resource>/openai/v1/``)."""
        return self.api_version == V1

    @property
    def v1_base_url(self) -> str:
        return f"{self.endpoint}/openai/v1/"

    @cached_property
    def token_provider(self) -> Callable[[], str]:
        """Bearer tokens for the API's scope, refreshed before they expire (keyless only)."""
        from azure.identity import get_bearer_token_provider

        return get_bearer_token_provider(self.credential, V1_SCOPE if self.v1 else SCOPE)

    def _auth(self) -> dict[str, Any]:
        return {"azure_ad_token_provider": self.token_provider} if self.keyless else {"api_key": self.api_key}

    @cached_property
    def inference_client(self) -> Any:
        """``azure.ai.inference.ChatCompletionsClient`` on :attr:`inference_endpoint` (seed 003), built on first
        use: the package is retired and optional, so a connection works without it. Closed with the connection."""
        client = make_inference_client(self.inference_endpoint, api_key=None if self.keyless else self.api_key,
                                       credential=self.credential)
        self.on_close(client.close)
        return client

    @cached_property
    def client(self) -> openai.OpenAI:
        """An OpenAI client for this resource: ``chat.completions.create(model=<deployment>, ...)``.
        ``openai.OpenAI`` on the v1 API, ``openai.AzureOpenAI`` (a subclass) on a dated api-version."""
        import openai

        guarded = guarded_http_client()
        if self.v1:
            key: Any = self.token_provider if self.keyless else self.api_key
            return openai.OpenAI(base_url=self.v1_base_url, api_key=key, timeout=self.timeout, http_client=guarded)
        return openai.AzureOpenAI(azure_endpoint=self.endpoint, api_version=self.api_version, timeout=self.timeout,
                                  http_client=guarded, **self._auth())

    @cached_property
    def async_client(self) -> openai.AsyncOpenAI:
        import openai

        guarded = guarded_async_http_client()
        if self.v1:
            if not self.keyless:
                return openai.AsyncOpenAI(base_url=self.v1_base_url, api_key=self.api_key, timeout=self.timeout,
                                          http_client=guarded)
            provider = self.token_provider

            async def token() -> str:  # the async client wants an awaitable; the sync provider caches tokens
                return provider()

            return openai.AsyncOpenAI(base_url=self.v1_base_url, api_key=token, timeout=self.timeout,
                                      http_client=guarded)
        return openai.AsyncAzureOpenAI(azure_endpoint=self.endpoint, api_version=self.api_version,
                                       timeout=self.timeout, http_client=guarded, **self._auth())

    @property
    def headers(self) -> dict[str, str]:
        """Headers for raw HTTP calls: ``api-key`` with a key, a fresh bearer token when keyless."""
        auth = {"Authorization": f"Bearer {self.token_provider()}"} if self.keyless else {"api-key": self.api_key}
        return {"Content-Type": "application/json", **auth}

    def list_models(self) -> list[str]:
        """Models the resource offers (``GET /openai/models``): not the deployments, which need the
        management API. Confirms endpoint and credentials without a billed call."""
        url = f"{self.endpoint}/openai/v1/models" if self.v1 else f"{self.endpoint}/openai/models"
        params = {} if self.v1 else {"api-version": self.api_version}
        try:
            response = requests.get(url, params=params, headers=self.headers,
                                    timeout=min(self.timeout, 10.0))
        except requests.RequestException as exc:
            raise EndpointUnreachableError(self.endpoint, f"Check the network and AZURE_OPENAI_ENDPOINT. {_WHERE_HINT}",
                                           type(exc).__name__) from None
        if response.status_code in (401, 403):
            raise ConfigurationError(f"Azure at {self.endpoint} refused the credentials ({response.status_code}). "
                                     f"{_AUTH_HINT}")
        if response.status_code != 200:
            raise EndpointUnreachableError(self.endpoint, _WHERE_HINT,
                                           f"GET /openai/models answered {response.status_code}")
        return [entry["id"] for entry in response.json().get("data", [])]

    def health(self) -> dict[str, Any]:
        """One completion of one token to the deployment (billed: a few tokens)."""
        import openai
        from azure.core.exceptions import ClientAuthenticationError

        problems: list[str] = []
        try:
            self.client.with_options(max_retries=0, timeout=min(self.timeout, 30.0)).chat.completions.create(
                # max_completion_tokens, not max_tokens: reasoning deployments (gpt-5.x) refuse max_tokens.
                model=self.model, messages=[{"role": "user", "content": "ping"}], max_completion_tokens=16
            )
        except openai.OpenAIError as exc:
            failure = classify(exc, endpoint=self.endpoint, model=self.model)
            if failure.status is not None:
                problems.append(f"Deployment {self.model!r} at {self.endpoint} answered {failure.detail}")
            else:
                problems.append(f"No answer from {self.endpoint} ({failure.detail}). Check the network. {_WHERE_HINT}")
        except ClientAuthenticationError as exc:
            problems.append(f"Keyless sign-in failed ({type(exc).__name__}). {_AUTH_HINT}")
        return {"ok": not problems, "endpoint": self.endpoint, "model": self.model, "problems": problems}

    def summary(self) -> dict[str, str]:
        return {
            "backend": self.backend,
            "endpoint": self.endpoint,
            "inference_endpoint": self.inference_endpoint,
            "deployment": self.model,
            "api": "v1 (openai.OpenAI)" if self.v1 else f"api-version {self.api_version} (openai.AzureOpenAI)",
            "api_version": self.api_version,
            "auth": "Microsoft Entra ID (keyless)" if self.keyless else "key (set)",
        }


def make_inference_client(endpoint: str, *, api_key: str | None, credential: Any) -> Any:
    """``azure.ai.inference.ChatCompletionsClient`` as in seed 003: a key, or a TokenCredential + scope."""
    try:
        from azure.ai.inference import ChatCompletionsClient
        from azure.core.credentials import AzureKeyCredential
    except ImportError:
        raise BackendUnavailableError(
            "The Azure AI inference client needs the azure-ai-inference package (`pip install azure-ai-inference`)."
        ) from None
    if credential is not None:
        return ChatCompletionsClient(endpoint=endpoint, credential=credential, credential_scopes=[SCOPE])
    if not api_key:
        raise ConfigurationError(f"The azure backend needs a key or a credential. {_AUTH_HINT}")
    return ChatCompletionsClient(endpoint=endpoint, credential=AzureKeyCredential(api_key))


def open_azure(settings: Settings, *, credential: Any = None) -> AzureConnection:
    """Connect to an Azure AI Foundry deployment. ``credential`` (a TokenCredential) forces keyless auth;
    without it, ``AZURE_INFERENCE_CREDENTIAL`` is used, else :func:`make_default_credential`."""
    openai_url, inference_url = resolve_endpoints(settings)
    deployment = settings.model  # resolve() put AZURE_AI_MODEL_DEPLOYMENT_NAME here when no model was asked for
    key = None if credential is not None else settings.azure_api_key
    if credential is None and not key:
        credential = make_default_credential()
    conn = AzureConnection(
        backend="azure", endpoint=openai_url, model=deployment, alias=deployment,
        api_key=key or PLACEHOLDER_KEY, timeout=settings.timeout,
        inference_endpoint=inference_url, api_version=settings.azure_api_version, credential=credential,
    )
    conn.details = _LazyDetails(conn)  # details["inference_client"] builds it on first use, like the property
    conn.details.update(deployment=deployment, auth="keyless" if credential is not None else "key")
    return conn


class _LazyDetails(dict[str, Any]):
    """``conn.details`` whose ``"inference_client"`` is :attr:`AzureConnection.inference_client`, made on demand."""

    def __init__(self, conn: AzureConnection) -> None:
        super().__init__()
        self._conn = conn

    def __missing__(self, key: str) -> Any:
        if key != "inference_client":
            raise KeyError(key)
        self[key] = self._conn.inference_client
        return self[key]
