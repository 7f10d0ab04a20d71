"""Vendor ONNX Runtime Web from the npm registry, once, so the page never loads it from a CDN.

The sample folder commits a ``package.json`` pinning ``onnxruntime-web`` exactly and a ``package-lock.json``
holding the sha512 integrity of every package. ``npm ci`` refuses to install anything whose tarball does not
match the lock, so what lands in ``build/`` is byte for byte what was reviewed. Only three run-time files
are kept (the ES module and the WebAssembly build it loads); the rest of ``node_modules`` is deleted.

npm is run through :mod:`subprocess` from Python, so the same step works on Windows (``npm.cmd``).
Node.js is needed for this step only, and only for lesson 08.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from foundry_workshop.errors import BackendUnavailableError, WorkshopError

PACKAGE = "onnxruntime-web"
#: The page imports the WebGPU build; it also runs the wasm (CPU) backend from the same WebAssembly file.
RUNTIME_FILES = ("ort.webgpu.min.mjs", "ort-wasm-simd-threaded.asyncify.mjs", "ort-wasm-simd-threaded.asyncify.wasm")
_STAMP = ".vendored.json"


class NodeMissingError(BackendUnavailableError):
    """npm is not installed: only lesson 08's set-up needs it."""

    def __init__(self) -> None:
        super().__init__(
            "npm (Node.js) was not found. Lesson 08 needs it once, to fetch ONNX Runtime Web from the npm "
            "registry: install Node.js 20 or newer (https://nodejs.org, or `apt-get install nodejs npm`), then "
            "run `make browser-demo`. The rest of the course works without Node.js; lesson 08 skips its "
            "browser cells until then."
        )


class VendorError(WorkshopError):
    """npm ran but did not produce the pinned, integrity-checked files."""


@dataclass(frozen=True)
class Vendored:
    folder: Path
    version: str
    integrity: str
    seconds: float
    cached: bool

    @property
    def bytes(self) -> int:
        return sum(f.stat().st_size for f in self.folder.iterdir() if f.is_file())


def locked_package(lock_file: Path) -> dict:
    """The lock file's entry for onnxruntime-web (its version, tarball URL and sha512 integrity)."""
    lock = json.loads(lock_file.read_text())
    try:
        return lock["packages"][f"node_modules/{PACKAGE}"]
    except KeyError:
        raise VendorError(f"{lock_file} does not lock {PACKAGE}; regenerate it with "
                          f"`npm install --save-exact {PACKAGE}@<version>` in that folder.") from None


def vendor_runtime(sample: Path, out: Path, *, force: bool = False) -> Vendored:
    """Install the locked onnxruntime-web with ``npm ci`` and copy its run-time files to ``out``.

    Cached: nothing runs when ``out`` already holds files made from the same lock file.
    """
    lock_file = sample / "package-lock.json"
    entry = locked_package(lock_file)
    fingerprint = {"package": PACKAGE, "version": entry["version"], "integrity": entry["integrity"],
                   "lock_sha256": hashlib.sha256(lock_file.read_bytes()).hexdigest()}
    stamp = out / _STAMP
    if not force and stamp.is_file() and json.loads(stamp.read_text()) == fingerprint:
        return Vendored(out, entry["version"], entry["integrity"], 0.0, cached=True)

    npm = shutil.which("npm")
    if npm is None:
        raise NodeMissingError()
    started = time.monotonic()
    work = out.parent / "npm"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    for name in ("package.json", "package-lock.json"):
        shutil.copy2(sample / name, work / name)
    # --ignore-scripts: no install scripts run; npm ci checks every tarball against the lock's sha512.
    result = subprocess.run([npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund"], cwd=work,
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise VendorError(f"`npm ci` failed in {work} (exit code {result.returncode}); is the npm registry "
                          f"reachable? Its last words:\n{result.stderr.strip()[-1500:]}")
    installed = work / "node_modules" / PACKAGE
    version = json.loads((installed / "package.json").read_text())["version"]
    if version != entry["version"]:
        raise VendorError(f"npm installed {PACKAGE} {version}, but the lock pins {entry['version']}.")
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    for name in RUNTIME_FILES:
        shutil.copy2(installed / "dist" / name, out / name)
    shutil.rmtree(work)  # ~150 MB of node_modules: only the three files above are needed
    stamp.write_text(json.dumps(fingerprint, indent=2))
    return Vendored(out, version, entry["integrity"], time.monotonic() - started, cached=False)
