"""Checks for lesson 07 (hybrid routing): each returns None when the learner's code is right, else a hint.

The routing rule is a pure function, checked on hand-made requests. The fallback exercise is checked over real
HTTP: two mock servers stand in for the local model and the cloud, and the check breaks the local side in the
ways that should (a stopped server, 429, 500) and should not (an unknown model) send a request to the cloud.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx2
import openai

from foundry_workshop.exercises.registry import register
from foundry_workshop.http_checks import free_port
from foundry_workshop.mock import DEFAULT_MODELS, MockServer
from foundry_workshop.routing import LOCAL, Decision, RouteRequest


def _request(*contents: str | None, task: str | None = "research") -> RouteRequest:
    roles = ["user", "assistant"]
    return RouteRequest(messages=[{"role": roles[i % 2], "content": c} for i, c in enumerate(contents)], task=task)


@register("07.confidential_words")
def check_confidential_words(rule: Callable[[RouteRequest], Decision | None]) -> str | None:
    """A routing rule: confidential words stay local."""
    plain = rule(_request("Research the history of printing."))
    if plain is not None:
        return ("Return None for a prompt without a confidential word, so the next rule (task, size) decides; "
                f"you returned {plain!r}.")
    first = rule(_request("Research how salary bands are set."))
    if not isinstance(first, Decision):
        return "Return a Decision(LOCAL, rule, reason) when the prompt mentions 'salary'."
    if first.route != LOCAL:
        return f"A confidential prompt stays on this machine: Decision(LOCAL, ...), not route={first.route!r}."
    if rule(_request("What is a good PASSWORD manager?")) is None:
        return "Compare without regard to case: 'PASSWORD' and 'Salary' are the same words (use .lower())."
    earlier = rule(_request("My patient has a fever.", "I see.", "What should I ask next?"))
    if earlier is None:
        return "Look at every message of the conversation, not only the last: the word can be in an earlier one."
    try:
        rule(_request("Hello", None))
    except Exception as exc:  # an assistant message with tool calls has content None
        return f"A message's content can be None (an assistant turn that only called tools): {type(exc).__name__}."
    return None


@register("07.ask_with_fallback")
def check_ask_with_fallback(ask_with_fallback: Callable[..., Any]) -> str | None:
    """Local first, the cloud only when the local side is down, busy or failing."""
    # One server plays both sides (faults aimed at the local model only) and one HTTP client serves every
    # OpenAI client: the check stays well under a second.
    local_model, cloud_model = DEFAULT_MODELS[0].id, DEFAULT_MODELS[-1].id
    with MockServer() as server, httpx2.Client(timeout=10) as http:

        def client(url: str) -> openai.OpenAI:
            return openai.OpenAI(base_url=url, api_key="not-needed", max_retries=0, http_client=http)

        local, cloud = client(server.url), client(server.url)

        def ask(client: openai.OpenAI, model: str = local_model) -> Any:
            return ask_with_fallback(client, model, cloud, cloud_model, "Say hello.")

        def cloud_asked() -> bool:
            return any((r.get("json") or {}).get("model") == cloud_model for r in server.requests)

        side = ask(local)
        if not (isinstance(side, tuple) and len(side) == 2):
            return "Return a pair: the side that answered ('local' or 'cloud') and the answer's text."
        if side[0] != "local" or cloud_asked():
            return "When the local model answers, use its answer: local first, the cloud only as a fallback."
        try:
            side = ask(client(f"http://127.0.0.1:{free_port()}/v1"))
        except openai.APIConnectionError:
            return "When nothing listens locally (openai.APIConnectionError), ask the cloud instead of failing."
        if side[0] != "cloud":
            return "When the local server is down, the answer must come from the cloud: return ('cloud', text)."
        for fault, name in (("429", "RateLimitError (429)"), ("500", "InternalServerError (5xx)")):
            server.add_fault(fault, count=1, model=local_model, retry_after=0.1)
            try:
                side = ask(local)
            except openai.APIStatusError:
                return f"A busy or failing local server ({name}) is a reason to ask the cloud, too."
            if side[0] != "cloud":
                return f"After a local {name}, the answer must come from the cloud."
        try:
            side = ask(local, "no-such-model")
        except openai.NotFoundError:
            return None
        except Exception as exc:
            return f"An unknown model should raise openai's NotFoundError unchanged, not {type(exc).__name__}."
        return ("Do not fall back on a mistake: an unknown model (404) would fail the same way again tomorrow, "
                "and the cloud answer would hide it. Catch only connection errors, 429 and 5xx.")
