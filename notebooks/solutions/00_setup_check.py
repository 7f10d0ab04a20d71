"""Reference solutions of lesson 00. ``@exercise(..., solutions=True)`` loads these in place of the stubs."""

from __future__ import annotations

from openai import OpenAI


def ask(client: OpenAI, model: str, question: str) -> str:
    """Send one user message; return the reply text."""
    response = client.chat.completions.create(
        model=model, messages=[{"role": "user", "content": question}], max_tokens=40
    )
    return response.choices[0].message.content or ""
