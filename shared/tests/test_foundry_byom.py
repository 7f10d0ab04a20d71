"""Real Foundry Local (SDK v2, ONNX Runtime GenAI) serving the converted SmolLM2 offline over HTTP.

Needs the model that `make foundry-model` builds (`make test` builds it first); skipped with that advice
when it is absent. The error-path tests need no model.
"""

from __future__ import annotations

import json

import openai
import pytest
import requests

from foundry_workshop import CatalogUnavailableError, connect
from foundry_workshop.byom import build
from foundry_workshop.byom.local_catalog import (
    CATALOG_PATH,
    LocalCatalogBroken,
    LocalCatalogServer,
    catalog_entry,
    verify_served,
)
from foundry_workshop.byom.store import ALIAS, Store
from foundry_workshop.mock import MockServer

pytestmark = pytest.mark.foundry_local  # real Foundry Local: one such module at a time

pytest.importorskip("foundry_local_sdk")
needs_model = pytest.mark.skipif(
    not Store.default().built, reason="no converted model: run `make foundry-model` (make test does it)"
)


@needs_model
def test_foundry_local_serves_the_converted_model_and_streams_an_on_topic_answer(clean_env):
    with connect(backend="foundry", model=ALIAS) as conn:
        assert conn.backend == "foundry"
        assert conn.model == "smollm2-135m-instruct-generic-cpu:1"
        assert conn.list_models() == ["smollm2-135m-instruct-generic-cpu:1"]
        pieces, usage = [], None
        for chunk in conn.client.chat.completions.create(
            model=conn.model,
            messages=[{"role": "user", "content": "What is the capital of France? Answer in one sentence."}],
            temperature=0, max_tokens=30, stream=True, stream_options={"include_usage": True},
        ):
            usage = chunk.usage or usage
            pieces += [c.delta.content for c in chunk.choices if c.delta.content]
        answer = "".join(pieces)
        assert "Paris" in answer, answer
        assert usage is not None and usage.completion_tokens >= len(pieces) > 1
        assert conn.health()["ok"]


@needs_model
def test_model_not_loaded_is_reported_with_the_fix(clean_env):
    with connect(backend="foundry", model=ALIAS) as conn:
        conn.details["sdk_model"].unload()
        health = conn.health()
        assert not health["ok"]
        assert f"/models/load/{ALIAS}" in health["problems"][0]
        with pytest.raises(openai.BadRequestError, match="not loaded"):
            conn.client.with_options(max_retries=0).chat.completions.create(
                model=conn.model, messages=[{"role": "user", "content": "hi"}], max_tokens=5
            )
        # The fix the message gives works.
        assert requests.get(f"{conn.root_url}/models/load/{ALIAS}", timeout=30).status_code == 200
        assert conn.health()["ok"]


@needs_model
def test_unknown_alias_offline_names_what_is_available_locally(clean_env):
    with pytest.raises(CatalogUnavailableError) as info:
        connect(backend="foundry", model="phi-4-mini")
    assert "phi-4-mini" in str(info.value) and ALIAS in str(info.value)


def test_missing_conversion_says_how_to_build_it(clean_env, tmp_path):
    clean_env.setenv("WORKSHOP_BYOM_DIR", str(tmp_path / "empty-store"))
    with pytest.raises(CatalogUnavailableError, match="make foundry-model"):
        connect(backend="foundry", model=ALIAS, foundry_cache_dir=str(tmp_path / "cache"))


def test_missing_conversion_environment_is_explained(tmp_path):
    with pytest.raises(SystemExit, match=r"requirements-convert\.txt"):
        build.convert(Store(tmp_path), tmp_path / "no-venv" / "bin" / "python", force=False)


def test_failed_conversion_shows_the_end_of_its_log(tmp_path):
    failing = tmp_path / "python"
    failing.write_text("#!/bin/sh\necho 'onnxruntime_genai builder: out of memory'\nexit 3\n")
    failing.chmod(0o755)
    with pytest.raises(SystemExit) as info:
        build.convert(Store(tmp_path / "store"), failing, force=True)
    message = str(info.value)
    assert "exit code 3" in message and "out of memory" in message and "convert.log" in message
    assert not Store(tmp_path / "store").onnx_dir().exists()  # nothing half-made is left to be mistaken for a model


def test_local_catalog_speaks_the_catalog_wire_format(tmp_path):
    entry = catalog_entry("m-generic-cpu", 3, "m", license="mit", publisher="p", display_name="M")
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps({"value": [entry]}))
    server = LocalCatalogServer(path).start()
    try:
        assert server.url.endswith(CATALOG_PATH) and server.url.startswith("http://127.0.0.1:")
        answer = requests.post(server.url, json={"filters": [], "pageSize": 50}, timeout=5).json()
        assert answer == {"value": [entry]}
        assert requests.post(server.url.replace("models", "other"), json={}, timeout=5).status_code == 404
    finally:
        server.stop()
    assert entry["annotations"]["tags"]["alias"] == "m"
    assert entry["annotations"]["systemCatalogData"]["inferenceTasks"] == ["chat-completion"]
    assert (entry["properties"]["name"], entry["properties"]["version"]) == ("m-generic-cpu", 3)


def test_workaround_fails_loudly_when_the_service_does_not_list_the_model():
    with MockServer() as server, pytest.raises(LocalCatalogBroken) as info:
        verify_served(server.url, "smollm2-135m-instruct-generic-cpu:9")
    message = str(info.value)
    assert "foundry-local-sdk" in message and "local_catalog.py" in message and "bundled" in message
