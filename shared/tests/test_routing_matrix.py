"""Lesson 07's decision matrix: measured numbers land in the right rows, next to the seed's typical values."""

from __future__ import annotations

import os

from foundry_workshop.bench import Sample
from foundry_workshop.connection import Connection
from foundry_workshop.routing import PriceTable, decision_matrix, matrix_markdown
from foundry_workshop.routing.pricing import Price


def sample(ttft: float, latency: float, prompt: int, completion: int) -> Sample:
    return Sample(model="m", model_id="m", prompt_id="p", phase="measure", round=0, ok=True, ttft_s=ttft,
                  latency_s=latency, prompt_tokens=prompt, completion_tokens=completion)


def test_rows_carry_the_measurements():
    local = Connection(backend="bundled", endpoint="http://127.0.0.1:5000/v1", model="smol", alias="smol",
                       details={"pid": os.getpid(), "model_bytes": 100_000_000})
    cloud = Connection(backend="azure", endpoint="https://res.openai.azure.com", model="gpt-4o-mini", alias="x")
    prices = PriceTable({"gpt-4o-mini": Price(input=0.15, output=0.60)}, "USD", 1_000_000)
    rows = decision_matrix(local, cloud, local=sample(0.05, 0.5, 10, 20), remote=sample(0.3, 1.2, 1000, 1000),
                           offline_local=True, offline_cloud="fails", tokens_per_s=(40.0, 55.0), cloud_rpm=60,
                           emulated=True, prices=prices)
    by_aspect = {r.aspect.split(":")[0]: r for r in rows}
    assert by_aspect["Latency"].local == "0.050 s / 0.500 s"
    assert by_aspect["Latency"].cloud == "0.300 s / 1.200 s (emulated)"
    assert by_aspect["Privacy"].local == "127.0.0.1:5000 (this machine)"
    assert by_aspect["Cost of this answer"].cloud.startswith("0.7500 USD per 1,000 such answers")
    assert by_aspect["Model size"].local.startswith("100 MB file, server RSS ")
    assert by_aspect["Scale"].local == "40 vs 55 tokens/s"
    assert "60 requests/min" in by_aspect["Scale"].cloud
    table = matrix_markdown(rows, "smol", "gpt-4o-mini").splitlines()
    assert table[0] == "| | local: smol | cloud: gpt-4o-mini | the seed says |"
    assert len(table) == 2 + len(rows) and table[2].endswith("| 50-200 ms vs 200-2000 ms |")


def test_unknown_price_and_unmeasured_memory_are_said_so():
    local = Connection(backend="mock", endpoint="http://127.0.0.1:5000/v1", model="smol", alias="smol")
    cloud = Connection(backend="azure", endpoint="https://res.openai.azure.com", model="my-deployment", alias="x")
    rows = decision_matrix(local, cloud, local=sample(0.1, 0.2, 1, 2), remote=sample(0.1, 0.2, 1, 2),
                           offline_local=False, offline_cloud="fails", tokens_per_s=(1.0, 1.0),
                           prices=PriceTable({}, "USD", 1_000_000))
    cells = {r.aspect: (r.local, r.cloud) for r in rows}
    assert cells["Cost of this answer"][1] == "no price for this deployment in prices.json"
    assert cells["Model size"][0] == "not measured here"
    assert cells["Offline"][0] == "failed"
