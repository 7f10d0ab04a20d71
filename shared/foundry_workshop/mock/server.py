"""Running the mock as a real HTTP server on a background thread.

Code under test often lives in another process (a Jupyter kernel executing a
notebook, a Chainlit app), so the mock must be reachable by URL rather than
mounted in-process. :class:`MockServer` binds a loopback socket itself, which
makes the port known before uvicorn starts and guarantees the socket is already
accepting connections when :meth:`MockServer.start` returns.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
import sys
import threading
import time
from collections.abc import Iterable
from types import TracebackType
from typing import Any, Self

import uvicorn

from .app import PROFILES, create_app
from .faults import FaultRule
from .latency import Latency
from .models import DEFAULT_MODELS, MockModel
from .state import MockState

logger = logging.getLogger(__name__)

_START_TIMEOUT = 10.0
_STOP_TIMEOUT = 10.0
#: Upper bound on how long shutdown waits for in-flight responses before cancelling them.
_GRACEFUL_SHUTDOWN_SECONDS = 2


def _loopback_address(host: str, port: int) -> tuple[socket.AddressFamily, tuple[Any, ...]]:
    """Resolve ``host`` and insist it is a loopback address: the mock is never exposed to the network."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise ValueError(f"Cannot resolve mock server host {host!r}: {exc}") from None
    for family, _, _, _, address in infos:
        if family in (socket.AF_INET, socket.AF_INET6) and ipaddress.ip_address(address[0]).is_loopback:
            return family, address
    raise ValueError(f"The mock server only binds loopback addresses (e.g. 127.0.0.1), not {host!r}")


