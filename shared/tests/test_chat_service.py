"""The chat app's shared model connection: startup health check, recovery when the server comes up later,
one quick automatic retry, and no key in anything shown."""

from __future__ import annotations

import asyncio

import pytest

from foundry_workshop import connect
from foundry_workshop.chat.service import REPORT_PREFIX, ModelService
from foundry_workshop.chat.streaming import stream_reply
from foundry_workshop.http_checks import free_port
from foundry_workshop.mock import MockServer


def endpoint_service(url: str, model: str = "qwen2.5-0.5b", api_key: str | None = None) -> ModelService:
    return ModelService(lambda: connect(backend="endpoint", endpoint=url, model=model, api_key=api_key))


def test_startup_report_says_what_it_connected_to():
    with MockServer() as mock:
        service = endpoint_service(mock.url)
        report = asyncio.run(service.startup_report())
        try:
            assert report.startswith(f"{REPORT_PREFIX} OK")
            assert "qwen2.5-0.5b-instruct-generic-cpu:4" in report  # the alias resolved to the served id
            assert mock.url in report and "endpoint backend" in report and "3 models listed" in report
            models = asyncio.run(service.models())
            assert models[0] == "qwen2.5-0.5b-instruct-generic-cpu:4" and len(models) == 3
        finally:
            service.close()
    assert not service.connected


def test_down_at_startup_then_recovers_without_restart():
    port = free_port()
    service = endpoint_service(f"http://127.0.0.1:{port}/v1")
    report = asyncio.run(service.startup_report())
    assert report.startswith(f"{REPORT_PREFIX} NOT CONNECTED")
    assert f"127.0.0.1:{port}" in report and "will retry" in report
    assert not service.connected and service.problem

    with MockServer(port=port):  # the learner starts the server...
        try:
            assert asyncio.run(service.ensure())  # ...and the next chat connects
            assert service.problem is None
        finally:
            service.close()


def test_unknown_model_is_reported_with_what_exists():
    with MockServer() as mock:
        service = endpoint_service(mock.url, model="phi-4-mini")
        assert not asyncio.run(service.ensure())
    assert "phi-4-mini" in service.problem and "qwen2.5-0.5b-instruct-generic-cpu:4" in service.problem


def test_concurrent_sessions_connect_once():
    opened = []

    def opener():
        opened.append(1)
        return connect(backend="mock")  # starts a private mock server per connection

    service = ModelService(opener)

    async def many():
        return await asyncio.gather(*(service.ensure() for _ in range(5)))

    try:
        assert asyncio.run(many()) == [True] * 5
        assert len(opened) == 1
    finally:
        service.close()


@pytest.mark.parametrize(("failures", "kind"), [(1, None), (2, "rate_limited")])
def test_one_automatic_retry_hides_a_single_429(failures, kind):
    with MockServer() as mock:
        service = endpoint_service(mock.url)
        try:
            assert asyncio.run(service.ensure())
            mock.add_fault("429", count=failures, retry_after=0.05)

            async def ask():
                return await stream_reply(service.client, model=service.connection.model,
                                          messages=[{"role": "user", "content": "hi"}])

            reply = asyncio.run(ask())
        finally:
            service.close()
    assert (reply.problem.kind if reply.problem else None) == kind
    chat_requests = [r for r in mock.requests if r["path"].endswith("/chat/completions")]
    assert len(chat_requests) == 2


def test_the_key_is_a_secret_and_never_described():
    with MockServer(api_key="sk-course-key-42") as mock:
        service = endpoint_service(mock.url, api_key="sk-course-key-42")
        try:
            report = asyncio.run(service.startup_report())
            assert report.startswith(f"{REPORT_PREFIX} OK")
            assert "sk-course-key-42" not in report and "sk-course-key-42" not in service.describe()
            assert service.secrets == ("sk-course-key-42",)
        finally:
            service.close()
