"""What a chat user reads when talking to the model fails.

A chat page is not a console: a stack trace there helps nobody and may leak configuration, and "Connection
error." does not say what to do. :func:`explain` turns any exception raised while requesting or streaming a
completion into a :class:`Problem`: one or two sentences saying what happened and what to do next. Messages are
written here, from the exception's *type*, status code and advertised retry delay; the server's own wording is
quoted only for 4xx answers (where it is the useful part, e.g. "the request exceeds the available context
size"), shortened, and with any secret removed. The full exception belongs in the app's console log, not here.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from dataclasses import dataclass

import openai

from foundry_workshop.http_checks import retry_after_seconds

#: Longest quote of a server's error message shown to the user.
MAX_QUOTE_CHARS = 200


@dataclass(frozen=True)
class Problem:
    """A failure, explained for the person chatting.

    ``kind`` is a stable name for code and tests (``unreachable``, ``broken_stream``, ``timeout``,
    ``rate_limited``, ``loading``, ``server_error``, ``auth``, ``model_not_found``, ``refused``,
    ``malformed``, ``incomplete``, ``unexpected``); ``message`` is for people.
    """

    kind: str
    message: str
    #: Sending the same message again may well work (the failure was transient).
    retryable: bool = True
    #: Seconds the server asked the client to wait, when it said so (429/503 ``Retry-After``).
    retry_after: float | None = None


def _retry_after(exc: openai.APIStatusError) -> float | None:
    return retry_after_seconds(exc.response.headers)


def _server_words(exc: openai.APIStatusError, secrets: Iterable[str]) -> str:
    """The server's own error message, shortened, with secrets removed."""
    body = exc.body
    text = body.get("message") if isinstance(body, dict) else body
    text = " ".join(str(text or exc.response.reason_phrase or "").split())
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "[hidden]")
    if len(text) > MAX_QUOTE_CHARS:
        text = text[:MAX_QUOTE_CHARS].rstrip() + "..."
    return text


def _wait_phrase(seconds: float | None) -> str:
    if seconds is None:
        return "Wait a few seconds"
    return f"Wait {max(math.ceil(seconds), 1)} second{'s' if math.ceil(seconds) > 1 else ''}"


def explain(
    exc: BaseException,
    *,
    endpoint: str,
    model: str,
    timeout: float | None = None,
    streaming: bool = False,
    partial: bool = False,
    secrets: Iterable[str] = (),
) -> Problem:
    """Explain ``exc``, raised while asking ``model`` at ``endpoint`` for a (streamed) completion.

    ``streaming`` says the server had already accepted the request and started its answer, ``partial`` that
    some text had arrived: the same broken connection means "the server is down" before the response and "the
    stream broke" after it. ``secrets`` (the API key) are removed from any quoted server text.
    """
    kept = " The part of the answer that arrived is kept above." if partial else ""
    again = "Send your message again to retry."

    if isinstance(exc, openai.APITimeoutError):
        waited = f" within {timeout:g} s" if timeout else " in time"
        what = "stopped sending the answer" if partial else "did not answer"
        return Problem(
            "timeout",
            f"The model server {what}{waited}; it may be overloaded or stuck.{kept} {again} "
            "If it keeps happening, check the server, or raise WORKSHOP_TIMEOUT.",
        )
    if isinstance(exc, openai.APIConnectionError):
        if streaming or partial:
            where = "in the middle of the answer" if partial else "before the answer began"
            return Problem("broken_stream", f"The connection to the model server broke {where}.{kept} {again}")
        return Problem(
            "unreachable",
            f"Could not reach the model server at {endpoint}. Check that it is running "
            "(Foundry Local: `foundry service status`; the bundled model: restart this app), then send your "
            "message again.",
        )
    if isinstance(exc, openai.RateLimitError):
        seconds = _retry_after(exc)
        return Problem(
            "rate_limited",
            f"The model server is busy (429 Too Many Requests). {_wait_phrase(seconds)}, then send your "
            "message again.",
            retry_after=seconds,
        )
    if isinstance(exc, openai.AuthenticationError | openai.PermissionDeniedError):
        return Problem(
            "auth",
            f"The model server at {endpoint} rejected the API key ({exc.status_code}). Set API_KEY (or "
            "OPENAI_API_KEY) to the key it expects and restart the app.",
            retryable=False,
        )
    if isinstance(exc, openai.NotFoundError):
        return Problem(
            "model_not_found",
            f"The server at {endpoint} does not serve the model {model} (404). Pick another model in the "
            "settings panel, or load this one on the server.",
            retryable=False,
        )
    if isinstance(exc, openai.APIStatusError) and exc.status_code == 503:
        seconds = _retry_after(exc)
        return Problem(
            "loading",
            "The model server is not ready yet (503 Service Unavailable), usually because the model is still "
            f"loading. {_wait_phrase(seconds)}, then send your message again.",
            retry_after=seconds,
        )
    if isinstance(exc, openai.APIStatusError) and exc.status_code >= 500:
        return Problem(
            "server_error",
            f"The model server had an internal error ({exc.status_code}). {again} If it keeps failing, "
            "look at the server's log.",
        )
    if isinstance(exc, openai.APIStatusError):
        words = _server_words(exc, secrets)
        return Problem(
            "refused",
            f"The model server refused the request ({exc.status_code}): {words} "
            "If the conversation is long, start a new chat.",
            retryable=False,
        )
    if isinstance(exc, json.JSONDecodeError | openai.APIResponseValidationError):
        return Problem(
            "malformed",
            f"The model server sent data this app could not read (a malformed stream event).{kept} {again}",
        )
    return Problem(
        "unexpected",
        f"Something unexpected went wrong while talking to the model ({type(exc).__name__}).{kept} "
        "The details are in the app's console log.",
    )


def incomplete_stream() -> Problem:
    """The stream ended cleanly but without saying the answer was finished (no ``finish_reason``)."""
    return Problem(
        "incomplete",
        "The model server ended the answer without marking it finished, so it may be cut short. "
        "The part that arrived is kept above. Send your message again to retry.",
    )
