"""Checks for lesson 04 (the model catalog): each returns None when the learner's code is right, else a hint.

``validate`` is checked over real HTTP: against the lesson's own server, and against a mock server the check
starts and breaks on purpose (a model listed but failing, an alias that is not an id). ``pick_variant`` is a
pure function, checked on a catalog shaped like Foundry Local's ``GET /foundry/list``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from foundry_workshop.exercises.registry import register
from foundry_workshop.mock import DEFAULT_MODELS, MockServer


@register("04.validate")
def check_validate(validate: Callable[..., Any], *, base_url: str, model_id: str,
                   headers: dict[str, str] | None = None) -> str | None:
    """Validate a model over HTTP: listed by the server, and answering."""
    mine = validate(base_url, model_id, headers)
    if not isinstance(mine, dict) or set(mine) != {"listed", "answers"}:
        return "Return a dict with exactly two booleans: {'listed': ..., 'answers': ...}."
    if mine != {"listed": True, "answers": True}:
        return f"Your server lists {model_id} and answers, but validate() returned {mine}."
    with MockServer() as mock:
        model = DEFAULT_MODELS[0]
        if validate(mock.url, model.alias, None)["listed"]:
            return (f"{model.alias!r} is an alias, not a listed id: compare whole ids "
                    "(`model_id in [m['id'] for m in data]`), not substrings.")
        mock.add_fault("500", count=None)
        try:
            broken = validate(mock.url, model.id, None)
        except Exception as exc:
            return (f"A model that is listed but fails to answer must give answers=False, not raise "
                    f"{type(exc).__name__}: check `response.ok` before reading the body.")
        if broken != {"listed": True, "answers": False}:
            return f"Listed, but every chat fails with 500: expected listed=True, answers=False, got {broken}."
    return None


def _variant(name: str, alias: str, device: str, version: int) -> dict[str, Any]:
    return {"name": name, "alias": alias, "version": str(version),
            "runtime": {"deviceType": device, "executionProvider": f"{device}ExecutionProvider"}}


#: Entries shaped like Foundry Local's catalog (ids from its public catalog, versions moved on purpose).
CATALOG = [
    _variant("Phi-4-mini-instruct-generic-cpu:4", "phi-4-mini", "CPU", 4),
    _variant("Phi-4-mini-instruct-generic-cpu:5", "phi-4-mini", "CPU", 5),
    _variant("Phi-4-mini-instruct-cuda-gpu:5", "phi-4-mini", "GPU", 5),
    _variant("Phi-4-generic-cpu:2", "phi-4", "CPU", 2),
    _variant("qwen2.5-0.5b-instruct-generic-cpu:4", "qwen2.5-0.5b", "CPU", 4),
    _variant("qwen2.5-0.5b-instruct-qnn-npu:2", "qwen2.5-0.5b", "NPU", 2),
]


@register("04.pick_variant")
def check_pick_variant(pick_variant: Callable[..., Any]) -> str | None:
    """Pick the variant Foundry Local runs for an alias."""
    catalog = [dict(v) for v in CATALOG]
    got = pick_variant(catalog, "phi-4", [])
    if got != "Phi-4-generic-cpu:2":
        return (f"For 'phi-4' you returned {got!r}: match the catalog's `alias` field exactly (ignoring case), "
                "never a prefix of the id, or 'phi-4' grabs a phi-4-mini variant.")
    got = pick_variant(catalog, "Qwen2.5-0.5B", [])
    if got != "qwen2.5-0.5b-instruct-qnn-npu:2":
        return (f"Nothing cached: the best device wins (NPU, then GPU, then CPU), even at a lower version; "
                f"you returned {got!r}.")
    got = pick_variant(catalog, "phi-4-mini", ["Phi-4-mini-instruct-generic-cpu:4"])
    if got != "Phi-4-mini-instruct-generic-cpu:4":
        return (f"A variant already in the cache wins over a download, even a better one; you returned {got!r}.")
    got = pick_variant(catalog, "phi-4-mini", ["Phi-4-mini-instruct-generic-cpu:4",
                                              "Phi-4-mini-instruct-generic-cpu:5"])
    if got != "Phi-4-mini-instruct-generic-cpu:5":
        return f"Among cached CPU variants, the higher version wins (compare as numbers); you returned {got!r}."
    if pick_variant(catalog, "mistral-7b", []) is not None:
        return "An alias the catalog does not have gives None."
    return None
