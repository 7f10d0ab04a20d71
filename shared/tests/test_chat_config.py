"""The seed's MODEL / BASE_URL / API_KEY join the package's one resolution path as explicit arguments."""

from __future__ import annotations

import pytest

from foundry_workshop import connect, resolve
from foundry_workshop.chat.config import SEED_VARIABLES, connect_kwargs
from foundry_workshop.errors import ConfigurationError


@pytest.fixture
def env(clean_env):
    """No workshop variables, no seed variables, no .env."""
    for var in SEED_VARIABLES:
        clean_env.delenv(var, raising=False)
    return clean_env


def test_nothing_set_falls_through_to_the_defaults(env):
    kwargs = connect_kwargs()
    assert kwargs == {"model": None, "endpoint": None, "api_key": None, "backend": None}
    settings = resolve(**kwargs)
    assert (settings.backend, settings.model, settings.endpoint) == ("bundled", "smollm2-135m-instruct", None)


def test_seed_variables_map_onto_the_settings(env):
    env.setenv("MODEL", "qwen2.5-0.5b")
    env.setenv("BASE_URL", "http://127.0.0.1:51211")
    env.setenv("API_KEY", "sk-local-123")
    settings = resolve(**connect_kwargs())
    assert settings.model == "qwen2.5-0.5b"
    assert settings.endpoint == "http://127.0.0.1:51211"
    assert settings.api_key == "sk-local-123"
    assert settings.backend == "endpoint", "BASE_URL alone means: use the server at that URL"
    assert "sk-local-123" not in repr(settings)


def test_seed_variables_win_over_the_workshop_variables(env):
    env.setenv("WORKSHOP_MODEL", "phi-3.5-mini")
    env.setenv("MODEL", "qwen2.5-0.5b")
    env.setenv("FOUNDRY_LOCAL_ENDPOINT", "http://127.0.0.1:1111/v1")
    env.setenv("BASE_URL", "http://127.0.0.1:2222/v1")
    settings = resolve(**connect_kwargs())
    assert (settings.model, settings.endpoint) == ("qwen2.5-0.5b", "http://127.0.0.1:2222/v1")


def test_workshop_variables_still_apply_when_the_seed_ones_are_unset(env):
    env.setenv("WORKSHOP_MODEL", "phi-3.5-mini")
    env.setenv("MODEL", "  ")  # blank counts as unset
    assert resolve(**connect_kwargs()).model == "phi-3.5-mini"


def test_an_explicit_backend_is_kept_with_base_url(env):
    env.setenv("WORKSHOP_BACKEND", "mock")
    env.setenv("BASE_URL", "http://127.0.0.1:2222/v1")
    kwargs = connect_kwargs()
    assert kwargs["backend"] is None  # resolve() reads WORKSHOP_BACKEND itself
    assert resolve(**kwargs).backend == "mock"


def test_backend_chosen_in_dotenv_counts_as_chosen(env, tmp_path):
    (tmp_path / ".env").write_text("WORKSHOP_BACKEND=endpoint\n")
    env.setenv("BASE_URL", "http://127.0.0.1:2222/v1")
    assert connect_kwargs()["backend"] is None
    assert resolve(**connect_kwargs()).backend == "endpoint"


@pytest.mark.parametrize("backend", ["bundled", "foundry"])
def test_base_url_with_a_self_serving_backend_is_refused(env, backend):
    env.setenv("WORKSHOP_BACKEND", backend)
    env.setenv("BASE_URL", "http://127.0.0.1:2222/v1")
    with pytest.raises(ConfigurationError, match=f"WORKSHOP_BACKEND={backend}.*Unset BASE_URL"):
        connect_kwargs()


def test_alias_from_model_is_resolved_to_the_full_id(env, mock_server):
    """The seed's sample sent the alias as the model id; through connect() the app gets the id the server lists."""
    env.setenv("BASE_URL", mock_server.url)
    env.setenv("MODEL", "qwen2.5-0.5b")
    with connect(**connect_kwargs()) as conn:
        assert conn.backend == "endpoint"
        assert conn.model == "qwen2.5-0.5b-instruct-generic-cpu:4"
