"""The real Azure clients (openai.AzureOpenAI, azure-ai-inference) against the Azure emulation.

What the emulation must reproduce was captured from these same clients (see foundry_workshop.mock.azure);
these tests hold it to that: paths, api-version, auth headers, deployments, Azure's error bodies, and a
per-deployment rate limit.
"""

from __future__ import annotations

import gc

import openai
import pytest
import requests
from azure.ai.inference import ChatCompletionsClient
from azure.ai.inference.models import SystemMessage, UserMessage
from azure.core.credentials import AzureKeyCredential
from azure.core.exceptions import ClientAuthenticationError, HttpResponseError, ResourceNotFoundError

from foundry_workshop.mock import reply_text
from foundry_workshop.mock.azure import (
    COGNITIVE_SERVICES_SCOPE,
    AzureDeployment,
    AzureEmulator,
    RequestRateLimiter,
)
from foundry_workshop.mock.testing import FakeCredential, reset

API_VERSION = "2024-10-21"
DEPLOYMENTS = (
    AzureDeployment("gpt-4o-mini", "gpt-4o-mini-2024-07-18"),
    AzureDeployment("mistral-large", "Mistral-Large-2411"),
    AzureDeployment("tiny-quota", "gpt-4o-mini-2024-07-18", requests_per_minute=1),
    AzureDeployment("gpt-5.4-mini", "gpt-5.4-mini-2026-03-17"),
)
USER = [{"role": "user", "content": "Explain Riemann's conjecture in 1 paragraph"}]


@pytest.fixture(scope="module")
def azure():
    with AzureEmulator(DEPLOYMENTS) as emulator:
        yield emulator


@pytest.fixture(autouse=True)
def _clean(azure):
    reset(azure)
    azure.set_rate_limit("tiny-quota", 1)  # a fresh window for every test


@pytest.fixture
def aoai(azure):
    client = openai.AzureOpenAI(azure_endpoint=azure.openai_endpoint, api_key=azure.api_key,
                                api_version=API_VERSION, max_retries=0)
    yield client
    client.close()


@pytest.fixture
def inference(azure):
    # retry_total=0: azure-core would otherwise honour a 429's retry-after and sleep.
    client = ChatCompletionsClient(endpoint=azure.inference_endpoint, credential=AzureKeyCredential(azure.api_key),
                                   retry_total=0)
    yield client
    client.close()


def only_request(azure: AzureEmulator) -> dict:
    [request] = azure.requests
    return request


# -- Azure OpenAI endpoint -----------------------------------------------------------------------------


def test_azure_openai_routes_by_deployment_in_the_url(azure, aoai):
    reply = aoai.chat.completions.create(model="mistral-large", messages=USER)
    assert reply.choices[0].message.content == reply_text(USER, "Mistral-Large-2411")
    assert reply.model == "Mistral-Large-2411"  # answers name the model behind the deployment
    assert reply.usage.total_tokens == reply.usage.prompt_tokens + reply.usage.completion_tokens > 0
    request = only_request(azure)
    assert request["path"] == "/openai/deployments/mistral-large/chat/completions"
    assert request["query"] == {"api-version": API_VERSION}
    assert request["headers"]["api-key"] == "***" and "authorization" not in request["headers"]


def test_azure_openai_answers_carry_content_filter_results(aoai):
    raw = aoai.chat.completions.with_raw_response.create(model="gpt-4o-mini", messages=USER)
    body = raw.http_response.json()
    assert body["prompt_filter_results"][0]["content_filter_results"]["hate"] == {"filtered": False,
                                                                                  "severity": "safe"}
    assert "content_filter_results" in body["choices"][0]
    assert raw.headers["x-request-id"] == raw.headers["apim-request-id"]


def test_azure_openai_stream_starts_with_a_prompt_filter_chunk(azure, aoai):
    chunks = list(aoai.chat.completions.create(model="gpt-4o-mini", messages=USER, stream=True,
                                               stream_options={"include_usage": True}))
    assert chunks[0].choices == [] and chunks[0].model == ""  # code that reads choices[0] blindly breaks here
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == reply_text(USER, "gpt-4o-mini-2024-07-18")
    assert chunks[-1].choices == [] and chunks[-1].usage.completion_tokens > 0
    assert only_request(azure)["json"]["stream"] is True


def test_unknown_deployment_is_azures_deployment_not_found(aoai):
    with pytest.raises(openai.NotFoundError) as info:
        aoai.chat.completions.create(model="gpt-5-typo", messages=USER)
    assert info.value.status_code == 404
    assert info.value.code == "DeploymentNotFound"
    assert "The API deployment for this resource does not exist" in info.value.message


def test_wrong_key_is_401_in_azures_shape(azure):
    client = openai.AzureOpenAI(azure_endpoint=azure.openai_endpoint, api_key="not-the-key-4711",
                                api_version=API_VERSION, max_retries=0)
    with client, pytest.raises(openai.AuthenticationError) as info:
        client.chat.completions.create(model="gpt-4o-mini", messages=USER)
    assert info.value.code == "401" and "Access denied" in info.value.message
    assert "not-the-key-4711" not in info.value.message


