"""``python -m foundry_workshop.mock`` serves until told to stop, for tests that need a separate process."""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

import foundry_workshop.mock
from foundry_workshop.mock.__main__ import main as cli_main

PACKAGE_ROOT = Path(foundry_workshop.mock.__file__).resolve().parents[2]
LINE = re.compile(r"^Mock OpenAI-compatible server listening on (http://127\.0\.0\.1:(\d+)/v1)$")
KEY = "cli-test-key-123"


def _read_lines(stream: object, lines: queue.Queue[str]) -> None:
    for line in stream:  # type: ignore[attr-defined]
        lines.put(line)


@pytest.fixture
def start_cli() -> Iterator:
    """Start the CLI; yields a function returning (process, url, queue of further stdout lines)."""
    processes: list[subprocess.Popen[str]] = []

    def start(*args: str) -> tuple[subprocess.Popen[str], str, queue.Queue[str]]:
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join([str(PACKAGE_ROOT), os.environ.get("PYTHONPATH", "")]),
        }
        env["MOCK_CLI_TEST_KEY"] = KEY
        process = subprocess.Popen(
            [sys.executable, "-m", "foundry_workshop.mock", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        processes.append(process)
        lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=_read_lines, args=(process.stdout, lines), daemon=True).start()
        try:
            first = lines.get(timeout=20)
        except queue.Empty:
            pytest.fail(
                f"no startup line; stderr: {process.stderr.read() if process.poll() is not None else ''}"
            )
        match = LINE.match(first.rstrip("\n"))
        assert match, f"unexpected first line {first!r}"
        return process, match.group(1), lines

    yield start
    for process in processes:
        if process.poll() is None:
            process.kill()
        process.wait(10)


def test_cli_serves_and_exits_cleanly_on_sigterm(start_cli) -> None:
    process, url, lines = start_cli(
        "--port",
        "0",
        "--model",
        "tiny-model:3=tiny",
        "--api-key-env",
        "MOCK_CLI_TEST_KEY",
        "--fault",
        "429:1",
    )
    assert KEY not in " ".join(process.args)  # type: ignore[arg-type]
    auth = {"Authorization": f"Bearer {KEY}"}
    assert requests.get(f"{url}/models", timeout=10).status_code == 401
    models = requests.get(f"{url}/models", headers=auth, timeout=10).json()
    assert [m["id"] for m in models["data"]] == ["tiny-model:3"]

    chat = {"model": "tiny", "messages": [{"role": "user", "content": "hi"}]}
    first = requests.post(f"{url}/chat/completions", json=chat, headers=auth, timeout=10)
    assert first.status_code == 429 and first.headers["retry-after"] == "1"
    second = requests.post(f"{url}/chat/completions", json=chat, headers=auth, timeout=10)
    assert (
        second.json()["choices"][0]["message"]["content"] == 'Mock reply 1 from tiny-model:3: you said "hi".'
    )

    if sys.platform == "win32":
        process.terminate()
        process.wait(10)
        return
    process.send_signal(signal.SIGTERM)
    assert process.wait(10) == 0
    assert lines.empty(), "the CLI prints exactly one line"
    with pytest.raises(requests.ConnectionError):
        requests.get(url.removesuffix("/v1") + "/health", timeout=2)


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT cannot be sent to a child process on Windows")
def test_cli_exits_cleanly_on_sigint_with_latency(start_cli) -> None:
    process, url, _ = start_cli("--first-token-delay", "0.2", "--inter-token-delay", "0")
    response = requests.post(
        f"{url}/chat/completions",
        json={"model": "phi-3.5-mini", "messages": [{"role": "user", "content": "hi"}]},
        timeout=10,
    )
    assert response.elapsed.total_seconds() >= 0.2
    process.send_signal(signal.SIGINT)
    assert process.wait(10) == 0
    assert "Traceback" not in process.stderr.read()


@pytest.mark.parametrize(
    "args",
    [
        ["--host", "0.0.0.0"],
        ["--fault", "teapot"],
        ["--fault", "429:many"],
        ["--model", "no-alias"],
        ["--first-token-delay", "-1"],
        ["--api-key-env", "MOCK_CLI_UNSET_VAR"],
    ],
)
def test_cli_rejects_bad_arguments(
    args: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # In-process: every rejection happens before a server or signal handler exists.
    monkeypatch.delenv("MOCK_CLI_UNSET_VAR", raising=False)
    with pytest.raises(SystemExit) as info:
        cli_main(args)
    assert info.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "usage:" in captured.err
