"""Open WebUI's environment, installation and process handling, without the 3 GB install.

The server tests use a stand-in ``open-webui`` executable (a small Python script that answers ``/health``
and writes down the environment and working directory it got), so they check what the course hands Open
WebUI and that it is stopped and cleaned up. The real Open WebUI runs in ``tests/test_openwebui_browser.py``.
"""

from __future__ import annotations

import json
import os
import socket
import sys
from pathlib import Path

import pytest

from foundry_workshop.errors import BackendUnavailableError, PortInUseError
from foundry_workshop.openwebui import (
    LEAN_SETTINGS,
    OFFLINE_SETTINGS,
    VENV_VARIABLE,
    find_venv,
    install,
    openwebui_environment,
    require_venv,
    start_openwebui,
)
from foundry_workshop.openwebui.install import openwebui_executable

posix_only = pytest.mark.skipif(os.name == "nt", reason="the stand-in executable is a POSIX script")

STAND_IN = """#!{python}
import http.server, json, os, sys
port = int(sys.argv[sys.argv.index("--port") + 1])
with open(os.path.join(os.getcwd(), "seen.json"), "w") as f:
    json.dump({{"argv": sys.argv[1:], "cwd": os.getcwd(), "env": dict(os.environ)}}, f)
class Health(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200 if self.path == "/health" else 404)
        self.end_headers()
        self.wfile.write(b'{{"status":true}}')
    def log_message(self, *args):
        pass
http.server.HTTPServer(("127.0.0.1", port), Health).serve_forever()
"""


def fake_venv(root: Path) -> Path:
    venv = root / "build" / "openwebui-venv"
    executable = openwebui_executable(venv)
    executable.parent.mkdir(parents=True)
    executable.write_text(STAND_IN.format(python=sys.executable))
    executable.chmod(0o755)
    return venv


def test_environment_is_offline_lean_and_points_at_the_server(tmp_path):
    env = openwebui_environment(openai_url="http://127.0.0.1:5273/v1", api_key="sk-x", model="m:1",
                                data_dir=tmp_path, base={"PATH": "/bin", "WEBUI_URL": "http://elsewhere"})
    assert env.items() >= OFFLINE_SETTINGS.items() and env.items() >= LEAN_SETTINGS.items()
    assert json.loads(env["DEFAULT_MODEL_PARAMS"]) == {"function_calling": "legacy"}
    assert (env["OPENAI_API_BASE_URL"], env["OPENAI_API_KEY"], env["DEFAULT_MODELS"]) == (
        "http://127.0.0.1:5273/v1", "sk-x", "m:1")
    assert env["DATA_DIR"] == str(tmp_path) and env["WEBUI_AUTH"] == "False" and env["PATH"] == "/bin"
    assert len(env["WEBUI_SECRET_KEY"]) >= 32 and "WEBUI_URL" not in env
    assert env["OLLAMA_BASE_URL"] == "http://127.0.0.1:9" and env["RAG_EMBEDDING_MODEL"] == ""


def test_default_settings_keep_open_webuis_tasks_and_several_servers_share_one_picker(tmp_path):
    env = openwebui_environment(openai_url="http://a/v1", api_key="ka", model="m", data_dir=tmp_path, lean=False,
                                more_connections=[("http://b/v1", "kb")])
    assert not set(LEAN_SETTINGS) & set(env)
    assert (env["OPENAI_API_BASE_URLS"], env["OPENAI_API_KEYS"]) == ("http://a/v1;http://b/v1", "ka;kb")


def test_the_environment_is_found_from_a_subfolder_or_through_the_variable(tmp_path, monkeypatch):
    for var in (VENV_VARIABLE, "WORKSHOP_BUILD_DIR"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("WORKSHOP_DOTENV", "0")
    venv = fake_venv(tmp_path)
    for folder in ("notebooks", "samples"):
        (tmp_path / folder).mkdir()
    monkeypatch.chdir(tmp_path / "notebooks")  # notebooks run in notebooks/
    assert find_venv() == venv.resolve()
    monkeypatch.chdir(tmp_path.parent)
    assert find_venv() is None
    monkeypatch.setenv(VENV_VARIABLE, str(venv))
    assert find_venv() == venv


def test_missing_open_webui_says_how_to_install_it(tmp_path, monkeypatch):
    monkeypatch.setenv(VENV_VARIABLE, str(tmp_path / "nothing-here"))
    with pytest.raises(BackendUnavailableError, match=r"make openwebui.*python -m foundry_workshop.openwebui install"):
        require_venv()


def test_install_refuses_an_unsupported_python_before_creating_anything(tmp_path):
    old_python = tmp_path / "python3.10"
    old_python.write_text("#!/bin/sh\necho 3 10\n")
    old_python.chmod(0o755)
    requirements = tmp_path / "requirements-openwebui.txt"
    requirements.write_text("torch==2.13.0\nopen-webui==0.12.4\n")
    with pytest.raises(BackendUnavailableError, match=r"needs Python 3\.11 or 3\.12.*--python"):
        install(tmp_path / "venv", requirements, python=str(old_python))
    assert not (tmp_path / "venv").exists()


def test_install_is_skipped_when_the_same_requirements_are_installed(tmp_path):
    requirements = tmp_path / "requirements-openwebui.txt"
    requirements.write_text("open-webui==0.12.4\n")
    venv = tmp_path / "venv"
    venv.mkdir()
    import hashlib

    digest = hashlib.sha256(requirements.read_bytes()).hexdigest()
    (venv / ".installed").write_text(json.dumps({"requirements": digest}))
    (venv / "big.bin").write_bytes(b"x" * 1000)
    report = install(venv, requirements, python="/nonexistent/python")  # would fail if it tried to install
    assert report.skipped and report.bytes >= 1000 and "already installed" in report.summary()


@posix_only
def test_open_webui_gets_its_environment_on_loopback_and_is_cleaned_up(tmp_path, monkeypatch):
    monkeypatch.setenv("OPENAI_API_BASE_URL", "https://api.openai.com/v1")  # the learner's shell must not win
    webui = start_openwebui(endpoint="http://127.0.0.1:9999/v1", model="m:1", api_key="k",
                            venv=fake_venv(tmp_path), timeout=30)
    data_dir = webui.data_dir
    try:
        seen = json.loads((data_dir / "seen.json").read_text())
        assert seen["argv"][:3] == ["serve", "--host", "127.0.0.1"] and webui.url.startswith("http://127.0.0.1:")
        assert Path(seen["cwd"]) == data_dir and seen["env"]["DATA_DIR"] == str(data_dir)
        assert seen["env"]["OPENAI_API_BASE_URL"] == "http://127.0.0.1:9999/v1"
        assert seen["env"]["ENABLE_TITLE_GENERATION"] == "False"
        assert webui.start_seconds is not None and webui.resident_mb() > 1
    finally:
        code = webui.stop()
    assert not webui.running and code is not None
    assert not data_dir.exists(), "a temporary data folder is removed on stop"


@posix_only
def test_a_taken_port_is_refused_with_who_holds_it(tmp_path):
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        with pytest.raises(PortInUseError) as info:
            start_openwebui(endpoint="http://x/v1", model="m", api_key="k", port=port, venv=fake_venv(tmp_path))
    message = str(info.value)
    assert f"Port {port}" in message and "OPENWEBUI_PORT" in message and "lsof" in message
    assert "python" in message.lower() or "another program" in message
