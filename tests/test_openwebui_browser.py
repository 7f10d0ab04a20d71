"""Open WebUI 0.12.4 in a real browser (Debian's Chromium via Playwright), on the mock and on the bundled model.

What a learner does: open Open WebUI, pick a model, ask, watch the answer stream in. One Open WebUI with the
lean settings is connected to two servers at once (the course's mock and the bundled llama.cpp), so one ~30 s
start serves both checks: against the mock, the exact reply and the one request it recorded; against
SmolLM2, whose wording varies, a non-empty streamed answer. A second Open WebUI with the default settings shows
what they cost: four requests per turn instead of one.

Opt-in: ``make test-integrations`` (it installs Open WebUI first). ``make test`` skips this module with the
reason when Open WebUI is not installed. Measurements (start time, memory, time per turn) are written to
``build/openwebui/browser-test.json``, never asserted.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from foundry_workshop import Connection, connect
from foundry_workshop.browser import CHROMIUM_ARGS, chromium_path, chromium_problem
from foundry_workshop.mock import Latency, MockServer, reply_text
from foundry_workshop.openwebui import INSTALL_HINT, OpenWebUI, find_venv, start_openwebui

REQUIRED = os.environ.get("WORKSHOP_REQUIRE_OPENWEBUI") == "1"  # make test-integrations, its CI job
MEASUREMENTS = Path(__file__).resolve().parents[1] / "build" / "openwebui" / "browser-test.json"
MOCK_MODEL = "smollm2-135m-instruct-generic-cpu:1"
BUNDLED_MODEL = "smollm2-135m-instruct"
QUESTION = "What is the capital of France?"
#: Slow enough to watch the mock's reply grow (~20 pieces: ~1.5 s).
LATENCY = Latency(first_token=0.2, inter_token=0.07)


def _missing() -> str | None:
    if find_venv() is None:
        return f"Open WebUI is not installed (build/openwebui-venv). {INSTALL_HINT}"
    return chromium_problem()


@pytest.fixture(scope="module", autouse=True)
def _prerequisites() -> None:
    reason = _missing()
    if reason and REQUIRED:
        pytest.fail(f"make test-integrations needs Open WebUI and Chromium, but {reason}")
    if reason:
        pytest.skip(reason)


measured: dict[str, Any] = {}


@pytest.fixture(scope="module", autouse=True)
def _report() -> Iterator[None]:
    yield
    if measured:
        MEASUREMENTS.parent.mkdir(parents=True, exist_ok=True)
        MEASUREMENTS.write_text(json.dumps(measured, indent=1) + "\n")
        print(f"\nOpen WebUI browser test measurements ({MEASUREMENTS}):\n{json.dumps(measured, indent=1)}")


@pytest.fixture(scope="module")
def bundled() -> Iterator[Connection]:
    with connect(backend="bundled") as conn:
        yield conn


@pytest.fixture(scope="module")
def mock() -> Iterator[MockServer]:
    with MockServer(latency=LATENCY) as server:
        yield server


@pytest.fixture(scope="module")
def lean_webui(mock: MockServer, bundled: Connection) -> Iterator[OpenWebUI]:
    with start_openwebui(endpoint=mock.url, model=MOCK_MODEL, api_key="sk-mock",
                         more_connections=[(bundled.endpoint, bundled.api_key)]) as webui:
        measured["lean"] = {"start_s": round(webui.start_seconds or 0, 1), "rss_mb_idle": round(webui.resident_mb())}
        yield webui


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(chromium_path()), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class ChatPage:
    """Open WebUI's chat page, driven like a person would (selectors of 0.12.4)."""

    def __init__(self, browser, webui: OpenWebUI) -> None:
        self.context = browser.new_context(viewport={"width": 1200, "height": 900})
        self.outside: list[str] = []  # requests the page tried to send beyond this machine: must stay empty
        self.context.route(re.compile(r"^(?!(http|ws)://127\.0\.0\.1[:/])"), self._block)
        self.page = self.context.new_page()
        self.page.goto(webui.url)
        self.page.wait_for_selector("#chat-input", timeout=60_000)

    def _block(self, route) -> None:
        if not route.request.url.startswith(("data:", "blob:")):
            self.outside.append(route.request.url)
        route.abort()

    def _dismiss_dialogs(self) -> None:
        """Close the "What's new" dialog Open WebUI shows on a first visit (when it shows: its timing varies)."""
        dialog = self.page.locator('div[role="dialog"][aria-modal="true"]')
        if not (dialog.count() and dialog.first.is_visible()):
            return
        okay = dialog.first.get_by_role("button", name=re.compile(r"Okay, Let's Go", re.IGNORECASE))
        if okay.count():
            okay.first.click()
        else:
            self.page.keyboard.press("Escape")
        dialog.first.wait_for(state="hidden", timeout=10_000)

    def click(self, selector: str, attempts: int = 10) -> None:
        """Click, first closing a dialog that may have opened on top of the page."""
        for attempt in range(attempts):
            self._dismiss_dialogs()
            try:
                self.page.click(selector, timeout=3_000)
                return
            except Exception:
                if attempt == attempts - 1:
                    raise

    def pick_model(self, model_id: str) -> None:
        self.click('button[id^="model-selector-"][id$="-button"]')
        self.page.fill("#model-search-input", model_id)
        self.click(f'button[role="option"][data-value="{model_id}"]')

    def ask(self, text: str) -> float:
        """Type and send ``text``; returns the time it was sent (monotonic)."""
        self.click("#chat-input")
        self.page.keyboard.type(text)
        self.click("#send-message-button")
        return time.monotonic()

    def answer(self) -> str:
        answers = self.page.locator("#response-content-container")
        return answers.last.inner_text().strip() if answers.count() else ""

    def wait_for_answer(self, done: Callable[[str], bool], timeout: float = 120.0) -> list[str]:
        """Poll the answer until ``done(text)`` and the Stop button is gone; returns each distinct text seen."""
        seen: list[str] = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            text = self.answer()
            if text and (not seen or text != seen[-1]):
                seen.append(text)
            if text and done(text) and not self.page.locator('button[aria-label="Stop"]').count():
                return seen
            time.sleep(0.05)
        raise AssertionError(f"No complete answer within {timeout:g} s; seen: {seen[-3:]}")

    def watch_stream(self, min_states: int, timeout: float, finish_within: float = 60.0) -> Streamed:
        """Watch the answer grow through ``min_states`` texts; wait up to ``finish_within`` s more for it to end,
        else press Stop (Open WebUI sends no max_tokens: a small model may go on for minutes)."""
        started = time.monotonic()
        streamed = Streamed()
        while time.monotonic() - started < timeout:
            text = self.answer()
            if text and (not streamed.texts or text != streamed.texts[-1]):
                streamed.texts.append(text)
                streamed.first_s = streamed.first_s or round(time.monotonic() - started, 2)
            stop = self.page.locator('button[aria-label="Stop"]')
            if len(streamed.texts) >= min_states and not stop.count():
                streamed.finished_s = round(time.monotonic() - started, 2)
                return streamed
            overdue = time.monotonic() - started > (streamed.first_s or 0) + finish_within
            if len(streamed.texts) >= min_states and overdue and stop.count():
                stop.first.click()
                return streamed
            time.sleep(0.05)
        raise AssertionError(f"The answer did not stream within {timeout:g} s; seen: {streamed.texts[-3:]}")

    def close(self) -> None:
        self.context.close()


