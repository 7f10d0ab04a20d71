"""Routing rules, token counting and the price table, without any server (the bundled test excepted)."""

from __future__ import annotations

import json

import pytest

from foundry_workshop import ConfigurationError
from foundry_workshop.routing import (
    CLOUD,
    LOCAL,
    SEED_TASK_ROUTES,
    ApproxTokenCounter,
    ComplexityRule,
    Decision,
    LlamaCppTokenCounter,
    PriceTable,
    PrivacyRule,
    RouteRequest,
    TaskRule,
    TokenCount,
    token_counter_for,
)
from foundry_workshop.routing.tokens import PreferExact
from foundry_workshop.tokens import approx_tokens


def request(tokens: int = 10, task: str | None = None, private: bool = False) -> RouteRequest:
    return RouteRequest(messages=[{"role": "user", "content": "x"}], task=task, private=private, tokens=tokens,
                        token_method="approx")


def test_privacy_rule_keeps_private_requests_local():
    assert PrivacyRule()(request(private=True)).route == LOCAL
    assert PrivacyRule()(request(private=False)) is None


def test_task_rule_is_the_seeds_table_and_passes_on_unknown_tasks():
    rule = TaskRule()
    assert {task: rule(request(task=task)).route for task in SEED_TASK_ROUTES} == {
        "code_generation": LOCAL, "creative_writing": CLOUD, "data_analysis": LOCAL, "research": CLOUD}
    assert rule(request(task="translation")) is None and rule(request(task=None)) is None
    assert TaskRule({"translation": CLOUD})(request(task="translation")).rule == "task:translation"


def test_task_rule_rejects_unknown_routes():
    with pytest.raises(ValueError, match="local"):
        TaskRule({"research": "gpu-cluster"})


def test_complexity_rule_threshold_is_in_tokens_and_inclusive():
    rule = ComplexityRule(threshold_tokens=100)
    assert rule(request(tokens=99)) == Decision(LOCAL, "tokens<100", rule(request(tokens=99)).reason)
    assert rule(request(tokens=100)).route == CLOUD
    assert "100 prompt tokens (approx)" in rule(request(tokens=100)).reason


def test_approx_counter_counts_pieces_or_bytes_whichever_is_more():
    assert approx_tokens("") == 0
    assert approx_tokens("What is the capital of France?") == 8  # 7 words + "?" > 30 bytes / 4
    assert approx_tokens("한국어") == 3  # 1 word, 9 UTF-8 bytes -> 3
    count = ApproxTokenCounter().count([{"role": "system", "content": "Be brief."},
                                        {"role": "user", "content": [{"type": "text", "text": "Hi there"}]}])
    assert count == TokenCount((3 + 4) + (2 + 4) + 2, "approx")


def test_a_server_without_tokenize_gets_the_approximation(mock_server):
    assert isinstance(token_counter_for(mock_server.url), ApproxTokenCounter)
    assert isinstance(token_counter_for(None), ApproxTokenCounter)


def test_the_exact_counter_falls_back_when_its_server_is_gone():
    counter = PreferExact(LlamaCppTokenCounter("http://127.0.0.1:9", timeout=0.5), ApproxTokenCounter())
    assert counter.count([{"role": "user", "content": "hi"}]).method == "approx"


@pytest.mark.bundled
def test_the_exact_counter_matches_what_llama_cpp_bills(bundled):
    messages = [{"role": "system", "content": "You are terse."},
                {"role": "user", "content": "What is the capital of France? Answer in one sentence."}]
    counter = token_counter_for(bundled.endpoint)
    counted = counter.count(messages)
    reply = bundled.client.chat.completions.create(model=bundled.model, messages=messages, max_tokens=1)
    assert counted == TokenCount(reply.usage.prompt_tokens, "llama.cpp /tokenize")


# -- prices ---------------------------------------------------------------------------------------------


def test_the_shipped_price_table_loads_from_package_data():
    table = PriceTable.load()
    assert table.currency == "USD" and table.per_tokens == 1_000_000
    assert table.lookup("gpt-4o-mini")[0] == "gpt-4o-mini"


def test_model_ids_are_priced_by_their_longest_matching_name(tmp_path):
    path = tmp_path / "prices.json"
    path.write_text(json.dumps({"prices": {"gpt-4o": {"input": 2.5, "output": 10},
                                           "gpt-4o-mini": {"input": 0.15, "output": 0.6}}}))
    table = PriceTable.load(path)
    assert table.lookup("gpt-4o-mini-2024-07-18")[0] == "gpt-4o-mini"
    assert table.lookup("GPT-4o-2024-11-20")[0] == "gpt-4o"
    assert table.cost(1_000_000, 1_000_000, "my-deployment", "gpt-4o-mini-2024-07-18") == pytest.approx(0.75)
    assert table.cost(1000, 500, "gpt-4o") == pytest.approx((1000 * 2.5 + 500 * 10) / 1e6)
    assert table.cost(10, 10, "llama-local") is None


@pytest.mark.parametrize("content", ['{"prices": {"m": {"input": "cheap"}}}', "not json", '{"no": "prices"}'])
def test_a_broken_price_table_is_a_clear_error(tmp_path, content):
    path = tmp_path / "prices.json"
    path.write_text(content)
    with pytest.raises(ConfigurationError, match="price table"):
        PriceTable.load(path)


def test_a_missing_price_table_is_a_clear_error(tmp_path):
    with pytest.raises(ConfigurationError, match="Cannot read the price table"):
        PriceTable.load(tmp_path / "nope.json")
