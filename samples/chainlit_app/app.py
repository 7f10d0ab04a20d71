"""A chat app for a local model: Chainlit UI, streamed answers, per-session history, failures explained.

Run it with ``make chat`` (Windows: see docs/chat-app.md), or from this folder:
``chainlit run app.py --headless --host 127.0.0.1 --port 8000``.

Configuration comes from the environment, as in the seed: ``MODEL`` (an alias or id), ``BASE_URL`` (an
OpenAI-compatible server such as Foundry Local), ``API_KEY`` (only if that server wants one). They join the
course's settings (``WORKSHOP_*`` variables, ``.env``); with nothing set, the app runs the bundled offline model.

This file only wires Chainlit's events to ``foundry_workshop.chat``, where the logic lives and is tested:
one model connection per process (``ModelService``), a budgeted history per session (``ChatHistory``), and
``stream_reply``, which streams with the async client and explains failures instead of raising them.

In production (docs/deployment.md): sign-in turns on when ``CHAINLIT_AUTH_SECRET``, ``CHAT_USERNAME`` and
``CHAT_PASSWORD`` are set; ``GET /healthz`` says whether the model answers (200) or not (503); the model is
warmed up with a one-token request at start so the first user does not wait for it to load.
"""

from __future__ import annotations

import asyncio
import functools
import os
from collections.abc import Awaitable, Callable
from typing import Any

import chainlit as cl
from chainlit.input_widget import Select, Slider
from chainlit.logger import logger
from chainlit.server import app as web
from fastapi.responses import JSONResponse

from foundry_workshop.chat import ChatHistory, ModelService, stream_reply
from foundry_workshop.chat.deploy import ChatAuth
from foundry_workshop.failures import classify

SYSTEM_PROMPT = "You are a helpful assistant running on the user's own computer. Answer clearly and concisely."
MAX_REPLY_TOKENS = 512  # a reply must fit the model's context next to the history (see ChatHistory)
DEFAULT_TEMPERATURE = 0.7

# Appended to an answer that did not end normally, so a partial answer is never mistaken for a whole one.
MARK_INTERRUPTED = "\n\n*[answer interrupted]*"
MARK_STOPPED = "\n\n*[stopped]*"
MARK_CUT = f"\n\n*[answer cut at the {MAX_REPLY_TOKENS}-token limit]*"

service = ModelService()  # one connection for the whole app, shared by every chat session
auth = ChatAuth.from_env()  # sign-in when CHAINLIT_AUTH_SECRET, CHAT_USERNAME and CHAT_PASSWORD are set
auth.check_complete()

if auth.enabled:
    os.environ.setdefault("CHAINLIT_AUTH_SECRET", auth.secret or "")  # Chainlit reads it here (it may come from .env)

    @cl.password_auth_callback
    def login(username: str, password: str) -> cl.User | None:
        """Chainlit's sign-in form calls this; None means "wrong username or password"."""
        return cl.User(identifier=username) if auth.verify(username, password) else None


@web.get("/healthz")
async def healthz() -> JSONResponse:
    """For a supervisor or load balancer: 200 when the model answers, 503 (with the reason) when not."""
    report = await service.health()
    return JSONResponse(report, status_code=200 if report["status"] == "ok" else 503)


web.router.routes.insert(0, web.router.routes.pop())  # ahead of Chainlit's catch-all page route


def guarded(handler: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    """Show a plain message, never an exception's text, if a handler fails; the traceback goes to the log."""

    @functools.wraps(handler)
    async def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return await handler(*args, **kwargs)
        except Exception as exc:
            logger.exception("Chat handler %s failed", handler.__name__)
            endpoint = service.connection.endpoint if service.connection else "the model server"
            await cl.ErrorMessage(content=classify(exc, endpoint=endpoint).message).send()

    return wrapper


@cl.on_app_startup
async def startup() -> None:
    logger.info(await service.startup_report())  # what the app connected to, or why not
    logger.info(await service.warm_up())  # load the model now, not on the first user's question


@cl.on_app_shutdown
async def shutdown() -> None:
    service.close()  # stops the model server if this app started one (bundled backend)


async def offer_settings() -> None:
    """The settings panel: the models the endpoint lists, and the temperature."""
    models = await service.models()
    settings = await cl.ChatSettings([
        Select(id="model", label="Model", values=models, initial_index=0),
        Slider(id="temperature", label="Temperature", initial=DEFAULT_TEMPERATURE, min=0, max=2, step=0.1),
    ]).send()
    cl.user_session.set("settings", settings)
    conn = service.connection
    await cl.Message(content=f"Connected to `{conn.model}` ({conn.backend} backend at `{conn.endpoint}`). "
                             "Change the model or the temperature with the gear icon in the message box.").send()


@cl.on_chat_start
@guarded
async def start_chat() -> None:
    cl.user_session.set("history", ChatHistory(SYSTEM_PROMPT))
    if await service.ensure():
        await offer_settings()
    else:
        await cl.ErrorMessage(content=f"Not connected to a model yet. {service.problem}").send()


@cl.on_settings_update
@guarded
async def update_settings(settings: dict[str, Any]) -> None:
    cl.user_session.set("settings", settings)


@cl.on_message
@guarded
async def answer(message: cl.Message) -> None:
    history: ChatHistory = cl.user_session.get("history")
    refusal = history.refusal(message.content)
    if refusal:
        await cl.Message(content=refusal).send()
        return
    if not service.connected and not await service.ensure():  # the server may have been started since
        await cl.ErrorMessage(content=f"Still not connected to a model. {service.problem}").send()
        return
    if cl.user_session.get("settings") is None:  # this chat began while no model was reachable
        await offer_settings()
    settings = cl.user_session.get("settings")

    shown = cl.Message(content="")  # appears with the first token, then grows
    try:
        reply = await stream_reply(
            service.client, model=settings["model"], messages=history.messages_for(message.content),
            on_token=shown.stream_token, temperature=settings["temperature"], max_tokens=MAX_REPLY_TOKENS,
            endpoint=service.connection.endpoint, secrets=service.secrets,
        )
    except asyncio.CancelledError:  # the user pressed stop: keep what arrived, marked
        history.record(message.content, shown.content)
        if shown.content:
            shown.content += MARK_STOPPED
            await shown.send()
        raise

    history.record(message.content, reply.text)  # a partial answer is kept: the user saw it
    if reply.partial:
        shown.content += MARK_INTERRUPTED
    elif reply.cut_at_limit:
        shown.content += MARK_CUT
    if reply.text:
        await shown.send()  # ends the stream and shows the final text (with its mark)
    if reply.problem:
        await cl.ErrorMessage(content=reply.problem.message).send()
