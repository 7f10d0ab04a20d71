"""Start and stop the course's Chainlit app as a subprocess on 127.0.0.1: for notebook 06, ``make chat`` and
the browser test.

Why a subprocess: Chainlit runs its own web server and event loop, which cannot live inside a Jupyter kernel or
a pytest process, and a separate process is also what a learner runs. The app's folder is its working
directory, so Chainlit's working files (``.chainlit/``, ``.files/``) land next to ``app.py``.

The app learns where the model is from the environment the seed documents (``BASE_URL``, ``MODEL``,
``API_KEY``; see :mod:`foundry_workshop.chat.config`), so a notebook can hand its own connection to the app
and no second model is loaded.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path

from foundry_workshop import child_process
from foundry_workshop.chat.deploy import DEFAULT_HOST, ChatAuth, check_exposure
from foundry_workshop.chat.service import REPORT_PREFIX
from foundry_workshop.errors import ConfigurationError, PortInUseError, ServerNotReadyError
from foundry_workshop.http_checks import free_port, port_is_free, port_owner, wait_until_ready
from foundry_workshop.settings import course_dir, env_value

#: The sample app, relative to the course checkout.
SAMPLE_APP = Path("samples") / "chainlit_app" / "app.py"


def chat_app_path() -> Path:
    """The Chainlit app to run: ``WORKSHOP_CHAT_APP``, else the course's sample app in the checkout the working
    directory is in (:func:`foundry_workshop.settings.course_dir`), else ``samples/chainlit_app/app.py`` under
    the working directory. Never found from where the package is installed."""
    configured = env_value("WORKSHOP_CHAT_APP")
    if configured:
        return Path(configured)
    return (course_dir() or Path.cwd()) / SAMPLE_APP

#: ``make chat``'s port. Chainlit's own default, so its documentation applies as written. It avoids Foundry
#: Local (5273, 51211, or a dynamic port), llama.cpp's ``llama-server`` (8080, which the seed used for Chainlit),
#: Open WebUI (3000), Vite (5173), Jupyter (8888) and macOS's AirPlay receiver (5000). Change it with
#: ``make chat CHAT_PORT=8001``.
DEFAULT_PORT = 8000

#: Chainlit's CLI reads these as flags (``CI=true``, set by GitHub Actions, turns on its CI mode, which
#: overwrites OPENAI_API_KEY with a fake key), so they are not passed on to the app.
_CHAINLIT_FLAG_VARS = ("CI", "DEBUG", "WATCH", "HEADLESS", "NO_CACHE", "RUN_TARGET")


def chainlit_command(app_path: Path, port: int, host: str = DEFAULT_HOST, *, dev: bool = False) -> list[str]:
    """The command line that serves ``app_path`` on ``host``:``port`` (what docs/chat-app.md shows).

    ``dev`` adds Chainlit's development switches: ``-w`` (reload when the file changes) and ``--debug``.
    """
    return [sys.executable, "-m", "chainlit", "run", app_path.name, "--headless", "--host", host,
            "--port", str(port), *(["-w", "--debug"] if dev else [])]


def app_environment(
    *,
    backend: str | None = None,
    endpoint: str | None = None,
    model: str | None = None,
    api_key: str | None = None,
    env: Mapping[str, str | None] | None = None,
) -> dict[str, str]:
    """The app's environment: this process's, minus Chainlit's flag variables, plus the given settings.

    ``endpoint``/``model``/``api_key`` become the seed's ``BASE_URL``/``MODEL``/``API_KEY``; ``backend``
    becomes ``WORKSHOP_BACKEND``. In ``env``, a value of None removes that variable.
    """
    child = {k: v for k, v in os.environ.items() if k not in _CHAINLIT_FLAG_VARS}
    given = {"WORKSHOP_BACKEND": backend, "BASE_URL": endpoint, "MODEL": model, "API_KEY": api_key}
    child.update({k: v for k, v in given.items() if v})
    for key, value in (env or {}).items():
        if value is None:
            child.pop(key, None)
        else:
            child[key] = value
    child.setdefault("PYTHONUNBUFFERED", "1")  # log lines appear as they happen
    return child


class ChatApp(child_process.ChildServer):
    """A running Chainlit app. Use it as a context manager, or call :meth:`stop`."""

    def __init__(self, process: subprocess.Popen[bytes], port: int, log_path: Path) -> None:
        self.process = process
        self.port = port
        self.log_path = log_path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        return self.process.pid


    @property
    def startup_report(self) -> str | None:
        """The app's one-line health check: what it connected to, or why it could not."""
        match = re.search(rf"{re.escape(REPORT_PREFIX)}.*", self.log())
        return match.group(0).strip() if match else None

    def stop(self, timeout: float = 15.0) -> int:
        """Ask the app to shut down (it then closes its model connection); force it after ``timeout`` s.

        Returns the exit code. Safe to call twice.
        """
        atexit.unregister(self.stop)
        # SIGTERM: uvicorn shuts down gracefully and runs the app's shutdown hook; the forced stop reaches the
        # app's process group (a model server it started) and nothing else.
        code = child_process.stop(self.process, timeout)
        with contextlib.suppress(FileNotFoundError):
            self.log_path.unlink()
        return code


