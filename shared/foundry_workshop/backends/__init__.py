"""Backends: each turns :class:`~foundry_workshop.settings.Settings` into a live
:class:`~foundry_workshop.connection.Connection`. Modules are imported lazily so a learner without,
say, the Foundry Local SDK can still use every other backend."""

from __future__ import annotations

import importlib
from collections.abc import Callable

from foundry_workshop.connection import Connection
from foundry_workshop.errors import UnknownBackendError
from foundry_workshop.settings import BACKENDS, Settings


def opener(name: str) -> Callable[[Settings], Connection]:
    """``open_<name>`` of module ``foundry_workshop.backends.<name>``, for each name in ``settings.BACKENDS``:
    adding a backend is adding its name there and this one module (see docs/contributing.md)."""
    if name not in BACKENDS:
        raise UnknownBackendError(name, BACKENDS)
    return getattr(importlib.import_module(f"{__name__}.{name}"), f"open_{name}")


def open_backend(settings: Settings) -> Connection:
    return opener(settings.backend)(settings)
