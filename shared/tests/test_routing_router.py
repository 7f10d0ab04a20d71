"""The router end to end: a real local mock server, the Azure emulation as the cloud, real OpenAI clients.

Which side answered is read from the servers' own request logs, not only from the router's records.
"""

from __future__ import annotations

import gc

import openai
import pytest

from foundry_workshop import connect
from foundry_workshop.http_checks import free_port
from foundry_workshop.mock import MockServer, reply_text
from foundry_workshop.mock.azure import AzureDeployment, AzureEmulator
from foundry_workshop.mock.testing import reset
from foundry_workshop.routing import (
    CLOUD,
    LOCAL,
    ComplexityRule,
    PriceTable,
    PrivacyRule,
    Router,
    RoutingError,
    Target,
    TaskRule,
)

LOCAL_MODEL = "smollm2-135m-instruct-generic-cpu:1"
CLOUD_DEPLOYMENT, CLOUD_MODEL = "gpt-5.4-mini", "gpt-5.4-mini-2026-03-17"
SHORT = [{"role": "user", "content": "What is the capital of France?"}]
LONG = [{"role": "user", "content": "Compare these designs in depth. " * 40}]


def chats(server: MockServer) -> int:
    return sum(r["path"].endswith("/chat/completions") for r in server.requests)


@pytest.fixture(scope="module")
def local_server():
    with MockServer() as server:
        yield server


@pytest.fixture(scope="module")
def cloud_server():
    with AzureEmulator([AzureDeployment(CLOUD_DEPLOYMENT, CLOUD_MODEL),
                        AzureDeployment("gpt-5.4-nano", CLOUD_MODEL)]) as server:
        yield server


@pytest.fixture(autouse=True)
def _clean(local_server, cloud_server):
    reset(local_server)
    reset(cloud_server)


@pytest.fixture
def local(clean_env, local_server):
    with connect(backend="mock", endpoint=local_server.url) as conn:
        yield conn


@pytest.fixture
def cloud(clean_env, cloud_server):
    with connect(backend="azure", model=CLOUD_DEPLOYMENT, **cloud_server.connect_settings()) as conn:
        yield conn


@pytest.fixture
def router(local, cloud):
    return Router(local, cloud, rules=[PrivacyRule(), TaskRule(), ComplexityRule(threshold_tokens=50)])


def dead_target() -> Target:
    """A local side whose server is not running: nothing listens on the port."""
    return Target(openai.OpenAI(base_url=f"http://127.0.0.1:{free_port()}/v1", api_key="x"), LOCAL_MODEL,
                  where="stopped local server")


def dead_cloud() -> Target:
    """The cloud while offline: the Azure endpoint does not answer."""
    client = openai.AzureOpenAI(azure_endpoint=f"http://127.0.0.1:{free_port()}", api_key="k",
                                api_version="2024-10-21")
    return Target(client, CLOUD_DEPLOYMENT, where="unreachable Azure")


# -- the rules, end to end -----------------------------------------------------------------------------


def test_short_prompts_stay_local_long_ones_go_to_the_cloud(router, local_server, cloud_server):
    short = router.chat.completions.create(messages=SHORT)
    long = router.chat.completions.create(messages=LONG, model="ignored: the router picks")
    assert short.choices[0].message.content == reply_text(SHORT, LOCAL_MODEL)
    assert long.choices[0].message.content == reply_text(LONG, CLOUD_MODEL)
    assert (chats(local_server), chats(cloud_server)) == (1, 1)
    first, second = router.records
    assert (first.rule, first.answered_by, second.rule, second.answered_by) == (
        "tokens<50", LOCAL, "tokens>=50", CLOUD)
    assert second.prompt_tokens_counted >= 50 > first.prompt_tokens_counted


@pytest.mark.parametrize(("task", "route"), [("code_generation", LOCAL), ("creative_writing", CLOUD),
                                             ("data_analysis", LOCAL), ("research", CLOUD)])
def test_the_task_table_beats_prompt_size(router, local_server, cloud_server, task, route):
    messages = LONG if route == LOCAL else SHORT  # size alone would choose the other side
    router.create(messages, task=task)
    assert router.records[-1].rule == f"task:{task}" and router.records[-1].answered_by == route
    assert chats(local_server if route == LOCAL else cloud_server) == 1


def test_private_requests_never_leave_the_machine(router, local_server, cloud_server):
    router.create(LONG, task="research", private=True)  # size and task both say cloud
    assert router.records[-1].rule == "privacy" and router.records[-1].prompt == "[private]"
    local_server.add_fault("500", count=None)
    with pytest.raises(RoutingError, match="private, so the cloud was not tried"):
        router.create(SHORT, private=True)
    assert chats(cloud_server) == 0
    assert router.records.totals()["private_requests_sent_to_cloud"] == 0


