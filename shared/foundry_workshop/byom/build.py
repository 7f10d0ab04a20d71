"""``make foundry-model``: bring the bundled SmolLM2 to Foundry Local. Idempotent; reports time and size.

    python -m foundry_workshop.byom.build [--convert-python build/convert-venv/bin/python] [--force]

1. Convert the GGUF with :mod:`.convert_gguf` in the conversion environment (skipped when the cached output
   was made from the same GGUF file).
2. Install the model into the store's Foundry Local cache folder (hard links: no second copy on disk) with
   its ``inference_model.json``, and write the catalog entry the local catalog serves.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from foundry_workshop.bundled_model import bundled_model_path as bundled_gguf
from foundry_workshop.byom.local_catalog import catalog_entry, write_inference_model_json
from foundry_workshop.byom.store import ALIAS, MODEL_NAME, MODEL_VERSION, Store

_STAMP = ".source.json"


def _source_fingerprint(gguf: Path) -> dict:
    stat = gguf.stat()
    return {"gguf": str(gguf), "bytes": stat.st_size, "mtime": int(stat.st_mtime)}


def _folder_bytes(folder: Path) -> int:
    return sum(f.stat().st_size for f in folder.iterdir() if f.is_file())


def convert(store: Store, convert_python: Path, force: bool) -> tuple[bool, float]:
    """Run the conversion unless a complete output from the same source exists. Returns (converted, seconds)."""
    gguf = bundled_gguf()
    out = store.onnx_dir()
    stamp = out / _STAMP
    wanted = _source_fingerprint(gguf)
    if not force and stamp.is_file() and json.loads(stamp.read_text()) == wanted:
        return False, 0.0
    if not convert_python.is_file():
        raise SystemExit(
            f"The conversion environment is missing ({convert_python}). `make foundry-model` creates it; by hand: "
            "python3 -m venv build/convert-venv && build/convert-venv/bin/pip install -r requirements-convert.txt"
        )
    script = Path(__file__).with_name("convert_gguf.py")
    log = store.root / "convert.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    print(f"converting {gguf.name} for Foundry Local (about a minute; details in {log}) ...", flush=True)
    started = time.monotonic()
    with log.open("w") as sink:  # the builder prints thousands of progress lines: keep them out of the console
        result = subprocess.run([str(convert_python), str(script), "--gguf", str(gguf), "--out", str(out)],
                                stdout=sink, stderr=subprocess.STDOUT)
    if result.returncode != 0:
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-30:])
        raise SystemExit(f"The conversion failed (exit code {result.returncode}). Last lines of {log}:\n{tail}")
    stamp.write_text(json.dumps(wanted))
    return True, time.monotonic() - started


def install(store: Store) -> Path:
    """Place the converted files where Foundry Local looks, and publish the catalog entry."""
    source = store.onnx_dir()
    target = store.model_dir()
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    for item in source.iterdir():
        if item.is_file() and item.name != _STAMP:
            # Foundry Local ignores symlinked folders; hard links are fine and cost no disk space.
            try:
                os.link(item, target / item.name)
            except OSError:
                shutil.copy2(item, target / item.name)
    model_id = f"{MODEL_NAME}:{MODEL_VERSION}"
    write_inference_model_json(target, model_id)
    entry = catalog_entry(
        MODEL_NAME, MODEL_VERSION, ALIAS, license="apache-2.0", publisher="HuggingFaceTB (converted by the workshop)",
        display_name="SmolLM2-135M-Instruct (int4, CPU)",
    )
    store.catalog_path.write_text(json.dumps({"value": [entry]}, indent=2))
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--convert-python", type=Path, default=Path("build/convert-venv/bin/python"))
    parser.add_argument("--root", type=Path, default=None, help="model store (default: build/foundry)")
    parser.add_argument("--force", action="store_true", help="convert again even if the cached output is current")
    args = parser.parse_args(argv)

    store = Store(args.root) if args.root else Store.default()
    converted, seconds = convert(store, args.convert_python, args.force)
    target = install(store)
    size_mib = _folder_bytes(target) / 2**20
    verb = f"converted in {seconds:.1f} s" if converted else "conversion cached (same GGUF)"
    print(f"{ALIAS}: {verb}; {size_mib:.0f} MiB at {target}")
    (store.root / "build-report.json").write_text(json.dumps(
        {"alias": ALIAS, "model_id": f"{MODEL_NAME}:{MODEL_VERSION}", "converted": converted,
         "convert_seconds": round(seconds, 1), "size_mib": round(size_mib, 1), "path": str(target)}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
