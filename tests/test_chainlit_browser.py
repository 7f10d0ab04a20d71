"""The chat app in a real browser: Debian's Chromium driven by Playwright, against the app on the mock server.

What a learner would do and see: type, watch the answer stream in, ask a follow-up that needs the history,
switch model and temperature, hit a broken stream, a rate limit and a server that is down, and carry on
each time. The mock runs in this process; the app is a real Chainlit subprocess talking to it over HTTP.
Without Chromium the test is skipped with the reason on a developer machine, and fails in CI.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from foundry_workshop.browser import CHROMIUM_ARGS
from foundry_workshop.chat.launcher import ChatApp, start_chat_app
from foundry_workshop.mock import Latency, MockServer, reply_text

SCREENSHOT = Path(__file__).resolve().parents[1] / "build" / "screenshots" / "chainlit_chat.png"

SMOL = "smollm2-135m-instruct-generic-cpu:1"
QWEN = "qwen2.5-0.5b-instruct-generic-cpu:4"
API_KEY = "sk-e2e-secret-must-not-appear"
#: Slow enough to watch the text grow between polls (a reply is ~20 pieces: ~1.2 s).
LATENCY = Latency(first_token=0.1, inter_token=0.06)
ANSWERS = '[data-step-type="assistant_message"] .message-content'
STEPS = '[data-step-type="assistant_message"]'


@pytest.fixture(scope="module")
def mock() -> Iterator[MockServer]:
    with MockServer(latency=LATENCY, api_key=API_KEY) as server:
        yield server


@pytest.fixture(scope="module")
def app(mock: MockServer) -> Iterator[ChatApp]:
    # The seed's variables: BASE_URL, an alias in MODEL (the app must send the full id), and a key.
    with start_chat_app(backend="endpoint", endpoint=mock.url, model="smollm2-135m-instruct", api_key=API_KEY) as a:
        yield a


@pytest.fixture(scope="module")
def browser(chromium_executable: str):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=chromium_executable, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, app: ChatApp, mock: MockServer):
    """A fresh chat session (a new browser context) on the app, with the mock reset."""
    mock.clear_faults()
    mock.set_latency(LATENCY)
    context = browser.new_context(viewport={"width": 1000, "height": 900})
    # Offline like the workshop machines: Chainlit's page links Google Fonts and a CDN stylesheet.
    context.route(re.compile(r"^(?!http://127\.0\.0\.1[:/])"), lambda route: route.abort())
    page = context.new_page()
    page.goto(app.url)
    page.wait_for_selector("#chat-input", timeout=30_000)
    wait_for(lambda: f"Connected to {SMOL}" in " ".join(answers(page)), "the connection report", page)
    mock.clear_requests()
    yield page
    context.close()


def answers(page) -> list[str]:
    return page.locator(ANSWERS).all_inner_texts()


def wait_for(condition: Callable[[], object], what: str, page, timeout: float = 20.0) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"Timed out waiting for {what}. Assistant messages on the page: {answers(page)}")


def send(page, text: str) -> int:
    """Type and send ``text`` once the previous answer is finished; returns how many assistant messages there were.

    While an answer runs, Chainlit shows a stop button instead of the send button and ignores Enter. Text is sent
    with the send button: the click waits until Chainlit has taken the text in and enabled it, where Enter right
    after typing was now and then ignored on a busy machine. Blank text leaves the button disabled, so it gets
    Enter, as a user would try.
    """
    page.wait_for_selector("#stop-button", state="detached", timeout=20_000)
    before = page.locator(ANSWERS).count()
    page.fill("#chat-input", text)
    if text.strip():
        page.locator("#chat-submit").click()
    else:
        page.keyboard.press("Enter")
    return before


def chat_requests(mock: MockServer) -> list[dict]:
    return [r["json"] for r in mock.requests if r["path"].endswith("/chat/completions")]


def error_notice(page, text: str) -> bool:
    """An assistant step with Chainlit's error icon that contains ``text``."""
    notices = page.locator(STEPS).filter(has=page.locator("svg.lucide-circle-alert")).all_inner_texts()
    return any(text in notice for notice in notices)


