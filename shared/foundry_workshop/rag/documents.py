"""The small document set and labelled questions shipped with the course (lesson 11).

Both are JSON lines inside the package, so an installed (non-editable) package has them too:
``documents.jsonl`` (``id``, ``title``, ``text``) and ``questions.jsonl`` (``question``, ``doc``: the id of the
document that answers it, ``fact``: a short phrase a correct answer carries).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

DATA = Path(__file__).with_name("data")
DOCUMENTS_PATH = DATA / "documents.jsonl"
QUESTIONS_PATH = DATA / "questions.jsonl"


@dataclass(frozen=True)
class Document:
    id: str
    title: str
    text: str


@dataclass(frozen=True)
class Question:
    question: str
    doc: str
    fact: str


def _lines(path: Path) -> list[dict[str, str]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def course_documents(path: Path = DOCUMENTS_PATH) -> list[Document]:
    return [Document(**row) for row in _lines(path)]


def course_questions(path: Path = QUESTIONS_PATH) -> list[Question]:
    return [Question(**row) for row in _lines(path)]
