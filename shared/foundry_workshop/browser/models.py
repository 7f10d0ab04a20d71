"""Build the page's two models offline, once: ``make browser-model`` (cached, like ``make foundry-model``).

Both exports run in the conversion environment (``build/convert-venv``, ``requirements-convert.txt``), which
holds the heavy tools (torch, transformers, scikit-learn, skl2onnx, the ONNX Runtime GenAI builder) away from
the course's venv. Each model is rebuilt only when its inputs change: the export script, and for SmolLM2 the
bundled GGUF file.

    <out>/digits/    model.onnx + samples.json              (seconds)
    <out>/smollm2/   model.onnx + tokenizer + web_config    (about two minutes; ~150 MB)
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import shutil
import subprocess
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from foundry_workshop.bundled_model import bundled_model_path as bundled_gguf
from foundry_workshop.errors import BackendUnavailableError, WorkshopError

MODELS = ("digits", "smollm2")


def _module_file(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    assert spec is not None and spec.origin is not None, name
    return Path(spec.origin)


#: Each model's export script first, then the other files its result depends on.
_SCRIPTS = {"digits": [_module_file("foundry_workshop.browser.export_digits")],
            "smollm2": [_module_file("foundry_workshop.browser.export_smollm2"),
                        _module_file("foundry_workshop.byom.convert_gguf")]}
_STAMP = ".source.json"


class ExportError(WorkshopError):
    """An export script failed; the message carries the end of its log."""


@dataclass(frozen=True)
class BuiltModel:
    name: str
    folder: Path
    seconds: float
    cached: bool

    @property
    def mib(self) -> float:
        return sum(f.stat().st_size for f in self.folder.iterdir() if f.is_file()) / 2**20


def _fingerprint(name: str) -> dict:
    hashes = {script.name: hashlib.sha256(script.read_bytes()).hexdigest() for script in _SCRIPTS[name]}
    if name == "smollm2":
        gguf = bundled_gguf()
        hashes["gguf"] = f"{gguf}:{gguf.stat().st_size}:{int(gguf.stat().st_mtime)}"
    return hashes


def built(folder: Path) -> bool:
    """True when ``folder`` holds a complete export (the stamp is written last)."""
    return (folder / _STAMP).is_file()


def build_model(name: str, out: Path, convert_python: Path, *, force: bool = False) -> BuiltModel:
    folder = out / name
    wanted = _fingerprint(name)
    if not force and built(folder) and json.loads((folder / _STAMP).read_text()) == wanted:
        return BuiltModel(name, folder, 0.0, cached=True)
    if not convert_python.is_file():
        raise BackendUnavailableError(
            f"The conversion environment is missing ({convert_python}). `make browser-model` creates it; by hand: "
            "python3 -m venv build/convert-venv && build/convert-venv/bin/pip install -r requirements-convert.txt")
    command = [str(convert_python), str(_SCRIPTS[name][0]), "--out", str(folder)]
    if name == "smollm2":
        command += ["--gguf", str(bundled_gguf())]
    out.mkdir(parents=True, exist_ok=True)
    log = out / f"{name}.log"
    started = time.monotonic()
    # The SmolLM2 export imports the GGUF step it shares with Foundry Local's conversion from its folder.
    env = {**os.environ, "PYTHONPATH": str(_SCRIPTS["smollm2"][1].parent)}
    with log.open("w") as sink:  # the builder prints thousands of progress lines: keep them in the log
        result = subprocess.run(command, stdout=sink, stderr=subprocess.STDOUT, env=env)
    if result.returncode != 0:
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-25:])
        raise ExportError(f"Exporting {name} failed (exit code {result.returncode}). Last lines of {log}:\n{tail}")
    (folder / _STAMP).write_text(json.dumps(wanted))
    return BuiltModel(name, folder, time.monotonic() - started, cached=False)


def build_models(out: Path, convert_python: Path, names: Iterable[str] = MODELS, *,
                 force: bool = False) -> list[BuiltModel]:
    unknown = sorted(set(names) - set(MODELS))
    if unknown:
        raise WorkshopError(f"Unknown browser model(s) {', '.join(unknown)}. Known: {', '.join(MODELS)}.")
    return [build_model(name, out, convert_python, force=force) for name in names]


def remove_model(out: Path, name: str) -> None:
    shutil.rmtree(out / name, ignore_errors=True)
