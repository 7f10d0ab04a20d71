"""foundry_workshop: the Foundry Local course's helper package.

``connect()`` is the one way the lessons reach a model; ``from_env()`` feeds notebook parameter cells.
"""

from __future__ import annotations

import atexit
from typing import Any

from foundry_workshop.backends import open_backend
from foundry_workshop.connection import Connection
from foundry_workshop.errors import (
    AuthenticationRequiredError,
    BackendUnavailableError,
    CatalogUnavailableError,
    ConfigurationError,
    EndpointUnreachableError,
    PortInUseError,
    ServerNotReadyError,
    UnknownBackendError,
    UnknownModelError,
    WorkshopError,
)
from foundry_workshop.http_checks import free_port, port_is_free
from foundry_workshop.settings import BACKENDS, ENV_VARS, Settings, describe, from_env, resolve

__all__ = [
    "BACKENDS",
    "ENV_VARS",
    "AuthenticationRequiredError",
    "BackendUnavailableError",
    "CatalogUnavailableError",
    "ConfigurationError",
    "Connection",
    "EndpointUnreachableError",
    "PortInUseError",
    "ServerNotReadyError",
    "Settings",
    "UnknownBackendError",
    "UnknownModelError",
    "WorkshopError",
    "connect",
    "describe",
    "free_port",
    "from_env",
    "port_is_free",
    "resolve",
]
__version__ = "0.1.0"


def connect(
    backend: str | None = None,
    model: str | None = None,
    *,
    endpoint: str | None = None,
    api_key: str | None = None,
    **settings: Any,
) -> Connection:
    """Connect to a model: explicit arguments > environment variables > ``.env`` > defaults.

    Returns a :class:`Connection` with ``endpoint``, ``model`` (the full id), ready ``client`` and
    ``async_client``. Use it in a ``with`` block, or call ``close()``; servers it started are also
    stopped when the Python process exits.
    """
    resolved = resolve(backend=backend, model=model, endpoint=endpoint, api_key=api_key, **settings)
    conn = open_backend(resolved)
    atexit.register(conn.close)
    return conn
