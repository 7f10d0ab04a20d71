"""The standalone minimal Chainlit app (``samples/chainlit_minimal/app.py``) in a real browser, against the mock.

What lesson 06 promises about it: started with nothing but ``FOUNDRY_LOCAL_ENDPOINT``, ``WORKSHOP_MODEL`` (an
alias) and ``OPENAI_API_KEY``, its page answers, a message typed in the browser gets the model's reply streamed
back, and the request carried the full model id the alias stands for, not the alias.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_chainlit_browser import answers, wait_for

from foundry_workshop.browser import CHROMIUM_ARGS
from foundry_workshop.chat import ChatApp, start_chat_app
from foundry_workshop.mock import Latency, MockServer, reply_text

MINIMAL_APP = Path(__file__).resolve().parents[1] / "samples" / "chainlit_minimal" / "app.py"
API_KEY = "sk-minimal-secret-must-not-appear"
SMOL = "smollm2-135m-instruct-generic-cpu:1"


@pytest.fixture(scope="module")
def mock() -> Iterator[MockServer]:
    with MockServer(latency=Latency(first_token=0.05, inter_token=0.03), api_key=API_KEY) as server:
        yield server


@pytest.fixture(scope="module")
def minimal_app(mock: MockServer) -> Iterator[ChatApp]:
    env = {"FOUNDRY_LOCAL_ENDPOINT": mock.url, "WORKSHOP_MODEL": "smollm2-135m-instruct", "OPENAI_API_KEY": API_KEY,
           "BASE_URL": None, "MODEL": None, "API_KEY": None}
    with start_chat_app(app_path=MINIMAL_APP, env=env) as app:
        yield app


def test_the_sample_imports_nothing_from_the_course() -> None:
    assert "foundry_workshop" not in MINIMAL_APP.read_text()


def test_one_message_in_a_real_browser(minimal_app: ChatApp, mock: MockServer, chromium_executable: str) -> None:
    from playwright.sync_api import sync_playwright

    mock.clear_requests()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_executable, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.route(re.compile(r"^(?!http://127\.0\.0\.1[:/])"), lambda route: route.abort())  # offline
        page.goto(minimal_app.url)
        page.wait_for_selector("#chat-input", timeout=30_000)
        wait_for(lambda: any(r["path"] == "/v1/models" for r in mock.requests), "the chat to start", page, timeout=60)
        page.fill("#chat-input", "Hello")
        # Not Enter: Chainlit ignores it until the chat has started, while a click waits for the button to be enabled.
        page.locator("#chat-submit").click()
        expected = reply_text([{"role": "system", "content": "You are a helpful AI assistant."},
                               {"role": "user", "content": "Hello"}], SMOL)
        wait_for(lambda: expected in answers(page), "the streamed answer", page, timeout=60)  # slow under xdist
        body = page.inner_text("body")
        browser.close()
    chats = [r for r in mock.requests if r["path"].endswith("/chat/completions")]
    assert [r["json"]["model"] for r in chats] == [SMOL], "the alias was resolved to the listed id"
    assert chats[0]["json"]["stream"] is True
    assert API_KEY not in body and "Traceback" not in body
