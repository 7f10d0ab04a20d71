"""The deterministic mock server as a backend: for tests, and for trying the lessons with no model at all.

With ``FOUNDRY_LOCAL_ENDPOINT`` set it attaches to a mock that is already running (a test fixture, so the
test can read what the notebook sent); otherwise it starts one on 127.0.0.1 for this connection.
"""

from __future__ import annotations

from foundry_workshop.backends.endpoint import connect_to
from foundry_workshop.connection import Connection
from foundry_workshop.errors import PortInUseError
from foundry_workshop.http_checks import port_is_free
from foundry_workshop.settings import Settings

ATTACH_HINT = (
    "FOUNDRY_LOCAL_ENDPOINT points at no running mock. Start one with "
    "`python -m foundry_workshop.mock --port 0`, or unset FOUNDRY_LOCAL_ENDPOINT to start one automatically."
)


def open_mock(settings: Settings) -> Connection:
    if settings.endpoint:
        return connect_to(settings.endpoint, settings, backend="mock", hint=ATTACH_HINT)
    from foundry_workshop.mock import MockServer  # fastapi/uvicorn only when a mock is really started

    if settings.port and not port_is_free(settings.port):
        raise PortInUseError(settings.port)
    server = MockServer(port=settings.port).start()
    try:
        conn = connect_to(server.url, settings, backend="mock", hint=ATTACH_HINT)
    except BaseException:
        server.stop()
        raise
    conn.details["mock_server"] = server
    conn.on_close(server.stop)
    return conn
