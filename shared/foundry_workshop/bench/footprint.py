"""What a model costs to keep around: resident memory, size on disk, load time. Measured where knowable.

* **bundled**: the llama.cpp server is our child process (``conn.details["pid"]``): its resident set size
  (RSS) is the model's memory; the GGUF file's size is its disk footprint; the server's start-up until
  ``/health`` answers is the load time.
* **foundry**: the SDK serves from inside this Python process, so RSS is this process's (it includes Python
  and the course's libraries); the model folder's size and the SDK's load time are known.
* **endpoint** on this machine: the process listening on the endpoint's port, if the OS lets us see it.
  Disk size and load time are not visible from outside; a models file may declare ``size_mb``.
* **mock**: holds no model, so there is nothing to report.

Peak RSS (the high-water mark since the process started, which includes loading) comes from
``/proc/<pid>/status`` on Linux and from ``peak_wset`` on Windows; elsewhere it stays None.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import psutil

from foundry_workshop.bench.config import ModelInfo
from foundry_workshop.connection import Connection

_LOOPBACK = ("127.0.0.1", "localhost", "::1")


@dataclass
class Footprint:
    """Memory, disk and load time of one model; each with where it came from (``*_source``)."""

    rss_bytes: int | None = None
    peak_rss_bytes: int | None = None
    process: str = ""
    model_bytes: int | None = None
    model_bytes_source: str = ""
    load_seconds: float | None = None
    load_source: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _listening_process(endpoint: str) -> psutil.Process | None:
    parts = urlsplit(endpoint)
    if parts.hostname not in _LOOPBACK or parts.port is None:
        return None
    try:
        for conn in psutil.net_connections(kind="tcp"):
            if conn.status == psutil.CONN_LISTEN and conn.laddr and conn.laddr.port == parts.port and conn.pid:
                return psutil.Process(conn.pid)
    except (psutil.AccessDenied, psutil.NoSuchProcess, PermissionError):
        return None
    return None


def serving_process(conn: Connection) -> tuple[psutil.Process | None, str]:
    """The process that holds ``conn``'s model in memory, and a label saying which one it is."""
    try:
        if "pid" in conn.details:
            process = psutil.Process(conn.details["pid"])
            return process, f"llama.cpp server (pid {process.pid})"
        if conn.backend == "foundry":
            return psutil.Process(os.getpid()), "this Python process (the Foundry Local SDK serves in-process)"
        if conn.backend == "endpoint":
            listening = _listening_process(conn.endpoint)
            if listening is not None:
                port = urlsplit(conn.endpoint).port
                return listening, f"{listening.name()} listening on {port} (pid {listening.pid})"
            return None, "not visible (remote server, or the OS hides other users' processes)"
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return None, "server process not accessible"
    return None, "the mock holds no model" if conn.backend == "mock" else ""


def _peak_rss(process: psutil.Process) -> int | None:
    info = process.memory_info()
    peak = getattr(info, "peak_wset", None)  # Windows
    if peak is not None:
        return int(peak)
    status = Path(f"/proc/{process.pid}/status")
    try:
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024  # reported in kB
    except OSError:
        return None
    return None


def _size_on_disk(path: str | os.PathLike[str]) -> int | None:
    target = Path(path)
    if target.is_file():
        return target.stat().st_size
    if target.is_dir():
        return sum(f.stat().st_size for f in target.rglob("*") if f.is_file())
    return None


def measure_footprint(conn: Connection, info: ModelInfo | None = None) -> Footprint:
    """Footprint of ``conn``'s model right now (call it after the benchmark: RSS grows with use)."""
    footprint = Footprint()
    process, footprint.process = serving_process(conn)
    if process is not None:
        try:
            footprint.rss_bytes = int(process.memory_info().rss)
            footprint.peak_rss_bytes = _peak_rss(process)
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            footprint.process += " (exited or not accessible)"
    if conn.details.get("model_bytes") is not None:
        footprint.model_bytes, footprint.model_bytes_source = int(conn.details["model_bytes"]), "model file"
    elif conn.details.get("model_path"):
        footprint.model_bytes = _size_on_disk(conn.details["model_path"])
        footprint.model_bytes_source = "model folder" if footprint.model_bytes is not None else ""
    if footprint.model_bytes is None and info is not None and info.size_mb is not None:
        footprint.model_bytes, footprint.model_bytes_source = int(info.size_mb * 1024 * 1024), "models file (declared)"
    for key, source in (("startup_seconds", "server start until ready"), ("load_seconds", "SDK model load")):
        if conn.details.get(key) is not None:
            footprint.load_seconds, footprint.load_source = float(conn.details[key]), source
            break
    return footprint