def test_no_rule_deciding_means_local_first(local, cloud, local_server):
    router = Router(local, cloud, rules=[])
    router.create(LONG)
    assert router.records[-1].rule == "default:local-first" and chats(local_server) == 1


# -- fallback both ways ------------------------------------------------------------------------------


def test_local_down_falls_back_to_the_cloud_and_is_avoided_for_a_while(cloud, cloud_server):
    router = Router(dead_target(), cloud, cooldown_s=60)
    first = router.create(SHORT)
    assert first.choices[0].message.content == reply_text(SHORT, CLOUD_MODEL)
    record = router.records[-1]
    assert record.planned == LOCAL and record.answered_by == CLOUD and record.fallback
    assert [(a.route, a.ok) for a in record.attempts] == [(LOCAL, False), (CLOUD, True)]
    assert record.attempts[0].error.startswith("connection failed")
    router.create(SHORT)  # local is marked down: not even tried
    assert [(a.route, a.skipped) for a in router.records[-1].attempts] == [(LOCAL, True), (CLOUD, False)]
    assert chats(cloud_server) == 2


def test_a_local_timeout_falls_back_to_the_cloud(local_server, cloud, cloud_server):
    local = Target(openai.OpenAI(base_url=local_server.url, api_key="x"), LOCAL_MODEL, timeout=0.3)
    local_server.add_fault("stall", stall_seconds=5)
    router = Router(local, cloud)
    router.create(SHORT)
    assert router.records[-1].attempts[0].error == "timeout" and router.records[-1].answered_by == CLOUD
    assert chats(cloud_server) == 1


def test_a_rate_limited_local_server_is_skipped_for_its_retry_after(local_server, cloud, cloud_server):
    local = Target(openai.OpenAI(base_url=local_server.url, api_key="x"), LOCAL_MODEL)
    local_server.add_fault("429", retry_after=30)
    now = [1000.0]
    router = Router(local, cloud, clock=lambda: now[0])
    router.create(SHORT)
    router.create(SHORT)
    assert chats(local_server) == 1 and chats(cloud_server) == 2
    assert router.down(LOCAL) == "HTTP 429 rate_limit_exceeded"
    now[0] += 30.5  # the server's retry-after has passed: local is asked again
    router.create(SHORT)
    assert router.down(LOCAL) is None and router.records[-1].answered_by == LOCAL and chats(local_server) == 2


def test_cloud_offline_falls_back_to_local(local, local_server):
    router = Router(local, dead_cloud(), rules=[ComplexityRule(threshold_tokens=50)])
    reply = router.create(LONG)  # a cloud prompt
    assert reply.choices[0].message.content == reply_text(LONG, LOCAL_MODEL)
    assert router.records[-1].planned == CLOUD and router.records[-1].answered_by == LOCAL
    router.create(LONG)
    assert router.records[-1].attempts[0].skipped  # offline: the cloud is not retried on every request
    assert chats(local_server) == 2


def test_a_cloud_rate_limit_falls_back_to_local(local, local_server, cloud_server):
    cloud_server.set_rate_limit(CLOUD_DEPLOYMENT, 1)
    try:
        with connect(backend="azure", model=CLOUD_DEPLOYMENT, **cloud_server.connect_settings()) as cloud:
            router = Router(local, cloud, rules=[ComplexityRule(threshold_tokens=50)])
            router.create(LONG)
            router.create(LONG)
    finally:
        cloud_server.set_rate_limit(CLOUD_DEPLOYMENT, None)
    assert [r.answered_by for r in router.records] == [CLOUD, LOCAL]
    assert router.records[-1].attempts[0].error == "HTTP 429"  # Azure's code is the status again
    assert router.records[-1].row()["tried"] == "cloud: HTTP 429 → local: ok"
    assert chats(local_server) == 1


def test_configuration_errors_are_raised_not_hidden_by_a_fallback(local, local_server, cloud_server):
    with connect(backend="azure", model="gpt-5-typo", **cloud_server.connect_settings()) as cloud:
        router = Router(local, cloud, rules=[ComplexityRule(threshold_tokens=50)])
        with pytest.raises(RoutingError, match=r"cloud side refused.*gpt-5-typo.*\(404\)") as info:
            router.create(LONG)
        assert isinstance(info.value.__cause__, openai.NotFoundError)  # the SDK's error, for code that wants it
    assert router.records[-1].error == "HTTP 404 DeploymentNotFound" and router.records[-1].answered_by is None
    assert chats(local_server) == 0


def test_both_sides_down_is_one_clear_error():
    router = Router(dead_target(), dead_cloud())
    with pytest.raises(RoutingError, match=r"local: connection failed.*cloud: connection failed"):
        router.create(SHORT)
    assert router.records.totals()["failed"] == 1


# -- streaming ------------------------------------------------------------------------------------------


