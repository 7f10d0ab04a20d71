"""What an OpenAI-compatible server says about its models beyond ``/v1/models``, when it is Foundry Local.

* The Foundry Local **service** (Windows/macOS) publishes its catalog - every variant with its ``alias`` - at
  ``GET /foundry/list``, the downloaded ids at ``GET /openai/models`` and the loaded ids at
  ``GET /openai/loadedmodels`` (Learn, "Foundry Local REST API Reference", 2026-06-15).
* The Foundry Local **SDK v2 web service** (what the ``foundry`` backend starts on Linux) publishes no catalog
  over HTTP, only the loaded ids at ``GET /models/loaded`` (``sdk_v2/cpp/src/service/models_handlers.cc``).
* Anything else (llama.cpp, Ollama, vLLM) answers these routes with 404: the name rule of
  :mod:`foundry_workshop.models` applies alone.

Each probe is one short GET; a server that does not know a route costs a 404 and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import requests

#: How this module names the servers it can tell apart.
FOUNDRY_SERVICE = "foundry-service"
FOUNDRY_SDK = "foundry-sdk-web-service"
OPENAI_COMPATIBLE = "openai-compatible"


@dataclass(frozen=True)
class ServerFacts:
    """``kind`` of server; ``catalog`` maps variant id -> alias (service only); ``cached`` are downloaded ids
    (None: unknown); ``loaded`` the ids the server reports as loaded."""

    kind: str = OPENAI_COMPATIBLE
    catalog: dict[str, str] | None = None
    cached: frozenset[str] | None = None
    loaded: frozenset[str] = field(default_factory=frozenset)


def _get_json(url: str, headers: dict[str, str], timeout: float) -> Any:
    """The decoded JSON of a 200 answer, or None for anything else (404, not JSON, no answer)."""
    try:
        response = requests.get(url, headers=headers, timeout=timeout)
    except requests.RequestException:
        return None
    if response.status_code != 200:
        return None
    try:
        return response.json()
    except ValueError:
        return None


def _strings(value: Any) -> frozenset[str] | None:
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return frozenset(value)
    return None


def probe(root_url: str, api_key: str | None = None, timeout: float = 5.0) -> ServerFacts:
    """What the server at ``root_url`` (no ``/v1``) says about its models; see the module docstring."""
    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    listing = _get_json(f"{root_url}/foundry/list", headers, timeout)
    if isinstance(listing, list) and listing and all(isinstance(v, dict) for v in listing):
        catalog = {str(v["name"]): str(v["alias"]) for v in listing if v.get("name") and v.get("alias")}
        if catalog:
            cached = _strings(_get_json(f"{root_url}/openai/models", headers, timeout))
            loaded = _strings(_get_json(f"{root_url}/openai/loadedmodels", headers, timeout))
            return ServerFacts(FOUNDRY_SERVICE, catalog, cached, loaded or frozenset())
    loaded = _strings(_get_json(f"{root_url}/models/loaded", headers, timeout))
    if loaded is not None:
        return ServerFacts(FOUNDRY_SDK, loaded=loaded)
    return ServerFacts()


def load_on_service(root_url: str, model_id: str, timeout: float) -> str | None:
    """``GET /openai/load/{id}`` on the Foundry Local service; None when loaded, else what went wrong."""
    try:
        response = requests.get(f"{root_url}/openai/load/{model_id}", params={"ttl": 3600}, timeout=timeout)
    except requests.RequestException as exc:
        return f"no answer ({type(exc).__name__})"
    if response.status_code == 200:
        return None
    return f"HTTP {response.status_code} {response.text.strip()[:200]}".strip()
