"""Estimated cloud cost of a request, from a price table in a JSON file.

Prices are data, not code: they differ by region, deployment type and month, so the table lives in
``prices.json`` (shipped with the package; pass your own file to :meth:`PriceTable.load`). Costs are
*estimates*: tokens times list price, without discounts, cached-input rates or taxes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from foundry_workshop.errors import ConfigurationError


@dataclass(frozen=True)
class Price:
    """Price of ``per_tokens`` input and output tokens."""

    input: float
    output: float


@dataclass(frozen=True)
class PriceTable:
    prices: dict[str, Price]
    currency: str = "USD"
    per_tokens: int = 1_000_000
    source: str = ""
    as_of: str = ""

    @classmethod
    def load(cls, path: str | Path | None = None) -> PriceTable:
        """The table in ``path``, or the one shipped with the package."""
        if path is None:
            text = (resources.files("foundry_workshop.routing") / "prices.json").read_text(encoding="utf-8")
            where = "the package's prices.json"
        else:
            where = str(path)
            try:
                text = Path(path).read_text(encoding="utf-8")
            except OSError as exc:
                raise ConfigurationError(f"Cannot read the price table {where}: {exc.strerror}.") from None
        try:
            data = json.loads(text)
            prices = {
                name.lower(): Price(float(p["input"]), float(p["output"])) for name, p in data["prices"].items()
            }
            return cls(prices, data.get("currency", "USD"), int(data.get("per_tokens", 1_000_000)),
                       data.get("source", ""), str(data.get("as_of", "")))
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise ConfigurationError(
                f"The price table {where} is not valid ({type(exc).__name__}: {exc}). Expected "
                '{"prices": {"<model>": {"input": <price>, "output": <price>}}, "per_tokens": 1000000}.'
            ) from None

    def lookup(self, *names: str | None) -> tuple[str, Price] | None:
        """The first name with a price: exactly, else the longest key it starts with
        (``gpt-4o-mini-2024-07-18`` -> ``gpt-4o-mini``, not ``gpt-4o``)."""
        for name in filter(None, names):
            key = name.lower()
            if key in self.prices:
                return key, self.prices[key]
            prefixes = [k for k in self.prices if key.startswith(k)]
            if prefixes:
                best = max(prefixes, key=len)
                return best, self.prices[best]
        return None

    def cost(self, prompt_tokens: int, completion_tokens: int, *names: str | None) -> float | None:
        """Estimated cost in ``currency``; None when no name has a price."""
        found = self.lookup(*names)
        if found is None:
            return None
        price = found[1]
        return (prompt_tokens * price.input + completion_tokens * price.output) / self.per_tokens
