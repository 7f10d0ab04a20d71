"""The web server for lesson 08's page: static files on 127.0.0.1 with what ONNX Runtime Web needs.

Why not ``python -m http.server``? Two headers. Multithreaded WebAssembly needs ``SharedArrayBuffer``, which a
browser only grants a *cross-origin isolated* page: the page must be sent with
``Cross-Origin-Opener-Policy: same-origin`` and ``Cross-Origin-Embedder-Policy: require-corp``. Without them
ONNX Runtime Web silently runs on one thread. The server also sets the MIME types a module import and
``WebAssembly.instantiateStreaming`` insist on (``text/javascript`` for ``.mjs``, ``application/wasm``).

Three folders, passed in (the server knows nothing about the repository's layout):

    /            the page (``samples/webgpu_demo``: index.html, main.js, ...)
    /vendor/     ONNX Runtime Web's files, vendored from npm by ``python -m foundry_workshop.browser vendor``
    /models/     the ONNX models built by ``python -m foundry_workshop.browser models``
"""

from __future__ import annotations

import functools
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType

from foundry_workshop.errors import PortInUseError

#: Headers that make the page cross-origin isolated (threads for wasm), and keep every file same-origin only.
ISOLATION_HEADERS = {
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Embedder-Policy": "require-corp",
    "Cross-Origin-Resource-Policy": "same-origin",
}

MIME_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".wasm": "application/wasm",
    ".json": "application/json",
    ".onnx": "application/octet-stream",
    ".css": "text/css; charset=utf-8",
    ".png": "image/png",
}


@dataclass(frozen=True)
class DemoFolders:
    """Where the page, the vendored runtime and the built models are (any of them may not exist yet)."""

    page: Path
    vendor: Path
    models: Path

    def root_for(self, url_path: str) -> tuple[Path, str]:
        """The folder serving ``url_path`` and the path inside it."""
        for prefix, folder in (("/vendor/", self.vendor), ("/models/", self.models)):
            if url_path.startswith(prefix):
                return folder, "/" + url_path[len(prefix):]
        return self.page, url_path


class _Handler(SimpleHTTPRequestHandler):
    def __init__(self, *args, folders: DemoFolders, served: list[str], **kwargs) -> None:
        # Set before the base class handles the request (its __init__ does).
        self.extensions_map = {**SimpleHTTPRequestHandler.extensions_map, **MIME_TYPES}
        self.folders = folders
        self.served = served
        super().__init__(*args, directory=str(folders.page), **kwargs)

    def translate_path(self, path: str) -> str:
        folder, inner = self.folders.root_for(path.split("?", 1)[0].split("#", 1)[0])
        self.directory = str(folder)
        return super().translate_path(inner)

    def end_headers(self) -> None:
        for name, value in ISOLATION_HEADERS.items():
            self.send_header(name, value)
        self.send_header("Cache-Control", "no-store")  # a rebuilt model is never served stale
        super().end_headers()

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        self.served.append(f"{code} {self.path}")

    def log_message(self, format: str, *args: object) -> None:
        pass  # the page's requests are recorded in DemoServer.requests instead of flooding a notebook


def _quiet_disconnects(handle_error):
    """A browser that closes a tab mid-download is normal: report other errors only."""
    def handler(request, client_address) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):
            handle_error(request, client_address)
    return handler


class DemoServer:
    """Serve the page on ``http://127.0.0.1:<port>/`` from a background thread; use it in a ``with`` block.

    ``port=0`` picks a free port. ``requests`` lists every request as ``"<status> <path>"``, so a test or a
    lesson can show what the page fetched (and that it fetched nothing from anywhere else).
    """

    def __init__(self, folders: DemoFolders, port: int = 0) -> None:
        self.folders = folders
        self.requests: list[str] = []
        handler = functools.partial(_Handler, folders=folders, served=self.requests)
        try:
            self._httpd = ThreadingHTTPServer(("127.0.0.1", port), handler)
        except OSError as exc:
            raise PortInUseError(port, "--port") from exc
        self._httpd.daemon_threads = True
        self._httpd.handle_error = _quiet_disconnects(self._httpd.handle_error)  # type: ignore[method-assign]
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="webgpu-demo", daemon=True)

    @property
    def port(self) -> int:
        return self._httpd.server_address[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def start(self) -> DemoServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> DemoServer:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    def failed_requests(self) -> Iterator[str]:
        return (entry for entry in self.requests if not entry.startswith(("200", "304")))
