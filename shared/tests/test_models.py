"""Alias -> model id resolution across Foundry Local, llama.cpp and Ollama naming."""

from __future__ import annotations

import pytest

from foundry_workshop import UnknownModelError
from foundry_workshop.models import resolve_model

FOUNDRY = [
    "qwen2.5-0.5b-instruct-generic-gpu:4",
    "qwen2.5-0.5b-instruct-generic-cpu:3",
    "qwen2.5-0.5b-instruct-generic-cpu:4",
    "phi-3.5-mini-instruct-generic-cpu:1",
    "phi-3-mini-4k-instruct-generic-cpu:2",
]


def test_exact_id_wins():
    assert resolve_model("qwen2.5-0.5b-instruct-generic-cpu:3", FOUNDRY, "x") == "qwen2.5-0.5b-instruct-generic-cpu:3"


def test_alias_prefers_cpu_then_highest_version():
    assert resolve_model("qwen2.5-0.5b", FOUNDRY, "x") == "qwen2.5-0.5b-instruct-generic-cpu:4"


def test_alias_does_not_match_a_longer_name():
    # "phi-3" must not silently pick phi-3.5: only "phi-3-..." variants belong to it.
    assert resolve_model("phi-3", FOUNDRY, "x") == "phi-3-mini-4k-instruct-generic-cpu:2"


def test_ollama_style_tag():
    assert resolve_model("llama3.2", ["llama3.2:1b", "qwen2:0.5b"], "x") == "llama3.2:1b"


def test_unknown_alias_lists_what_exists_and_where():
    with pytest.raises(UnknownModelError) as info:
        resolve_model("mistral-7b", FOUNDRY, "http://127.0.0.1:5273/v1")
    error = info.value
    assert error.available == FOUNDRY
    assert "http://127.0.0.1:5273/v1" in str(error)
    assert "phi-3.5-mini-instruct-generic-cpu:1" in str(error)
    assert "WORKSHOP_MODEL" in str(error)


def test_empty_server_says_none():
    with pytest.raises(UnknownModelError, match=r"\(none\)"):
        resolve_model("anything", [], "x")
