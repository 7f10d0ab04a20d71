"""The embedded default on the real model: SmolLM2-135M-Instruct served by llama.cpp (xllamacpp)."""

from __future__ import annotations

import psutil
import pytest
import requests

from foundry_workshop import UnknownModelError, connect
from foundry_workshop.settings import default_threads, resolve

pytestmark = pytest.mark.bundled


def test_answers_a_factual_question(bundled):
    reply = bundled.client.chat.completions.create(
        model=bundled.model,
        messages=[{"role": "user", "content": "What is the capital of France? Answer in one sentence."}],
        temperature=0,
        max_tokens=30,
    )
    assert "Paris" in reply.choices[0].message.content
    assert reply.usage.completion_tokens > 0


def test_stream_matches_the_non_streamed_reply_and_reports_usage(bundled):
    messages = [{"role": "user", "content": "Name three colors."}]
    plain = bundled.client.chat.completions.create(
        model=bundled.model, messages=messages, temperature=0, max_tokens=30
    )
    pieces, usage, roles = [], None, []
    for chunk in bundled.client.chat.completions.create(
        model=bundled.model, messages=messages, temperature=0, max_tokens=30,
        stream=True, stream_options={"include_usage": True},
    ):
        if chunk.usage:
            usage = chunk.usage
        for choice in chunk.choices:
            roles.append(choice.delta.role)
            if choice.delta.content:
                pieces.append(choice.delta.content)
    assert roles[0] == "assistant"
    assert "".join(pieces) == plain.choices[0].message.content
    assert usage is not None and usage.completion_tokens == plain.usage.completion_tokens


def test_serves_only_its_alias_on_loopback(bundled):
    assert bundled.list_models() == ["smollm2-135m-instruct"]
    assert bundled.endpoint.startswith("http://127.0.0.1:")
    server = psutil.Process(bundled.details["pid"])
    listening = [c.laddr for c in server.net_connections(kind="tcp") if c.status == psutil.CONN_LISTEN]
    assert listening and all(addr.ip == "127.0.0.1" for addr in listening)


def test_other_aliases_are_refused_with_the_list(clean_env):
    with pytest.raises(UnknownModelError, match="smollm2-135m-instruct"):
        connect(backend="bundled", model="phi-3.5-mini")


def test_close_stops_the_server_process(clean_env):
    conn = connect(backend="bundled")
    process = psutil.Process(conn.details["pid"])
    health = conn.root_url + "/health"
    assert requests.get(health, timeout=5).status_code == 200
    conn.close()
    assert not process.is_running() or process.status() == psutil.STATUS_ZOMBIE
    with pytest.raises(requests.ConnectionError):
        requests.get(health, timeout=2)


def test_the_server_runs_with_the_threads_setting(bundled):
    """WORKSHOP_THREADS (0 = half the CPUs) reaches llama.cpp: oversubscribed threads stall every token."""
    args = psutil.Process(bundled.details["pid"]).cmdline()
    assert args[args.index("--threads") + 1] == str(resolve().threads or default_threads())
