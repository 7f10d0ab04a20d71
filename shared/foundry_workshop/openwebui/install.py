"""Install Open WebUI into an environment of its own, and find it again.

Open WebUI is several GB (torch, transformers, chromadb, ...) and pins its own versions of libraries the course
also uses (fastapi, openai, ...), so it never goes into the course's ``.venv``. ``make openwebui`` runs
``python -m foundry_workshop.openwebui install``, which creates ``build/openwebui-venv`` from
``requirements-openwebui.txt``: torch first, as the CPU build (from PyPI on Linux an unpinned or plain torch
pulls several GB of CUDA libraries), then ``open-webui`` itself.

The environment is found by :func:`find_venv`: ``WORKSHOP_OPENWEBUI_VENV`` when set, else ``openwebui-venv`` in
the course's build folder (:func:`foundry_workshop.settings.build_dir`: ``WORKSHOP_BUILD_DIR`` or ``build/`` in
the checkout the working directory is in; notebooks run in ``notebooks/``).
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from foundry_workshop.errors import BackendUnavailableError
from foundry_workshop.settings import build_dir, env_value

#: Where ``make openwebui`` puts the environment, relative to the course repository.
DEFAULT_VENV = Path("build") / "openwebui-venv"
#: The environment variable that points at another environment.
VENV_VARIABLE = "WORKSHOP_OPENWEBUI_VENV"
#: PyTorch's CPU-only package index: the Linux wheels on PyPI bundle CUDA (several GB).
TORCH_CPU_INDEX = "https://download.pytorch.org/whl/cpu"
#: Open WebUI 0.12.4 supports these Python versions only.
SUPPORTED_PYTHONS = ((3, 11), (3, 12))
_STAMP = ".installed"

INSTALL_HINT = (
    "Install it with `make openwebui` (about 5 minutes and 3 GB; Windows: "
    "`python -m foundry_workshop.openwebui install`), or set WORKSHOP_OPENWEBUI_VENV to an environment that "
    "has `open-webui` 0.12.4."
)


def _bin_dir(venv: Path) -> Path:
    return venv / ("Scripts" if os.name == "nt" else "bin")


def venv_python(venv: Path) -> Path:
    return _bin_dir(venv) / ("python.exe" if os.name == "nt" else "python")


def openwebui_executable(venv: Path) -> Path:
    return _bin_dir(venv) / ("open-webui.exe" if os.name == "nt" else "open-webui")


def find_venv() -> Path | None:
    """The Open WebUI environment to use, or None when there is none with ``open-webui`` in it."""
    configured = env_value(VENV_VARIABLE)
    venv = Path(configured) if configured else build_dir() / DEFAULT_VENV.name
    return venv if openwebui_executable(venv).is_file() else None


def require_venv() -> Path:
    """Like :func:`find_venv`, but a missing installation is an error that says how to install it."""
    venv = find_venv()
    if venv is None:
        raise BackendUnavailableError(f"Open WebUI is not installed. {INSTALL_HINT}")
    return venv


@dataclass(frozen=True)
class InstallReport:
    """What an installation took: shown by ``make openwebui`` and kept in the environment's stamp file."""

    venv: str
    seconds: float
    bytes: int
    skipped: bool = False

    def summary(self) -> str:
        size = f"{self.bytes / 1e9:.1f} GB"
        if self.skipped:
            return f"Open WebUI is already installed in {self.venv} ({size}); nothing to do."
        minutes, seconds = divmod(round(self.seconds), 60)
        return f"Installed Open WebUI in {self.venv}: {size} in {minutes} min {seconds:02d} s."


def folder_bytes(folder: Path) -> int:
    """Bytes of every file under ``folder`` (links not followed)."""
    total = 0
    for root, _dirs, files in os.walk(folder):
        for name in files:
            path = Path(root, name)
            if not path.is_symlink():
                total += path.stat().st_size
    return total


def _fingerprint(requirements: Path) -> str:
    return hashlib.sha256(requirements.read_bytes()).hexdigest()


def _pins(requirements: Path) -> list[str]:
    lines = (line.split("#", 1)[0].strip() for line in requirements.read_text().splitlines())
    return [line for line in lines if line]


def install(venv: Path, requirements: Path, *, python: str = sys.executable, force: bool = False) -> InstallReport:
    """Create ``venv`` with ``python`` and install ``requirements`` into it: torch first (CPU build), then the rest.

    Idempotent: when the stamp file says this exact requirements file was installed, nothing happens.
    """
    stamp = venv / _STAMP
    wanted = _fingerprint(requirements)
    if not force and stamp.is_file() and json.loads(stamp.read_text()).get("requirements") == wanted:
        return InstallReport(str(venv), 0.0, folder_bytes(venv), skipped=True)
    version = subprocess.run([python, "-c", "import sys; print(sys.version_info[0], sys.version_info[1])"],
                             capture_output=True, text=True, check=True).stdout.split()
    if tuple(map(int, version)) not in SUPPORTED_PYTHONS:
        raise BackendUnavailableError(
            f"Open WebUI 0.12.4 needs Python 3.11 or 3.12, and {python} is {'.'.join(version)}. "
            "Install one of those and pass it: python -m foundry_workshop.openwebui install --python <path>."
        )
    torch = [pin for pin in _pins(requirements) if pin.startswith("torch==")]
    started = time.monotonic()
    subprocess.run([python, "-m", "venv", str(venv)], check=True)
    pip = [str(venv_python(venv)), "-m", "pip", "--disable-pip-version-check", "install"]
    if torch:
        # PyTorch's own index serves CPU-only wheels for Linux and Windows; macOS wheels on PyPI are CPU-only.
        cpu_index = ["--extra-index-url", TORCH_CPU_INDEX] if sys.platform != "darwin" else []
        print(f"installing {torch[0]} (CPU build) ...", flush=True)
        subprocess.run([*pip, "--quiet", *cpu_index, *torch], check=True)
    print(f"installing {requirements} (a few minutes) ...", flush=True)
    subprocess.run([*pip, "--quiet", "-r", str(requirements)], check=True)
    report = InstallReport(str(venv), time.monotonic() - started, folder_bytes(venv))
    stamp.write_text(json.dumps({"requirements": wanted, "seconds": round(report.seconds, 1),
                                 "bytes": report.bytes}) + "\n")
    return report
