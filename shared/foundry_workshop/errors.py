"""Errors a learner can act on.

Every error says what happened *and* what to do next, in one message, because in a notebook the message is
often all a learner reads. The hierarchy mirrors openai-python's: catch ``WorkshopError`` for everything,
or a subclass for one situation. None of them ever carries an API key.
"""

from __future__ import annotations

import os
from collections.abc import Sequence


class WorkshopError(Exception):
    """Base class of every error raised by ``foundry_workshop``."""


class ConfigurationError(WorkshopError, ValueError):
    """A setting has a value the course cannot use."""


class UnknownBackendError(ConfigurationError):
    """The backend name is not one of the backends the package knows."""

    def __init__(self, name: str, valid: Sequence[str]) -> None:
        self.name = name
        self.valid = list(valid)
        super().__init__(
            f"Unknown backend {name!r}. Valid backends: {', '.join(self.valid)}. "
            "Set WORKSHOP_BACKEND (or pass backend=...) to one of them; 'bundled' works offline."
        )


class UnknownModelError(WorkshopError, LookupError):
    """The requested model alias or id is not served by the backend."""

    def __init__(self, requested: str, available: Sequence[str], where: str) -> None:
        self.requested = requested
        self.available = list(available)
        listing = ", ".join(self.available) if self.available else "(none)"
        super().__init__(
            f"Model {requested!r} is not available from {where}. Available: {listing}. "
            "Set WORKSHOP_MODEL (or pass model=...) to one of these."
        )


class AmbiguousModelError(UnknownModelError):
    """The requested name fits several different models (``qwen2.5`` for two sizes): pick one."""

    def __init__(self, requested: str, candidates: Sequence[str], where: str) -> None:
        self.requested = requested
        self.available = list(candidates)
        LookupError.__init__(
            self,
            f"Model {requested!r} is ambiguous at {where}: it could be {', '.join(self.available)}. "
            "Set WORKSHOP_MODEL (or pass model=...) to the full name of the one you want.",
        )


class BackendUnavailableError(WorkshopError):
    """A backend cannot start here: a package or file it needs is missing."""


class EndpointUnreachableError(WorkshopError, ConnectionError):
    """Nothing answered at the configured URL."""

    def __init__(self, url: str, hint: str, cause: str = "") -> None:
        self.url = url
        detail = f" ({cause})" if cause else ""
        super().__init__(f"No OpenAI-compatible server answered at {url}{detail}. {hint}")


class AuthenticationRequiredError(WorkshopError, PermissionError):
    """A server answered, and refused the API key that was sent (or the lack of one): 401/403."""

    def __init__(self, url: str, status: int, setting: str = "OPENAI_API_KEY") -> None:
        self.url, self.status = url, status
        super().__init__(
            f"The server at {url} refused the key ({status}): set {setting} (in the environment or .env) to the "
            "key it expects, then connect again."
        )


class ServerNotReadyError(WorkshopError, TimeoutError):
    """A server started but did not become ready in time, or exited while starting."""


class ServerError(WorkshopError):
    """A server answered, but with an error or with data the course cannot read."""


class PortInUseError(WorkshopError, OSError):
    """The port a local server should listen on is taken by another program."""

    def __init__(self, port: int, setting: str = "WORKSHOP_PORT", owner: str | None = None) -> None:
        self.port = port
        self.owner = owner
        find = (f"Get-NetTCPConnection -LocalPort {port} -State Listen" if os.name == "nt"
                else f"lsof -nP -iTCP:{port} -sTCP:LISTEN` or `ss -ltnp 'sport = :{port}'")
        super().__init__(
            f"Port {port} on 127.0.0.1 is already in use by {owner or 'another program'}. "
            f"Stop that program (find it with `{find}`), or set {setting} to another port (0 picks a free one)."
        )


class CatalogUnavailableError(WorkshopError):
    """The Foundry Local model catalog could not be reached (usually: no network)."""
