"""Backends: each turns :class:`~foundry_workshop.settings.Settings` into a live
:class:`~foundry_workshop.connection.Connection`. Modules are imported lazily so a learner without,
say, the Foundry Local SDK can still use every other backend."""

from __future__ import annotations

import importlib
from collections.abc import Callable

from foundry_workshop.connection import Connection
from foundry_workshop.settings import BACKENDS, Settings

_OPENERS: dict[str, str] = {
    "bundled": "foundry_workshop.backends.bundled:open_bundled",
    "foundry": "foundry_workshop.backends.foundry:open_foundry",
    "endpoint": "foundry_workshop.backends.endpoint:open_endpoint",
    "mock": "foundry_workshop.backends.mock:open_mock",
    "azure": "foundry_workshop.backends.azure:open_azure",
}
assert set(_OPENERS) == set(BACKENDS), "every backend named in settings.BACKENDS needs an opener"


def opener(name: str) -> Callable[[Settings], Connection]:
    module, func = _OPENERS[name].split(":")
    return getattr(importlib.import_module(module), func)


def open_backend(settings: Settings) -> Connection:
    return opener(settings.backend)(settings)
