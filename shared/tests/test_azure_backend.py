"""The azure backend on the package's one resolution path: connect(backend="azure") against the emulation."""

from __future__ import annotations

import gc
import sys

import openai
import pytest
from azure.ai.inference import ChatCompletionsClient
from azure.ai.inference.models import UserMessage

from foundry_workshop import BackendUnavailableError, ConfigurationError, connect, describe, resolve
from foundry_workshop.backends import azure as azure_backend
from foundry_workshop.mock import reply_text
from foundry_workshop.mock.azure import AzureDeployment, AzureEmulator
from foundry_workshop.mock.testing import FakeCredential, reset

DEPLOYMENTS = (AzureDeployment("gpt-5.4-mini", "gpt-5.4-mini-2026-03-17"),
               AzureDeployment("gpt-4o-mini", "gpt-4o-mini-2024-07-18"),
               AzureDeployment("mistral-large", "Mistral-Large-2411"))
USER = [{"role": "user", "content": "Hello from the course"}]
SECRET = "azure-key-never-shown-31337"


@pytest.fixture(scope="module")
def azure():
    with AzureEmulator(DEPLOYMENTS, api_key=SECRET) as emulator:
        yield emulator


@pytest.fixture(autouse=True)
def _clean(azure):
    reset(azure)


def test_connect_gives_one_call_shape_and_the_inference_client(clean_env, azure):
    with connect(backend="azure", **azure.connect_settings()) as conn:
        # The GA v1 API by default: the plain OpenAI client on <resource>/openai/v1/, no api-version.
        assert type(conn.client) is openai.OpenAI and conn.client.base_url == f"{azure.openai_endpoint}/openai/v1/"
        assert conn.model == "gpt-5.4-mini"  # the default deployment, since model is the local default
        reply = conn.client.chat.completions.create(model=conn.model, messages=USER)
        assert reply.choices[0].message.content == reply_text(USER, "gpt-5.4-mini-2026-03-17")
        inference = conn.details["inference_client"]
        assert isinstance(inference, ChatCompletionsClient)
        answer = inference.complete(messages=[UserMessage(content=USER[0]["content"])], model=conn.model)
        assert answer.choices[0].message.content == reply.choices[0].message.content
    paths = [r["path"] for r in azure.requests]
    assert paths == ["/openai/v1/chat/completions", "/models/chat/completions"]
    assert azure.requests[0]["query"] == {} and azure.requests[0]["headers"]["authorization"] == "***"


def test_settings_come_from_azure_environment_variables(clean_env, azure):
    clean_env.setenv("AZURE_INFERENCE_ENDPOINT", azure.inference_endpoint)  # the openai endpoint is derived
    clean_env.setenv("AZURE_INFERENCE_CREDENTIAL", SECRET)
    clean_env.setenv("AZURE_AI_MODEL_DEPLOYMENT_NAME", "mistral-large")
    clean_env.setenv("AZURE_OPENAI_API_VERSION", "2024-06-01")
    clean_env.setenv("WORKSHOP_BACKEND", "azure")
    with connect() as conn:  # a dated api-version: the seed's openai.AzureOpenAI on /openai/deployments/...
        assert (conn.endpoint, conn.model, conn.api_version) == (azure.openai_endpoint, "mistral-large", "2024-06-01")
        assert isinstance(conn.client, openai.AzureOpenAI)
        conn.client.chat.completions.create(model=conn.model, messages=USER)
        with connect(model="gpt-4o-mini") as explicit:  # an explicit model names the deployment
            assert explicit.model == "gpt-4o-mini"
    assert azure.requests[0]["query"] == {"api-version": "2024-06-01"}


def test_the_key_is_never_shown(clean_env, azure):
    with connect(backend="azure", **azure.connect_settings()) as conn:
        shown = f"{conn!r} {conn.summary()} {conn._repr_markdown_()} {describe(resolve(azure_api_key=SECRET))}"
        assert SECRET not in shown
        assert conn.summary()["auth"] == "key (set)" and conn.headers["api-key"] == SECRET


def test_an_unknown_deployment_fails_on_first_use_with_azures_message(clean_env, azure):
    with connect(backend="azure", model="gpt-5-typo", **azure.connect_settings()) as conn:
        with pytest.raises(openai.NotFoundError, match="deployment for this resource does not exist"):
            conn.client.chat.completions.create(model=conn.model, messages=USER)
        health = conn.health()
        assert not health["ok"] and "gpt-5-typo" in health["problems"][0]


def test_health_and_list_models(clean_env, azure):
    with connect(backend="azure", **azure.connect_settings()) as conn:
        assert conn.health() == {"ok": True, "endpoint": azure.openai_endpoint, "model": "gpt-5.4-mini",
                                 "problems": []}
        assert conn.list_models() == ["Mistral-Large-2411", "gpt-4o-mini-2024-07-18", "gpt-5.4-mini-2026-03-17"]
        assert azure.requests[-1]["path"] == "/openai/v1/models"
        assert azure.requests[-2]["json"]["max_completion_tokens"] == 16  # reasoning deployments refuse max_tokens
    with (connect(backend="azure", azure_openai_endpoint=azure.openai_endpoint, azure_api_key="wrong") as bad,
          pytest.raises(ConfigurationError, match=r"refused the credentials \(401\).*AZURE_INFERENCE_CREDENTIAL")):
        bad.list_models()


