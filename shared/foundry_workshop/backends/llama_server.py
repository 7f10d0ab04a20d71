"""Entry point of the bundled model's server process: ``python -m foundry_workshop.backends.llama_server``.

The llama.cpp server (``xllamacpp``) runs in a child process rather than in the notebook kernel:
its C++ log lines would otherwise land in notebook cells, a crash would take the kernel with it, and
a benchmark can measure the server's memory apart from the learner's.
"""

from __future__ import annotations

import argparse
import os
import signal
import threading
from pathlib import Path


def _watch_parent(parent_pid: int, stop: threading.Event) -> None:
    # If the kernel that started us dies without cleaning up, do not linger as an orphan.
    while not stop.wait(1.0):
        if os.getppid() != parent_pid:
            stop.set()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model-path", required=True)
    parser.add_argument("--alias", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--ctx", type=int, default=8192, help="total context, shared by the parallel slots")
    parser.add_argument("--parallel", type=int, default=4)
    parser.add_argument("--threads", type=int, default=1, help="CPU threads (the course passes settings.threads)")
    parser.add_argument("--chat-template-file", help="a Jinja chat template replacing the model's own")
    parser.add_argument("--embedding", action="store_true", help="serve /v1/embeddings (an embedding model)")
    args = parser.parse_args(argv)

    import xllamacpp  # imported here so `--help` works without the wheel

    params = xllamacpp.CommonParams()
    params.model.path = args.model_path
    params.model_alias = {args.alias}  # a set of aliases: a plain string would become a set of characters
    params.n_ctx = args.ctx
    params.n_parallel = args.parallel
    params.hostnames = ["127.0.0.1"]  # loopback only, never all interfaces
    params.port = args.port
    params.cpuparams.n_threads = args.threads
    params.cpuparams_batch.n_threads = args.threads
    if args.chat_template_file:
        params.use_jinja = True  # tools and response_format become grammars only with Jinja templates
        params.chat_template = Path(args.chat_template_file).read_text(encoding="utf-8")
    if args.embedding:
        params.embedding = True
        # An encoder reads the whole input at once: the batch must hold one input of the full context.
        params.n_batch = params.n_ubatch = args.ctx // max(args.parallel, 1)

    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    threading.Thread(target=_watch_parent, args=(os.getppid(), stop), daemon=True).start()

    server = xllamacpp.Server(params)
    try:
        stop.wait()
    finally:
        del server  # the destructor stops llama.cpp's loop and closes the socket


if __name__ == "__main__":
    main()
