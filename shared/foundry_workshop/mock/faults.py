"""Fault injection: the failures a client of a local LLM server must survive.

A fault is described by a :class:`FaultRule`. Rules are queued on the server
(``MockServer.add_fault``, ``POST /_mock/faults`` or ``--fault``) and matched in
order against each valid chat-completions request; a matching rule is consumed
(``count`` times, or forever when ``count`` is None). A single request can also
carry its own fault in the ``X-Mock-Fault`` header, e.g.
``X-Mock-Fault: stall; after_tokens=3; stall_seconds=0.5``; header faults take
precedence and leave the queue untouched.

Kinds:

* ``429`` - rate limited (``Retry-After``), ``500`` - server error,
  ``503`` - model still loading (``Retry-After``): answered with an OpenAI error
  body before any generation.
* ``stall`` - streaming: role chunk and ``after_tokens`` content chunks, then
  silence for ``stall_seconds`` before carrying on; non-streaming: silence before
  answering. Lets tests exercise client timeouts.
* ``disconnect`` - streaming: role chunk and ``after_tokens`` content chunks, then
  the TCP connection is closed with no finish chunk and no ``[DONE]``;
  non-streaming: the connection is closed without any response.
* ``overflow`` - the prompt does not fit the model's context: ``400`` with OpenAI's
  ``context_length_exceeded`` body (the mock has no context limit of its own; llama.cpp's
  answer to the same situation is measured in ``docs/fault-matrix.md``).
* ``malformed`` - non-streaming: ``200`` with the truncated body ``{"choices": [``;
  streaming: after ``after_tokens`` content chunks a ``data: {not json`` event,
  then the stream continues normally.

What the official ``openai`` client (3.x, ``max_retries=0``) raises, as asserted
by the tests: ``429`` -> ``openai.RateLimitError``; ``500`` and ``503`` ->
``openai.InternalServerError`` (``status_code`` tells them apart); ``stall``
beyond the client timeout -> ``openai.APITimeoutError``; ``disconnect`` ->
``openai.APIConnectionError`` caused by ``httpx2.RemoteProtocolError`` (streaming:
raised while iterating, after the partial content was delivered);
``malformed`` -> a bare ``json.JSONDecodeError`` (the client does not wrap it).
With retries enabled the client retries 429/500/503 and connection errors,
honouring ``retry-after-ms``/``Retry-After``.
"""

from __future__ import annotations

import math
import threading
from dataclasses import asdict, dataclass, replace
from enum import StrEnum
from typing import Any

from .models import MockModel

DEFAULT_AFTER_TOKENS = 2
DEFAULT_RETRY_AFTER = 1.0
DEFAULT_STALL_SECONDS = 30.0
#: Which requests a rule hits: chat completions (the default), ``GET /v1/models``, or both.
ROUTES = ("chat", "models", "any")


class FaultKind(StrEnum):
    """The supported fault kinds; values are the strings used on every interface."""

    RATE_LIMIT = "429"
    SERVER_ERROR = "500"
    MODEL_LOADING = "503"
    STALL = "stall"
    DISCONNECT = "disconnect"
    MALFORMED = "malformed"
    CONTEXT_OVERFLOW = "overflow"

    @property
    def is_error_status(self) -> bool:
        """True for faults answered with an HTTP error status instead of a (broken) completion."""
        return self in (FaultKind.RATE_LIMIT, FaultKind.SERVER_ERROR, FaultKind.MODEL_LOADING,
                        FaultKind.CONTEXT_OVERFLOW)


def parse_kind(value: object) -> FaultKind:
    """Accept ``"429"``, ``429`` or ``FaultKind.RATE_LIMIT`` alike."""
    try:
        return FaultKind(str(value.value if isinstance(value, FaultKind) else value).strip().lower())
    except ValueError:
        kinds = ", ".join(k.value for k in FaultKind)
        raise ValueError(f"Unknown fault kind {value!r}; expected one of: {kinds}") from None


def _non_negative(name: str, value: object, *, integer: bool = False) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"{name} must be a number, got {value!r}")
    if value < 0:
        raise ValueError(f"{name} must be >= 0, got {value!r}")
    if integer:
        if int(value) != value:
            raise ValueError(f"{name} must be an integer, got {value!r}")
        return int(value)
    return float(value)