def test_chat_streams_remembers_and_survives_failures(page, mock: MockServer):
    # Tall from the start, so the screenshot at the end shows the whole conversation without scrolling.
    page.set_viewport_size({"width": 1000, "height": 1900})
    # 1. The answer streams in: the message text grows over several polls before it is complete.
    first = reply_text([{"role": "user", "content": "Hello"}], SMOL)
    before = send(page, "Hello")
    seen: list[str] = []

    def complete() -> bool:
        texts = answers(page)
        if len(texts) > before:
            seen.append(texts[before])
        return bool(seen) and seen[-1] == first

    wait_for(complete, "the first answer", page)
    growing = [text for i, text in enumerate(seen) if i == 0 or text != seen[i - 1]]
    assert len(growing) >= 4, f"expected to watch the answer grow, saw {growing}"
    assert all(first.startswith(part) for part in growing), growing
    # The alias in MODEL was resolved: the server was asked for the full id.
    assert chat_requests(mock)[-1]["model"] == SMOL

    # 2. A follow-up that needs the history: the mock numbers its reply by the user turns it was sent.
    before = send(page, "What did I just say?")
    second = 'Mock reply 2 from ' + SMOL + ': you said "What did I just say?".'
    wait_for(lambda: len(answers(page)) > before and answers(page)[before] == second, "the second answer", page)
    sent = chat_requests(mock)[-1]["messages"]
    assert [m["role"] for m in sent] == ["system", "user", "assistant", "user"]
    assert sent[2]["content"] == first

    # 3. The stream breaks after three pieces: the partial answer stays, marked, plus a clear notice.
    mock.add_fault("disconnect", after_tokens=3)
    before = send(page, "Tell me more")
    wait_for(lambda: error_notice(page, "broke in the middle of the answer"), "the broken-stream notice", page)
    partial = answers(page)[before]
    assert partial.startswith("Mock reply 3") and "[answer interrupted]" in partial
    assert "you said" not in partial

    # 4. The session survives: the next turn works, and the partial answer is part of the history.
    before = send(page, "Are you still there?")
    wait_for(lambda: len(answers(page)) > before and answers(page)[-1].startswith("Mock reply 4 from"),
             "the answer after the broken stream", page)
    assert [m["content"] for m in chat_requests(mock)[-1]["messages"]][-2] == "Mock reply 3"

    # 5. Rate limited twice in a row (the app retries once by itself): a notice, then recovery.
    mock.add_fault("429", count=2, retry_after=0.2)
    send(page, "Once more")
    wait_for(lambda: error_notice(page, "busy (429 Too Many Requests)"), "the rate-limit notice", page)
    send(page, "And now?")
    # The rate-limited turn got no answer, so it is not in the history: this is user turn 5.
    fifth = f'Mock reply 5 from {SMOL}: you said "And now?".'
    wait_for(lambda: answers(page)[-1] == fifth, "the answer after the 429", page)

    # Nothing secret or internal ever reached the page.
    body = page.inner_text("body")
    assert API_KEY not in body and "Traceback" not in body

    save_screenshot(page)


def save_screenshot(page) -> None:
    """The whole conversation in one picture: a tall window, the chat scrolled back to its start."""
    page.wait_for_selector("#stop-button", state="detached")
    page.set_viewport_size({"width": 1000, "height": 1900})
    page.evaluate("""selector => {
        for (let el = document.querySelector(selector); el; el = el.parentElement) {
            if (el.scrollHeight > el.clientHeight && getComputedStyle(el).overflowY !== "visible") {
                el.scrollTop = 0;
            }
        }
    }""", STEPS)
    page.wait_for_timeout(300)
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT))


def test_settings_panel_switches_model_and_temperature(page, mock: MockServer):
    page.click("#chat-settings-open-modal")
    page.click("#model")
    page.get_by_role("option", name=QWEN).click()
    page.get_by_role("slider").focus()
    page.keyboard.press("Home")  # temperature 0
    page.click("#confirm")
    before = send(page, "Which model are you?")
    wait_for(lambda: len(answers(page)) > before and answers(page)[before].endswith('"Which model are you?".'),
             "the answer from the chosen model", page)
    assert f"from {QWEN}" in answers(page)[before]
    request = chat_requests(mock)[-1]
    assert (request["model"], request["temperature"]) == (QWEN, 0)


def test_oversized_and_blank_input_is_refused_politely(page, mock: MockServer):
    before = send(page, "x" * 5000)
    wait_for(lambda: len(answers(page)) > before and "Please shorten it" in answers(page)[before],
             "the refusal", page)
    assert "5,000 characters" in answers(page)[before]
    before = send(page, "   \n  ")
    page.wait_for_timeout(500)
    assert all("Mock reply" not in text for text in answers(page)[before:])
    assert chat_requests(mock) == [], "nothing was sent to the model"


def test_stop_button_keeps_the_partial_answer(page, mock: MockServer):
    mock.set_latency(Latency(first_token=0.05, inter_token=0.25))
    before = send(page, "Write slowly")
    wait_for(lambda: len(answers(page)) > before and answers(page)[before].startswith("Mock reply 1"),
             "the first pieces", page)
    page.click("#stop-button")
    wait_for(lambda: "[stopped]" in answers(page)[before], "the stopped mark", page)
    assert "you said" not in answers(page)[before]
    mock.set_latency(LATENCY)
    send(page, "Go on")
    wait_for(lambda: answers(page)[-1].startswith("Mock reply 2 from"), "the next answer", page)
    sent = chat_requests(mock)[-1]["messages"]
    assert sent[2]["role"] == "assistant" and sent[2]["content"].startswith("Mock reply 1"), "partial kept"


def test_server_down_then_back(page, mock: MockServer, app: ChatApp, request):
    """Last in this file: it stops the shared mock and revives the server on the same port."""
    port = mock.port
    mock.stop()
    send(page, "Anyone home?")
    wait_for(lambda: error_notice(page, f"Could not reach the model server at http://127.0.0.1:{port}/v1"),
             "the server-down notice", page)

    revived = MockServer(port=port, latency=LATENCY, api_key=API_KEY).start()  # the learner restarts it
    request.addfinalizer(revived.stop)
    before = send(page, "Back now?")
    wait_for(lambda: len(answers(page)) > before and answers(page)[-1].startswith("Mock reply 1 from"),
             "the answer once the server is back", page)
    assert app.running
