"""The chat app's one connection to a model, shared by every chat session of the process.

Connecting can start a server (the bundled backend launches llama.cpp; the foundry backend loads a model), so
it happens once, when the app starts, not per browser tab. If it fails (the endpoint is down), the app still
starts and every new chat and message tries again: the learner starts Foundry Local, sends the message again,
and it works, with no restart. Connecting runs in a worker thread because :func:`foundry_workshop.connect` is
blocking; an ``asyncio.Lock`` makes sure two sessions arriving together do not start two servers.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any

import openai

from foundry_workshop import connect
from foundry_workshop.chat.config import connect_kwargs
from foundry_workshop.connection import PLACEHOLDER_KEY, Connection
from foundry_workshop.errors import WorkshopError

logger = logging.getLogger(__name__)

#: Prefix of the startup report line in the app's log (the launcher looks for it).
REPORT_PREFIX = "Model check:"
#: Prefix of the warm-up line in the app's log.
WARM_UP_PREFIX = "Model warm-up:"


class ModelService:
    """Connects on demand, remembers why it could not, and hands out the async client."""

    def __init__(self, opener: Callable[[], Connection] | None = None, max_retries: int = 1) -> None:
        #: Builds the connection; by default from the app's environment (see :mod:`.config`).
        self._opener = opener or (lambda: connect(**connect_kwargs()))
        #: openai's own retries for 429/5xx/connection errors before a failure reaches the user: one quick
        #: retry hides a blip, more would leave the user staring at nothing.
        self._max_retries = max_retries
        self._lock = asyncio.Lock()
        self.connection: Connection | None = None
        #: Why the last attempt failed (a learner-facing message), or None.
        self.problem: str | None = None
        self._client: openai.AsyncOpenAI | None = None
        #: Seconds the warm-up request took (None until one succeeded).
        self.warm_up_seconds: float | None = None

    @property
    def connected(self) -> bool:
        return self.connection is not None

    @property
    def client(self) -> openai.AsyncOpenAI:
        if self.connection is None:
            raise RuntimeError("Not connected: call `await service.ensure()` first.")
        if self._client is None:
            self._client = self.connection.async_client.with_options(max_retries=self._max_retries)
        return self._client

    @property
    def secrets(self) -> tuple[str, ...]:
        """Values that must never appear on the page (the API key)."""
        key = self.connection.api_key if self.connection else None
        return (key,) if key and key != PLACEHOLDER_KEY else ()

    async def ensure(self) -> bool:
        """Connect if not connected yet; True when a connection is available."""
        async with self._lock:
            if self.connection is not None:
                return True
            conn = None
            try:
                conn = await asyncio.to_thread(self._opener)
                health = await asyncio.to_thread(conn.health)
            except Exception as exc:
                if conn is not None:  # opened but unhealthy: do not leave its server running for the next try
                    await asyncio.to_thread(conn.close)
                return self._failed(exc)
            self.connection, self.problem = conn, None
            conn.details["models_listed"] = health["models"]
            return True

    def _failed(self, exc: Exception) -> bool:
        if isinstance(exc, WorkshopError):
            self.problem = str(exc)  # written for learners; never contains the key
            return False
        logger.error("Connecting to the model failed", exc_info=exc)
        self.problem = f"Connecting to the model failed unexpectedly ({type(exc).__name__}); see the app's log."
        return False

    async def startup_report(self) -> str:
        """Connect and return one line saying what the app is connected to, or why not (for the log)."""
        if await self.ensure():
            return f"{REPORT_PREFIX} OK - {self.describe()}"
        return f"{REPORT_PREFIX} NOT CONNECTED - {self.problem} The app will retry when a chat starts."

    async def warm_up(self) -> str:
        """Send a one-token request so the model is loaded and cached before the first user asks.

        A local server loads weights and fills caches on its first request (seconds on a laptop, more for a
        large model); paying that at start means the first user sees a normal first-token time. Returns the
        log line; a failure is reported, not raised (the app still serves, and each chat retries).
        """
        if not await self.ensure() or self.connection is None:
            return f"{WARM_UP_PREFIX} skipped (not connected)"
        started = time.monotonic()
        try:
            await self.client.chat.completions.create(
                model=self.connection.model, messages=[{"role": "user", "content": "Hi"}], max_tokens=1
            )
        except openai.OpenAIError as exc:
            return f"{WARM_UP_PREFIX} failed ({type(exc).__name__}); the first answer may be slow"
        self.warm_up_seconds = time.monotonic() - started
        return f"{WARM_UP_PREFIX} the model answered in {self.warm_up_seconds:.2f} s"

    async def health(self) -> dict[str, Any]:
        """What ``GET /healthz`` reports: the model answers (``ok``) or why not (``unavailable``); no secrets."""
        conn = self.connection if await self.ensure() else None
        if conn is None:
            return {"status": "unavailable", "problem": self.problem}
        try:
            checked = await asyncio.to_thread(conn.health)
        except WorkshopError as exc:
            return {"status": "unavailable", "model": conn.model, "problem": str(exc)}
        return {"status": "ok" if checked["ok"] else "unavailable", "model": conn.model, "backend": conn.backend,
                "warm_up_s": self.warm_up_seconds, "problems": checked["problems"]}

    def describe(self) -> str:
        conn = self.connection
        if conn is None:
            return "not connected"
        listed = len(conn.details.get("models_listed", []))
        return (
            f"model {conn.model} on the {conn.backend} backend at {conn.endpoint} "
            f"({listed} model{'s' if listed != 1 else ''} listed)"
        )

    async def models(self) -> list[str]:
        """Model ids the endpoint lists now, the connected model first; just that one if listing fails."""
        conn = self.connection
        if conn is None:
            return []
        try:
            listed = await asyncio.to_thread(conn.list_models)
        except WorkshopError:
            listed = []
        return [conn.model, *(m for m in listed if m != conn.model)]

    def close(self) -> None:
        """Close the connection (stops a server it started, e.g. the bundled model)."""
        conn, self.connection, self._client = self.connection, None, None
        if conn is not None:
            conn.close()