@dataclass(frozen=True)
class FaultRule:
    """One queued fault.

    ``count``: how many requests it hits (None = every matching request).
    ``model``: only requests for this model id or alias (None = any model).
    ``after_tokens``: content chunks sent before a stream-level fault strikes
    (None = 2). ``retry_after``: seconds advertised by 429/503.
    ``stall_seconds``: length of a ``stall``. ``route``: ``"chat"`` (chat completions, the default),
    ``"models"`` (``GET /v1/models``: how ``connect()`` and ``health()`` see a loading or failing server)
    or ``"any"``. On ``/v1/models`` a ``stall`` delays the list, ``disconnect`` drops it, ``malformed``
    truncates it.
    """

    kind: FaultKind
    count: int | None = 1
    model: str | None = None
    after_tokens: int | None = None
    retry_after: float = DEFAULT_RETRY_AFTER
    stall_seconds: float = DEFAULT_STALL_SECONDS
    route: str = "chat"

    @classmethod
    def create(
        cls,
        kind: object,
        count: int | None = 1,
        model: str | None = None,
        after_tokens: int | None = None,
        retry_after: float = DEFAULT_RETRY_AFTER,
        stall_seconds: float = DEFAULT_STALL_SECONDS,
        route: str = "chat",
    ) -> FaultRule:
        """Build a rule from loosely typed input (JSON, CLI), raising ValueError on nonsense."""
        if count is not None:
            count = _non_negative("count", count, integer=True)
            if count < 1:
                raise ValueError("count must be >= 1 (or null for 'forever')")
        if model is not None and not isinstance(model, str):
            raise ValueError(f"model must be a string or null, got {model!r}")
        if after_tokens is not None:
            after_tokens = _non_negative("after_tokens", after_tokens, integer=True)
        if route not in ROUTES:
            raise ValueError(f"route must be one of {', '.join(ROUTES)}, got {route!r}")
        return cls(
            kind=parse_kind(kind),
            count=count,
            model=model,
            after_tokens=after_tokens,
            retry_after=_non_negative("retry_after", retry_after),
            stall_seconds=_non_negative("stall_seconds", stall_seconds),
            route=route,
        )

    @property
    def tokens_before_fault(self) -> int:
        return DEFAULT_AFTER_TOKENS if self.after_tokens is None else self.after_tokens

    def applies_to(self, model: MockModel | None, route: str = "chat") -> bool:
        if self.route not in (route, "any"):
            return False
        if model is None:  # a request for no particular model (the model list): only model-less rules
            return self.model is None
        return self.model is None or self.model in (model.id, model.alias)

    def to_dict(self) -> dict[str, object]:
        data = asdict(self)
        del data["kind"]
        return {"fault": self.kind.value, **data}


class FaultQueue:
    """Thread-safe ordered rules; tests add them from their thread, the server consumes them."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: list[FaultRule] = []

    def add(self, rule: FaultRule) -> FaultRule:
        with self._lock:
            self._rules.append(rule)
        return rule

    def clear(self) -> int:
        with self._lock:
            cleared = len(self._rules)
            self._rules.clear()
        return cleared

    def snapshot(self) -> list[FaultRule]:
        with self._lock:
            return list(self._rules)

    def take(self, model: MockModel | None, route: str = "chat") -> FaultRule | None:
        """Return and consume the first rule that applies to a ``route`` request for ``model``."""
        with self._lock:
            for index, rule in enumerate(self._rules):
                if not rule.applies_to(model, route):
                    continue
                if rule.count is None:
                    return rule
                if rule.count <= 1:
                    del self._rules[index]
                else:
                    self._rules[index] = replace(rule, count=rule.count - 1)
                return rule
        return None


_HEADER_FIELDS = {"after_tokens", "retry_after", "stall_seconds"}


def parse_fault_header(value: str) -> FaultRule:
    """Parse ``X-Mock-Fault: KIND[; key=value ...]`` (keys: after_tokens, retry_after, stall_seconds)."""
    kind, *params = [part.strip() for part in value.split(";")]
    options: dict[str, float] = {}
    for param in filter(None, params):
        key, sep, raw = param.partition("=")
        key = key.strip().lower().replace("-", "_")
        if not sep or key not in _HEADER_FIELDS:
            raise ValueError(f"Unsupported X-Mock-Fault parameter {param!r}; use {sorted(_HEADER_FIELDS)}")
        try:
            options[key] = float(raw)
        except ValueError:
            raise ValueError(f"X-Mock-Fault parameter {key} must be a number, got {raw.strip()!r}") from None
    return FaultRule.create(kind, count=1, **options)  # type: ignore[arg-type]


def parse_cli_fault(value: str) -> FaultRule:
    """Parse the CLI form ``KIND[:COUNT][@ROUTE]``; COUNT defaults to 1, ``*`` or ``inf`` mean forever;
    ROUTE is ``chat`` (default), ``models`` or ``any``."""
    value, _, route = value.partition("@")
    route = route.strip().lower() or "chat"
    kind, _, raw_count = value.partition(":")
    if not raw_count:
        return FaultRule.create(kind, route=route)
    if raw_count.strip().lower() in ("*", "inf", "forever"):
        return FaultRule.create(kind, count=None, route=route)
    try:
        count = int(raw_count)
    except ValueError:
        raise ValueError(f"Fault count must be an integer or '*', got {raw_count!r}") from None
    return FaultRule.create(kind, count=count, route=route)
