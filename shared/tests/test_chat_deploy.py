"""The chat app's deployment rules: sign-in settings, no listening beyond loopback without them, warm-up and
health."""

from __future__ import annotations

import asyncio

import pytest

from foundry_workshop import connect
from foundry_workshop.chat.__main__ import main as chat_main
from foundry_workshop.chat.deploy import AUTH_VARIABLES, ChatAuth, check_exposure, is_loopback
from foundry_workshop.chat.launcher import chainlit_command, start_chat_app
from foundry_workshop.chat.service import WARM_UP_PREFIX, ModelService
from foundry_workshop.errors import ConfigurationError
from foundry_workshop.http_checks import free_port

SECRET, USER, PASSWORD = "s" * 40, "ada", "correct horse battery staple"


def test_sign_in_comes_from_the_environment_or_dotenv_and_never_shows_its_values(clean_env, tmp_path):
    clean_env.setenv("CHAINLIT_AUTH_SECRET", SECRET)
    (tmp_path / ".env").write_text(f"CHAT_USERNAME={USER}\nCHAT_PASSWORD={PASSWORD}\n")
    auth = ChatAuth.from_env()
    assert auth.enabled and auth.missing == []
    assert PASSWORD not in repr(auth) and SECRET not in repr(auth)
    assert auth.environment() == dict(zip(AUTH_VARIABLES, (SECRET, USER, PASSWORD), strict=True))


def test_only_the_exact_username_and_password_get_in():
    auth = ChatAuth(SECRET, USER, PASSWORD)
    assert auth.verify(USER, PASSWORD)
    assert not auth.verify(USER, PASSWORD + " ")
    assert not auth.verify("Ada", PASSWORD)
    assert not auth.verify("", "")
    assert not ChatAuth().verify("", ""), "no configured user: nobody gets in"


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1", "127.0.0.2"])
def test_loopback_needs_no_sign_in(host):
    assert is_loopback(host)
    check_exposure(host, ChatAuth())


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.20", "no-such-host.invalid"])
def test_anything_else_is_refused_without_sign_in_and_the_message_says_what_to_set(host):
    assert not is_loopback(host)
    with pytest.raises(ConfigurationError) as info:
        check_exposure(host, ChatAuth())
    message = str(info.value)
    assert host in message and all(name in message for name in AUTH_VARIABLES) and "127.0.0.1" in message
    check_exposure(host, ChatAuth(SECRET, USER, PASSWORD))  # with sign-in it is allowed


def test_half_configured_sign_in_is_an_error_not_an_open_app():
    with pytest.raises(ConfigurationError, match="CHAINLIT_AUTH_SECRET not set"):
        check_exposure("127.0.0.1", ChatAuth(None, USER, PASSWORD))


def test_warm_up_sends_one_token_request_and_health_reports_the_model(server):
    server.clear_requests()
    service = ModelService(lambda: connect(backend="endpoint", endpoint=server.url, model="qwen2.5-0.5b"))
    try:
        line = asyncio.run(service.warm_up())
        assert line.startswith(f"{WARM_UP_PREFIX} the model answered in") and service.warm_up_seconds is not None
        sent = [r["json"] for r in server.requests if r["path"].endswith("/chat/completions")]
        assert [(body["max_tokens"], body["model"]) for body in sent] == [(1, "qwen2.5-0.5b-instruct-generic-cpu:4")]
        health = asyncio.run(service.health())
        assert health["status"] == "ok" and health["model"] == "qwen2.5-0.5b-instruct-generic-cpu:4"
        assert health["warm_up_s"] == service.warm_up_seconds and health["problems"] == []
    finally:
        service.close()


def test_health_says_why_when_the_model_server_is_down():
    url = f"http://127.0.0.1:{free_port()}/v1"
    service = ModelService(lambda: connect(backend="endpoint", endpoint=url))
    health = asyncio.run(service.health())
    assert health["status"] == "unavailable" and url in health["problem"]
    assert asyncio.run(service.warm_up()) == f"{WARM_UP_PREFIX} skipped (not connected)"


def test_the_launcher_refuses_to_listen_beyond_loopback_without_sign_in(clean_env, tmp_path):
    app = tmp_path / "app.py"
    app.write_text("raise SystemExit('must never start')\n")
    with pytest.raises(ConfigurationError, match=r"Refusing to serve the chat app on 0\.0\.0\.0"):
        start_chat_app(backend="mock", app_path=app, host="0.0.0.0")


def test_the_command_line_refuses_too_and_says_what_to_set(clean_env, capsys):
    assert chat_main(["--host", "0.0.0.0", "--port", "0"]) == 2
    message = capsys.readouterr().err
    assert "Refusing to serve the chat app on 0.0.0.0" in message and "CHAT_PASSWORD" in message


def test_dev_mode_adds_chainlits_reload_and_debug_switches(tmp_path):
    command = chainlit_command(tmp_path / "app.py", 8000, "0.0.0.0", dev=True)
    assert command[command.index("--host") + 1] == "0.0.0.0" and command[-2:] == ["-w", "--debug"]
    assert "-w" not in chainlit_command(tmp_path / "app.py", 8000)


class _Spawned(Exception):
    """Raised by the stand-in for ``child_process.spawn``: carries the environment the app would get."""

    def __init__(self, env: dict) -> None:
        super().__init__("spawn")
        self.env = env


def test_the_app_gets_the_sign_in_the_launcher_checked(tmp_path, monkeypatch: pytest.MonkeyPatch):
    """Sign-in set only in the launcher's ``.env`` (the app reads the ``.env`` of its own folder, which has
    none): what allowed listening beyond loopback must reach the app, or it would start with no sign-in."""
    from foundry_workshop.chat import launcher

    for name in AUTH_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("WORKSHOP_DOTENV", raising=False)
    (tmp_path / ".env").write_text(f"CHAINLIT_AUTH_SECRET={SECRET}\nCHAT_USERNAME={USER}\nCHAT_PASSWORD={PASSWORD}\n")
    monkeypatch.chdir(tmp_path)
    app_dir = tmp_path / "elsewhere"
    app_dir.mkdir()
    (app_dir / "app.py").write_text("")

    def spawn(command, *, cwd, env, log):
        raise _Spawned(dict(env))

    monkeypatch.setattr(launcher.child_process, "spawn", spawn)
    with pytest.raises(_Spawned) as spawned:
        start_chat_app(backend="mock", app_path=app_dir / "app.py", host="0.0.0.0")
    assert [spawned.value.env.get(name) for name in AUTH_VARIABLES] == [SECRET, USER, PASSWORD]
