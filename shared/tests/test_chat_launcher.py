"""Starting and stopping the Chainlit app as a subprocess (notebook 06, `make chat`, the browser test)."""

from __future__ import annotations

import socket

import psutil
import pytest
import requests

from foundry_workshop.chat.launcher import app_environment, chat_app_path, start_chat_app
from foundry_workshop.chat.service import REPORT_PREFIX
from foundry_workshop.errors import PortInUseError
from foundry_workshop.http_checks import free_port, port_is_free


def test_the_sample_app_is_where_the_launcher_looks():
    app = chat_app_path()
    assert app.is_file() and app.parent.name == "chainlit_app"


def test_environment_carries_the_settings_and_drops_chainlits_flag_variables(monkeypatch):
    monkeypatch.setenv("CI", "true")  # GitHub Actions: would switch Chainlit to CI mode (fake OPENAI_API_KEY)
    monkeypatch.setenv("DEBUG", "1")
    monkeypatch.setenv("WORKSHOP_BACKEND", "mock")
    env = app_environment(backend="endpoint", endpoint="http://127.0.0.1:5273/v1", model="qwen2.5-0.5b",
                          api_key="sk-x", env={"WORKSHOP_MODEL": None, "EXTRA": "1"})
    assert "CI" not in env and "DEBUG" not in env
    assert env["WORKSHOP_BACKEND"] == "endpoint"
    assert (env["BASE_URL"], env["MODEL"], env["API_KEY"]) == ("http://127.0.0.1:5273/v1", "qwen2.5-0.5b", "sk-x")
    assert "WORKSHOP_MODEL" not in env and env["EXTRA"] == "1"


def test_a_taken_port_is_refused_before_starting_anything():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(PortInUseError, match=str(port)):
            start_chat_app(port)


def test_app_starts_even_when_the_model_server_is_down_and_stops_cleanly():
    down = f"http://127.0.0.1:{free_port()}/v1"
    app = start_chat_app(backend="endpoint", endpoint=down)
    try:
        assert app.url.startswith("http://127.0.0.1:")
        assert requests.get(app.url, timeout=5).status_code == 200
        report = app.startup_report
        assert report and report.startswith(f"{REPORT_PREFIX} NOT CONNECTED") and down in report
    finally:
        assert app.stop() == 0, "SIGTERM lets Chainlit shut down normally"
    assert not app.running and port_is_free(app.port)
    app.stop()  # twice is fine


@pytest.mark.bundled
def test_app_on_the_bundled_model_stops_the_server_it_started(clean_env):
    # clean_env: no WORKSHOP_* variables, so the app uses the default (bundled) backend on its own.
    app = start_chat_app(env={"BASE_URL": None, "MODEL": None, "API_KEY": None})
    try:
        assert "on the bundled backend" in (app.startup_report or "")
        children = psutil.Process(app.pid).children(recursive=True)
        assert children, "the bundled backend runs llama.cpp in a child process of the app"
    finally:
        assert app.stop() == 0
    _, alive = psutil.wait_procs(children, timeout=10)
    assert not alive, "closing the app's connection stopped the model server"