@dataclass
class Streamed:
    """What a person saw: each distinct text of the answer, when the first appeared and when it ended."""

    texts: list[str] = field(default_factory=list)
    first_s: float | None = None
    finished_s: float | None = None


@pytest.fixture
def chat(browser, lean_webui: OpenWebUI) -> Iterator[ChatPage]:
    page = ChatPage(browser, lean_webui)
    yield page
    page.close()
    assert page.outside == [], f"the page tried to reach the internet: {page.outside[:5]}"


def chat_posts(mock: MockServer) -> list[dict]:
    return [r["json"] for r in mock.requests if r["path"].endswith("/chat/completions")]


def test_mock_model_answer_streams_in_and_one_lean_request_was_sent(chat: ChatPage, mock: MockServer):
    mock.clear_requests()
    chat.pick_model(MOCK_MODEL)
    expected = reply_text([{"role": "user", "content": QUESTION}], MOCK_MODEL)
    sent = chat.ask(QUESTION)
    seen = chat.wait_for_answer(lambda text: text == expected)
    measured["lean"]["mock_turn_s"] = round(time.monotonic() - sent, 2)
    assert len(seen) >= 3 and all(expected.startswith(part) for part in seen[:-1]), f"not streamed: {seen}"
    assert chat_posts(mock) == [{"stream": True, "model": MOCK_MODEL,
                                 "messages": [{"role": "user", "content": QUESTION}]}]


