"""connect() against real servers: the mock (self-started and attached), dead endpoints, taken ports."""

from __future__ import annotations

import asyncio
import socket

import pytest
import requests

from foundry_workshop import (
    AuthenticationRequiredError,
    ConfigurationError,
    EndpointUnreachableError,
    PortInUseError,
    UnknownModelError,
    connect,
)
from foundry_workshop.mock import MockServer, reply_text


def test_mock_backend_starts_a_server_resolves_the_alias_and_stops_it(clean_env):
    with connect(backend="mock", model="qwen2.5-0.5b") as conn:
        assert conn.backend == "mock"
        assert conn.model == "qwen2.5-0.5b-instruct-generic-cpu:4"
        assert conn.endpoint.startswith("http://127.0.0.1:") and conn.endpoint.endswith("/v1")
        messages = [{"role": "user", "content": "hello"}]
        reply = conn.client.chat.completions.create(model=conn.model, messages=messages)
        assert reply.choices[0].message.content == reply_text(messages, conn.model)
        assert conn.health()["ok"] is True
        url = conn.endpoint
    assert conn.closed
    with pytest.raises(requests.ConnectionError):
        requests.get(url + "/models", timeout=2)


def test_mock_backend_attaches_to_a_running_mock(clean_env):
    with MockServer() as mock:
        clean_env.setenv("WORKSHOP_BACKEND", "mock")
        clean_env.setenv("FOUNDRY_LOCAL_ENDPOINT", mock.url)
        with connect() as conn:  # everything from the environment
            assert conn.endpoint == mock.url
            assert conn.model == "smollm2-135m-instruct-generic-cpu:1"
            conn.client.chat.completions.create(model=conn.model, messages=[{"role": "user", "content": "hi"}])
        # The attached mock keeps running: it belongs to whoever started it.
        assert requests.get(mock.url + "/models", timeout=2).status_code == 200
        chats = [r for r in mock.requests if r["path"] == "/v1/chat/completions"]
        assert [r["json"]["model"] for r in chats] == ["smollm2-135m-instruct-generic-cpu:1"]


def test_async_client_works(clean_env):
    async def ask(conn):
        reply = await conn.async_client.chat.completions.create(
            model=conn.model, messages=[{"role": "user", "content": "async?"}]
        )
        return reply.choices[0].message.content

    with connect(backend="mock") as conn:
        assert "async?" in asyncio.run(ask(conn))


def test_endpoint_backend_resolves_alias_against_the_server_list(clean_env):
    with MockServer() as mock, connect(backend="endpoint", model="phi-3.5-mini", endpoint=mock.root_url) as conn:
        # A root URL without /v1 is accepted and normalized.
        assert conn.endpoint == mock.url
        assert conn.model == "phi-3.5-mini-instruct-generic-cpu:1"


def test_unknown_alias_lists_the_served_models(clean_env):
    with MockServer() as mock, pytest.raises(UnknownModelError) as info:
        connect(backend="endpoint", model="gpt-9", endpoint=mock.url)
    assert "qwen2.5-0.5b-instruct-generic-cpu:4" in str(info.value)
    assert mock.url in str(info.value)


def test_endpoint_down_names_the_url_and_how_to_start_a_server(clean_env):
    with socket.socket() as sock:  # a port that is certainly closed: bound, never listening
        sock.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{sock.getsockname()[1]}/v1"
        with pytest.raises(EndpointUnreachableError) as info:
            connect(backend="endpoint", endpoint=url)
    message = str(info.value)
    assert url in message
    assert "foundry server start" in message
    assert "bundled" in message


def test_endpoint_backend_without_url_says_which_variable(clean_env):
    with pytest.raises(ConfigurationError, match="FOUNDRY_LOCAL_ENDPOINT"):
        connect(backend="endpoint")


def test_server_wanting_a_key_is_explained_and_the_key_never_shown(clean_env):
    secret = "sk-test-0123456789"
    with MockServer(api_key=secret) as mock:
        with pytest.raises(AuthenticationRequiredError, match="OPENAI_API_KEY") as refused:
            connect(backend="endpoint", endpoint=mock.url)
        assert "refused the key (401)" in str(refused.value) and "No OpenAI-compatible" not in str(refused.value)
        clean_env.setenv("OPENAI_API_KEY", secret)
        with connect(backend="endpoint", endpoint=mock.url) as conn:
            conn.client.chat.completions.create(model=conn.model, messages=[{"role": "user", "content": "x"}])
            for text in (repr(conn), str(conn.summary()), conn._repr_markdown_()):
                assert secret not in text
        assert all(secret not in str(r["headers"]) for r in mock.requests)


def test_port_in_use_is_reported_before_starting(clean_env):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        with pytest.raises(PortInUseError, match=str(port)):
            connect(backend="mock", port=port)
        with pytest.raises(PortInUseError, match="WORKSHOP_PORT"):
            connect(backend="bundled", port=port)


def test_close_is_idempotent(clean_env):
    conn = connect(backend="mock")
    conn.close()
    conn.close()
    assert conn.closed
