"""The Azure emulation as a server: a :class:`~foundry_workshop.mock.MockServer` that also serves Azure's routes."""

from __future__ import annotations

import secrets
import weakref
from collections.abc import Iterable
from typing import Any

from ..faults import FaultRule
from ..latency import Latency
from ..models import MockModel
from ..server import MockServer
from ..tls import SelfSignedCertificate
from .resource import DEFAULT_DEPLOYMENTS, AzureDeployment, AzureState
from .routes import add_azure_routes


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