def test_bundled_model_streams_a_non_empty_answer(chat: ChatPage, lean_webui: OpenWebUI):
    """SmolLM2's wording varies and, with no max_tokens from Open WebUI, it may ramble: watch it stream, then stop."""
    chat.pick_model(BUNDLED_MODEL)
    sent = chat.ask(QUESTION)
    seen = chat.watch_stream(min_states=3, timeout=240)
    measured["lean"].update(bundled_first_text_s=seen.first_s, bundled_finished_s=seen.finished_s,
                            bundled_answer=seen.texts[-1][:200], rss_mb_after_turns=round(lean_webui.resident_mb()))
    assert seen.texts[-1].strip() and len(seen.texts) >= 3, f"no streamed answer: {seen.texts}"
    assert all(seen.texts[i + 1].startswith(seen.texts[i][:20]) for i in range(len(seen.texts) - 1))
    measured["lean"]["bundled_turn_s"] = round(time.monotonic() - sent, 2)


def test_default_settings_cost_four_requests_per_turn(browser, bundled: Connection):
    """Open WebUI's defaults: a title, the answer with 36 tools, follow-ups and tags, for one question.

    Counted on the mock; the same turn on the bundled model is timed for the lesson (not asserted).
    """
    with MockServer() as counting, start_openwebui(endpoint=counting.url, model=MOCK_MODEL, api_key="sk-mock",
                                                   lean=False,
                                                   more_connections=[(bundled.endpoint, bundled.api_key)]) as webui:
        measured["default"] = {"start_s": round(webui.start_seconds or 0, 1)}
        chat = ChatPage(browser, webui)
        try:
            chat.pick_model(MOCK_MODEL)
            sent = chat.ask(QUESTION)
            chat.wait_for_answer(lambda text: text == reply_text([{"role": "user", "content": QUESTION}], MOCK_MODEL))
            measured["default"]["mock_turn_s"] = round(time.monotonic() - sent, 2)
            deadline = time.monotonic() + 30
            while len(chat_posts(counting)) < 4 and time.monotonic() < deadline:
                time.sleep(0.1)  # follow-ups and tags are requested after the answer is shown
        finally:
            chat.close()
        assert chat.outside == [], f"the page tried to reach the internet: {chat.outside[:5]}"
        posts = chat_posts(counting)
        chat = ChatPage(browser, webui)  # the same turn on the bundled model, timed for the lesson
        try:
            chat.pick_model(BUNDLED_MODEL)
            chat.ask(QUESTION)
            seen = chat.watch_stream(min_states=3, timeout=240)
            measured["default"].update(bundled_first_text_s=seen.first_s, bundled_finished_s=seen.finished_s)
        finally:
            chat.close()
    kinds = sorted(_task_kind(post) for post in posts)
    measured["default"]["requests_per_turn"] = len(posts)
    assert kinds == ["chat", "follow_ups", "tags", "title"], kinds
    main = next(post for post in posts if _task_kind(post) == "chat")
    assert main["stream"] is True and len(main["tools"]) == 36


def _task_kind(body: dict) -> str:
    text = body["messages"][-1]["content"]
    for kind, marker in (("title", "Generate a concise title"), ("follow_ups", '"follow_ups"'), ("tags", '"tags"')):
        if marker in text:
            return kind
    return "chat"
