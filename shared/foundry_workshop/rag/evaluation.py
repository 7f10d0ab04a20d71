"""Measuring a RAG pipeline on labelled questions: did retrieval find the source, did the answer carry the fact?"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from foundry_workshop.rag.documents import Question
from foundry_workshop.rag.retrieval import VectorIndex


def hit_rate_at_k(index: VectorIndex, questions: Sequence[Question], query_vectors: np.ndarray, k: int) -> float:
    """Share of questions whose labelled document is among the top ``k`` retrieved."""
    if not questions:
        return 0.0
    pairs = zip(questions, query_vectors, strict=True)
    hits = sum(q.doc in {h.document.id for h in index.search(v, k)} for q, v in pairs)
    return hits / len(questions)


def carries_fact(answer: str, fact: str) -> bool:
    """Whether the answer contains the labelled fact (case and spacing ignored)."""
    return " ".join(fact.lower().split()) in " ".join(answer.lower().split())


@dataclass(frozen=True)
class AnswerRecord:
    question: str
    answer: str
    retrieved: list[str]
    hit: bool
    carries_fact: bool
    cites_source: bool


def evaluate_answers(questions: Sequence[Question], answer: Callable[[Question], tuple[str, list[str]]]
                     ) -> list[AnswerRecord]:
    """Run ``answer(question) -> (text, retrieved ids)`` on every question and score each answer."""
    records = []
    for q in questions:
        text, retrieved = answer(q)
        records.append(AnswerRecord(q.question, text, retrieved, q.doc in retrieved,
                                    carries_fact(text, q.fact), f"[{q.doc}]" in text))
    return records
