"""Session-wide test set-up shared by the package tests, the course tests and nbval.

Notebooks under nbval run in separate kernel processes, so patching here could never reach them. Instead one
real mock server starts before any kernel does, and the environment variables every notebook reads
(through ``foundry_workshop.from_env``) point at it. Tests can read what the notebooks sent from the same
server (the ``mock_server`` fixture).
"""

from __future__ import annotations

import functools
import json
import os
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from foundry_workshop.settings import build_dir

# The mock (FastAPI) and the rest are imported where they are used: the xdist controller loads this file but runs
# no test, and their imports (with openai's, from shared/tests/conftest.py) delayed every worker by 1.3 s.
if TYPE_CHECKING:
    from foundry_workshop import Connection
    from foundry_workshop.mock import MockServer

_session_mock: MockServer | None = None


def _xdist_controller(config: pytest.Config) -> bool:
    """True in the process that only hands tests to pytest-xdist workers (each worker has its own mock)."""
    return not hasattr(config, "workerinput") and bool(getattr(config.option, "numprocesses", None))


def pytest_configure(config: pytest.Config) -> None:
    global _session_mock
    if _xdist_controller(config):
        return
    from foundry_workshop.mock import MockServer

    _session_mock = MockServer().start()
    os.environ["WORKSHOP_DOTENV"] = "0"  # a learner's .env (real endpoints, keys, Azure) never reaches the tests
    os.environ["WORKSHOP_BACKEND"] = "mock"
    os.environ["FOUNDRY_LOCAL_ENDPOINT"] = _session_mock.url
    os.environ.pop("WORKSHOP_MODEL", None)
    os.environ["WORKSHOP_SOLUTIONS"] = "1"  # notebooks under nbval run the reference solutions of exercises
    os.environ.pop("WORKSHOP_CHECKS_FILE", None)  # a learner's `make check` file never collects test results
    # The package finds the chat app from the working directory; tests that chdir elsewhere still use this one.
    os.environ.setdefault("WORKSHOP_CHAT_APP", str(Path(__file__).resolve().parent / "samples/chainlit_app/app.py"))
    # Likewise the build folder (converted models, browser exports): tests that chdir to a temporary folder
    # still use the course's own, which `make test` prepared.
    os.environ.setdefault("WORKSHOP_BUILD_DIR", str(Path(__file__).resolve().parent / "build"))
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
def bundled() -> Iterator[Connection]:
    """The real bundled model (llama.cpp + SmolLM2), one server per test process, started when a test first asks.

    For tests that only send it requests; tests about starting and stopping the server start their own. The
    timeout is generous because the suite's processes share the cores with it."""
    from foundry_workshop import connect

    with connect(backend="bundled", timeout=600) as conn:
        yield conn


@pytest.fixture(scope="session")
def chromium_executable() -> str:
    """The browser every browser test drives (``CHROMIUM_PATH``, else found on this OS: see
    ``foundry_workshop.browser.chromium``). Missing: skipped with the fix on a developer machine, failed in CI."""
    from foundry_workshop.browser.chromium import chromium_problem, find_chromium

    problem = chromium_problem()
    if problem is not None:
        if os.environ.get("CI"):
            pytest.fail(f"The browser tests must run in CI, but there is {problem}.")
        pytest.skip(problem)
    return str(find_chromium())


