"""Fixtures of the package's own tests (they also run alone: `pytest shared/tests`)."""

from __future__ import annotations

import pytest

from foundry_workshop.settings import ENV_VARS


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path) -> pytest.MonkeyPatch:
    """No workshop variables and no .env: each test states the settings it relies on."""
    for var in ENV_VARS.values():
        monkeypatch.delenv(var, raising=False)
    monkeypatch.chdir(tmp_path)
    return monkeypatch
