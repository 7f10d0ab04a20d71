"""Counting a prompt's tokens for the complexity rule: tokens, not words.

The seed measures complexity with ``len(prompt.split())``. Models see tokens, and the two differ a lot:
measured on this machine against SmolLM2-135M-Instruct's own tokenizer (llama.cpp ``/tokenize``)::

    text                                   tokens  words  approx (below)
    "What is the capital of France? ..."       12     10      14
    Python fibonacci request (English)         25     18      29
    meeting notes (English, 41 words)          57     41      60
    "def add(a: int, b: int) -> int: ..."      34     15      30
    CSV analysis question                      39     24      37
    French sentence                            25      8      18
    Korean sentence                            53      5      16

So the course counts in two ways, and every decision record says which one it used:

* **Exact** (``LlamaCppTokenCounter``): llama.cpp servers - the bundled backend, ``llama-server`` -
  render the chat template (``POST /apply-template``) and tokenize it (``POST /tokenize``). The result is
  exactly the ``usage.prompt_tokens`` the server then reports, in about 1.3 ms per call on 127.0.0.1.
* **Approximate** (``ApproxTokenCounter``), for servers without those routes (Foundry Local, the mock, or
  a local server that is down): the course's one approximation, :func:`foundry_workshop.tokens.approx_tokens`
  (per message ``max(word-and-punctuation pieces, UTF-8 bytes / 4)`` plus 4 tokens of chat-format overhead,
  plus 2 for the reply primer). Within about 20 % of the table above for English prose and code (French:
  -28 %); it badly undercounts scripts such as Korean, which every tokenizer splits differently.

Not used: ``tiktoken`` downloads its BPE files on first use (no network here) and is OpenAI's tokenizer,
not the local model's; a cloud model's tokens are known exactly afterwards, from ``usage``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import requests

from foundry_workshop.errors import WorkshopError
from foundry_workshop.http_checks import root_of
from foundry_workshop.tokens import approx_message_tokens

Messages = Sequence[Mapping[str, Any]]


@dataclass(frozen=True)
class TokenCount:
    tokens: int
    #: How it was counted: "llama.cpp /tokenize" (exact for the local model) or "approx".
    method: str


class TokenCounter(Protocol):
    def count(self, messages: Messages) -> TokenCount: ...


class ApproxTokenCounter:
    """Works everywhere, offline, in microseconds; approximate."""

    method = "approx"

    def count(self, messages: Messages) -> TokenCount:
        return TokenCount(approx_message_tokens(messages), self.method)


class TokenCountError(WorkshopError, RuntimeError):
    """The exact counter could not count (server down, or not a llama.cpp server); callers fall back to the
    approximation, so a learner never sees it."""


@dataclass
class LlamaCppTokenCounter:
    """Exact prompt tokens from a llama.cpp server: chat template applied, then tokenized."""

    root_url: str
    timeout: float = 2.0
    method = "llama.cpp /tokenize"

    def _post(self, route: str, body: dict[str, Any]) -> dict[str, Any]:
        try:
            response = requests.post(f"{self.root_url}{route}", json=body, timeout=self.timeout)
        except requests.RequestException as exc:
            raise TokenCountError(f"{self.root_url}{route}: {type(exc).__name__}") from None
        if response.status_code != 200:
            raise TokenCountError(f"{self.root_url}{route} answered {response.status_code}")
        return response.json()

    def count(self, messages: Messages) -> TokenCount:
        prompt = self._post("/apply-template", {"messages": list(messages)})["prompt"]
        tokens = self._post("/tokenize", {"content": prompt, "add_special": True})["tokens"]
        return TokenCount(len(tokens), self.method)


@dataclass
class PreferExact:
    """The exact counter while it answers, the approximation when it does not (a down server must not
    stop routing: that is exactly when the router is needed)."""

    exact: LlamaCppTokenCounter
    fallback: ApproxTokenCounter

    def count(self, messages: Messages) -> TokenCount:
        try:
            return self.exact.count(messages)
        except TokenCountError:
            return self.fallback.count(messages)


def token_counter_for(endpoint: str | None) -> TokenCounter:
    """The best counter for the local server at ``endpoint`` (base URL, ``/v1`` optional).

    Probes ``/tokenize`` once: llama.cpp servers get the exact counter (with the approximation as a
    safety net), every other server the approximation.
    """
    approx = ApproxTokenCounter()
    if not endpoint:
        return approx
    exact = LlamaCppTokenCounter(root_of(endpoint.rstrip("/")))
    try:
        exact._post("/tokenize", {"content": "probe"})["tokens"]
    except (TokenCountError, KeyError, TypeError, ValueError):
        return approx
    return PreferExact(exact, approx)
