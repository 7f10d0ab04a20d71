"""What every backend hands back: where the model is, what it is called, and ready clients.

It carries what the seeds' ``FoundryLocalManager(alias)`` gave learners (``endpoint``, ``api_key``,
``get_model_info(alias).id``) so the lessons translate one to one, whatever actually serves the model.
"""

from __future__ import annotations

import atexit
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from foundry_workshop.http_checks import list_model_ids, root_of

if TYPE_CHECKING:  # openai takes ~1 s to import; processes that never call a model (the mock CLI) skip it
    import openai

#: The key sent to servers that want none. OpenAI's client refuses an empty key; local servers ignore it.
PLACEHOLDER_KEY = "not-needed-locally"


@dataclass
class Connection:
    """A live connection to one model. Use it as a context manager so servers it started are stopped."""

    backend: str
    #: Base URL including ``/v1``, what ``openai.OpenAI(base_url=...)`` expects.
    endpoint: str
    #: The full model id to put in ``model=`` (the alias resolved against the server's list).
    model: str
    #: What was asked for (an alias or an id).
    alias: str
    api_key: str = field(default=PLACEHOLDER_KEY, repr=False)
    timeout: float = 120.0
    #: Backend-specific facts for lessons and benchmarks (server pid, model file, SDK objects...).
    details: dict[str, Any] = field(default_factory=dict, repr=False)
    #: Backend-specific readiness checks: each returns None when fine, or a problem with its fix.
    checks: list[Callable[[], str | None]] = field(default_factory=list, repr=False)
    _closers: list[Callable[[], None]] = field(default_factory=list, repr=False)
    _closed: bool = field(default=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    # -- clients -------------------------------------------------------------------------------
    @cached_property
    def client(self) -> openai.OpenAI:
        """A synchronous OpenAI client pointed at this connection. A malformed answer raises an openai error
        (:class:`~foundry_workshop.wire_guard.MalformedResponseError`), never a bare ``json.JSONDecodeError``."""
        import openai

        from foundry_workshop.wire_guard import guarded_http_client

        return openai.OpenAI(base_url=self.endpoint, api_key=self.api_key, timeout=self.timeout,
                             http_client=guarded_http_client())

    @cached_property
    def async_client(self) -> openai.AsyncOpenAI:
        """An asynchronous OpenAI client (for Chainlit and concurrency), guarded like :attr:`client`."""
        import openai

        from foundry_workshop.wire_guard import guarded_async_http_client

        return openai.AsyncOpenAI(base_url=self.endpoint, api_key=self.api_key, timeout=self.timeout,
                                  http_client=guarded_async_http_client())

    @property
    def root_url(self) -> str:
        """The server root without ``/v1`` (``/health`` and vendor routes live there)."""
        return root_of(self.endpoint)

    @property
    def headers(self) -> dict[str, str]:
        """Headers for raw HTTP calls (``requests``): JSON body and the bearer key."""
        return {"Content-Type": "application/json", "Authorization": f"Bearer {self.api_key}"}

    # -- checks --------------------------------------------------------------------------------
    def list_models(self) -> list[str]:
        """Model ids the server lists right now."""
        return list_model_ids(self.endpoint, self.api_key, hint="The server stopped answering.")

    def health(self) -> dict[str, Any]:
        """A quick check: the server answers, still lists our model, and the backend's own checks pass."""
        models = self.list_models()
        problems = [] if self.model in models else [f"{self.model} is no longer listed by {self.endpoint}."]
        problems += [p for p in (check() for check in self.checks) if p]
        return {"ok": not problems, "endpoint": self.endpoint, "model": self.model, "models": models,
                "problems": problems}

    # -- lifecycle -----------------------------------------------------------------------------
    def on_close(self, closer: Callable[[], None]) -> None:
        """Register clean-up to run (last registered first) when the connection closes."""
        self._closers.append(closer)

    def close(self) -> None:
        """Close clients and stop whatever this connection started. Safe to call twice."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
        atexit.unregister(self.close)  # connect() registered it; a closed connection need not be kept alive
        client = self.__dict__.pop("client", None)
        if client is not None:
            client.close()
        self.__dict__.pop("async_client", None)  # closing it needs an event loop; its sockets close with it
        errors = []
        while self._closers:  # every step runs even if an earlier one fails: nothing is left running
            try:
                self._closers.pop()()
            except Exception as exc:
                errors.append(exc)
        if errors:
            raise errors[0]

    @property
    def closed(self) -> bool:
        return self._closed

    def __enter__(self) -> Connection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def summary(self) -> dict[str, str]:
        """What a learner should see: backend, endpoint, model. Never the key."""
        return {
            "backend": self.backend,
            "endpoint": self.endpoint,
            "alias": self.alias,
            "model": self.model,
            "api_key": "set" if self.api_key != PLACEHOLDER_KEY else "not needed",
        }

    def _repr_markdown_(self) -> str:
        rows = "\n".join(f"| {k} | `{v}` |" for k, v in self.summary().items())
        return f"| connection | |\n|---|---|\n{rows}"
