"""The chat app's conversation history: system prompt first, newest whole turns within the budget, refusals."""

from __future__ import annotations

import pytest

from foundry_workshop.chat.history import ChatHistory, InputTooLongError

SYSTEM = "Be brief."  # 9 characters


def contents(messages):
    return [(m["role"], m["content"]) for m in messages]


def test_first_request_is_system_prompt_then_the_message():
    history = ChatHistory(SYSTEM, max_chars=100)
    assert contents(history.messages_for("Hi")) == [("system", SYSTEM), ("user", "Hi")]


def test_earlier_turns_are_sent_in_order():
    history = ChatHistory(SYSTEM, max_chars=1000)
    history.record("My name is Ada.", "Hello Ada.")
    history.record("I like tea.", "Noted.")
    assert contents(history.messages_for("What is my name?")) == [
        ("system", SYSTEM),
        ("user", "My name is Ada."), ("assistant", "Hello Ada."),
        ("user", "I like tea."), ("assistant", "Noted."),
        ("user", "What is my name?"),
    ]


def test_oldest_whole_turns_are_dropped_to_fit_the_budget():
    history = ChatHistory(SYSTEM, max_chars=9 + 10 + 20 + 20)  # system + new message + two 20-char turns
    for i in range(4):
        history.record(f"question {i}", f"answer {i}xx")  # 10 + 10 characters each
    messages = history.messages_for("0123456789")
    assert contents(messages)[1:] == [
        ("user", "question 2"), ("assistant", "answer 2xx"),
        ("user", "question 3"), ("assistant", "answer 3xx"),
        ("user", "0123456789"),
    ]
    assert sum(len(m["content"]) for m in messages) <= history.max_chars
    # One character more in the new message and only the newest turn still fits.
    assert [m["content"] for m in history.messages_for("0123456789A")][1:3] == ["question 3", "answer 3xx"]


def test_a_turn_that_does_not_fit_also_drops_everything_older():
    """The model sees a contiguous recent conversation, never a gap."""
    history = ChatHistory(SYSTEM, max_chars=9 + 2 + 30)
    history.record("a", "b")          # 2 characters: would fit...
    history.record("x" * 20, "y" * 20)  # ...but this newer turn (40) does not
    assert contents(history.messages_for("hi")) == [("system", SYSTEM), ("user", "hi")]


def test_a_partial_reply_is_kept_and_a_missing_one_is_not():
    history = ChatHistory(SYSTEM)
    assert history.record("Tell me a story", "Once upon a") is True
    assert history.record("Are you there?", "") is False
    assert history.record("Hello?", "   ") is False
    assert [(t.user, t.reply) for t in history.turns] == [("Tell me a story", "Once upon a")]


def test_stored_history_stays_within_the_budget():
    history = ChatHistory(SYSTEM, max_chars=109)  # 100 characters of conversation
    for i in range(50):
        history.record(f"q{i:03d}", "r" * 16)  # 20 characters per turn
    assert len(history) == 5
    assert history.turns[-1].user == "q049"

def test_a_turn_larger_than_the_budget_ends_the_remembered_conversation():
    """It could never be sent, and sending what came before it would leave a gap, so the history restarts."""
    history = ChatHistory(SYSTEM, max_chars=109)
    history.record("q1", "r1")
    assert history.record("huge", "z" * 200) is False
    assert len(history) == 0
    assert history.record("q2", "r2") is True


def test_clear_keeps_the_system_prompt():
    history = ChatHistory(SYSTEM)
    history.record("a", "b")
    history.clear()
    assert len(history) == 0
    assert contents(history.messages_for("x")) == [("system", SYSTEM), ("user", "x")]


@pytest.mark.parametrize("text", ["", "   ", "\n\t "])
def test_empty_input_is_refused_politely(text):
    refusal = ChatHistory(SYSTEM).refusal(text)
    assert refusal and "empty" in refusal


def test_oversized_input_is_refused_with_the_numbers():
    history = ChatHistory(SYSTEM, max_chars=1009)
    assert history.max_input_chars == 1000
    assert history.refusal("x" * 1000) is None
    refusal = history.refusal("x" * 1001)
    assert refusal and "1,001" in refusal and "1,000" in refusal
    with pytest.raises(InputTooLongError):
        history.messages_for("x" * 1001)


def test_budget_must_leave_room_beyond_the_system_prompt():
    with pytest.raises(ValueError, match="must exceed"):
        ChatHistory("x" * 50, max_chars=50)
