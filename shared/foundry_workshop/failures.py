"""The one failure classifier: any exception from talking to a model -> a :class:`Failure`.

The chat app shows ``failure.message`` to the person chatting, the benchmark records ``failure.detail`` and
``failure.status`` with a failed sample, and the router falls back to the other side when
``failure.retryable``. Deciding *what* went wrong happens here, once, from the exception's type, HTTP status
and advertised retry delay, so the three surfaces cannot drift apart; nobody else writes an
``except openai.X`` ladder.

Messages say what happened and what to do next. The server's own wording is quoted only for 4xx answers
(where it is the useful part, e.g. "the request exceeds the available context size"), shortened, and with
any secret removed. A traceback belongs in a console log, never in a message.

Kinds (stable names for code and tests): ``connection`` (nothing answered), ``timeout``, ``stream_broken``
(the connection broke after the server accepted the request), ``rate_limited`` (429), ``loading`` (503),
``server_error`` (other 5xx), ``auth`` (401/403), ``not_found`` (404: usually the model), ``bad_request``
(other 4xx), ``context_overflow`` (a 4xx saying the prompt is too long), ``malformed`` (unreadable data),
``incomplete`` (a stream that ended without a finish reason: see :func:`incomplete_stream`) and
``unknown``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from dataclasses import dataclass

import openai

from foundry_workshop.errors import (
    AuthenticationRequiredError,
    EndpointUnreachableError,
    ServerNotReadyError,
    UnknownModelError,
    WorkshopError,
)
from foundry_workshop.http_checks import retry_after_seconds
from foundry_workshop.wire_guard import MalformedResponseError

__all__ = ["KINDS", "MAX_QUOTE_CHARS", "Failure", "classify", "incomplete_stream"]

#: Longest quote of a server's error message in a failure's message or detail.
MAX_QUOTE_CHARS = 200

KINDS = (
    "connection", "timeout", "stream_broken", "rate_limited", "loading", "server_error", "auth", "not_found",
    "bad_request", "context_overflow", "malformed", "incomplete", "unknown",
)

#: 4xx statuses a client may retry as they are (openai-python retries them too).
_RETRYABLE_4XX = (408, 409, 429)
#: Words with which llama.cpp, OpenAI, Azure and Foundry Local say a prompt does not fit the context window.
_OVERFLOW_WORDS = ("context size", "context length", "context_length", "context window", "too many tokens")


@dataclass(frozen=True)
class Failure:
    """A failed request, classified. ``message`` is for people; the other fields are for code."""

    kind: str
    #: What happened and what to do, for the learner or the person chatting.
    message: str
    #: Seconds the server asked the client to wait (429/503 ``Retry-After``), when it said so.
    retry_after: float | None = None
    #: Sending the same request again (or to another server) may well work: the failure was transient.
    retryable: bool = True
    #: HTTP status of the answer, when the server answered.
    status: int | None = None
    #: One technical line for logs, benchmark samples and decision records ("HTTP 429: ...").
    detail: str = ""

    @property
    def label(self) -> str:
        """The detail without the server's words, for tables: "HTTP 429", "timeout", "connection failed"."""
        return self.detail.split(": ", 1)[0]


def _server_words(exc: openai.APIStatusError, secrets: Iterable[str]) -> str:
    """The server's own error message, shortened, with secrets removed."""
    body = exc.body
    text = body.get("message") if isinstance(body, dict) else body
    text = " ".join(str(text or exc.message or exc.response.reason_phrase or "").split())
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "[hidden]")
    if len(text) > MAX_QUOTE_CHARS:
        text = text[:MAX_QUOTE_CHARS].rstrip() + "..."
    return text


def _empty_body(exc: openai.APIStatusError) -> bool:
    """The server sent no body at all (Foundry Local's answer to a model it cannot serve)."""
    try:
        return not exc.response.content.strip()
    except Exception:  # a streamed response that was never read: not known to be empty
        return False


