"""Any OpenAI-compatible server that is already running: Foundry Local's service on Windows/macOS,
llama.cpp's ``llama-server``, Ollama, vLLM. The package starts nothing; it checks and resolves."""

from __future__ import annotations

from foundry_workshop import server_facts
from foundry_workshop.connection import PLACEHOLDER_KEY, Connection
from foundry_workshop.errors import BackendUnavailableError, ConfigurationError
from foundry_workshop.http_checks import list_model_ids, normalize_base_url, root_of
from foundry_workshop.models import resolve_model
from foundry_workshop.server_facts import ServerFacts
from foundry_workshop.settings import Settings

START_HINT = (
    "Start the server first - Foundry Local: `foundry server start`, then `foundry server status` "
    "prints its URL (older CLIs: `foundry service ...`); llama.cpp: `llama-server -m model.gguf --port 8080`; "
    "Ollama: `ollama serve` "
    "(http://127.0.0.1:11434/v1) - and set FOUNDRY_LOCAL_ENDPOINT to that URL. "
    "Or use WORKSHOP_BACKEND=bundled, which needs no server."
)


def connect_to(
    base_url: str, settings: Settings, backend: str, hint: str = START_HINT, *, ask_foundry: bool = False
) -> Connection:
    """Check the server answers, resolve the alias against its model list, and wrap it.

    ``ask_foundry``: also ask the server whether it is Foundry Local (:mod:`foundry_workshop.server_facts`),
    so an alias resolves as the service's catalog maps it and a downloaded but unloaded model gets loaded.
    """
    endpoint = normalize_base_url(base_url)
    timeout = min(settings.timeout, 10.0)
    available = list_model_ids(endpoint, settings.api_key, hint, timeout=timeout)
    facts = server_facts.probe(root_of(endpoint), settings.api_key, timeout) if ask_foundry else ServerFacts()
    details: dict[str, object] = {"available_models": available, "server": facts.kind}
    if facts.catalog:
        model = _resolve_on_service(settings, endpoint, facts, details)
    else:
        model = resolve_model(settings.model, available, where=endpoint, loaded=facts.loaded)
    return Connection(
        backend=backend, endpoint=endpoint, model=model, alias=settings.model,
        api_key=settings.api_key or PLACEHOLDER_KEY, timeout=settings.timeout, details=details,
    )


def _resolve_on_service(settings: Settings, endpoint: str, facts: ServerFacts, details: dict[str, object]) -> str:
    """The Foundry Local service: resolve in its catalog, insist on a download, load if needed (as the seeds'
    ``FoundryLocalManager(alias)`` did)."""
    assert facts.catalog is not None
    model = resolve_model(settings.model, list(facts.catalog), where=f"the Foundry Local catalog at {endpoint}",
                          catalog=facts.catalog, loaded=facts.loaded, cached=facts.cached)
    alias = facts.catalog[model]
    if facts.cached is not None and model not in facts.cached:
        raise BackendUnavailableError(
            f"{settings.model!r} is {model} in the Foundry Local catalog, but it is not downloaded. Download it "
            f"once with `foundry model download {alias}` (or POST {root_of(endpoint)}/openai/download), then "
            "connect again."
        )
    if model not in facts.loaded:
        problem = server_facts.load_on_service(root_of(endpoint), model, timeout=settings.timeout)
        if problem:
            raise BackendUnavailableError(
                f"Foundry Local at {endpoint} could not load {model} ({problem}). Load it yourself with "
                f"`foundry model load {alias}`, or raise WORKSHOP_TIMEOUT if the machine is slow."
            )
        details["loaded_by_connect"] = True
    return model


def open_endpoint(settings: Settings) -> Connection:
    if not settings.endpoint:
        raise ConfigurationError(
            "The endpoint backend needs a URL: set FOUNDRY_LOCAL_ENDPOINT (e.g. http://127.0.0.1:5273/v1; "
            "`foundry server status` prints it) or pass endpoint=..."
        )
    return connect_to(settings.endpoint, settings, backend="endpoint", ask_foundry=True)
