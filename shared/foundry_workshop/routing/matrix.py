"""Seed 002's local-versus-cloud decision matrix, filled in with numbers measured on this machine (lesson 07).

The lesson measures (one streamed answer per side, the offline case, tokens/s alone and in parallel) in plain
code the learner reads; this module only turns those measurements into the table, next to the seed's typical
values, so the notebook does not carry forty lines of string formatting.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import psutil

from foundry_workshop.routing.pricing import PriceTable

if TYPE_CHECKING:
    from foundry_workshop.bench import Sample
    from foundry_workshop.connection import Connection

__all__ = ["SEED_SAYS", "MatrixRow", "decision_matrix", "matrix_markdown"]

#: Seed 002's typical values, one per row.
SEED_SAYS = {
    "latency": "50-200 ms vs 200-2000 ms",
    "privacy": "stays on the device vs sent to the cloud",
    "cost": "free after hardware vs per token",
    "offline": "works vs needs internet",
    "size": "limited by hardware vs largest models",
    "scale": "limited by hardware vs quota",
}


@dataclass(frozen=True)
class MatrixRow:
    aspect: str
    local: str
    cloud: str
    seed: str


def _host(endpoint: str) -> str:
    return endpoint.split("/")[2] if "://" in endpoint else endpoint


def _memory(conn: Connection) -> str:
    size, pid = conn.details.get("model_bytes"), conn.details.get("pid")
    if not size or not pid:
        return "not measured here"
    try:
        rss = psutil.Process(pid).memory_info().rss
    except psutil.Error:
        return f"{size / 1e6:.0f} MB file"
    return f"{size / 1e6:.0f} MB file, server RSS {rss / 1e6:.0f} MB"


def decision_matrix(
    local_conn: Connection,
    cloud_conn: Connection,
    *,
    local: Sample,
    remote: Sample,
    offline_local: bool,
    offline_cloud: str,
    tokens_per_s: tuple[float, float],
    cloud_rpm: int | None = None,
    emulated: bool = False,
    prices: PriceTable | None = None,
    answered_model: str | None = None,
) -> list[MatrixRow]:
    """The matrix's rows from the lesson's measurements.

    ``local``/``remote`` are one streamed answer each (:func:`foundry_workshop.bench.measure_sample`);
    ``tokens_per_s`` is the local rate with one request and with several at once; ``cloud_rpm`` the deployment's
    requests-per-minute limit when known; ``emulated`` marks cloud numbers that come from the local emulation.
    """
    mark = " (emulated)" if emulated else ""
    prices = prices or PriceTable.load()
    cost = prices.cost(remote.prompt_tokens or 0, remote.completion_tokens or 0, cloud_conn.model, answered_model)
    alone, together = tokens_per_s
    return [
        MatrixRow("Latency: first token / whole answer", f"{local.ttft_s:.3f} s / {local.latency_s:.3f} s",
                  f"{remote.ttft_s:.3f} s / {remote.latency_s:.3f} s{mark}", SEED_SAYS["latency"]),
        MatrixRow("Privacy: where the prompt went", f"{_host(local_conn.endpoint)} (this machine)",
                  f"{_host(cloud_conn.endpoint)}{mark}", SEED_SAYS["privacy"]),
        MatrixRow("Cost of this answer", "no per-token charge",
                  f"{cost * 1000:.4f} {prices.currency} per 1,000 such answers (price table, estimate)"
                  if cost is not None else "no price for this deployment in prices.json", SEED_SAYS["cost"]),
        MatrixRow("Offline", "answers" if offline_local else "failed", offline_cloud, SEED_SAYS["offline"]),
        MatrixRow("Model size", _memory(local_conn), "not on this machine", SEED_SAYS["size"]),
        MatrixRow("Scale: tokens/s, 1 request vs several at once", f"{alone:.0f} vs {together:.0f} tokens/s",
                  f"rate limit: {cloud_rpm} requests/min per deployment{mark}" if cloud_rpm
                  else "your deployment's quota", SEED_SAYS["scale"]),
    ]


def matrix_markdown(rows: list[MatrixRow], local_model: str, cloud_model: str) -> str:
    """The rows as a Markdown table: aspect, local, cloud, what the seed says."""
    lines = [f"| | local: {local_model} | cloud: {cloud_model} | the seed says |", "|---|---|---|---|"]
    lines += [f"| {r.aspect} | {r.local} | {r.cloud} | {r.seed} |" for r in rows]
    return "\n".join(lines)

