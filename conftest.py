"""Session-wide test set-up shared by the package tests, the course tests and nbval.

Notebooks under nbval run in separate kernel processes, so patching here could never reach them. Instead one
real mock server starts before any kernel does, and the environment variables every notebook reads
(through ``foundry_workshop.from_env``) point at it. Tests can read what the notebooks sent from the same
server (the ``mock_server`` fixture).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from foundry_workshop.course.chromium import chromium_problem, find_chromium
from foundry_workshop.mock import MockServer

_session_mock: MockServer | None = None


def pytest_configure(config: pytest.Config) -> None:
    global _session_mock
    _session_mock = MockServer().start()
    os.environ["WORKSHOP_DOTENV"] = "0"  # a learner's .env (real endpoints, keys, Azure) never reaches the tests
    os.environ["WORKSHOP_BACKEND"] = "mock"
    os.environ["FOUNDRY_LOCAL_ENDPOINT"] = _session_mock.url
    os.environ.pop("WORKSHOP_MODEL", None)
    os.environ["WORKSHOP_SOLUTIONS"] = "1"  # notebooks under nbval run the reference solutions of exercises
    os.environ.pop("WORKSHOP_CHECKS_FILE", None)  # a learner's `make check` file never collects test results
    # The package finds the chat app from the working directory; tests that chdir elsewhere still use this one.
    os.environ.setdefault("WORKSHOP_CHAT_APP", str(Path(__file__).resolve().parent / "samples/chainlit_app/app.py"))
    # Notebook 07 calls real (billed) Azure when these are set: tests use the local Azure emulation instead.
    for var in ("AZURE_INFERENCE_ENDPOINT", "AZURE_OPENAI_ENDPOINT", "AZURE_INFERENCE_CREDENTIAL"):
        os.environ.pop(var, None)


def pytest_unconfigure(config: pytest.Config) -> None:
    if _session_mock is not None:
        _session_mock.stop()


@pytest.fixture(scope="session")
def mock_server() -> MockServer:
    """The session's mock server, the one notebooks under nbval talk to."""
    assert _session_mock is not None
    return _session_mock


@pytest.fixture(scope="session")
def chromium_executable() -> str:
    """The browser every browser test drives (``CHROMIUM_PATH``, else found on this OS: see
    ``foundry_workshop.course.chromium``). Missing: skipped with the fix on a developer machine, failed in CI."""
    problem = chromium_problem()
    if problem is not None:
        if os.environ.get("CI"):
            pytest.fail(f"The browser tests must run in CI, but there is {problem}.")
        pytest.skip(problem)
    return str(find_chromium())
