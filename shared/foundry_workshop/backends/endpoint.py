"""Any OpenAI-compatible server that is already running: Foundry Local's service on Windows/macOS,
llama.cpp's ``llama-server``, Ollama, vLLM. The package starts nothing; it checks and resolves."""

from __future__ import annotations

from foundry_workshop.connection import PLACEHOLDER_KEY, Connection
from foundry_workshop.errors import ConfigurationError
from foundry_workshop.http_checks import list_model_ids, normalize_base_url
from foundry_workshop.models import resolve_model
from foundry_workshop.settings import Settings

START_HINT = (
    "Start the server first - Foundry Local: `foundry service start`, then `foundry service status` "
    "prints its URL; llama.cpp: `llama-server -m model.gguf --port 8080`; Ollama: `ollama serve` "
    "(http://127.0.0.1:11434/v1) - and set FOUNDRY_LOCAL_ENDPOINT to that URL. "
    "Or use WORKSHOP_BACKEND=bundled, which needs no server."
)


def connect_to(base_url: str, settings: Settings, backend: str, hint: str = START_HINT) -> Connection:
    """Check the server answers, resolve the alias against its model list, and wrap it."""
    endpoint = normalize_base_url(base_url)
    available = list_model_ids(endpoint, settings.api_key, hint, timeout=min(settings.timeout, 10.0))
    model = resolve_model(settings.model, available, where=endpoint)
    return Connection(
        backend=backend, endpoint=endpoint, model=model, alias=settings.model,
        api_key=settings.api_key or PLACEHOLDER_KEY, timeout=settings.timeout,
        details={"available_models": available},
    )


def open_endpoint(settings: Settings) -> Connection:
    if not settings.endpoint:
        raise ConfigurationError(
            "The endpoint backend needs a URL: set FOUNDRY_LOCAL_ENDPOINT (e.g. http://127.0.0.1:5273/v1; "
            "`foundry service status` prints it) or pass endpoint=..."
        )
    return connect_to(settings.endpoint, settings, backend="endpoint")