@pytest.mark.parametrize(("given", "expected"), [
    ({"azure_inference_endpoint": "https://r.services.ai.azure.com/models/"},
     ("https://r.services.ai.azure.com", "https://r.services.ai.azure.com/models")),
    ({"azure_openai_endpoint": "https://r.openai.azure.com"},
     ("https://r.openai.azure.com", "https://r.openai.azure.com/models")),
    ({"azure_openai_endpoint": "https://a.openai.azure.com", "azure_inference_endpoint": "https://b.services.ai.azure.com/models"},
     ("https://a.openai.azure.com", "https://b.services.ai.azure.com/models")),
    ({"azure_openai_endpoint": "http://127.0.0.1:8080"}, ("http://127.0.0.1:8080", "http://127.0.0.1:8080/models")),
])
def test_endpoints_are_derived_from_either_setting(clean_env, given, expected):
    assert azure_backend.resolve_endpoints(resolve(backend="azure", **given)) == expected


@pytest.mark.parametrize(("given", "message"), [
    ({}, "AZURE_INFERENCE_ENDPOINT"),
    ({"azure_openai_endpoint": "http://r.openai.azure.com"}, "https://"),  # no key over plain http to a host
    ({"azure_inference_endpoint": "https://r.inference.ai.azure.com"}, "set AZURE_OPENAI_ENDPOINT too"),
])
def test_bad_endpoint_settings_say_what_to_set(clean_env, given, message):
    with pytest.raises(ConfigurationError, match=message):
        connect(backend="azure", azure_api_key="k", **given)


# -- keyless --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def azure_tls():
    with AzureEmulator(DEPLOYMENTS, tls=True, tokens=["entra-token"]) as emulator:
        yield emulator


def test_without_a_key_connect_is_keyless_with_default_azure_credential(clean_env, azure_tls):
    """The connect() path with no key: the package's DefaultAzureCredential factory is the only thing faked."""
    fake = FakeCredential()
    clean_env.setattr(azure_backend, "make_default_credential", lambda: fake)
    clean_env.setenv("SSL_CERT_FILE", azure_tls.ca_file)  # httpx (openai) trusts the emulation's certificate
    clean_env.setenv("REQUESTS_CA_BUNDLE", azure_tls.ca_file)  # requests (azure-core) too
    with connect(backend="azure", azure_openai_endpoint=azure_tls.openai_endpoint) as conn:
        assert conn.keyless and conn.summary()["auth"] == "Microsoft Entra ID (keyless)"
        assert conn.headers["Authorization"] == "Bearer entra-token" and "api-key" not in conn.headers
        reply = conn.client.chat.completions.create(model=conn.model, messages=USER)
        answer = conn.details["inference_client"].complete(messages=[UserMessage(content="hi")], model=conn.model)
        assert reply.choices[0].message.content and answer.choices[0].message.content
        assert conn.list_models()
    # v1 asks for Learn's v1 scope; the inference client keeps the Cognitive Services scope.
    assert fake.scopes and set(fake.scopes) == {(azure_backend.V1_SCOPE,), (azure_backend.SCOPE,)}
    assert [r["headers"]["authorization"] for r in azure_tls.requests] == ["***"] * 3
    assert all("api-key" not in r["headers"] for r in azure_tls.requests)


def test_a_token_the_resource_does_not_accept_is_401(clean_env, azure_tls):
    clean_env.setenv("SSL_CERT_FILE", azure_tls.ca_file)
    settings = resolve(backend="azure", azure_openai_endpoint=azure_tls.openai_endpoint)
    with azure_backend.open_azure(settings, credential=FakeCredential("stolen-token")) as conn:
        with pytest.raises(openai.AuthenticationError) as info:
            conn.client.with_options(max_retries=0).chat.completions.create(model=conn.model, messages=USER)
        assert info.value.status_code == 401
    del info
    gc.collect()  # let go of the TLS connection the traceback holds


def test_the_default_credential_is_azure_identitys(clean_env):
    from azure.identity import DefaultAzureCredential

    assert isinstance(azure_backend.make_default_credential(), DefaultAzureCredential)  # built, never asked


def test_connect_works_without_the_retired_inference_package(clean_env, azure, monkeypatch):
    """azure-ai-inference is optional: the connection builds its client only when asked for it."""
    monkeypatch.setitem(sys.modules, "azure.ai.inference", None)  # import azure.ai.inference -> ImportError
    with connect(backend="azure", **azure.connect_settings()) as conn:
        assert conn.client.chat.completions.create(model=conn.model, messages=USER).choices[0].message.content
        with pytest.raises(BackendUnavailableError, match="azure-ai-inference"):
            conn.details["inference_client"]
