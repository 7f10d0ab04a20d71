"""The one resolution path: explicit > environment > .env > default."""

from __future__ import annotations

import os

import pytest

from foundry_workshop import ConfigurationError, UnknownBackendError, describe, from_env, resolve
from foundry_workshop.settings import DEFAULT_MODEL, default_threads, env_value


def test_defaults_without_environment(clean_env):
    settings = resolve()
    assert (settings.backend, settings.model, settings.endpoint, settings.port) == ("bundled", DEFAULT_MODEL, None, 0)


def test_environment_beats_default(clean_env):
    clean_env.setenv("WORKSHOP_BACKEND", "mock")
    clean_env.setenv("WORKSHOP_MODEL", "qwen2.5-0.5b")
    clean_env.setenv("WORKSHOP_PORT", "8123")
    settings = resolve()
    assert (settings.backend, settings.model, settings.port) == ("mock", "qwen2.5-0.5b", 8123)


def test_explicit_beats_environment_and_none_means_not_given(clean_env):
    clean_env.setenv("WORKSHOP_BACKEND", "mock")
    clean_env.setenv("WORKSHOP_MODEL", "qwen2.5-0.5b")
    settings = resolve(backend="endpoint", model=None)
    assert settings.backend == "endpoint"
    assert settings.model == "qwen2.5-0.5b"


def test_dotenv_is_found_from_a_subfolder_and_loses_to_the_environment(clean_env, tmp_path):
    (tmp_path / ".env").write_text("WORKSHOP_MODEL=from-dotenv\nWORKSHOP_BACKEND=endpoint\n")
    sub = tmp_path / "notebooks"
    sub.mkdir()
    clean_env.chdir(sub)  # nbval runs notebooks with their folder as cwd
    clean_env.setenv("WORKSHOP_BACKEND", "mock")
    assert from_env("model") == "from-dotenv"
    assert from_env("backend") == "mock"


def test_empty_environment_value_counts_as_unset(clean_env):
    clean_env.setenv("WORKSHOP_MODEL", "")
    assert from_env("model") == DEFAULT_MODEL


def test_unknown_backend_lists_the_valid_ones(clean_env):
    with pytest.raises(UnknownBackendError) as info:
        resolve(backend="olama")
    message = str(info.value)
    for name in ("bundled", "foundry", "endpoint", "mock"):
        assert name in message
    assert "'olama'" in message


def test_backend_name_is_case_insensitive(clean_env):
    assert resolve(backend=" Mock ").backend == "mock"


def test_bad_number_names_the_variable(clean_env):
    clean_env.setenv("WORKSHOP_PORT", "eighty")
    with pytest.raises(ConfigurationError, match="WORKSHOP_PORT"):
        resolve()


def test_unknown_setting_is_refused(clean_env):
    with pytest.raises(ConfigurationError, match="colour"):
        resolve(colour="blue")
    with pytest.raises(ConfigurationError):
        from_env("colour")


def test_api_key_is_never_shown(clean_env):
    clean_env.setenv("OPENAI_API_KEY", "sk-very-secret")
    settings = resolve()
    assert settings.api_key == "sk-very-secret"
    assert "sk-very-secret" not in repr(settings)
    assert "sk-very-secret" not in str(describe(settings))
    assert describe(settings)["api_key"] == "set"


def test_dotenv_can_be_switched_off_for_test_runs(clean_env, tmp_path):
    (tmp_path / ".env").write_text("WORKSHOP_MODEL=from-dotenv\n")
    assert from_env("model") == "from-dotenv"
    clean_env.setenv("WORKSHOP_DOTENV", "0")
    assert from_env("model") == DEFAULT_MODEL


def test_empty_value_can_mean_none_where_a_variable_says_so(clean_env, tmp_path):
    (tmp_path / ".env").write_text("BENCH_CONCURRENCY=\n")
    assert env_value("BENCH_CONCURRENCY") is None
    assert env_value("BENCH_CONCURRENCY", empty_is_unset=False) == ""


def test_azure_uses_the_deployment_only_when_no_model_was_asked_for(clean_env):
    clean_env.setenv("AZURE_AI_MODEL_DEPLOYMENT_NAME", "gpt-4o-mini")
    assert resolve(backend="azure").model == "gpt-4o-mini"
    # Asked for explicitly, the local default's name is kept: Azure then says it has no such deployment.
    assert resolve(backend="azure", model=DEFAULT_MODEL).model == DEFAULT_MODEL
    clean_env.setenv("WORKSHOP_MODEL", "o3-mini")
    assert resolve(backend="azure").model == "o3-mini"
    assert resolve(backend="bundled").model == "o3-mini"


@pytest.mark.parametrize("cpus, threads", [(None, 1), (1, 1), (2, 1), (3, 1), (4, 2), (8, 4), (64, 4)])
def test_llama_cpp_gets_half_the_cpus_by_default(monkeypatch, cpus, threads):
    monkeypatch.setattr(os, "cpu_count", lambda: cpus)
    assert default_threads() == threads


def test_threads_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("WORKSHOP_THREADS", "3")
    assert resolve().threads == 3
    monkeypatch.setenv("WORKSHOP_THREADS", "-1")
    with pytest.raises(ConfigurationError, match="WORKSHOP_THREADS must be 0"):
        resolve()
    monkeypatch.setenv("WORKSHOP_THREADS", "many")
    with pytest.raises(ConfigurationError, match="WORKSHOP_THREADS must be a whole number, got 'many'"):
        resolve()
