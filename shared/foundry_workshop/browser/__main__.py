"""``python -m foundry_workshop.browser vendor|models|serve`` — lesson 08's set-up and its web server.

    vendor   npm ci of the locked onnxruntime-web, run-time files copied to build/browser/vendor (make browser-demo)
    models   export the digit classifier and SmolLM2 to ONNX in the conversion env (make browser-model)
    serve    serve the page on http://127.0.0.1:PORT/ until Ctrl+C

Paths default to the course checkout the working directory is in (``WORKSHOP_BUILD_DIR`` moves ``build/``).
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import threading
from pathlib import Path

from foundry_workshop.browser.models import MODELS, build_models
from foundry_workshop.browser.server import DemoFolders, DemoServer
from foundry_workshop.browser.vendor import vendor_runtime
from foundry_workshop.errors import WorkshopError
from foundry_workshop.settings import build_dir, course_dir

SAMPLE = (course_dir() or Path.cwd()) / "samples" / "webgpu_demo"
BUILD = build_dir() / "browser"
CONVERT_PYTHON = build_dir() / "convert-venv" / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")


def _vendor(args: argparse.Namespace) -> None:
    done = vendor_runtime(args.sample, args.build / "vendor" / "onnxruntime-web", force=args.force)
    how = "cached (same lock file)" if done.cached else f"npm ci in {done.seconds:.1f} s, integrity checked"
    print(f"onnxruntime-web {done.version}: {how}; {done.bytes / 2**20:.1f} MiB at {done.folder}")


def _models(args: argparse.Namespace) -> None:
    for model in build_models(args.build / "models", args.convert_python, args.only or MODELS, force=args.force):
        how = "cached (inputs unchanged)" if model.cached else f"exported in {model.seconds:.1f} s"
        print(f"{model.name}: {how}; {model.mib:.1f} MiB at {model.folder}")


def _serve(args: argparse.Namespace) -> None:
    folders = DemoFolders(args.sample, args.build / "vendor", args.build / "models")
    with DemoServer(folders, port=args.port) as server:
        print(f"Lesson 08's page: {server.url}  (Ctrl+C to stop)", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m foundry_workshop.browser", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["vendor", "models", "serve"])
    parser.add_argument("--sample", type=Path, default=SAMPLE, help="the page's folder (default: %(default)s)")
    parser.add_argument("--build", type=Path, default=BUILD, help="vendored files and models (default: %(default)s)")
    parser.add_argument("--convert-python", type=Path, default=CONVERT_PYTHON)
    parser.add_argument("--only", action="append", choices=MODELS, help="models: build just this one")
    parser.add_argument("--port", type=int, default=8765, help="serve: port on 127.0.0.1 (0 picks a free one)")
    parser.add_argument("--force", action="store_true", help="redo the step even if its output is current")
    args = parser.parse_args(argv)
    try:
        {"vendor": _vendor, "models": _models, "serve": _serve}[args.command](args)
    except WorkshopError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
