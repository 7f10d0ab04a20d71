"""The hybrid router: one chat call, answered by the local model or the cloud (seed 002, part 2).

``router.chat.completions.create(messages=..., task=..., private=..., stream=...)`` has the shape of the
OpenAI client's call (both sides *are* OpenAI clients: Foundry Local's and ``openai.AzureOpenAI``) and
returns what the client returns: a ``ChatCompletion``, or an iterator of ``ChatCompletionChunk``. The
``model`` is the router's choice, so a ``model=`` argument is ignored.

How a request is answered:

1. Its prompt tokens are counted (:mod:`.tokens`), and the rules are tried in order (:mod:`.rules`);
   the first that decides picks the route, else the default (local-first).
2. The chosen side is called. On a failure :func:`foundry_workshop.failures.classify` calls retryable (a
   connection error, a timeout, 408/409/429, a 5xx, a malformed stream), the *other* side answers instead:
   local down -> cloud, cloud unreachable (offline) -> local. Private requests never go
   to the cloud, not even as a fallback: they fail with :class:`RoutingError` instead. Other errors (400,
   401, 404 unknown deployment) are the caller's to fix and are raised, not hidden by a fallback.
3. A side that failed with a connection error or a 429 is *marked down* for ``cooldown_s`` (or the
   ``retry-after`` it sent), and requests for it go straight to the other side meanwhile, instead of
   paying a connection timeout each time.
4. Streaming falls back only before the first token: once text has reached the caller, switching models
   would repeat or contradict it, so a broken stream raises. The router asks for
   ``stream_options.include_usage`` so it can count tokens; the final chunk then has ``choices == []``
   (as do Azure OpenAI's first chunks): read ``chunk.choices`` only when it is not empty.

Every request leaves a :class:`~.records.DecisionRecord` in ``router.records``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from foundry_workshop.errors import WorkshopError
from foundry_workshop.failures import Failure, classify
from foundry_workshop.reasoning import chat_params
from foundry_workshop.routing.pricing import PriceTable
from foundry_workshop.routing.records import Attempt, DecisionLog, DecisionRecord
from foundry_workshop.routing.rules import CLOUD, LOCAL, ROUTES, Decision, RouteRequest, Rule, default_rules
from foundry_workshop.routing.tokens import Messages, TokenCount, TokenCounter, token_counter_for
from foundry_workshop.tokens import message_text

if TYPE_CHECKING:
    import openai

    from foundry_workshop.connection import Connection

PROMPT_PREVIEW_CHARS = 48


class RoutingError(WorkshopError):
    """No side could answer; ``record`` holds every attempt and its error."""

    def __init__(self, message: str, record: DecisionRecord) -> None:
        super().__init__(message)
        self.record = record


@dataclass
class Target:
    """One side: an OpenAI-compatible client and the model (or Azure deployment) to ask for."""

    client: openai.OpenAI
    model: str
    #: Where it is, for messages and tables (never a key).
    where: str = ""
    #: Seconds before a call gives up (then the router falls back); None keeps the client's own timeout.
    timeout: float | None = None
    #: Client retries before the router falls back; 0 makes fallback immediate.
    max_retries: int = 0
    #: Name to price this side's tokens by in the price table (else the model names are tried).
    price_model: str | None = None

    def __post_init__(self) -> None:
        options: dict[str, Any] = {"max_retries": self.max_retries}
        if self.timeout is not None:
            options["timeout"] = self.timeout
        self._client = self.client.with_options(**options)

    @classmethod
    def from_connection(cls, conn: Connection, **options: Any) -> Target:
        """A side built from ``connect(...)``: its client, its model, its endpoint."""
        return cls(client=conn.client, model=conn.model, where=conn.endpoint, **options)

    def create(self, **kwargs: Any) -> Any:
        # A gpt-5.x deployment refuses max_tokens and temperature=0, which the local side takes.
        return self._client.chat.completions.create(model=self.model, **chat_params(self.model, kwargs))


def _down_for(failure: Failure, cooldown_s: float) -> float | None:
    """How long to avoid a side after ``failure``: connection trouble -> cooldown; 429 -> its retry-after."""
    if failure.kind in ("connection", "timeout", "stream_broken"):
        return cooldown_s
    if failure.kind == "rate_limited":
        return cooldown_s if failure.retry_after is None else failure.retry_after
    return None


class EmptyPromptError(WorkshopError, ValueError):
    """The last user message has no text: nothing worth a request (and a local model would ramble)."""


def _refuse_empty(messages: Messages) -> None:
    users = [m for m in messages if m.get("role") == "user"]
    if not users or not message_text(users[-1].get("content")).strip():
        raise EmptyPromptError(
            "The prompt is empty: nothing was sent to either side. Put your question in the last user message."
        )


class _Completions:
    def __init__(self, router: Router) -> None:
        self.create = router.create


class _Chat:
    def __init__(self, router: Router) -> None:
        self.completions = _Completions(router)


class Router:
    """Route chat requests between a local and a cloud :class:`Target` (or :class:`Connection`)."""

    def __init__(
        self,
        local: Target | Connection | None,
        cloud: Target | Connection | None = None,
        *,
        rules: Sequence[Rule] | None = None,
        default: str = LOCAL,
        counter: TokenCounter | None = None,
        prices: PriceTable | None = None,
        fallback: bool = True,
        cooldown_s: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if default not in ROUTES:
            raise ValueError(f"default must be one of {ROUTES}")
        if local is None and cloud is None:
            raise ValueError("A router needs at least one side")
        self.targets: dict[str, Target] = {
            name: t if isinstance(t, Target) else Target.from_connection(t)
            for name, t in ((LOCAL, local), (CLOUD, cloud)) if t is not None
        }
        self.rules: list[Rule] = list(default_rules() if rules is None else rules)
        self.default = default
        local_where = self.targets[LOCAL].where if LOCAL in self.targets else None
        self.counter: TokenCounter = counter if counter is not None else token_counter_for(local_where)
        self.prices = prices if prices is not None else PriceTable.load()
        self.fallback = fallback
        self.cooldown_s = cooldown_s
        self.records = DecisionLog()
        self.chat = _Chat(self)
        self._clock = clock
        self._down: dict[str, tuple[float, str]] = {}
        self._lock = threading.Lock()

    # -- deciding ------------------------------------------------------------------------------
    def decide(
        self, messages: Messages, *, task: str | None = None, private: bool = False
    ) -> tuple[Decision, TokenCount]:
        """The rules' choice for a request, without sending it."""
        count = self.counter.count(messages)
        request = RouteRequest(messages=messages, task=task, private=private, tokens=count.tokens,
                               token_method=count.method)
        for rule in self.rules:
            decision = rule(request)
            if decision is not None:
                return decision, count
        return Decision(self.default, f"default:{self.default}-first", "no rule decided"), count

    def mark_down(self, route: str, seconds: float, why: str) -> None:
        with self._lock:
            self._down[route] = (self._clock() + seconds, why)

    def down(self, route: str) -> str | None:
        """Why ``route`` is being avoided right now, or None."""
        with self._lock:
            until, why = self._down.get(route, (0.0, ""))
            if self._clock() < until:
                return why
            self._down.pop(route, None)
            return None

    def _plan(self, decision: Decision, private: bool) -> list[str]:
        """Routes to try, in order."""
        other = CLOUD if decision.route == LOCAL else LOCAL
        order = [decision.route]
        if self.fallback and not private:
            order.append(other)
        return order

    # -- answering -----------------------------------------------------------------------------
    def create(
        self, messages: Messages, *, task: str | None = None, private: bool = False, stream: bool = False,
        model: str | None = None, **params: Any,
    ) -> Any:
        """Answer like ``client.chat.completions.create``; ``task`` and ``private`` feed the rules."""
        del model  # the router chooses the model
        messages = list(messages)
        _refuse_empty(messages)
        decision, count = self.decide(messages, task=task, private=private)
        record = DecisionRecord(
            n=0, prompt=self._preview(messages, private), task=task, private=private,
            stream=stream, prompt_tokens_counted=count.tokens, token_method=count.method, rule=decision.rule,
            reason=decision.reason, planned=decision.route,
        )
        self.records.append(record)  # now, so even a stream that is never read leaves a trace
        if stream:
            params.setdefault("stream_options", {"include_usage": True})
        order = self._plan(decision, private)
        last: Failure | None = None
        for index, route in enumerate(order):
            target = self.targets.get(route)
            if target is None:
                record.attempts.append(Attempt(route, ok=False, error="not configured", skipped=True))
                continue
            down = self.down(route)
            later = order[index + 1:]
            if down and any(r in self.targets and not self.down(r) for r in later):
                record.attempts.append(Attempt(route, ok=False, error=f"marked down: {down}", skipped=True))
                continue
            start = time.perf_counter()
            try:
                if stream:
                    return self._open_stream(target, route, record, start, messages, params)
                response = target.create(messages=messages, **params)
            except Exception as exc:
                failure = classify(exc, endpoint=target.where, model=target.model, timeout=target.timeout)
                last = failure
                record.attempts.append(Attempt(route, ok=False, latency_s=time.perf_counter() - start,
                                               error=failure.label))
                if not failure.retryable:  # the caller's to fix (400, 401, 404 unknown deployment): no fallback
                    self._finish(record, error=failure.label)
                    raise RoutingError(f"The {route} side refused the request: {failure.message}", record) from exc
                seconds = _down_for(failure, self.cooldown_s)
                if seconds:
                    self.mark_down(route, seconds, failure.label)
                continue
            latency = time.perf_counter() - start
            record.attempts.append(Attempt(route, ok=True, latency_s=latency))
            usage = getattr(response, "usage", None)
            self._finish(record, route=route, target=target, latency=latency, model=getattr(response, "model", None),
                         prompt_tokens=getattr(usage, "prompt_tokens", None),
                         completion_tokens=getattr(usage, "completion_tokens", None))
            return response
        raise self._failed(record, private, last)

    def _failed(self, record: DecisionRecord, private: bool, last: Failure | None) -> RoutingError:
        tried = "; ".join(f"{a.route}: {a.error}" for a in record.attempts)
        # What the last side said, classified (a 429 is "wait", not "start the server"), then the router's part.
        said = f" {last.message}" if last is not None else ""
        advice = (" It is private, so the cloud was not tried." if private
                  else " Check the network and the Azure settings if the cloud should have answered.")
        self._finish(record, error=tried)
        return RoutingError(f"No side could answer ({tried}).{said}{advice}", record)

    def _open_stream(self, target: Target, route: str, record: DecisionRecord, start: float,
                     messages: Messages, params: dict[str, Any]) -> Iterator[Any]:
        """Send, and read up to the first token, so that failures before it can still fall back."""
        stream = target.create(messages=messages, stream=True, **params)
        buffered: list[Any] = []
        first_token: float | None = None
        try:
            for chunk in stream:
                buffered.append(chunk)
                if chunk.choices and (chunk.choices[0].delta.content or chunk.choices[0].finish_reason):
                    first_token = time.perf_counter() - start
                    break
        except BaseException:
            stream.close()
            raise
        record.attempts.append(Attempt(route, ok=True, latency_s=first_token or time.perf_counter() - start))
        return self._relay(stream, buffered, target, route, record, start, first_token)

    def _relay(self, stream: Any, buffered: list[Any], target: Target, route: str, record: DecisionRecord,
               start: float, first_token: float | None) -> Iterator[Any]:
        usage, model, error = None, None, None
        try:
            for chunk in _chain(buffered, stream):
                usage = getattr(chunk, "usage", None) or usage
                model = getattr(chunk, "model", None) or model
                yield chunk
        except GeneratorExit:
            error = "stream closed by the caller"
            raise
        except Exception as exc:
            error = f"stream broke after the first token: {classify(exc).label}"
            raise
        finally:
            stream.close()
            self._finish(record, route=route, target=target, latency=time.perf_counter() - start, model=model,
                         first_token=first_token, prompt_tokens=getattr(usage, "prompt_tokens", None),
                         completion_tokens=getattr(usage, "completion_tokens", None), error=error)

    def _finish(self, record: DecisionRecord, *, route: str | None = None, target: Target | None = None,
                latency: float | None = None, model: str | None = None, first_token: float | None = None,
                prompt_tokens: int | None = None, completion_tokens: int | None = None,
                error: str | None = None) -> None:
        record.answered_by, record.latency_s, record.first_token_s = route, latency, first_token
        record.model = model or (target.model if target else None)
        record.prompt_tokens, record.completion_tokens, record.error = prompt_tokens, completion_tokens, error
        if route is not None and prompt_tokens is not None and completion_tokens is not None:
            cloud = self.targets.get(CLOUD)
            cloud_cost = (self.prices.cost(prompt_tokens, completion_tokens, cloud.price_model, cloud.model)
                          if cloud else None)
            if route == CLOUD:
                assert target is not None
                record.cost_usd = self.prices.cost(prompt_tokens, completion_tokens, target.price_model, target.model,
                                                   model)
            else:
                record.cost_usd = 0.0
                record.cloud_equivalent_usd = cloud_cost

    @staticmethod
    def _preview(messages: Messages, private: bool) -> str:
        if private:
            return "[private]"
        users = [m for m in messages if m.get("role") == "user"]
        text = " ".join(message_text(users[-1].get("content")).split()) if users else ""
        return text if len(text) <= PROMPT_PREVIEW_CHARS else text[: PROMPT_PREVIEW_CHARS - 1] + "…"


def _chain(first: list[Any], rest: Iterator[Any]) -> Iterator[Any]:
    yield from first
    yield from rest
