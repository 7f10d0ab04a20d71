"""Reference solutions of lesson 09. ``@exercise(..., solutions=True)`` loads these in place of the stubs."""

from __future__ import annotations

import json
from typing import Any

import requests


def lean_environment(openai_url: str, model: str) -> dict[str, str]:
    """Open WebUI's variables: the server, the model, nothing downloaded, one request per chat turn."""
    return {
        "OPENAI_API_BASE_URL": openai_url,
        "OPENAI_API_KEY": "local",
        "DEFAULT_MODELS": model,
        "OFFLINE_MODE": "true",
        "ENABLE_OLLAMA_API": "False",
        "ENABLE_TITLE_GENERATION": "False",
        "ENABLE_TAGS_GENERATION": "False",
        "ENABLE_FOLLOW_UP_GENERATION": "False",
        "DEFAULT_MODEL_PARAMS": json.dumps({"function_calling": "legacy"}),
    }


def health_check(base_url: str, model: str) -> dict[str, Any]:
    """{"status": "ok", "model": ...} when the server lists the model, else "unavailable" with a reason."""
    try:
        response = requests.get(f"{base_url}/models", timeout=5)
        response.raise_for_status()
        listed = [entry["id"] for entry in response.json()["data"]]
    except (requests.RequestException, ValueError, KeyError) as exc:
        return {"status": "unavailable", "reason": f"{base_url} did not answer ({type(exc).__name__})"}
    if model not in listed:
        return {"status": "unavailable", "reason": f"{model} is not listed by {base_url}"}
    return {"status": "ok", "model": model}
