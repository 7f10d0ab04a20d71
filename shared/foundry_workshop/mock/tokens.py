"""A deterministic pseudo-tokenizer.

Real tokenizers are model-specific and would make the mock's usage numbers hard
to predict. This one splits text into words and single punctuation characters,
each piece carrying the whitespace that precedes it::

    split_tokens('Hi, there!')  == ['Hi', ',', ' there', '!']

Because every piece keeps its leading whitespace, ``"".join(split_tokens(t))``
equals ``t`` minus trailing whitespace, so streamed pieces concatenate back to the
exact non-streaming text. Usage is computed from the same pieces, so tests can
assert on token counts exactly.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

_PIECE = re.compile(r"\s*(?:\w+|[^\w\s])")

#: Per-message overhead in prompt tokens (role markers etc.), like OpenAI's accounting.
TOKENS_PER_MESSAGE = 4
#: Per-request overhead in prompt tokens (the assistant turn primer).
TOKENS_PER_REQUEST = 2


def split_tokens(text: str) -> list[str]:
    """Split ``text`` into pieces; each piece is one streamed chunk / one completion token."""
    return _PIECE.findall(text)


def count_tokens(text: str) -> int:
    """Number of pseudo-tokens in ``text``."""
    return len(split_tokens(text))


def content_text(content: object) -> str:
    """Plain text of a message ``content``: a string, a list of parts (text parts joined), or None."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        texts = [
            part["text"]
            for part in content
            if isinstance(part, Mapping) and part.get("type") == "text" and isinstance(part.get("text"), str)
        ]
        return " ".join(texts)
    return ""


def count_prompt_tokens(messages: Iterable[Mapping[str, object]]) -> int:
    """Prompt tokens: every message's content tokens plus a fixed overhead."""
    return sum(count_tokens(content_text(m.get("content"))) + TOKENS_PER_MESSAGE for m in messages) + (
        TOKENS_PER_REQUEST
    )
