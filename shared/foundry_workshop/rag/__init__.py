"""A local RAG, piece by piece (lesson 11): documents, embeddings over HTTP, numpy retrieval, evaluation.

The lesson writes each step by hand first; these are the same steps, reusable and tested.
"""

from __future__ import annotations

from foundry_workshop.rag.documents import (
    DOCUMENTS_PATH,
    QUESTIONS_PATH,
    Document,
    Question,
    course_documents,
    course_questions,
)
from foundry_workshop.rag.evaluation import AnswerRecord, carries_fact, evaluate_answers, hit_rate_at_k
from foundry_workshop.rag.model import EMBEDDING_MODEL, gguf_path, source_folder
from foundry_workshop.rag.retrieval import Hit, VectorIndex, cited_ids, embed, grounded_messages, normalise
from foundry_workshop.rag.serving import connect_embeddings

__all__ = [
    "DOCUMENTS_PATH", "EMBEDDING_MODEL", "QUESTIONS_PATH", "AnswerRecord", "Document", "Hit", "Question",
    "VectorIndex", "carries_fact", "cited_ids", "connect_embeddings", "course_documents", "course_questions",
    "embed", "evaluate_answers", "gguf_path", "grounded_messages", "hit_rate_at_k", "normalise", "source_folder",
]
