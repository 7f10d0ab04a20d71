"""Open WebUI (0.12.4) on the course's model: installed apart, started offline and lean, stopped cleanly.

- :mod:`.install`: its own environment (``make openwebui`` / ``python -m foundry_workshop.openwebui install``),
  found again by :func:`find_venv`.
- :mod:`.environment`: the variables it needs offline (:data:`OFFLINE_SETTINGS`) and for one request per chat
  turn (:data:`LEAN_SETTINGS`), see :func:`openwebui_environment`.
- :mod:`.server`: :func:`start_openwebui` on 127.0.0.1 against an OpenAI-compatible endpoint.
- :mod:`.wire`: parse answers the way Open WebUI does (:func:`parse_stream`, :func:`task_json`).
"""

from foundry_workshop.openwebui.environment import LEAN_SETTINGS, OFFLINE_SETTINGS, openwebui_environment
from foundry_workshop.openwebui.install import (
    DEFAULT_VENV,
    INSTALL_HINT,
    VENV_VARIABLE,
    InstallReport,
    find_venv,
    install,
    require_venv,
)
from foundry_workshop.openwebui.server import DEFAULT_PORT, OpenWebUI, start_openwebui
from foundry_workshop.openwebui.wire import StreamedAnswer, model_ids, parse_stream, task_json

__all__ = [
    "DEFAULT_PORT", "DEFAULT_VENV", "INSTALL_HINT", "LEAN_SETTINGS", "OFFLINE_SETTINGS", "VENV_VARIABLE",
    "InstallReport", "OpenWebUI", "StreamedAnswer", "find_venv", "install", "model_ids", "openwebui_environment",
    "parse_stream", "require_venv", "start_openwebui", "task_json",
]
