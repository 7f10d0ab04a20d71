"""Reference solutions of lesson 01. ``@exercise(..., solutions=True)`` loads these in place of the stubs."""

from __future__ import annotations

from typing import Any

from openai import OpenAI
from openai.types import CompletionUsage


def make_client(endpoint: str, api_key: str) -> OpenAI:
    """The client for a local server: its base URL (with /v1) and a key it may ignore."""
    return OpenAI(base_url=endpoint, api_key=api_key)


def chat(client: OpenAI, model: str, system: str, user: str, **options: Any) -> tuple[str, CompletionUsage | None]:
    """One system and one user message; extra options go to the call. Returns (text, usage)."""
    response = client.chat.completions.create(
        model=model,
        messages=[{"role": "system", "content": system}, {"role": "user", "content": user}],
        **options,
    )
    return response.choices[0].message.content or "", response.usage