@pytest.mark.parametrize(("query", "status", "code"), [({}, 404, "404"), ({"api-version": "1999-01-01"}, 400,
                                                                               "BadRequest")])
def test_api_version_is_required(azure, query, status, code):
    response = requests.post(f"{azure.openai_endpoint}/openai/deployments/gpt-4o-mini/chat/completions",
                             params=query, headers={"api-key": azure.api_key}, json={"messages": USER}, timeout=5)
    assert response.status_code == status
    assert response.json()["error"]["code"] == code


def test_the_v1_api_takes_the_deployment_in_model_with_a_bearer_key(azure):
    with openai.OpenAI(base_url=f"{azure.openai_endpoint}/openai/v1", api_key=azure.api_key, max_retries=0) as v1:
        reply = v1.chat.completions.create(model="gpt-4o-mini", messages=USER)
    assert reply.choices[0].message.content == reply_text(USER, "gpt-4o-mini-2024-07-18")
    request = only_request(azure)
    assert request["path"] == "/openai/v1/chat/completions" and request["query"] == {}
    assert request["headers"]["authorization"] == "***"


def test_models_list_names_the_models_behind_the_deployments(azure):
    response = requests.get(f"{azure.openai_endpoint}/openai/models", params={"api-version": API_VERSION},
                            headers={"api-key": azure.api_key}, timeout=5)
    assert [m["id"] for m in response.json()["data"]] == ["Mistral-Large-2411", "gpt-4o-mini-2024-07-18",
                                                           "gpt-5.4-mini-2026-03-17"]


@pytest.mark.parametrize(("option", "code"), [({"max_tokens": 5}, "unsupported_parameter"),
                                              ({"temperature": 0}, "unsupported_value")])
def test_gpt5_deployments_refuse_what_reasoning_models_refuse(aoai, option, code):
    with pytest.raises(openai.BadRequestError) as caught:
        aoai.chat.completions.create(model="gpt-5.4-mini", messages=USER, **option)
    assert caught.value.code == code and caught.value.param == next(iter(option))
    assert "max_completion_tokens" in caught.value.message or "Only the default (1)" in caught.value.message


def test_gpt5_deployments_take_max_completion_tokens(aoai):
    reply = aoai.chat.completions.create(model="gpt-5.4-mini", messages=USER, max_completion_tokens=3,
                                         temperature=1)
    assert reply.choices[0].finish_reason == "length" and reply.model == "gpt-5.4-mini-2026-03-17"


# -- Azure AI inference endpoint -------------------------------------------------------------------------


def test_inference_endpoint_routes_by_model_field(azure, inference):
    messages = [SystemMessage(content="You are a helpful assistant."), UserMessage(content=USER[0]["content"])]
    reply = inference.complete(messages=messages, model="mistral-large")
    assert reply.choices[0].message.content == reply_text(USER, "Mistral-Large-2411")
    assert reply.usage.completion_tokens > 0
    request = only_request(azure)
    assert request["path"] == "/models/chat/completions"
    assert request["query"] == {"api-version": "2024-05-01-preview"}
    assert request["json"]["model"] == "mistral-large"
    # azure-ai-inference sends the key twice: as api-key and as a bearer token.
    assert request["headers"]["api-key"] == "***" and request["headers"]["authorization"] == "***"


def test_inference_endpoint_streams(inference):
    updates = list(inference.complete(messages=[UserMessage(content=USER[0]["content"])], model="gpt-4o-mini",
                                      stream=True))
    text = "".join(u.choices[0].delta.content or "" for u in updates if u.choices)
    assert text == reply_text(USER, "gpt-4o-mini-2024-07-18")
    assert updates[-1].choices[0].finish_reason == "stop"


def test_unknown_model_on_the_inference_endpoint(inference):
    with pytest.raises(ResourceNotFoundError) as info:
        inference.complete(messages=[UserMessage(content="hi")], model="gpt-5-typo")
    assert info.value.status_code == 404
    assert info.value.error.code == "unknown_model"
    assert "Unknown model: gpt-5-typo" in info.value.message


def test_a_request_without_model_is_no_model_name(azure):
    response = requests.post(f"{azure.inference_endpoint}/chat/completions",
                             params={"api-version": "2024-05-01-preview"}, headers={"api-key": azure.api_key},
                             json={"messages": USER}, timeout=5)
    assert response.status_code == 400 and response.json()["error"]["code"] == "no_model_name"


def test_wrong_key_on_the_inference_endpoint(azure):
    with ChatCompletionsClient(endpoint=azure.inference_endpoint, credential=AzureKeyCredential("wrong"),
                               retry_total=0) as client, pytest.raises(ClientAuthenticationError) as info:
        client.complete(messages=[UserMessage(content="hi")], model="gpt-4o-mini")
    assert info.value.status_code == 401


