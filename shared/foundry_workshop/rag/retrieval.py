"""Embeddings over HTTP and retrieval with numpy: no vector database for a few hundred passages.

Vectors are normalised to length one when they arrive, so cosine similarity is a dot product and a whole
question-by-document matrix is one ``@``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from foundry_workshop.rag.documents import Document

if TYPE_CHECKING:
    import openai


def normalise(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=-1, keepdims=True)
    return vectors / np.where(norms == 0, 1, norms)


def embed(client: openai.OpenAI, model: str, texts: Sequence[str], batch: int = 32) -> np.ndarray:
    """Embed ``texts`` with ``POST /v1/embeddings`` in batches; rows normalised, in input order."""
    rows: list[list[float]] = []
    for start in range(0, len(texts), batch):
        response = client.embeddings.create(model=model, input=list(texts[start:start + batch]))
        rows.extend(item.embedding for item in sorted(response.data, key=lambda d: d.index))
    return normalise(np.asarray(rows, dtype=np.float32))


@dataclass(frozen=True)
class Hit:
    document: Document
    score: float


class VectorIndex:
    """Documents and their unit vectors; :meth:`search` ranks by cosine similarity."""

    def __init__(self, documents: Sequence[Document], vectors: np.ndarray) -> None:
        if len(documents) != len(vectors):
            raise ValueError(f"{len(documents)} documents but {len(vectors)} vectors")
        self.documents = list(documents)
        self.vectors = normalise(np.asarray(vectors, dtype=np.float32))

    @classmethod
    def build(cls, client: openai.OpenAI, model: str, documents: Sequence[Document]) -> VectorIndex:
        return cls(documents, embed(client, model, [f"{d.title}. {d.text}" for d in documents]))

    def search(self, query: np.ndarray, k: int = 3) -> list[Hit]:
        scores = self.vectors @ normalise(np.asarray(query, dtype=np.float32))
        best = np.argsort(-scores)[:k]
        return [Hit(self.documents[i], float(scores[i])) for i in best]


def grounded_messages(question: str, hits: Sequence[Hit]) -> list[dict[str, str]]:
    """A prompt that answers only from the retrieved passages and cites them as [id]."""
    sources = "\n".join(f"[{h.document.id}] {h.document.text}" for h in hits)
    return [
        {"role": "system", "content": "Answer in one sentence using only the sources. "
                                      "End with the source id in brackets, like [fl-port]."},
        {"role": "user", "content": f"Sources:\n{sources}\n\nQuestion: {question}"},
    ]


def cited_ids(answer: str) -> list[str]:
    """The ``[id]`` citations in an answer, in order of appearance."""
    return re.findall(r"\[([a-z0-9][a-z0-9-]*)\]", answer)
