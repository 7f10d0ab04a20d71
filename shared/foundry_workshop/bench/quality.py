"""Answer quality: an automatic rubric score per answer, and room for people's scores.

Speed is easy to measure and easy to over-weight: a model that answers fast and wrong is no choice at all.
Each prompt lists the aspects a good answer covers (``expect`` in prompts.json); an aspect counts as covered
when the answer contains one of its keywords at the start of a word (so ``retriev`` matches "retrieval",
and ``ram`` does not match "program"). The automatic score is the covered fraction, 0..1. It is a cheap
screen, not a judge: a keyword can appear in a wrong sentence. So reports also take manual scores (1-5,
the seed's scale) from a JSON file, and prefer them when present::

    {"qwen2.5-0.5b": {"rag": 4, "privacy": 3}, "smollm2-135m-instruct": {"rag": 2}}

Every report folder holds ``manual-scores-template.json`` with each model's answers to start from.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from foundry_workshop.bench.config import Prompt
from foundry_workshop.errors import ConfigurationError

#: Manual scores use the seed's 1-5 scale.
MANUAL_MIN, MANUAL_MAX = 1, 5


@lru_cache(maxsize=512)
def _pattern(keyword: str) -> re.Pattern[str]:
    return re.compile(r"(?<!\w)" + re.escape(keyword.lower()))


def score_answer(text: str, aspects: Sequence[Sequence[str]]) -> tuple[float | None, list[int]]:
    """Covered fraction of ``aspects`` in ``text`` (None without a rubric), and the covered aspects' indexes."""
    if not aspects:
        return None, []
    lowered = text.lower()
    matched = [i for i, keywords in enumerate(aspects) if any(_pattern(k).search(lowered) for k in keywords)]
    return len(matched) / len(aspects), matched


def on_five_point_scale(coverage: float | None) -> float | None:
    """Map a 0..1 coverage to the 1-5 scale of manual scores, so both can share a column."""
    return None if coverage is None else MANUAL_MIN + (MANUAL_MAX - MANUAL_MIN) * coverage


def load_manual_scores(path: str | os.PathLike[str]) -> dict[str, dict[str, float]]:
    """``{model: {prompt_id: score}}`` from a JSON file; entries may be numbers, ``{"score": n}`` or null."""
    path = Path(path)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigurationError(f"The manual scores file {path} does not exist.") from None
    except json.JSONDecodeError as exc:
        raise ConfigurationError(f"The manual scores file {path} is not valid JSON: {exc}.") from None
    if not isinstance(raw, Mapping):
        raise ConfigurationError(f"{path}: expected {{model: {{prompt_id: score}}}}.")
    scores: dict[str, dict[str, float]] = {}
    for model, entries in raw.items():
        if not isinstance(entries, Mapping):
            raise ConfigurationError(f"{path}: scores of {model!r} must be an object {{prompt_id: score}}.")
        for prompt_id, entry in entries.items():
            value = entry.get("score") if isinstance(entry, Mapping) else entry
            if value is None:
                continue  # not scored yet (the template's placeholder)
            if isinstance(value, bool) or not isinstance(value, int | float) or not MANUAL_MIN <= value <= MANUAL_MAX:
                raise ConfigurationError(
                    f"{path}: score of {model!r} on {prompt_id!r} must be {MANUAL_MIN}-{MANUAL_MAX}, got {value!r}."
                )
            scores.setdefault(model, {})[prompt_id] = float(value)
    return scores


def manual_template(answers: Iterable[tuple[str, str, str]], prompts: Sequence[Prompt]) -> dict[str, Any]:
    """A manual-scores file to fill in: ``{model: {prompt_id: {"score": null, "prompt": ..., "answer": ...}}}``.

    ``answers`` yields ``(model, prompt_id, answer)``; the last answer per model and prompt is kept.
    """
    texts = {p.id: p.text for p in prompts}
    template: dict[str, Any] = {}
    for model, prompt_id, answer in answers:
        template.setdefault(model, {})[prompt_id] = {
            "score": None, "prompt": texts.get(prompt_id, ""), "answer": answer,
        }
    return template