class MockServer:
    """A deterministic OpenAI-compatible server for tests; see the package docstring for usage."""

    def __init__(
        self,
        models: Iterable[MockModel] = DEFAULT_MODELS,
        latency: Latency | None = None,
        api_key: str | None = None,
        port: int = 0,
        host: str = "127.0.0.1",
        *,
        faults: Iterable[FaultRule] = (),
        log_level: str = "warning",
        ssl_certfile: str | None = None,
        ssl_keyfile: str | None = None,
        profile: str = "openai",
        bare_stream: bool = False,
    ) -> None:
        if profile not in PROFILES:
            raise ValueError(f"Unknown mock profile {profile!r}; profiles: {', '.join(PROFILES)}")
        #: Which server the mock imitates: "openai" (any OpenAI-compatible server) or "foundry-service"
        #: (the Foundry Local service of Windows/macOS; see :mod:`foundry_workshop.mock.foundry_service`).
        self.profile = profile
        if models is DEFAULT_MODELS:
            models = PROFILES[profile].default_models
        # bare_stream: no role chunk, no usage chunk, "data:" without a space - legal, and what some servers send.
        self.state = MockState(models=models, latency=latency, api_key=api_key, faults=faults,
                               bare_stream=bare_stream)
        self.host = host
        #: HTTPS when a certificate is given (the Azure emulation needs it: Azure SDKs send bearer tokens
        #: over TLS only).
        self._ssl: dict[str, Any] = {"ssl_certfile": ssl_certfile, "ssl_keyfile": ssl_keyfile} if ssl_certfile else {}
        self._family, self._address = _loopback_address(host, port)
        self._log_level = log_level
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._port: int | None = None
        self._error: BaseException | None = None

    # -- lifecycle -----------------------------------------------------------------

    def start(self) -> Self:
        """Bind, start serving on a daemon thread, and return once requests are being served."""
        if self._thread is not None:
            raise RuntimeError("MockServer already started")
        # proto=IPPROTO_TCP matters: asyncio only disables Nagle (TCP_NODELAY) on accepted sockets whose
        # proto says TCP. Without it, a response's header and body writes are held back by delayed ACKs
        # (~40 ms), which would wreck the latency the mock is supposed to inject precisely.
        sock = socket.socket(self._family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        try:
            if sys.platform != "win32":
                # Rebinding a fixed port right after a previous run. (On Windows this option would
                # instead let two servers share a port, so the default is kept there.)
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind(self._address)
            sock.listen(128)
            sock.setblocking(False)
        except OSError:
            sock.close()
            raise
        self._port = sock.getsockname()[1]

        config = uvicorn.Config(
            self.build_app(),
            # Pinned rather than "auto" so installing httptools cannot change behaviour; the disconnect
            # fault reaches into this request cycle (see connection.py).
            http="h11",
            ws="none",
            lifespan="off",
            log_config=None,  # never reconfigure the host process's logging
            log_level=self._log_level,
            access_log=False,
            proxy_headers=False,
            timeout_graceful_shutdown=_GRACEFUL_SHUTDOWN_SECONDS,
            **self._ssl,
        )
        self._server = uvicorn.Server(config)
        self.state.stopping.clear()
        self._thread = threading.Thread(
            target=self._serve, args=(sock,), name="foundry-mock-server", daemon=True
        )
        self._thread.start()

        server, thread = self._server, self._thread
        deadline = time.monotonic() + _START_TIMEOUT
        while not server.started and thread.is_alive() and time.monotonic() < deadline:
            thread.join(0.005)
        if not server.started:
            self.stop()
            raise RuntimeError(f"Mock server failed to start: {self._error!r}")
        return self

    def build_app(self) -> Any:
        """The ASGI app to serve; a subclass (the Azure emulation) adds its routes here."""
        return create_app(self.state, self.profile)

    def _serve(self, sock: socket.socket) -> None:
        assert self._server is not None
        loop = asyncio.new_event_loop()
        try:
            loop.run_until_complete(self._server.serve(sockets=[sock]))
        except BaseException as exc:
            # A server thread must not die silently: start() reports the error, the log keeps the traceback.
            self._error = exc
            logger.exception("Mock server thread stopped with an error")
        finally:
            loop.close()
            sock.close()

    def stop(self) -> None:
        """Stop serving: end stalls at once, let responses finish briefly, then join the thread."""
        thread, server = self._thread, self._server
        if thread is None or server is None:
            return
        self.state.stopping.set()
        server.should_exit = True
        thread.join(_STOP_TIMEOUT)
        if thread.is_alive():
            server.force_exit = True
            thread.join(_STOP_TIMEOUT)
        self._thread = None
        self._server = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # -- addresses -----------------------------------------------------------------

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("MockServer has not been started")
        return self._port

    @property
    def root_url(self) -> str:
        """``http://127.0.0.1:PORT`` (``https`` with a certificate) - for /health and the /_mock control API."""
        host = f"[{self._address[0]}]" if self._family == socket.AF_INET6 else self._address[0]
        scheme = "https" if self._ssl else "http"
        return f"{scheme}://{host}:{self.port}"

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT/v1`` - pass as ``base_url`` to ``openai.OpenAI``."""
        return f"{self.root_url}/v1"

    # -- control -------------------------------------------------------------------

    @property
    def requests(self) -> list[dict[str, Any]]:
        """Recorded requests (copy), oldest first; credentials redacted."""
        return self.state.recorder.snapshot()

    def clear_requests(self) -> None:
        self.state.recorder.clear()

    def add_fault(
        self,
        fault: str | int,
        count: int | None = 1,
        model: str | None = None,
        after_tokens: int | None = None,
        *,
        retry_after: float = 1.0,
        stall_seconds: float = 30.0,
        route: str = "chat",
    ) -> FaultRule:
        """Queue a fault rule (see :mod:`foundry_workshop.mock.faults`); returns it."""
        rule = FaultRule.create(fault, count, model, after_tokens, retry_after, stall_seconds, route)
        return self.state.faults.add(rule)

    @property
    def faults(self) -> list[FaultRule]:
        """Rules still queued, with their remaining counts."""
        return self.state.faults.snapshot()

    def clear_faults(self) -> None:
        self.state.faults.clear()

    @property
    def latency(self) -> Latency:
        return self.state.latency

    def set_latency(self, latency: Latency) -> None:
        self.state.set_latency(latency)