@contextmanager
def _exclusive(path: Path) -> Iterator[None]:
    """An advisory lock on ``path`` across processes (POSIX ``flock``; ``msvcrt.locking`` on Windows)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+b") as handle:
        if os.name == "nt":
            import msvcrt

            while True:
                try:
                    msvcrt.locking(handle.fileno(), msvcrt.LK_LOCK, 1)  # retries for 10 s, then raises
                    break
                except OSError:
                    continue
            try:
                yield
            finally:
                msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)
        else:
            import fcntl

            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)


@pytest.fixture(scope="module", autouse=True)
def _one_foundry_local_module_at_a_time(request: pytest.FixtureRequest) -> Iterator[None]:
    """Modules marked ``foundry_local`` drive real Foundry Local on the converted model in ``build/foundry/cache``.

    Each SDK process rewrites that folder's catalog cache when it starts, so two of them at once (pytest-xdist
    workers) can make the other lose its model ("not available locally"): such modules take turns."""
    if request.node.get_closest_marker("foundry_local") is None:
        yield
        return
    with _exclusive(build_dir() / "foundry" / ".tests.lock"):
        yield


# -- Markers for `make test-fast`, and longest files first ------------------------------------------------------
# nbval cells get the `notebook` marker, browser tests the `browser` marker (before `-m` deselects).
# pytest-xdist (`make test`) hands whole files to workers (--dist loadfile). If a long file comes last, one
# worker runs it alone at the end; so files are ordered by the seconds they took last time (kept in pytest's cache),
# longest first (a fresh checkout: tests/file_seconds.json). New files (no timing yet) keep their place after the
# known ones. Order inside a file is kept.
# `--slower-than S` (what `make test-fast` passes) leaves out the tests that took more than S seconds last time.
_FILE_SECONDS = "foundry_workshop/file_seconds"
_TEST_SECONDS = "foundry_workshop/test_seconds"
_measured: defaultdict[str, float] = defaultdict(float)
_measured_tests: defaultdict[str, float] = defaultdict(float)


def _seed_seconds() -> dict[str, float]:
    """Files' seconds for a fresh checkout, whose pytest cache is empty (tests/file_seconds.json: a snapshot of
    the files over a second on a 2-core machine; only the order matters, so it may age)."""
    path = Path(__file__).resolve().parent / "tests" / "file_seconds.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--slower-than", type=float, default=None, metavar="SECONDS",
                     help="deselect tests that took longer than SECONDS in the last run that timed them")


def _file(nodeid: str) -> str:
    return nodeid.split("::", 1)[0]


@functools.cache
def _drives_foundry_local(file: str) -> bool:
    """Whether test file ``file`` (relative to the root) is marked ``foundry_local``: read from its source, since
    the xdist controller that schedules files collects no tests."""
    path = Path(__file__).resolve().parent / file
    return path.suffix == ".py" and path.is_file() and "mark.foundry_local" in path.read_text(encoding="utf-8")


def _scope(nodeid: str) -> str:
    """The unit pytest-xdist hands to one worker: a file, except that all ``foundry_local`` files form one unit.

    They take turns anyway (the lock above); on one worker, in a row, no other worker sits waiting for the lock."""
    file = _file(nodeid)
    return "foundry_local" if _drives_foundry_local(file) else file


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """``--dist loadfile`` with :func:`_scope` as the unit (xdist's documented hook for a custom scheduler)."""
    if config.getoption("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class ScopeScheduling(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return _scope(nodeid)

    return ScopeScheduling(config, log)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if item.nodeid.split("::", 1)[0].endswith(".ipynb"):
            item.add_marker(pytest.mark.notebook)
        if "chromium_executable" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)
    cache = getattr(config, "cache", None)
    limit = config.getoption("--slower-than")
    if limit is not None and cache is not None:
        timed = cache.get(_TEST_SECONDS, {})
        slow = [item for item in items if timed.get(item.nodeid, 0.0) > limit]
        if slow:
            config.hook.pytest_deselected(items=slow)
            items[:] = [item for item in items if timed.get(item.nodeid, 0.0) <= limit]
    # The snapshot fills in what the cache lacks (a fresh checkout, or one after only `make test-fast`).
    seconds: dict[str, float] = {**_seed_seconds(), **(cache.get(_FILE_SECONDS, {}) if cache is not None else {})}
    if seconds:
        scope_seconds: defaultdict[str, float] = defaultdict(float)
        for file in dict.fromkeys(_file(item.nodeid) for item in items):
            scope_seconds[_scope(file)] += seconds.get(file, 0.0)
        first_seen = {s: i for i, s in enumerate(dict.fromkeys(_scope(item.nodeid) for item in items))}
        items.sort(key=lambda item: (-scope_seconds[_scope(item.nodeid)], first_seen[_scope(item.nodeid)]))


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    _measured[_file(report.nodeid)] += report.duration
    _measured_tests[report.nodeid] += report.duration


def pytest_sessionfinish(session: pytest.Session) -> None:
    config = session.config
    if _measured and getattr(config, "cache", None) and not hasattr(config, "workerinput"):
        config.cache.set(_FILE_SECONDS, {**config.cache.get(_FILE_SECONDS, {}), **_measured})
        config.cache.set(_TEST_SECONDS, {**config.cache.get(_TEST_SECONDS, {}), **_measured_tests})
