"""Checks of lesson 09 (Open WebUI and the chat app in production)."""

from __future__ import annotations

import json
from typing import Any

from foundry_workshop.exercises.registry import register
from foundry_workshop.http_checks import free_port

#: What "lean and offline" means for Open WebUI 0.12.4 (lesson 09, docs/openwebui.md): variable -> accepted values.
_REQUIRED = {
    "ENABLE_TITLE_GENERATION": ("false",),
    "ENABLE_TAGS_GENERATION": ("false",),
    "ENABLE_FOLLOW_UP_GENERATION": ("false",),
    "OFFLINE_MODE": ("true", "1"),
    "ENABLE_OLLAMA_API": ("false",),
}


@register("09.lean_environment")
def check_lean_environment(lean_environment: Any, *, openai_url: str, model: str) -> str | None:
    """lean_environment(openai_url, model) returns Open WebUI's variables: offline, one request per turn."""
    env = lean_environment(openai_url, model)
    if not isinstance(env, dict) or not all(isinstance(v, str) for v in env.values()):
        return "return a dict of strings (environment variables are text: 'False', not False)."
    if env.get("OPENAI_API_BASE_URL") != openai_url:
        return f"set OPENAI_API_BASE_URL to the server's URL with /v1 ({openai_url})."
    if env.get("DEFAULT_MODELS") != model:
        return "set DEFAULT_MODELS to the model id, so a new chat starts with it."
    for name, accepted in _REQUIRED.items():
        if str(env.get(name, "")).lower() not in accepted:
            return f"{name} must be {accepted[0]!r}: see the table of settings in section 3."
    try:
        params = json.loads(env.get("DEFAULT_MODEL_PARAMS", "{}"))
    except json.JSONDecodeError:
        return "DEFAULT_MODEL_PARAMS must be JSON, e.g. '{\"function_calling\": \"legacy\"}'."
    if params.get("function_calling") != "legacy":
        return ("the 36 built-in tools still ride on every chat request: set DEFAULT_MODEL_PARAMS to "
                "'{\"function_calling\": \"legacy\"}'.")
    return None


@register("09.health_check")
def check_health_check(health_check: Any, *, base_url: str, model: str) -> str | None:
    """health_check(base_url, model) says whether the model is served, and never raises."""
    up = health_check(base_url, model)
    if not isinstance(up, dict) or up.get("status") != "ok" or up.get("model") != model:
        return f"with the server up and {model} listed, return {{'status': 'ok', 'model': {model!r}}}; got {up!r}."
    missing = health_check(base_url, "no-such-model")
    if missing.get("status") != "unavailable" or "no-such-model" not in str(missing.get("reason", "")):
        return "a model the server does not list is 'unavailable', with a reason that names the model."
    nowhere = f"http://127.0.0.1:{free_port()}/v1"
    try:
        down = health_check(nowhere, model)
    except Exception as exc:
        return f"a server that is down must give status 'unavailable', not raise {type(exc).__name__}: catch it."
    if down.get("status") != "unavailable" or nowhere not in str(down.get("reason", "")):
        return "when nothing answers, return status 'unavailable' with a reason that names the URL."
    return None
