"""The environment Open WebUI 0.12.4 needs to run offline against one OpenAI-compatible server, and lean.

Open WebUI is configured through environment variables (``docs.openwebui.com``, "Environment Variable
Configuration"). Three groups matter here, each measured on the course machines (2026-12-01):

- :data:`OFFLINE_SETTINGS`: start without touching the network. Without them it probes Ollama on
  ``127.0.0.1:11434``, checks for a new version, and tries to download an embedding model (a traceback at start).
- :data:`LEAN_SETTINGS`: one chat turn = one request. With Open WebUI's defaults a turn sends four: a title
  (``max_tokens`` 1000), the answer carrying 36 built-in tool definitions (~26 KB), follow-up suggestions and
  tags. On the bundled SmolLM2 the answer then took 24 s instead of 6 s.
- the connection: ``OPENAI_API_BASE_URL`` / ``OPENAI_API_KEY`` / ``DEFAULT_MODELS``, from the course's
  connection.

Values set by environment variables are copied into Open WebUI's database on first start and win over the
variables afterwards; ``ENABLE_PERSISTENT_CONFIG=False`` makes the environment win every time.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping, Sequence
from pathlib import Path

#: Download nothing, probe nothing: what Open WebUI needs to start on a machine without internet.
OFFLINE_SETTINGS: dict[str, str] = {
    "OFFLINE_MODE": "true",  # no version check, no model downloads from the hub
    "HF_HUB_OFFLINE": "1",  # huggingface_hub itself stays offline too
    "ENABLE_VERSION_UPDATE_CHECK": "false",
    "ENABLE_OLLAMA_API": "False",  # no Ollama connection...
    "OLLAMA_BASE_URL": "http://127.0.0.1:9",  # ...and nothing probed on :11434/:12434 even so (port 9: discard)
    "RAG_EMBEDDING_MODEL": "",  # no local embedding model to load (it would fail offline, with a traceback)
    "RAG_EMBEDDING_MODEL_AUTO_UPDATE": "False",
    "RAG_RERANKING_MODEL_AUTO_UPDATE": "False",
    "ENABLE_EVALUATION_ARENA_MODELS": "False",  # no "Arena Model" next to the real ones in the model picker
    "ENABLE_PERSISTENT_CONFIG": "False",  # these variables win over what an earlier start saved
}

#: One request per chat turn, and nothing a 135M-parameter model cannot use.
LEAN_SETTINGS: dict[str, str] = {
    "ENABLE_TITLE_GENERATION": "False",
    "ENABLE_TAGS_GENERATION": "False",
    "ENABLE_FOLLOW_UP_GENERATION": "False",
    "ENABLE_AUTOCOMPLETE_GENERATION": "False",  # no request per keystroke pause while typing
    # "legacy" (prompt-based) function calling sends no `tools` when no tool is enabled; the default
    # ("native") attaches Open WebUI's 36 built-in tools to every chat request.
    "DEFAULT_MODEL_PARAMS": json.dumps({"function_calling": "legacy"}),
}

#: Variables of the learner's shell that would change what Open WebUI connects to: never passed on.
_INHERITED_CONNECTION_VARS = ("OLLAMA_BASE_URLS", "WEBUI_URL")


def openwebui_environment(
    *,
    openai_url: str,
    api_key: str,
    model: str,
    data_dir: Path,
    lean: bool = True,
    more_connections: Sequence[tuple[str, str]] = (),
    secret_key: str | None = None,
    base: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """Everything ``open-webui serve`` needs: ``base`` (default: none) plus the offline, lean, connection and
    single-user settings.

    ``openai_url`` is the server's base URL including ``/v1``; ``more_connections`` adds ``(url, key)`` pairs
    (Open WebUI then lists the models of every server in one picker). ``lean=False`` keeps Open WebUI's default task
    settings (title, tags, follow-ups, 36 tools): the lesson uses it to show what they cost. The sign-in is
    handled by ``WEBUI_AUTH=False``: one local user, created on first start, who is the admin. That is only
    acceptable because the server listens on 127.0.0.1 (see docs/openwebui.md before exposing it).
    """
    env = {k: v for k, v in (base or {}).items() if k not in _INHERITED_CONNECTION_VARS}
    env.update(OFFLINE_SETTINGS)
    if lean:
        env.update(LEAN_SETTINGS)
    env.update({
        "DATA_DIR": str(data_dir),  # its database and uploads; the default is inside site-packages
        "WEBUI_AUTH": "False",  # single local user, signed in automatically
        # Signs the session cookie; without it Open WebUI writes `.webui_secret_key` into the working directory.
        "WEBUI_SECRET_KEY": secret_key or secrets.token_urlsafe(32),
        "ENABLE_OPENAI_API": "True",
        "OPENAI_API_BASE_URL": openai_url,
        "OPENAI_API_KEY": api_key,
        # The plural forms win when set: one entry per server, separated by ";".
        "OPENAI_API_BASE_URLS": ";".join([openai_url, *(url for url, _ in more_connections)]),
        "OPENAI_API_KEYS": ";".join([api_key, *(key for _, key in more_connections)]),
        "DEFAULT_MODELS": model,  # preselected in a new chat
        "GLOBAL_LOG_LEVEL": env.get("GLOBAL_LOG_LEVEL", "WARNING"),
    })
    return env