# -- rate limits -----------------------------------------------------------------------------------------


def test_deployment_rate_limit_is_429_with_retry_after(aoai):
    aoai.chat.completions.create(model="tiny-quota", messages=USER)
    with pytest.raises(openai.RateLimitError) as info:
        aoai.chat.completions.create(model="tiny-quota", messages=USER)
    error = info.value
    assert error.code == "429" and "Please retry after" in error.message
    assert 1 <= int(error.response.headers["retry-after"]) <= 60
    assert 0 < int(error.response.headers["retry-after-ms"]) <= 60_000
    # The limit is per deployment: another one still answers.
    assert aoai.chat.completions.create(model="gpt-4o-mini", messages=USER).choices[0].message.content


def test_rate_limit_on_the_inference_endpoint(inference):
    inference.complete(messages=[UserMessage(content="hi")], model="tiny-quota")
    with pytest.raises(HttpResponseError) as info:
        inference.complete(messages=[UserMessage(content="hi")], model="tiny-quota")
    assert info.value.status_code == 429 and info.value.error.code == "429"
    assert int(info.value.response.headers["retry-after"]) >= 1


def test_the_openai_client_waits_out_a_short_rate_limit(azure):
    emulator = AzureEmulator([AzureDeployment("burst", "gpt-4o-mini-2024-07-18", requests_per_minute=1)],
                             rate_window=0.3)
    with emulator, openai.AzureOpenAI(azure_endpoint=emulator.openai_endpoint, api_key=emulator.api_key,
                                      api_version=API_VERSION, max_retries=3) as client:
        client.chat.completions.create(model="burst", messages=USER)
        client.chat.completions.create(model="burst", messages=USER)  # 429 first, retried after retry-after-ms
        retries = [r["headers"].get("x-stainless-retry-count") for r in emulator.requests]
    assert retries[:2] == ["0", "0"] and len(retries) >= 3 and retries[-1] != "0"


def test_rate_limiter_window_with_a_fake_clock():
    now = [0.0]
    limiter = RequestRateLimiter(2, window=60.0, clock=lambda: now[0])
    assert limiter.admit() == (None, 1)
    now[0] = 10.0
    assert limiter.admit() == (None, 0)
    now[0] = 20.0
    assert limiter.admit() == (40.0, 0)  # the first request leaves the window at t=60
    now[0] = 60.0
    assert limiter.admit() == (None, 0)


def test_injected_faults_use_azures_error_shape(azure, aoai):
    azure.add_fault("429", model="gpt-4o-mini", retry_after=2)
    with pytest.raises(openai.RateLimitError) as info:
        aoai.chat.completions.create(model="gpt-4o-mini", messages=USER)
    assert info.value.code == "429" and info.value.response.headers["retry-after"] == "2"
    azure.add_fault("500", model="gpt-4o-mini")
    with pytest.raises(openai.InternalServerError) as server_error:
        aoai.chat.completions.create(model="gpt-4o-mini", messages=USER)
    assert server_error.value.code == "InternalServerError"


# -- keyless (Microsoft Entra ID) -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def azure_tls():
    with AzureEmulator(DEPLOYMENTS, tls=True, tokens=["entra-token"]) as emulator:
        yield emulator


@pytest.mark.parametrize(("token", "accepted"), [("entra-token", True), ("someone-elses-token", False)])
def test_inference_client_with_a_token_credential_over_tls(azure_tls, token, accepted):
    credential = FakeCredential(token)
    with ChatCompletionsClient(endpoint=azure_tls.inference_endpoint, credential=credential,
                               credential_scopes=[COGNITIVE_SERVICES_SCOPE], connection_verify=azure_tls.ca_file,
                               retry_total=0) as client:
        if accepted:
            reply = client.complete(messages=[UserMessage(content="hi")], model="gpt-4o-mini")
            assert reply.choices[0].message.content
        else:
            with pytest.raises(ClientAuthenticationError) as info:
                client.complete(messages=[UserMessage(content="hi")], model="gpt-4o-mini")
            # The traceback keeps the TLS connection open, which would hold up the server's shutdown for its
            # 2 s grace period: drop it now.
            del info
            gc.collect()
    assert credential.scopes and set(credential.scopes) == {(COGNITIVE_SERVICES_SCOPE,)}
    assert azure_tls.root_url.startswith("https://")


def test_azure_core_refuses_bearer_tokens_over_plain_http(azure):
    """Why the emulation has a TLS mode: this is azure-core's rule, not the emulation's."""
    with (ChatCompletionsClient(endpoint=azure.inference_endpoint, credential=FakeCredential("entra-token"),
                                credential_scopes=[COGNITIVE_SERVICES_SCOPE]) as client,
          pytest.raises(Exception, match="non-TLS")):
        client.complete(messages=[UserMessage(content="hi")], model="gpt-4o-mini")
    assert azure.requests == []
