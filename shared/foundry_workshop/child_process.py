"""Servers the course starts as child processes (the Chainlit app, Open WebUI): start detached, stop for sure.

Each child runs in a process group (session) of its own, so a Ctrl+C meant for a notebook cell does not
reach it, and stopping it can reach whatever it started itself (a model server) and nothing else. Stopping
asks first (SIGTERM / CTRL_BREAK: uvicorn shuts down gracefully and runs the app's shutdown hooks) and
forces after a timeout.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import IO, Self

import psutil


class ChildServer:
    """A server running as a child process: ``with`` support, ``running``, and a repr that says its state.

    Subclasses set ``process`` and ``log_path`` (where its output goes) and define ``url`` and ``stop()``.
    """

    process: subprocess.Popen[bytes]
    log_path: Path

    def log(self) -> str:
        """Everything the server printed so far ("" once its log is gone)."""
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    @property
    def url(self) -> str:
        raise NotImplementedError

    @property
    def running(self) -> bool:
        return self.process.poll() is None

    def stop(self, timeout: float = 15.0) -> int:
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = "running" if self.running else f"exited ({self.process.returncode})"
        return f"<{type(self).__name__} {self.url} pid={self.process.pid} {state}>"


def spawn(command: Sequence[str], *, cwd: Path, env: Mapping[str, str], log: IO[bytes]) -> subprocess.Popen[bytes]:
    """Start ``command`` in a new process group, its output (stdout and stderr) going to ``log``."""
    extra: dict = {"start_new_session": True} if os.name == "posix" else {
        "creationflags": subprocess.CREATE_NEW_PROCESS_GROUP  # type: ignore[attr-defined]
    }
    return subprocess.Popen(list(command), cwd=cwd, env=dict(env), stdin=subprocess.DEVNULL, stdout=log,
                            stderr=subprocess.STDOUT, **extra)


def stop(process: subprocess.Popen[bytes], timeout: float = 15.0) -> int:
    """Ask ``process`` to exit, wait up to ``timeout`` s, then kill its whole group. Returns the exit code."""
    if process.poll() is None:
        # Its children, noted now: once the process has gone, psutil can no longer find them.
        children = _children(process)
        if os.name == "nt":  # terminate() would kill at once; CTRL_BREAK asks, as SIGTERM does on POSIX
            process.send_signal(signal.CTRL_BREAK_EVENT)  # type: ignore[attr-defined]
        else:
            process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            kill_group(process)
            process.wait(timeout=timeout)
        if os.name == "nt":  # no process groups to kill there: end what it started and left behind
            for child in children:
                with contextlib.suppress(psutil.NoSuchProcess):
                    child.kill()
    return process.returncode


def _children(process: subprocess.Popen[bytes]) -> list[psutil.Process]:
    try:
        return psutil.Process(process.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []


def kill_group(process: subprocess.Popen[bytes]) -> None:
    """Kill ``process`` and everything in its process group (POSIX); on Windows, the process and its children."""
    if os.name == "posix":
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        return
    for child in _children(process):
        with contextlib.suppress(psutil.NoSuchProcess):
            child.kill()
    process.kill()


def resident_bytes(pid: int) -> int:
    """Resident memory of process ``pid`` and all its descendants (0 once it has exited)."""
    try:
        root = psutil.Process(pid)
        processes = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0
    total = 0
    for process in processes:
        try:
            total += process.memory_info().rss
        except psutil.NoSuchProcess:
            continue
    return total
