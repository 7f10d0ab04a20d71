"""Start Open WebUI on 127.0.0.1, pointed at one OpenAI-compatible server, and stop it cleanly.

``open-webui serve`` runs from its own environment (see :mod:`.install`) as a child process in a process group
of its own, in a data folder of its own (its database, uploads and caches stay there; a fresh temporary folder
by default, so every start sees the settings it is given). Start-up takes ~30 s on the course machines: it
migrates its database and imports a large stack before it answers.
"""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from foundry_workshop import child_process
from foundry_workshop.errors import PortInUseError
from foundry_workshop.http_checks import free_port, port_is_free, port_owner, wait_until_ready
from foundry_workshop.openwebui.environment import openwebui_environment
from foundry_workshop.openwebui.install import openwebui_executable, require_venv

#: The seed's port (``docker run -p 3000:8080``), kept for ``make openwebui``.
DEFAULT_PORT = 3000


class OpenWebUI(child_process.ChildServer):
    """A running Open WebUI. Use it as a context manager, or call :meth:`stop`."""

    def __init__(self, process: subprocess.Popen[bytes], port: int, data_dir: Path, log_path: Path, *,
                 owns_data: bool) -> None:
        self.process = process
        self.port = port
        self.data_dir = data_dir
        self.log_path = log_path
        self._owns_data = owns_data
        #: Seconds from launch until its ``/health`` answered 200.
        self.start_seconds: float | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def resident_mb(self) -> float:
        """Resident memory of Open WebUI and its children, in MB (its share of the machine's RAM)."""
        return child_process.resident_bytes(self.process.pid) / 1e6


    def stop(self, timeout: float = 20.0) -> int:
        """Shut Open WebUI down (forced after ``timeout`` s), then delete a temporary data folder. Safe twice."""
        atexit.unregister(self.stop)
        code = child_process.stop(self.process, timeout)
        if self._owns_data:
            shutil.rmtree(self.data_dir, ignore_errors=True)
        return code


def start_openwebui(
    *,
    endpoint: str,
    model: str,
    api_key: str,
    port: int = 0,
    lean: bool = True,
    more_connections: Sequence[tuple[str, str]] = (),
    data_dir: Path | None = None,
    venv: Path | None = None,
    timeout: float = 240.0,
) -> OpenWebUI:
    """Start Open WebUI on 127.0.0.1:``port`` (0: a free one) against ``endpoint`` (a base URL with ``/v1``).

    Returns once its page answers. ``data_dir=None`` uses a temporary folder removed by :meth:`OpenWebUI.stop`;
    ``lean=False`` keeps Open WebUI's default tasks (title, tags, follow-ups, tools); ``more_connections``
    adds ``(endpoint, key)`` pairs of other servers to its model picker. Raises
    :class:`~foundry_workshop.errors.BackendUnavailableError` with the install command when it is missing.
    """
    executable = openwebui_executable(venv or require_venv())
    if port and not port_is_free(port):
        raise PortInUseError(port, setting="--port (make openwebui OPENWEBUI_PORT=3001)", owner=port_owner(port))
    port = port or free_port()
    owns_data = data_dir is None
    folder = Path(tempfile.mkdtemp(prefix="openwebui-data-")) if data_dir is None else data_dir
    folder.mkdir(parents=True, exist_ok=True)
    env = openwebui_environment(openai_url=endpoint, api_key=api_key, model=model, data_dir=folder, lean=lean,
                                more_connections=more_connections, base=os.environ)
    log_path = folder / "open-webui.log"
    started = time.monotonic()
    with log_path.open("ab") as log:
        process = child_process.spawn([str(executable), "serve", "--host", "127.0.0.1", "--port", str(port)],
                                      cwd=folder, env=env, log=log)
    server = OpenWebUI(process, port, folder, log_path, owns_data=owns_data)
    atexit.register(server.stop)  # its own session would outlive a kernel that exits before stop()

    def died() -> str | None:
        if server.running:
            return None
        return f"exit code {process.returncode}; last log lines:\n{server.log()[-2000:]}"

    try:
        wait_until_ready(f"{server.url}/health", timeout, died, what="Open WebUI")
    except BaseException:
        server.stop()
        raise
    server.start_seconds = time.monotonic() - started
    return server