def start_chat_app(
    port: int = 0,
    *,
    backend: str | None = None,
    endpoint: str | None = None,
    model: str | None = None,
    api_key: str | None = None,
    env: Mapping[str, str | None] | None = None,
    app_path: Path | None = None,
    host: str = DEFAULT_HOST,
    timeout: float = 120.0,
) -> ChatApp:
    """Start the Chainlit app on 127.0.0.1:``port`` (0 picks a free port) and wait until its page answers.

    The app connects to its model before it starts serving, so when this returns, :attr:`ChatApp.startup_report`
    says what it connected to. ``timeout`` covers that connection too (the bundled model needs ~2 s; the
    foundry backend may download a model first). ``app_path`` defaults to :func:`chat_app_path`. A ``host``
    other than loopback is refused unless sign-in is configured (:func:`~foundry_workshop.chat.deploy.check_exposure`).
    See :func:`app_environment` for the other arguments.
    """
    app_path = app_path or chat_app_path()
    if not app_path.is_file():
        raise ConfigurationError(
            f"The chat app is not at {app_path}. Run this from the course repository, or set WORKSHOP_CHAT_APP "
            "to the app's file."
        )
    child_env = app_environment(backend=backend, endpoint=endpoint, model=model, api_key=api_key, env=env)
    auth = ChatAuth.from_env(child_env)
    check_exposure(host, auth)
    # The app reads .env from its own folder: hand it the sign-in that was checked, so what the launcher allowed
    # is what the app enforces.
    child_env.update(auth.environment())
    if port and not port_is_free(port):
        raise PortInUseError(port, setting="the port argument", owner=port_owner(port))
    port = port or free_port()
    log = tempfile.NamedTemporaryFile(prefix="chainlit-app-", suffix=".log", delete=False)  # noqa: SIM115
    with log:
        process = child_process.spawn(chainlit_command(app_path, port, host), cwd=app_path.parent, env=child_env,
                                      log=log)
    app = ChatApp(process, port, Path(log.name))
    # The app runs in a session of its own, so it would outlive a kernel that exits or fails before stop().
    atexit.register(app.stop)

    def died() -> str | None:
        if app.running:
            return None
        return f"exit code {process.returncode}; last log lines:\n{app.log()[-2000:]}"

    try:
        wait_until_ready(app.url, timeout, died, what="The Chainlit app")
    except ServerNotReadyError as exc:
        tail = app.log()[-2000:] if app.running else ""  # a crash already put the log in the message
        app.stop()
        raise ServerNotReadyError(f"{exc}\nLast log lines:\n{tail}" if tail else str(exc)) from None
    except BaseException:
        app.stop()
        raise
    return app
