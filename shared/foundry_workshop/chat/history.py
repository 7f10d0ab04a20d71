"""Per-session conversation history: a system prompt plus the newest turns that fit a size budget.

Why a history at all: the model remembers nothing between requests. A follow-up such as "and in French?" only
makes sense if the earlier turns are sent again, every time (the seed's sample sent only the last message).

Why a budget: every turn resends the whole conversation, and a local model's context window is small (the
bundled llama.cpp server gives each of its 4 parallel slots 2048 tokens, shared by the prompt *and* the reply).
Past it the server refuses the request (HTTP 400) or silently cuts the start of the prompt, system prompt
included. So the history sends the system prompt, then the newest whole turns that still fit, and drops the
oldest first; a user message is never sent without its answer, or the reverse.

Why characters, not tokens: the app talks to whatever model the endpoint serves and has no tokenizer for it.
English text averages about 4 characters per token (code and Korean or Chinese text fewer), so the default of
4,000 characters is roughly 1,000-1,300 tokens and leaves room for a 512-token reply in a 2,048-token window.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from foundry_workshop.errors import WorkshopError

#: Characters of system prompt + past turns + new message sent per request (see the module docstring).
DEFAULT_MAX_CHARS = 4000


class InputTooLongError(WorkshopError, ValueError):
    """A new message cannot fit the budget even with no history at all."""


@dataclass(frozen=True)
class Turn:
    """One exchange. ``reply`` may be a partial answer (the stream broke): it is what the user saw."""

    user: str
    reply: str

    @property
    def size(self) -> int:
        return len(self.user) + len(self.reply)


class ChatHistory:
    """A system prompt and the conversation so far, sent to the model within ``max_chars`` characters."""

    def __init__(self, system_prompt: str, max_chars: int = DEFAULT_MAX_CHARS) -> None:
        if max_chars <= len(system_prompt):
            raise ValueError(
                f"max_chars ({max_chars}) must exceed the system prompt's length ({len(system_prompt)}) "
                "to leave room for the conversation."
            )
        self.system_prompt = system_prompt
        self.max_chars = max_chars
        self._turns: deque[Turn] = deque()

    @property
    def max_input_chars(self) -> int:
        """The longest new message that can be sent (with no history at all)."""
        return self.max_chars - len(self.system_prompt)

    @property
    def turns(self) -> tuple[Turn, ...]:
        """Turns kept, oldest first (at most what could still be sent)."""
        return tuple(self._turns)

    def __len__(self) -> int:
        return len(self._turns)

    def refusal(self, text: str) -> str | None:
        """A polite explanation if ``text`` should not be sent (empty or too long), else ``None``.

        Checked before anything reaches the model: an empty prompt wastes a request, and an oversized one
        would push the whole history out of the window or be refused by the server with a less helpful error.
        """
        if not text.strip():
            return "Your message was empty. Type a question or a request, then send it."
        if len(text) > self.max_input_chars:
            return (
                f"Your message has {len(text):,} characters; this chat accepts up to {self.max_input_chars:,} "
                "because the local model's context window is small. Please shorten it or send it in parts."
            )
        return None

    def messages_for(self, user_text: str) -> list[dict[str, str]]:
        """The ``messages`` for a request: system prompt, the newest turns that fit, then ``user_text``.

        Raises :class:`InputTooLongError` if ``user_text`` alone exceeds the budget (check :meth:`refusal` first).
        """
        if len(user_text) > self.max_input_chars:
            raise InputTooLongError(
                f"A message of {len(user_text)} characters does not fit a budget of {self.max_chars} characters "
                f"with a {len(self.system_prompt)}-character system prompt."
            )
        room = self.max_input_chars - len(user_text)
        kept: list[Turn] = []
        for turn in reversed(self._turns):
            if turn.size > room:
                break  # older turns are dropped too: the model sees a contiguous recent conversation
            kept.append(turn)
            room -= turn.size
        messages = [{"role": "system", "content": self.system_prompt}]
        for turn in reversed(kept):
            messages += [{"role": "user", "content": turn.user}, {"role": "assistant", "content": turn.reply}]
        messages.append({"role": "user", "content": user_text})
        return messages

    def record(self, user_text: str, reply: str) -> bool:
        """Remember an exchange; returns whether it was kept (an exchange larger than the budget is not).

        A partial reply (the stream broke midway) is kept as it is, because the user saw it and may refer to it
        ("go on"). An exchange with no reply at all is not: the user saw only an error and will usually send the
        message again, and two user messages in a row confuse some chat templates. Turns that could never be
        sent again (older than the budget) are forgotten, so a long session does not grow without bound; a turn
        larger than the whole budget is not kept, and the turns before it go too (sending them without it would
        leave a gap in the conversation).
        """
        if not reply.strip():
            return False
        turn = Turn(user_text, reply)
        self._turns.append(turn)
        total = sum(t.size for t in self._turns)
        while self._turns and total > self.max_input_chars:
            total -= self._turns.popleft().size
        return bool(self._turns) and self._turns[-1] is turn

    def clear(self) -> None:
        """Forget the conversation (the system prompt stays)."""
        self._turns.clear()