def _wait_phrase(seconds: float | None) -> str:
    if seconds is None:
        return "Wait a few seconds"
    return f"Wait {max(math.ceil(seconds), 1)} second{'s' if math.ceil(seconds) > 1 else ''}"


def _status_detail(exc: openai.APIStatusError, words: str) -> str:
    code = exc.code if exc.code and str(exc.code) != str(exc.status_code) else None
    head = f"HTTP {exc.status_code}" + (f" {code}" if code else "")
    return f"{head}: {words}" if words else head


def classify(
    exc: BaseException,
    *,
    endpoint: str | None = None,
    model: str | None = None,
    timeout: float | None = None,
    streaming: bool = False,
    partial: bool = False,
    chunks: int | None = None,
    secrets: Iterable[str] = (),
) -> Failure:
    """Classify ``exc``, raised while asking ``model`` at ``endpoint`` for a (streamed) completion.

    ``streaming`` says the server had already accepted the request and started its answer, ``partial``
    (or ``chunks > 0``) that some text had arrived: the same broken connection means "the server is down"
    before the response and "the stream broke" after it. ``timeout`` is the limit that was exceeded, for the
    message. ``secrets`` (API keys) are removed from any quoted server text.
    """
    partial = partial or bool(chunks)
    kept = " The part of the answer that arrived is kept above." if partial else ""
    again = "Send your message again to retry."
    after = f" after {chunks} chunks" if chunks is not None else ""
    server = f"the model server at {endpoint}" if endpoint else "the model server"

    if isinstance(exc, WorkshopError):  # the course's own errors already say what happened and what to do
        return _classify_course_error(exc)
    if isinstance(exc, openai.APITimeoutError | TimeoutError):
        waited = f" within {timeout:g} s" if timeout else " in time"
        what = "stopped sending the answer" if partial else "did not answer"
        limit = f": no complete answer within {timeout:g} s" if timeout else ""
        return Failure(
            "timeout",
            f"The model server {what}{waited}; it may be overloaded or stuck.{kept} {again} "
            "If it keeps happening, check the server, or raise WORKSHOP_TIMEOUT.",
            detail=f"timeout{limit}" + (f" ({after.strip()})" if after else ""),
        )
    if isinstance(exc, openai.APIConnectionError):
        cause = exc.__cause__
        why = f" ({cause})" if cause else ""
        if streaming or partial:
            where = "in the middle of the answer" if partial else "before the answer began"
            lost = f"connection lost mid-stream{after}" if partial else "connection lost before any answer"
            return Failure("stream_broken", f"The connection to the model server broke {where}.{kept} {again}",
                           detail=f"{lost}{why}"[:300])
        return Failure(
            "connection",
            f"Could not reach {server}. Check that it is running "
            "(Foundry Local: `foundry server status`; the bundled model: restart this app), then send your "
            "message again.",
            detail=(f"connection failed ({type(cause).__name__})" if cause else "connection failed"),
        )
    if isinstance(exc, openai.APIStatusError):
        return _classify_status(exc, endpoint, model, again, secrets)
    if isinstance(exc, json.JSONDecodeError | openai.APIResponseValidationError):
        what = f"a chunk was not valid JSON{after} ({exc.msg})" if isinstance(exc, json.JSONDecodeError) else (
            exc.message if isinstance(exc, MalformedResponseError) else "the response did not match the OpenAI format")
        return Failure(
            "malformed",
            f"The model server sent data this app could not read (a malformed stream event).{kept} {again}",
            # Garbage that parses as JSON but is not a completion would come back the same way.
            retryable=isinstance(exc, json.JSONDecodeError | MalformedResponseError),
            detail=f"malformed stream: {what}",
        )
    return Failure(
        "unknown",
        f"Something unexpected went wrong while talking to the model ({type(exc).__name__}).{kept} "
        "The details are in the app's console log.",
        retryable=False,
        detail=f"{type(exc).__name__}: {exc}"[:300],
    )


