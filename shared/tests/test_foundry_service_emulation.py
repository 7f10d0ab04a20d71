"""The Foundry Local service emulation (`MockServer(profile="foundry-service")`) and the endpoint backend on it.

Shapes are checked against what the published clients read (the legacy SDK's required catalog fields, its
camelCase status/download keys, its "No OpenAIService provider" handling) - see the emulation's docstring.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator

import openai
import pytest
import requests

from foundry_workshop import UnknownModelError, connect
from foundry_workshop.errors import AmbiguousModelError, BackendUnavailableError
from foundry_workshop.failures import classify
from foundry_workshop.mock import MockServer
from foundry_workshop.mock.testing import reset, sse_chunks
from foundry_workshop.server_facts import FOUNDRY_SERVICE, OPENAI_COMPATIBLE, probe

#: Fields the legacy SDK (`foundry_local/models.py`, FoundryListResponseModel) requires in each catalog entry.
LEGACY_SDK_FIELDS = {
    "name", "displayName", "modelType", "providerType", "uri", "version", "promptTemplate", "publisher", "task",
    "runtime", "fileSizeMb", "modelSettings", "alias", "supportsToolCalling", "license", "licenseDescription",
    "parentModelUri", "maxOutputTokens", "minFLVersion",
}
CHAT = {"messages": [{"role": "user", "content": "hi"}]}
PHI_CPU = "Phi-4-mini-instruct-generic-cpu:5"


@pytest.fixture(scope="module")
def service_server() -> Iterator[MockServer]:
    with MockServer(profile="foundry-service") as server:
        yield server


@pytest.fixture
def service(service_server: MockServer) -> Iterator[MockServer]:
    """The module's emulation with its start-up state: only the course model loaded."""
    reset(service_server)
    requests.get(f"{service_server.root_url}/openai/unloadall", timeout=5)
    requests.get(f"{service_server.root_url}/openai/load/smollm2-135m-instruct-generic-cpu:1", timeout=5)
    yield service_server
    reset(service_server)


def get(server: MockServer, path: str) -> requests.Response:
    return requests.get(server.root_url + path, timeout=5)


def test_catalog_lists_every_variant_with_the_fields_clients_read(service):
    catalog = get(service, "/foundry/list").json()
    assert isinstance(catalog, list)  # a bare array, not an OpenAI list object
    assert all(set(entry) >= LEGACY_SDK_FIELDS for entry in catalog)
    by_id = {entry["name"]: entry for entry in catalog}
    assert by_id[PHI_CPU]["alias"] == "phi-4-mini"
    assert by_id["Phi-4-mini-instruct-generic-gpu:5"]["runtime"] == {
        "deviceType": "GPU", "executionProvider": "WebGpuExecutionProvider"}
    assert by_id["mistralai-Mistral-7B-Instruct-v0-2-generic-cpu:3"]["alias"] == "mistral-7b-v0.2"


def test_cached_loaded_and_v1_models(service):
    cached = get(service, "/openai/models").json()
    assert PHI_CPU in cached and "Phi-4-generic-cpu:2" not in cached
    assert get(service, "/openai/loadedmodels").json() == ["smollm2-135m-instruct-generic-cpu:1"]
    listing = get(service, "/v1/models").json()
    assert [m["id"] for m in listing["data"]] == cached  # /v1/models lists what is downloaded
    assert listing["Successful"] is True and listing["IsDelta"] is False and listing["object"] == "list"


def test_load_unload_and_unload_all(service):
    load = get(service, f"/openai/load/{PHI_CPU}?ttl=600")
    assert (load.status_code, load.text) == (200, "")
    assert PHI_CPU in get(service, "/openai/loadedmodels").json()
    assert get(service, f"/openai/unload/{PHI_CPU}?force=true").status_code == 200
    assert PHI_CPU not in get(service, "/openai/loadedmodels").json()
    get(service, f"/openai/load/{PHI_CPU}")
    assert get(service, "/openai/unloadall").status_code == 200
    assert get(service, "/openai/loadedmodels").json() == []


def test_load_of_what_is_not_downloaded_says_no_provider(service):
    answer = get(service, "/openai/load/Phi-4-generic-cpu:2")
    assert answer.status_code == 400
    assert "No OpenAIService provider found for modelName" in answer.text  # what the legacy SDK looks for


def test_status_in_the_clients_camel_case(service):
    status = get(service, "/openai/status").json()
    assert status["endpoints"] == [service.root_url] and status["modelDirPath"] and status["pipeName"]


def test_download_streams_progress_then_json_and_caches_the_model():
    with MockServer(profile="foundry-service") as server:  # its own server: the download changes the cache
        check_download(server)


def check_download(service_server: MockServer) -> None:
    body = {"model": {"Name": "Phi-4-generic-cpu:2", "Uri": "azureml://registries/azureml/models/x/versions/2",
                      "ProviderType": "AzureFoundryLocal"}, "IgnorePipeReport": True}
    with requests.post(f"{service_server.root_url}/openai/download", json=body, stream=True, timeout=5) as answer:
        lines = [line.decode() for line in answer.iter_lines() if line]
    assert all("%" in line for line in lines[:-1]) and len(lines) > 2
    assert json.loads(lines[-1]) == {"success": True, "errorMessage": None}
    assert "Phi-4-generic-cpu:2" in get(service_server, "/openai/models").json()
    unknown = requests.post(f"{service_server.root_url}/openai/download", json={"model": {"Name": "nope:1"}}, timeout=5)
    assert json.loads(unknown.text.strip().splitlines()[-1])["success"] is False


