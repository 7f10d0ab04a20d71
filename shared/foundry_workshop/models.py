"""Turning what a learner types (an alias) into what a server wants (a full model id).

Foundry Local lists ``qwen2.5-0.5b-instruct-generic-cpu:4`` while learners and the seeds say
``qwen2.5-0.5b``; Ollama lists ``llama3.2:1b`` for ``llama3.2``. One matching rule serves all of them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from foundry_workshop.errors import UnknownModelError

_VERSION = re.compile(r":(\d+)$")


def _name(model_id: str) -> str:
    return model_id.split(":", 1)[0]


def _version(model_id: str) -> int:
    match = _VERSION.search(model_id)
    return int(match.group(1)) if match else -1


def matches_alias(alias: str, model_id: str) -> bool:
    """True if ``model_id`` is ``alias`` itself, a version of it, or a variant (``alias-...``)."""
    name = _name(model_id)
    return model_id == alias or name == alias or name.startswith(alias + "-")


def resolve_model(requested: str, available: Sequence[str], where: str) -> str:
    """The id in ``available`` that ``requested`` (an alias or an id) names.

    An exact id wins. Among variants of an alias, CPU variants are preferred (they run everywhere),
    then the highest version. Raises :class:`UnknownModelError` listing what exists.
    """
    if requested in available:
        return requested
    candidates = [m for m in available if matches_alias(requested, m)]
    if not candidates:
        raise UnknownModelError(requested, available, where)
    return max(candidates, key=lambda m: ("-cpu" in _name(m), _version(m), m))