def _classify_status(exc: openai.APIStatusError, endpoint: str | None, model: str | None, again: str,
                     secrets: Iterable[str]) -> Failure:
    status = exc.status_code
    at = f" at {endpoint}" if endpoint else ""
    words = _server_words(exc, secrets)
    detail = _status_detail(exc, words)[:300]
    if status == 429:
        seconds = retry_after_seconds(exc.response.headers)
        return Failure(
            "rate_limited",
            f"The model server is busy (429 Too Many Requests). {_wait_phrase(seconds)}, then send your "
            "message again.",
            retry_after=seconds, status=status, detail=detail,
        )
    if status in (401, 403):
        return Failure(
            "auth",
            f"The model server{at} rejected the API key ({status}). Set API_KEY (or OPENAI_API_KEY) to the key it "
            "expects and restart the app.",
            retryable=False, status=status, detail=detail,
        )
    if status == 404:
        what = f"the model {model}" if model else "this model"
        return Failure(
            "not_found",
            f"The {'server' if endpoint else 'model server'}{at} does not serve {what} (404). Pick another model "
            "in the settings panel, or load this one on the server.",
            retryable=False, status=status, detail=detail,
        )
    if status == 400 and _empty_body(exc):
        what = f"the model {model!r}" if model else "the model"
        return Failure(
            "not_found",
            f"The model server{at} refused {what} with an empty 400 answer: the Foundry Local service answers so "
            "for a model alias (phi-4-mini), an unknown id, or a model that is not loaded. Ask for the full id "
            "that GET /v1/models lists (e.g. Phi-4-mini-instruct-generic-cpu:5), and load it first: "
            "`foundry model load <alias>` or GET /openai/load/<full id>.",
            retryable=False, status=status, detail=detail,
        )
    if status == 503:
        seconds = retry_after_seconds(exc.response.headers)
        return Failure(
            "loading",
            "The model server is not ready yet (503 Service Unavailable), usually because the model is still "
            f"loading. {_wait_phrase(seconds)}, then send your message again.",
            retry_after=seconds, status=status, detail=detail,
        )
    if status >= 500:
        return Failure(
            "server_error",
            f"The model server had an internal error ({status}). {again} If it keeps failing, look at the "
            "server's log.",
            status=status, detail=detail,
        )
    if any(word in words.lower() for word in _OVERFLOW_WORDS):
        words = words.replace(", try increasing it", "")  # llama.cpp's advice, with no setting to follow it
        return Failure(
            "context_overflow",
            f"The prompt does not fit the model's context window ({status}: {words}). Shorten it or start a new "
            "chat; on the bundled model you can raise WORKSHOP_CONTEXT_SIZE (tokens per request, default 2048) "
            "and reconnect.",
            retryable=False, status=status, detail=detail,
        )
    return Failure(
        "bad_request",
        f"The model server refused the request ({status}): {words} If the conversation is long, start a new "
        "chat.",
        retryable=status in _RETRYABLE_4XX, status=status, detail=detail,
    )


def _classify_course_error(exc: WorkshopError) -> Failure:
    kinds: list[tuple[type[WorkshopError], str, bool]] = [
        (EndpointUnreachableError, "connection", True), (ServerNotReadyError, "loading", True),
        (UnknownModelError, "not_found", False), (AuthenticationRequiredError, "auth", False),
    ]
    kind, retryable = next(((k, r) for cls, k, r in kinds if isinstance(exc, cls)), ("unknown", False))
    return Failure(kind, str(exc), retryable=retryable, detail=f"{type(exc).__name__}: {exc}"[:300])


def incomplete_stream() -> Failure:
    """The stream ended cleanly but without saying the answer was finished (no ``finish_reason``)."""
    return Failure(
        "incomplete",
        "The model server ended the answer without marking it finished, so it may be cut short. "
        "The part that arrived is kept above. Send your message again to retry.",
        detail="stream ended without a finish_reason",
    )
