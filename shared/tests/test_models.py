"""Alias -> model id resolution, table-driven over id lists shaped like the real servers'.

Foundry Local ids and aliases are those of platform notes §7 (legacy SDK test data, Learn REST reference,
issue #718's `foundry model list`); Ollama tags as `ollama list` prints them; llama.cpp as `/v1/models`
lists a model served with `--alias`.
"""

from __future__ import annotations

import pytest

from foundry_workshop import UnknownModelError
from foundry_workshop.errors import AmbiguousModelError
from foundry_workshop.models import device_rank, matches_alias, order_variants, resolve_model

#: What a Foundry Local service's /v1/models could list on a Windows laptop with an NPU.
FOUNDRY = [
    "Phi-4-mini-instruct-generic-cpu:5",
    "Phi-4-mini-instruct-generic-cpu:4",
    "Phi-4-mini-instruct-cuda-gpu:5",
    "Phi-4-generic-cpu:2",
    "Phi-4-mini-reasoning-generic-cpu:3",
    "qwen2.5-0.5b-instruct-generic-cpu:4",
    "qwen2.5-1.5b-instruct-qnn-npu:2",
    "qwen2.5-1.5b-instruct-generic-cpu:4",
    "deepseek-r1-distill-qwen-7b-generic-cpu:4",
    "mistralai-Mistral-7B-Instruct-v0-2-generic-cpu:3",
]
#: The catalog's own alias for each id (GET /foundry/list), where names and aliases differ.
CATALOG = {
    "Phi-4-mini-instruct-generic-cpu:5": "phi-4-mini",
    "Phi-4-mini-instruct-generic-cpu:4": "phi-4-mini",
    "Phi-4-mini-instruct-cuda-gpu:5": "phi-4-mini",
    "Phi-4-generic-cpu:2": "phi-4",
    "Phi-4-mini-reasoning-generic-cpu:3": "phi-4-mini-reasoning",
    "qwen2.5-0.5b-instruct-generic-cpu:4": "qwen2.5-0.5b",
    "qwen2.5-1.5b-instruct-qnn-npu:2": "qwen2.5-1.5b",
    "qwen2.5-1.5b-instruct-generic-cpu:4": "qwen2.5-1.5b",
    "deepseek-r1-distill-qwen-7b-generic-cpu:4": "deepseek-r1-7b",
    "mistralai-Mistral-7B-Instruct-v0-2-generic-cpu:3": "mistral-7b-v0.2",
}
OLLAMA = ["llama3.2:1b", "llama3.2:3b", "qwen2:0.5b", "smollm2:latest"]
LLAMA_CPP = ["smollm2-135m-instruct"]

RESOLVES = [
    # (requested, ids, keyword arguments, expected id)
    ("phi-4-mini", FOUNDRY, {}, "Phi-4-mini-instruct-cuda-gpu:5"),  # gpu before cpu when all are cached
    ("phi-4-mini", FOUNDRY, {"cached": {"Phi-4-mini-instruct-generic-cpu:5"}}, "Phi-4-mini-instruct-generic-cpu:5"),
    ("phi-4-mini", FOUNDRY, {"loaded": {"Phi-4-mini-instruct-generic-cpu:4"}}, "Phi-4-mini-instruct-generic-cpu:4"),
    ("PHI-4-MINI", FOUNDRY[:2], {}, "Phi-4-mini-instruct-generic-cpu:5"),  # case-insensitive, higher version
    ("phi-4", FOUNDRY, {}, "Phi-4-generic-cpu:2"),  # never a phi-4-mini-* variant
    ("phi-4-mini-reasoning", FOUNDRY, {}, "Phi-4-mini-reasoning-generic-cpu:3"),
    ("qwen2.5-1.5b", FOUNDRY, {}, "qwen2.5-1.5b-instruct-qnn-npu:2"),  # npu first
    ("qwen2.5-1.5b", FOUNDRY, {"cached": {"qwen2.5-1.5b-instruct-generic-cpu:4"}},
     "qwen2.5-1.5b-instruct-generic-cpu:4"),
    ("qwen2.5-0.5b-instruct-generic-cpu:4", FOUNDRY, {}, "qwen2.5-0.5b-instruct-generic-cpu:4"),  # exact id
    ("phi-4-mini-instruct-generic-cpu:4", FOUNDRY, {}, "Phi-4-mini-instruct-generic-cpu:4"),  # id, other casing
    ("mistral-7b-v0.2", FOUNDRY, {"catalog": CATALOG}, "mistralai-Mistral-7B-Instruct-v0-2-generic-cpu:3"),
    ("deepseek-r1-7b", FOUNDRY, {"catalog": CATALOG}, "deepseek-r1-distill-qwen-7b-generic-cpu:4"),
    ("phi-4-mini", FOUNDRY, {"catalog": CATALOG, "cached": {"Phi-4-mini-instruct-generic-cpu:4"}},
     "Phi-4-mini-instruct-generic-cpu:4"),
    ("llama3.2:3b", OLLAMA, {}, "llama3.2:3b"),
    ("qwen2", OLLAMA, {}, "qwen2:0.5b"),  # one tag only: no ambiguity
    ("smollm2", OLLAMA, {}, "smollm2:latest"),
    ("smollm2-135m-instruct", LLAMA_CPP, {}, "smollm2-135m-instruct"),
]