def test_streaming_through_the_router_skips_azures_empty_first_chunk(router, cloud_server):
    chunks = list(router.create(LONG, stream=True))
    assert chunks[0].choices == []  # Azure's prompt-filter chunk is passed on untouched
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == reply_text(LONG, CLOUD_MODEL)
    record = router.records[-1]
    assert record.answered_by == CLOUD and record.first_token_s is not None
    assert record.completion_tokens == chunks[-1].usage.completion_tokens  # include_usage was requested
    assert cloud_server.requests[-1]["json"]["stream_options"] == {"include_usage": True}


def test_a_stream_falls_back_before_its_first_token(local_server, cloud, cloud_server):
    local_server.add_fault("503")
    router = Router(Target(openai.OpenAI(base_url=local_server.url, api_key="x"), LOCAL_MODEL), cloud)
    text = "".join(c.choices[0].delta.content or "" for c in router.create(SHORT, stream=True) if c.choices)
    assert text == reply_text(SHORT, CLOUD_MODEL) and router.records[-1].fallback


def test_a_stream_that_breaks_after_its_first_token_is_not_replayed(local_server, cloud, cloud_server):
    local_server.add_fault("disconnect", after_tokens=3)
    router = Router(Target(openai.OpenAI(base_url=local_server.url, api_key="x"), LOCAL_MODEL), cloud)
    received = []
    with pytest.raises(openai.APIConnectionError):
        for chunk in router.create(SHORT, stream=True):
            if chunk.choices and chunk.choices[0].delta.content:
                received.append(chunk.choices[0].delta.content)
    assert len(received) == 3 and chats(cloud_server) == 0
    assert router.records[-1].error.startswith("stream broke after the first token")
    gc.collect()


# -- records, costs, totals ------------------------------------------------------------------------------


def test_records_carry_usage_latency_and_estimated_cost(router):
    router.create(SHORT)
    router.create(LONG)
    local_record, cloud_record = router.records
    price = PriceTable.load().prices["gpt-5.4-mini"]
    expected = (cloud_record.prompt_tokens * price.input + cloud_record.completion_tokens * price.output) / 1e6
    assert cloud_record.cost_usd == pytest.approx(expected) and expected > 0
    assert local_record.cost_usd == 0.0
    assert local_record.cloud_equivalent_usd == pytest.approx(
        (local_record.prompt_tokens * price.input + local_record.completion_tokens * price.output) / 1e6)
    assert all(r.latency_s > 0 for r in router.records)
    totals = router.records.totals()
    assert totals["by_route"][LOCAL]["requests"] == totals["by_route"][CLOUD]["requests"] == 1
    assert totals["cloud_cost_usd"] == pytest.approx(expected)
    table = router.records.to_markdown()
    assert table.count("\n") == 3 and "tokens>=50" in table and "What is the capital of France?" in table


def test_local_options_reach_a_gpt5_cloud_in_the_form_it_accepts(local, cloud, cloud_server):
    """gpt-5.x refuses max_tokens and temperature=0 (the emulation answers 400 as Azure does); the cloud side
    of the router renames the one and leaves out the other, so one call works on both sides."""
    router = Router(local, cloud, rules=[TaskRule()])
    reply = router.create(SHORT, task="research", max_tokens=5, temperature=0)
    assert router.records[-1].answered_by == CLOUD and reply.choices[0].message.content
    sent = cloud_server.requests[-1]["json"]
    assert sent["max_completion_tokens"] == 5 and "max_tokens" not in sent and "temperature" not in sent


def test_cloud_cost_is_priced_by_the_deployment_before_the_answers_model(local, cloud_server):
    """The deployment is what the learner pays for; the model an answer names may be another snapshot's or
    family's name (here, on purpose, one with a different price)."""
    with connect(backend="azure", model="gpt-5.4-nano", **cloud_server.connect_settings()) as cloud:
        router = Router(local, cloud, rules=[TaskRule()])
        router.create(SHORT, task="research")
    record, nano = router.records[-1], PriceTable.load().prices["gpt-5.4-nano"]
    assert record.model == CLOUD_MODEL
    assert record.cost_usd == pytest.approx((record.prompt_tokens * nano.input
                                             + record.completion_tokens * nano.output) / 1e6)


def test_decide_explains_without_sending(router, local_server, cloud_server):
    decision, count = router.decide(LONG, task="code_generation")
    assert (decision.route, decision.rule) == (LOCAL, "task:code_generation") and count.method == "approx"
    assert chats(local_server) == chats(cloud_server) == 0 and len(router.records) == 0


def test_concurrent_requests_each_get_one_numbered_record(router, local_server, cloud_server):
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(4) as pool:
        replies = list(pool.map(lambda i: router.create(SHORT if i % 2 else LONG), range(8)))
    assert all(r.choices[0].message.content for r in replies)
    assert sorted(r.n for r in router.records) == list(range(1, 9))
    assert (chats(local_server), chats(cloud_server)) == (4, 4)
