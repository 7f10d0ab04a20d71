"""The chat app as deployed: sign-in, health and warm-up, through HTTP and a real browser.

The app runs as a real Chainlit subprocess with password sign-in on (the three variables of
:mod:`foundry_workshop.chat.deploy`), against the mock. A browser without credentials gets the sign-in page
and cannot chat; a wrong password is refused; the right one opens the chat, and the model answers. It listens
on 127.0.0.1 like every test server: sign-in does not depend on the address.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pytest
import requests

from foundry_workshop.browser import CHROMIUM_ARGS
from foundry_workshop.chat.deploy import ChatAuth
from foundry_workshop.chat.launcher import ChatApp, start_chat_app
from foundry_workshop.mock import MockServer, reply_text

AUTH = ChatAuth(secret="test-secret-" + "x" * 40, username="ada", password="s3cret-for-the-test-only")
MODEL = "smollm2-135m-instruct-generic-cpu:1"
ANSWERS = '[data-step-type="assistant_message"] .message-content'


@pytest.fixture(scope="module")
def mock() -> Iterator[MockServer]:
    with MockServer() as server:
        yield server


@pytest.fixture(scope="module")
def app(mock: MockServer) -> Iterator[ChatApp]:
    with start_chat_app(backend="endpoint", endpoint=mock.url, model=MODEL, env=AUTH.environment()) as running:
        yield running


def test_health_warm_up_and_sign_in_over_http(app: ChatApp, mock: MockServer):
    health = requests.get(f"{app.url}/healthz", timeout=10)
    assert health.status_code == 200 and health.json()["status"] == "ok" and health.json()["model"] == MODEL
    warm_ups = [r["json"] for r in mock.requests if r["path"].endswith("/chat/completions")]
    assert warm_ups and warm_ups[0]["max_tokens"] == 1, "the app warmed the model up at start"
    assert "Model warm-up: the model answered in" in app.log()
    assert requests.get(f"{app.url}/auth/config", timeout=10).json()["requireLogin"] is True
    assert requests.get(f"{app.url}/user", timeout=10).status_code == 401
    wrong = requests.post(f"{app.url}/login", data={"username": "ada", "password": "guess"}, timeout=10)
    assert wrong.status_code == 401
    right = requests.post(f"{app.url}/login", data={"username": "ada", "password": AUTH.password}, timeout=10)
    assert right.status_code == 200
    assert requests.get(f"{app.url}/user", cookies=right.cookies, timeout=10).json()["identifier"] == "ada"
    assert AUTH.password not in app.log() and (AUTH.secret or "") not in app.log()


def test_a_browser_needs_the_password_to_chat(app: ChatApp, mock: MockServer, chromium_executable: str):
    from playwright.sync_api import sync_playwright

    mock.clear_requests()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_executable, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context()
            context.route(re.compile(r"^(?!http://127\.0\.0\.1[:/])"), lambda route: route.abort())
            page = context.new_page()
            page.goto(app.url)
            page.wait_for_selector("text=Login to access the app", timeout=30_000)
            assert page.locator("#chat-input").count() == 0, "no chat without signing in"

            page.fill("#email", "ada")
            page.fill("#password", "not the password")
            page.get_by_role("button", name="Sign In").click()
            page.wait_for_selector("text=Unable to sign in", timeout=15_000)
            assert page.locator("#chat-input").count() == 0

            page.fill("#password", AUTH.password or "")
            page.get_by_role("button", name="Sign In").click()
            page.wait_for_selector("#chat-input", timeout=30_000)
            assert not [r for r in mock.requests if r["path"].endswith("/chat/completions")], "no chat before sign-in"
            page.wait_for_selector("text=Connected to", timeout=30_000)  # the app's greeting: a session exists
            page.fill("#chat-input", "Hello")
            page.locator("#chat-submit").click()  # waits until Chainlit enables it (Enter may come too early)
            expected = reply_text([{"role": "user", "content": "Hello"}], MODEL)
            deadline = time.monotonic() + 30
            while expected not in page.locator(ANSWERS).all_inner_texts() and time.monotonic() < deadline:
                page.wait_for_timeout(100)
            assert expected in page.locator(ANSWERS).all_inner_texts(), page.locator(ANSWERS).all_inner_texts()
            context.close()
        finally:
            browser.close()