@pytest.mark.parametrize(("requested", "ids", "kwargs", "expected"), RESOLVES)
def test_resolves(requested, ids, kwargs, expected):
    assert resolve_model(requested, ids, "http://127.0.0.1:5273/v1", **kwargs) == expected


AMBIGUOUS = [
    # (requested, ids, keyword arguments, candidates the error must list)
    ("qwen2.5", FOUNDRY, {}, ["qwen2.5-0.5b-instruct-generic-cpu:4", "qwen2.5-1.5b-instruct-qnn-npu:2"]),
    ("llama3.2", OLLAMA, {}, ["llama3.2:1b", "llama3.2:3b"]),
    ("phi", FOUNDRY, {}, ["Phi-4-mini-instruct-generic-cpu:5", "Phi-4-generic-cpu:2"]),
    ("mistral-7b", FOUNDRY, {"catalog": CATALOG}, ["mistral-7b-v0.2"]),  # the catalog's aliases are suggested
    ("gemma-2b", FOUNDRY, {"catalog": CATALOG}, []),  # no such alias at all: unknown, every id listed
]


@pytest.mark.parametrize(("requested", "ids", "kwargs", "listed"), AMBIGUOUS)
def test_refuses_to_guess_and_lists_candidates(requested, ids, kwargs, listed):
    with pytest.raises(UnknownModelError) as info:
        resolve_model(requested, ids, "http://127.0.0.1:5273/v1", **kwargs)
    message = str(info.value)
    assert "WORKSHOP_MODEL" in message and "http://127.0.0.1:5273/v1" in message
    for model_id in listed or ids:
        assert model_id in message
    assert isinstance(info.value, AmbiguousModelError) == bool(listed)


def test_unknown_alias_lists_everything_and_where():
    with pytest.raises(UnknownModelError) as info:
        resolve_model("gemma-2b", FOUNDRY, "http://127.0.0.1:5273/v1")
    assert info.value.available == FOUNDRY
    assert not isinstance(info.value, AmbiguousModelError)


def test_empty_server_says_none():
    with pytest.raises(UnknownModelError, match=r"\(none\)"):
        resolve_model("anything", [], "x")


@pytest.mark.parametrize(("alias", "model_id", "expected"), [
    ("phi-4-mini", "Phi-4-mini-instruct-generic-cpu:5", True),
    ("phi-4", "Phi-4-mini-instruct-generic-cpu:5", False),
    ("phi-4", "Phi-4-generic-cpu:2", True),
    ("phi-3.5-mini", "phi-3.5-mini-instruct-generic-cpu:1", True),
    ("phi-3", "phi-3.5-mini-instruct-generic-cpu:1", False),
    ("phi-3-mini", "phi-3-mini-4k-instruct-generic-cpu:2", False),  # "-4k" is not a variant suffix
    ("qwen2.5-1.5b", "qwen2.5-1.5b-instruct-openvino-npu:3", True),
    ("llama3.2", "llama3.2:1b", True),
    ("llama3.2", "llama3.2-vision:11b", False),
])
def test_name_rule(alias, model_id, expected):
    assert matches_alias(alias, model_id) is expected


def test_device_order_is_foundry_locals():
    ids = ["m-generic-cpu:1", "m-intel-cpu:1", "m-generic-gpu:1", "m-cuda-gpu:1", "m-trtrtx-gpu:1", "m-qnn-npu:1"]
    assert order_variants(ids) == ["m-qnn-npu:1", "m-trtrtx-gpu:1", "m-cuda-gpu:1", "m-generic-gpu:1",
                                   "m-intel-cpu:1", "m-generic-cpu:1"]
    assert device_rank("llama3.2:1b") > device_rank("m-generic-cpu:1")
