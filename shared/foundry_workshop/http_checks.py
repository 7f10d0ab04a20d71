"""Small HTTP probes used while connecting: is anything there, is it ready, what does it serve."""

from __future__ import annotations

import math
import socket
import time
from collections.abc import Callable, Mapping

import psutil
import requests

from foundry_workshop.errors import (
    AuthenticationRequiredError,
    EndpointUnreachableError,
    ServerError,
    ServerNotReadyError,
)


def normalize_base_url(url: str) -> str:
    """``http://host:port`` or ``http://host:port/v1/`` -> ``http://host:port/v1`` (what openai wants)."""
    url = url.strip().rstrip("/")
    return url if url.endswith("/v1") else url + "/v1"


def root_of(base_url: str) -> str:
    """``http://host:port/v1`` -> ``http://host:port``."""
    return base_url[: -len("/v1")] if base_url.endswith("/v1") else base_url


def list_model_ids(base_url: str, api_key: str | None, hint: str, timeout: float = 5.0) -> list[str]:
    """Ids from ``GET {base_url}/models``. Nothing there: :class:`EndpointUnreachableError` with ``hint``;
    a server that answers but cannot list (busy, loading, failing, garbage): an error saying which and what to do.
    """
    url = f"{base_url}/models"
    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    try:
        response = requests.get(url, headers=headers, timeout=timeout)
    except requests.Timeout:
        raise EndpointUnreachableError(
            base_url, f"If the server is just slow (a busy machine, a model still loading), raise WORKSHOP_TIMEOUT "
            f"(seconds). {hint}", f"no answer within {timeout:g} s",
        ) from None
    except requests.ConnectionError as exc:
        if _closed_while_answering(exc):
            raise ServerError(
                f"The server at {base_url} closed the connection without answering GET /models. Try again; if it "
                "keeps happening, restart the server and look at its log."
            ) from None
        raise EndpointUnreachableError(base_url, hint, "connection refused") from None
    if response.status_code in (401, 403):
        raise AuthenticationRequiredError(base_url, response.status_code)
    if response.status_code != 200:
        raise _listing_failed(base_url, response, hint)
    try:
        return [entry["id"] for entry in response.json()["data"]]
    except (ValueError, KeyError, TypeError):
        raise ServerError(
            f"The server at {base_url} answered GET /models with data that is not valid JSON or not an OpenAI model "
            "list. Check that the URL points at an OpenAI-compatible server (routes under /v1); if it does, try "
            "again."
        ) from None


def _closed_while_answering(exc: requests.ConnectionError) -> bool:
    """The server accepted the connection and dropped it (not: nothing listens)."""
    text = repr(exc)
    return "RemoteDisconnected" in text or "ProtocolError" in text or "IncompleteRead" in text


def _listing_failed(base_url: str, response: requests.Response, hint: str) -> Exception:
    status = response.status_code
    seconds = retry_after_seconds(response.headers)
    wait = f"Wait {max(math.ceil(seconds), 1)} s" if seconds is not None else "Wait a few seconds"
    if status == 429:
        return ServerNotReadyError(
            f"The server at {base_url} is busy (GET /models answered 429 Too Many Requests). {wait}, then connect "
            "again."
        )
    if status == 503:
        return ServerNotReadyError(
            f"The server at {base_url} is not ready yet (GET /models answered 503), usually because it is still "
            f"loading a model. {wait}, then connect again."
        )
    if status >= 500:
        return ServerError(
            f"The server at {base_url} had an internal error listing its models ({status}). Try again; if it keeps "
            "failing, look at the server's log."
        )
    return EndpointUnreachableError(base_url, hint, f"GET /models answered {status}")


def wait_until_ready(
    url: str, timeout: float, still_starting: Callable[[], str | None], what: str
) -> float:
    """Poll ``url`` until it answers 200; returns the seconds it took.

    ``still_starting`` returns None while the server process is alive, or a reason (with its log tail)
    when it died, so a crash is reported at once instead of after the whole timeout.
    """
    start = time.monotonic()
    while True:
        died = still_starting()
        if died:
            raise ServerNotReadyError(f"{what} stopped while starting: {died}")
        try:
            if requests.get(url, timeout=1.0).status_code == 200:
                return time.monotonic() - start
        except requests.RequestException:
            pass
        if time.monotonic() - start > timeout:
            raise ServerNotReadyError(
                f"{what} did not become ready at {url} within {timeout:g} s. "
                "The machine may be busy: try again, or raise WORKSHOP_TIMEOUT."
            )
        time.sleep(0.05)


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def port_owner(port: int) -> str | None:
    """The program listening on TCP ``port`` here ("name (pid N)"), when the OS lets this user see it."""
    try:
        listening = [c for c in psutil.net_connections(kind="tcp")
                     if c.laddr and c.laddr.port == port and c.status == psutil.CONN_LISTEN and c.pid]
        return f"{psutil.Process(listening[0].pid).name()} (pid {listening[0].pid})" if listening else None
    except (psutil.AccessDenied, psutil.NoSuchProcess):  # macOS needs root to see other users' sockets
        return None


def retry_after_seconds(headers: Mapping[str, str]) -> float | None:
    """Seconds a 429/503 answer asks the client to wait: ``retry-after-ms`` (OpenAI, Azure) wins over
    ``retry-after`` (seconds); None when neither is a finite, non-negative number."""
    for name, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        try:
            seconds = float(headers.get(name) or "nan") * scale
        except ValueError:
            continue
        if math.isfinite(seconds) and seconds >= 0:
            return seconds
    return None
