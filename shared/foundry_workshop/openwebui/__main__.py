"""``python -m foundry_workshop.openwebui install|serve``: what ``make openwebui`` runs (and Windows users type).

    install  create build/openwebui-venv from requirements-openwebui.txt (~5 min, ~3 GB; once)
    serve    connect to the course's model (WORKSHOP_BACKEND etc., the bundled model by default), start Open
             WebUI on http://127.0.0.1:3000 pointed at it, and keep both running until Ctrl+C
"""

from __future__ import annotations

import argparse
import signal
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from foundry_workshop import connect
from foundry_workshop.errors import WorkshopError
from foundry_workshop.openwebui.install import DEFAULT_VENV, install, require_venv
from foundry_workshop.openwebui.server import DEFAULT_PORT, start_openwebui


def _stop_like_ctrl_c(*_: object) -> None:
    raise KeyboardInterrupt


def _install(args: argparse.Namespace) -> int:
    report = install(args.venv, args.requirements, python=args.python, force=args.force)
    print(report.summary())
    return 0


def _serve(args: argparse.Namespace) -> int:
    venv = args.venv or require_venv()  # WORKSHOP_OPENWEBUI_VENV, else build/openwebui-venv
    print("Connecting to the model (WORKSHOP_BACKEND, .env; the bundled model by default) ...", flush=True)
    with connect() as conn:
        print(f"Model: {conn.model} ({conn.backend} backend at {conn.endpoint})", flush=True)
        print("Starting Open WebUI (about 30 s) ...", flush=True)
        with start_openwebui(endpoint=conn.endpoint, model=conn.model, api_key=conn.api_key, port=args.port,
                             lean=not args.default_settings, data_dir=args.data_dir, venv=venv) as webui:
            print(f"Open WebUI: {webui.url}  (ready in {webui.start_seconds:.0f} s, {webui.resident_mb():.0f} MB; "
                  "Ctrl+C stops it and the model server)", flush=True)
            signal.signal(signal.SIGTERM, _stop_like_ctrl_c)
            try:
                while webui.running:
                    time.sleep(0.5)
            except KeyboardInterrupt:
                print("Stopping Open WebUI ...", flush=True)
            if not webui.running and webui.process.returncode not in (0, -signal.SIGTERM):
                print(f"Open WebUI exited with code {webui.process.returncode}; its log: {webui.log_path}",
                      file=sys.stderr)
                return 1
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m foundry_workshop.openwebui", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    inst = commands.add_parser("install", help="create the Open WebUI environment")
    inst.add_argument("--venv", type=Path, default=DEFAULT_VENV)
    inst.add_argument("--requirements", type=Path, default=Path("requirements-openwebui.txt"))
    inst.add_argument("--python", default=sys.executable, help="a Python 3.11 or 3.12 (default: this one)")
    inst.add_argument("--force", action="store_true", help="reinstall even if up to date")
    inst.set_defaults(run=_install)
    serve = commands.add_parser("serve", help="serve Open WebUI on the course's model")
    serve.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port on 127.0.0.1 (default {DEFAULT_PORT})")
    serve.add_argument("--venv", type=Path, default=None,
                       help="default: WORKSHOP_OPENWEBUI_VENV, else build/openwebui-venv")
    serve.add_argument("--data-dir", type=Path, default=Path("build") / "openwebui-data",
                       help="its database and uploads (kept between runs)")
    serve.add_argument("--default-settings", action="store_true",
                       help="keep Open WebUI's title/tags/follow-up generation and its 36 tools (slow on small models)")
    serve.set_defaults(run=_serve)
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except WorkshopError as exc:
        print(exc, file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
