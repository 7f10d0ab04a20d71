"""The deterministic assistant reply.

The reply is derived from the request alone, so a test can compute the expected
answer with :func:`reply_text` and compare it with what a notebook printed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from .tokens import content_text

#: Longest echo of the user's last message before it is cut (then "..." is appended).
MAX_ECHO_CHARS = 60


def reply_text(messages: Sequence[Mapping[str, object]], model: str) -> str:
    """Return ``Mock reply {turn} from {model}: you said "{last_user}".``.

    ``turn`` is the number of user messages (so multi-turn chats give different
    answers per turn); ``last_user`` is the last user message's text,
    whitespace-collapsed and cut to 60 characters plus "..." when longer.
    ``model`` is reported as given; the server passes the resolved model id.
    """
    user_messages = [m for m in messages if m.get("role") == "user"]
    last_user = " ".join(content_text(user_messages[-1].get("content")).split()) if user_messages else ""
    if len(last_user) > MAX_ECHO_CHARS:
        last_user = last_user[:MAX_ECHO_CHARS] + "..."
    return f'Mock reply {len(user_messages)} from {model}: you said "{last_user}".'
