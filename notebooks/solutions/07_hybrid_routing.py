"""Reference solutions for lesson 07 (hybrid routing). `make run` and the tests use them in place of the stubs."""

from __future__ import annotations

import openai

from foundry_workshop.routing import LOCAL, Decision, RouteRequest

CONFIDENTIAL = ("password", "salary", "patient")


def confidential_words(request: RouteRequest) -> Decision | None:
    """A routing rule: prompts that mention confidential words stay local; anything else is for the next rule."""
    text = " ".join(str(m.get("content") or "") for m in request.messages).lower()
    if any(word in text for word in CONFIDENTIAL):
        return Decision(LOCAL, "keywords", "mentions confidential data")
    return None


def ask_with_fallback(local: openai.OpenAI, local_model: str, cloud: openai.OpenAI, cloud_model: str,
                      prompt: str) -> tuple[str, str]:
    """Local first; the cloud only when the local server is unreachable, too slow, busy or failing."""
    messages = [{"role": "user", "content": prompt}]
    try:
        reply = local.chat.completions.create(model=local_model, messages=messages, max_tokens=32)
        return "local", reply.choices[0].message.content or ""
    except (openai.APIConnectionError, openai.RateLimitError, openai.InternalServerError):
        # max_completion_tokens: reasoning deployments (gpt-5.x) refuse max_tokens
        reply = cloud.chat.completions.create(model=cloud_model, messages=messages, max_completion_tokens=32)
        return "cloud", reply.choices[0].message.content or ""