@pytest.mark.parametrize("model", ["phi-4-mini", PHI_CPU, "no-such-model"])
def test_chat_needs_the_exact_id_of_a_loaded_model(service, model):
    # An alias, a downloaded-but-unloaded id, an unknown name: 400 with no body, as the service answers.
    answer = requests.post(f"{service.url}/chat/completions", json={"model": model, **CHAT}, timeout=5)
    assert (answer.status_code, answer.text) == (400, "")


def test_the_empty_400_is_explained_as_a_model_to_name_in_full_and_load(service):
    client = openai.OpenAI(base_url=service.url, api_key="unused", max_retries=0)
    with pytest.raises(openai.BadRequestError) as caught:
        client.chat.completions.create(model="phi-4-mini", **CHAT)
    failure = classify(caught.value, endpoint=service.url, model="phi-4-mini")
    assert failure.kind == "not_found" and not failure.retryable
    assert "/v1/models" in failure.message and "load" in failure.message and "new chat" not in failure.message


def test_chat_on_a_loaded_model_carries_the_service_fields(service):
    get(service, f"/openai/load/{PHI_CPU}")
    body = requests.post(f"{service.url}/chat/completions", json={"model": PHI_CPU, **CHAT}, timeout=5).json()
    assert body["choices"][0]["message"]["content"] and body["Successful"] is True
    with requests.post(f"{service.url}/chat/completions", json={"model": PHI_CPU, "stream": True, **CHAT},
                       stream=True, timeout=5) as stream:
        chunks = sse_chunks(stream.iter_lines())
    assert all({"IsDelta", "Successful", "HttpStatusCode", "CreatedAt"} <= set(c) for c in chunks)
    client = openai.OpenAI(base_url=service.url, api_key="OPENAI_API_KEY", max_retries=0)
    text = "".join(c.choices[0].delta.content or "" for c in client.chat.completions.create(
        model=PHI_CPU, stream=True, **CHAT) if c.choices)
    assert text == body["choices"][0]["message"]["content"]


def test_token_count_route(service):
    answer = requests.post(f"{service.url}/chat/completions/tokenizer/encode/count",
                           json={"model": PHI_CPU, **CHAT}, timeout=5)
    assert answer.json()["tokenCount"] > 0


def test_faults_reach_the_service_routes(service):
    service.add_fault("503", route="models", retry_after=2)
    loading = get(service, "/v1/models")
    assert loading.status_code == 503 and loading.headers["retry-after"] == "2"
    service.add_fault("429")
    answer = requests.post(f"{service.url}/chat/completions",
                           json={"model": "smollm2-135m-instruct-generic-cpu:1", **CHAT}, timeout=5)
    assert answer.status_code == 429


def test_probe_tells_the_service_from_a_plain_server(service, mock):
    facts = probe(service.root_url)
    assert facts.kind == FOUNDRY_SERVICE and facts.catalog[PHI_CPU] == "phi-4-mini"
    assert facts.loaded == {"smollm2-135m-instruct-generic-cpu:1"} and PHI_CPU in facts.cached
    assert probe(mock.root_url).kind == OPENAI_COMPATIBLE


def test_endpoint_backend_resolves_by_catalog_and_loads(service, clean_env):
    with connect("endpoint", "phi-4-mini", endpoint=service.url) as conn:
        assert conn.model == PHI_CPU  # the downloaded cpu variant, not the gpu one that is not downloaded
        assert conn.details["server"] == FOUNDRY_SERVICE and conn.details["loaded_by_connect"]
        reply = conn.client.chat.completions.create(model=conn.model, **CHAT)
        assert reply.choices[0].message.content


def test_endpoint_backend_explains_what_is_missing(service, clean_env):
    with pytest.raises(BackendUnavailableError, match=r"not downloaded.*foundry model download phi-4\b"):
        connect("endpoint", "phi-4", endpoint=service.url)
    with pytest.raises(AmbiguousModelError, match=r"qwen2\.5-0\.5b.*qwen2\.5-1\.5b"):
        connect("endpoint", "qwen2.5", endpoint=service.url)
    with pytest.raises(UnknownModelError, match="gemma"):
        connect("endpoint", "gemma", endpoint=service.url)


def test_cli_serves_the_profile():
    process = subprocess.Popen([sys.executable, "-m", "foundry_workshop.mock", "--profile", "foundry-service"],
                               stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip().rsplit(" ", 1)[-1]
        catalog = requests.get(url.removesuffix("/v1") + "/foundry/list", timeout=5).json()
        assert {entry["alias"] for entry in catalog} >= {"phi-4-mini", "qwen2.5-0.5b"}
    finally:
        process.terminate()
        process.wait(10)
