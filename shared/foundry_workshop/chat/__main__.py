"""``python -m foundry_workshop.chat [--port 8000] [--host 127.0.0.1] [--dev]``: serve the chat app in the foreground
(what ``make chat`` runs; ``samples/deploy/`` runs it as a service).

``--host`` other than loopback (``0.0.0.0`` to listen on every interface) is refused unless sign-in is configured:
``CHAINLIT_AUTH_SECRET``, ``CHAT_USERNAME``, ``CHAT_PASSWORD`` (see docs/deployment.md). ``--dev`` adds
Chainlit's ``-w --debug``.

The app's own log (its model check, then Chainlit's "Your app is available at ...") goes to this terminal;
Ctrl+C stops the app, and with it any model server the app started.
"""

from __future__ import annotations

import argparse
import signal
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from foundry_workshop.chat.deploy import DEFAULT_HOST, ChatAuth, check_exposure
from foundry_workshop.chat.launcher import DEFAULT_PORT, app_environment, chainlit_command, chat_app_path
from foundry_workshop.errors import ConfigurationError, PortInUseError
from foundry_workshop.http_checks import free_port, port_is_free, port_owner


def _stop_like_ctrl_c(*_: object) -> None:
    """SIGTERM (a supervisor, `kill`) stops the app as Ctrl+C does, instead of orphaning it."""
    raise KeyboardInterrupt


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m foundry_workshop.chat", description=__doc__)
    parser.add_argument("--port", type=int, default=DEFAULT_PORT,
                        help=f"port on 127.0.0.1 (default {DEFAULT_PORT}; 0 picks a free one)")
    parser.add_argument("--host", default=DEFAULT_HOST,
                        help="address to listen on (default 127.0.0.1; anything else needs sign-in configured)")
    parser.add_argument("--dev", action="store_true", help="development mode: reload on change, debug logging")
    parser.add_argument("--app", type=Path, default=None,
                        help="the Chainlit app file (default: WORKSHOP_CHAT_APP, else the course's sample app)")
    args = parser.parse_args(argv)
    args.app = args.app or chat_app_path()

    env = app_environment()
    try:
        check_exposure(args.host, ChatAuth.from_env(env))
    except ConfigurationError as exc:
        print(exc, file=sys.stderr)
        return 2
    if args.port and not port_is_free(args.port):
        print(PortInUseError(args.port, setting="CHAT_PORT (make chat CHAT_PORT=8001) or --port",
                             owner=port_owner(args.port)), file=sys.stderr)
        return 2
    port = args.port or free_port()
    where = f"http://127.0.0.1:{port}" + (f" (listening on {args.host})" if args.host != DEFAULT_HOST else "")
    print(f"Chat app: {where} (connecting to the model first; Ctrl+C stops it)", flush=True)
    process = subprocess.Popen(chainlit_command(args.app, port, args.host, dev=args.dev), cwd=args.app.parent,
                               env=env)
    signal.signal(signal.SIGTERM, _stop_like_ctrl_c)
    try:
        return process.wait()
    except KeyboardInterrupt:
        # Ctrl+C in a terminal reaches the app too; a signal sent to this process alone does not, so pass it
        # on (harmless twice), then give the app time to close its model connection.
        process.terminate()
        try:
            return process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            return process.wait()


if __name__ == "__main__":
    sys.exit(main())
