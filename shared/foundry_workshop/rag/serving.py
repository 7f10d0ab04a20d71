"""Reach an embedding model the OpenAI way (``POST /v1/embeddings``), whatever serves it.

* ``bundled``: llama.cpp (xllamacpp) in embedding mode on 127.0.0.1, serving the converted all-MiniLM-L6-v2.
* ``mock``: the course mock's deterministic ``/v1/embeddings`` (same wire format, vectors from a hash).
* ``foundry``: Foundry Local's own embedding models (``qwen3-embedding-0.6b``), which need its online catalog.
* ``endpoint``: any OpenAI-compatible server; the model comes from ``WORKSHOP_EMBEDDING_MODEL``.
"""

from __future__ import annotations

from foundry_workshop import connect
from foundry_workshop.backends.bundled import serve_gguf
from foundry_workshop.connection import Connection
from foundry_workshop.errors import ConfigurationError
from foundry_workshop.rag.model import EMBEDDING_MODEL, require_gguf
from foundry_workshop.settings import env_value, resolve

#: Foundry Local's first catalog embedding model (2026); it downloads from the catalog, so it needs network.
FOUNDRY_EMBEDDING_MODEL = "qwen3-embedding-0.6b"
#: A slot per parallel request; MiniLM reads at most 512 tokens, so each slot holds one whole input.
_SLOTS, _SLOT_TOKENS = 4, 512


def connect_embeddings(backend: str | None = None, model: str | None = None) -> Connection:
    """A connection whose ``client.embeddings.create(model=conn.model, ...)`` returns vectors."""
    settings = resolve(backend=backend)
    chosen = model or env_value("WORKSHOP_EMBEDDING_MODEL")
    if settings.backend == "bundled":
        return serve_gguf(require_gguf(), EMBEDDING_MODEL, settings,
                          ["--embedding", "--ctx", str(_SLOTS * _SLOT_TOKENS), "--parallel", str(_SLOTS)],
                          alias=EMBEDDING_MODEL)
    if settings.backend == "mock":
        conn = connect(backend="mock")
        conn.model = chosen or EMBEDDING_MODEL  # the mock embeds with any model name it lists for embeddings
        return conn
    if settings.backend == "foundry":
        return connect(backend="foundry", model=chosen or FOUNDRY_EMBEDDING_MODEL)
    if settings.backend == "endpoint":
        if not chosen:
            raise ConfigurationError(
                "Set WORKSHOP_EMBEDDING_MODEL to the embedding model your endpoint serves "
                "(e.g. qwen3-embedding-0.6b on Foundry Local, all-minilm on Ollama).")
        return connect(backend="endpoint", model=chosen)
    raise ConfigurationError(
        f"Backend {settings.backend!r} has no local embedding model in this course; "
        "use bundled, mock, foundry or endpoint (with WORKSHOP_EMBEDDING_MODEL).")
