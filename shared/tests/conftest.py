"""Fixtures of the package's own tests (they also run alone: `pytest shared/tests`)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from foundry_workshop.settings import ENV_VARS

if TYPE_CHECKING:  # imported where used: the xdist controller loads this file too, but runs no test
    import openai

    from foundry_workshop.mock import MockServer


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path) -> pytest.MonkeyPatch:
    """No workshop variables and no .env: each test states the settings it relies on."""
    for var in ENV_VARS.values():
        monkeypatch.delenv(var, raising=False)
    monkeypatch.delenv("WORKSHOP_DOTENV", raising=False)  # these tests put their own .env in tmp_path
    monkeypatch.chdir(tmp_path)
    return monkeypatch


@pytest.fixture(scope="module")
def server() -> Iterator[MockServer]:
    """One mock server per test module (starting one per test would dominate the run time)."""
    from foundry_workshop.mock import MockServer

    with MockServer() as mock:
        yield mock


@pytest.fixture
def mock(server: MockServer) -> Iterator[MockServer]:
    """The module's mock server with no faults, default latency and no recorded requests, before and after."""
    from foundry_workshop.mock.testing import reset

    reset(server)
    yield server
    reset(server)


@pytest.fixture
def client(mock: MockServer) -> Iterator[openai.OpenAI]:
    """The official client against ``mock``: no retries, so each fault surfaces as the test expects."""
    import openai

    with openai.OpenAI(base_url=mock.url, api_key="unused", max_retries=0, timeout=10) as c:
        yield c
