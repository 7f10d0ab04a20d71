"""Request parameters for reasoning deployments (Azure's gpt-5.x, OpenAI's o-series).

They answer 400 to ``max_tokens`` ("Use 'max_completion_tokens' instead", ``unsupported_parameter``) and to any
``temperature`` but the default 1 (``unsupported_value``); sources in docs/facts.md. Code that may send the same
options to a local model and to the cloud (the router's cloud side, the benchmark) passes them through
:func:`chat_params` so one call shape works on both.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["REASONING_PREFIXES", "chat_params", "is_reasoning_model"]

#: Model or deployment names that start like this are treated as reasoning models.
REASONING_PREFIXES = ("gpt-5", "o1", "o3", "o4")


def is_reasoning_model(name: str | None) -> bool:
    return bool(name) and str(name).lower().startswith(REASONING_PREFIXES)


def chat_params(model: str | None, params: Mapping[str, Any]) -> dict[str, Any]:
    """``params`` as ``model`` accepts them: for a reasoning model ``max_tokens`` becomes
    ``max_completion_tokens`` and a non-default ``temperature`` is left out (the model has no other); for any
    other model, unchanged."""
    out = dict(params)
    if not is_reasoning_model(model):
        return out
    if "max_tokens" in out:
        limit = out.pop("max_tokens")
        if limit is not None:
            out.setdefault("max_completion_tokens", limit)
    if out.get("temperature") not in (None, 1):
        del out["temperature"]
    return out
