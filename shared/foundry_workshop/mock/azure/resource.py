"""An emulated Azure AI Foundry resource: its deployments, its credentials, and each deployment's rate limit."""

from __future__ import annotations

import hmac
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from starlette.requests import Request

#: api-version values the Azure OpenAI routes accept (GA and recent previews).
OPENAI_API_VERSIONS = frozenset({
    "2024-02-01", "2024-06-01", "2024-10-21", "2024-12-01-preview", "2025-01-01-preview",
    "2025-03-01-preview", "2025-04-01-preview",
})
#: What azure-ai-inference 1.0.0b9 sends; the Azure AI Model Inference API version.
INFERENCE_API_VERSIONS = frozenset({"2024-05-01-preview"})
#: Entra ID scope of Azure AI services (Foundry, Azure OpenAI): what keyless clients ask tokens for.
COGNITIVE_SERVICES_SCOPE = "https://cognitiveservices.azure.com/.default"


@dataclass(frozen=True)
class AzureDeployment:
    """A named deployment of a model, with its own rate limit (None: unlimited)."""

    name: str
    model: str
    requests_per_minute: int | None = None


DEFAULT_DEPLOYMENTS: tuple[AzureDeployment, ...] = (
    AzureDeployment("gpt-5.4-mini", "gpt-5.4-mini-2026-03-17", requests_per_minute=60),
    AzureDeployment("gpt-4o", "gpt-4o-2024-11-20", requests_per_minute=30),
    AzureDeployment("mistral-large", "Mistral-Large-2411", requests_per_minute=30),
)


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
