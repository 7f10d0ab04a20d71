"""Command line: ``python -m foundry_workshop.mock --port 0``.

For harnesses that prefer a separate process (or a shell session during the
workshop). Prints exactly one line, ``Mock OpenAI-compatible server listening on
http://127.0.0.1:PORT/v1``, once the server accepts connections, then serves until
SIGINT/SIGTERM and exits with status 0. The API key is read from the environment
variable named by ``--api-key-env`` so it never appears in ``ps`` output.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from collections.abc import Sequence

from .app import PROFILES
from .faults import FaultRule, parse_cli_fault
from .latency import Latency
from .models import DEFAULT_MODELS, MockModel
from .server import MockServer


def _model(value: str) -> MockModel:
    model_id, sep, alias = value.partition("=")
    if not sep or not model_id or not alias:
        raise argparse.ArgumentTypeError(f"expected ID=ALIAS, got {value!r}")
    return MockModel(model_id, alias)


def _fault(value: str) -> FaultRule:
    try:
        return parse_cli_fault(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _seconds(value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds < float("inf"):
        raise argparse.ArgumentTypeError(f"expected a non-negative number of seconds, got {value!r}")
    return seconds


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m foundry_workshop.mock",
        description="Deterministic OpenAI-compatible mock of Foundry Local, for tests.",
    )
    parser.add_argument(
        "--profile", default="openai", choices=sorted(PROFILES),
        help="server to imitate: openai (any OpenAI-compatible server, default) or foundry-service "
        "(the Foundry Local service of Windows/macOS: /foundry/list, /openai/load/..., exact ids)",
    )
    parser.add_argument("--host", default="127.0.0.1", help="loopback address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port to bind; 0 picks a free one (default)")
    parser.add_argument(
        "--model",
        dest="models",
        action="append",
        type=_model,
        metavar="ID=ALIAS",
        help="serve this model (repeatable); replaces the default catalogue",
    )
    parser.add_argument("--first-token-delay", type=_seconds, default=0.0, metavar="S")
    parser.add_argument("--inter-token-delay", type=_seconds, default=0.0, metavar="S")
    parser.add_argument(
        "--api-key-env", metavar="VAR", help="require 'Authorization: Bearer <key>', key read from env VAR"
    )
    parser.add_argument(
        "--fault",
        dest="faults",
        action="append",
        type=_fault,
        default=[],
        metavar="KIND[:COUNT][@ROUTE]",
        help="queue a fault (429 500 503 overflow stall disconnect malformed); COUNT: default 1, '*' = forever; "
        "ROUTE: chat (default), models (GET /v1/models) or any",
    )
    parser.add_argument(
        "--log-level", default="warning", choices=["critical", "error", "warning", "info", "debug"]
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    api_key = None
    if args.api_key_env:
        api_key = os.environ.get(args.api_key_env)
        if not api_key:
            build_parser().error(f"environment variable {args.api_key_env} is not set or empty")
    try:
        mock = MockServer(
            models=args.models or DEFAULT_MODELS,
            profile=args.profile,
            latency=Latency(args.first_token_delay, args.inter_token_delay),
            api_key=api_key,
            port=args.port,
            host=args.host,
            faults=args.faults,
            log_level=args.log_level,
        )
    except ValueError as exc:
        build_parser().error(str(exc))

    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())

    with mock:
        print(f"Mock OpenAI-compatible server listening on {mock.url}", flush=True)
        while not stop.wait(0.5):
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
