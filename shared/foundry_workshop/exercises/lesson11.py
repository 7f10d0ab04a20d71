"""Checks of lesson 11 (embeddings and a local RAG)."""

from __future__ import annotations

from typing import Any

import numpy as np

from foundry_workshop.exercises.registry import register


@register("11.top_k")
def check_top_k(top_k: Any) -> str | None:
    """top_k(doc_vectors, query, k) returns the indices of the k documents most similar by cosine, best first."""
    docs = np.array([[10.0, 3.0], [0.6, 0.8], [0.0, 1.0], [-1.0, 0.0]])
    query = np.array([0.0, 2.0])
    try:
        got = [int(i) for i in top_k(docs, query, 2)]
    except (TypeError, ValueError) as error:
        return f"top_k raised {type(error).__name__}: {error}. Return a list (or array) of row indices."
    if got and got[0] == 0:
        return ("the longest vector won: cosine similarity divides by the lengths. Normalise the rows and the "
                "query (np.linalg.norm) before the dot product.")
    if got != [2, 1]:
        return f"expected the indices [2, 1] (most similar first), got {got}: sort by descending similarity."
    if len(top_k(docs, query, 3)) != 3:
        return "return exactly k indices."
    return None
