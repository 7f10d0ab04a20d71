"""The fault matrix: every failure a learner meets x every surface of the course, driven end to end over HTTP.

A *cell* injects one fault into a real server (the mock's fault injection, or the real bundled llama.cpp server
for a prompt past its context), drives one surface through its public API, and records what the learner reads:

* ``connect``  - ``foundry_workshop.connect(backend="endpoint", ...)``: the error it raises.
* ``plain``    - the lessons' plain code: a bare ``OpenAI(base_url=conn.endpoint, api_key=conn.api_key,
                 timeout=conn.timeout)`` as lessons 01/02 build it (not ``conn.client``, which adds the wire
                 guard), then ``client.chat.completions.create(...)``: raising an ``openai`` exception is fine
                 (lesson 01 shows catching ``openai.APIError``); anything else escaping is a crash, recorded as
                 it is (``KNOWN_PLAIN_CRASHES`` says which, and why).
* ``chat``     - the chat app's service layer as ``samples/chainlit_app/app.py`` drives it (``ModelService``,
                 ``ChatHistory.refusal``, ``stream_reply``, ``ChatHistory.record``): the message shown, and
                 whether the conversation so far is kept.
* ``bench``    - ``foundry_workshop.bench.measure_sample``: the sample's error, and that the sample is kept.
* ``router``   - ``Router.create(..., private=True)`` with the local side failing: the ``RoutingError``.

Each cell's verdict: **actionable** (says what happened and what to do: the fault's keywords are all there, no
key, no traceback), **unclear** (a message, but not that), **crashing** (an exception a surface should not let
out, e.g. a bare ``json.JSONDecodeError``), or **n/a**. ``tests/test_fault_matrix.py`` asserts every cell is
actionable and that ``docs/fault-matrix.md`` is what this module generates:

    python tests/fault_matrix.py --write     # regenerate docs/fault-matrix.md
    python tests/fault_matrix.py --check     # exit 1 if it differs
"""

from __future__ import annotations

import asyncio
import re
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import openai

from foundry_workshop import WorkshopError, connect
from foundry_workshop.bench.config import Prompt
from foundry_workshop.bench.measure import RequestOptions, measure_sample
from foundry_workshop.chat import ChatHistory, ModelService, stream_reply
from foundry_workshop.connection import Connection
from foundry_workshop.mock import MockServer
from foundry_workshop.routing.router import Router, Target

TABLE = Path(__file__).parents[1] / "docs" / "fault-matrix.md"
SECRET = "sk-matrix-secret-9f3a"
WRONG_KEY = "sk-wrong-key-7c1e"
#: Client timeout for the stall cells; the stall lasts longer, so the client gives up first.
SHORT_TIMEOUT = 0.6
STALL_SECONDS = 3.0
RETRY_AFTER = 2
UNKNOWN_MODEL = "no-such-model"
#: An alias the Foundry Local service knows but answers a chat for with an empty 400 (it wants the full id).
SERVICE_ALIAS = "phi-4-mini"
HELLO = "Say hello in five words."
SURFACES = ("connect", "plain", "chat", "bench", "router")
#: Cells where the lessons' bare client lets a non-openai exception out, as openai-python does: a non-JSON body
#: escapes ``response.json()`` as ``json.JSONDecodeError``. Lesson 01 says so; ``conn.client`` guards it.
KNOWN_PLAIN_CRASHES = {"malformed": "JSONDecodeError"}


@dataclass(frozen=True)
class Fault:
    name: str
    what: str
    #: Groups of words; the message must contain one word of every group (case-insensitive).
    needs: tuple[tuple[str, ...], ...]
    #: Mock fault kind for chat requests / for GET /v1/models (None: injected otherwise).
    chat_fault: str | None = None
    list_fault: str | None = None
    surfaces: tuple[str, ...] = SURFACES
    #: Words that must NOT appear (wrong advice).
    wrong: tuple[str, ...] = ()
    #: The server does answer (with a status or a body): a message claiming nothing answered is false.
    server_answers: bool = True


FAULTS: tuple[Fault, ...] = (
    Fault("rate_limited", "429 with Retry-After: 2", (("429", "busy", "rate"), ("2 s", "2 second")), "429", "429",
          wrong=("start the",)),
    Fault("server_error", "500", (("500", "internal"), ("again", "retry"), ("log",)), "500", "500"),
    Fault("loading", "503 with Retry-After: 2 (model loading)", (("loading", "not ready"), ("2 s", "2 second")),
          "503", "503", wrong=("start the",)),
    Fault("timeout", f"no answer within the client's timeout ({SHORT_TIMEOUT} s)", (("WORKSHOP_TIMEOUT",),),
          "stall", "stall", server_answers=False),
    Fault("disconnect", "connection closed mid-stream (after 2 chunks)",
          (("connection", "broke", "closed"), ("again", "retry")), "disconnect", "disconnect"),
    Fault("malformed", "a body / stream event that is not JSON",
          (("not valid json", "could not read", "malformed"), ("again", "retry")), "malformed", "malformed"),
    Fault("unknown_model", f"model {UNKNOWN_MODEL!r} is not served",
          ((UNKNOWN_MODEL,), ("WORKSHOP_MODEL", "available", "pick", "load"))),
    Fault("context_overflow", "prompt past the model's context (mock: 400 context_length_exceeded)",
          (("context",), ("WORKSHOP_CONTEXT_SIZE", "shorten", "shorter", "new chat")), "overflow",
          surfaces=("plain", "chat", "bench", "router")),
    Fault("context_overflow_llamacpp", "prompt of ~3,000 tokens on the REAL bundled llama.cpp server (2,048)",
          (("context",), ("WORKSHOP_CONTEXT_SIZE", "shorten", "shorter", "new chat")),
          surfaces=("plain", "chat", "bench", "router")),
    Fault("empty_prompt", "the learner sends an empty prompt", (("empty",),), surfaces=("chat", "bench", "router")),
    Fault("foundry_alias", f"Foundry Local service: chat with the alias {SERVICE_ALIAS!r} (400, empty body)",
          (("/v1/models", "full id"), ("load",)), surfaces=("plain", "chat", "bench", "router"),
          wrong=("new chat",)),
    Fault("wrong_key", "server wants a key; a wrong one is sent", (("key",), ("OPENAI_API_KEY", "API_KEY")),
          surfaces=SURFACES),
)


@dataclass
class Outcome:
    """What one surface did under one fault."""

    message: str | None = None
    #: Type name of an exception the surface let out, if any.
    escaped: str | None = None
    #: Whether the surface is allowed to let that exception out (plain code: openai's family).
    escape_ok: bool = False
    #: Nothing lost (history / samples / records kept), when the surface has something to keep.
    kept: bool | None = None
    verdict: str = ""
    notes: list[str] = field(default_factory=list)


# -- servers -----------------------------------------------------------------------------------------------------


@dataclass
class Servers:
    plain: MockServer
    keyed: MockServer
    #: The Foundry Local service emulation (profile ``foundry-service``).
    service: MockServer
    bundled: Connection

    def reset(self) -> None:
        for server in (self.plain, self.keyed, self.service):
            server.clear_faults()


@contextmanager
def servers(bundled: Connection | None = None) -> Iterator[Servers]:
    """The mocks of the matrix, and the bundled server: ``bundled`` if given (the test suite's), else one of its own."""
    with ExitStack() as stack:
        plain = stack.enter_context(MockServer())
        keyed = stack.enter_context(MockServer(api_key=SECRET))
        service = stack.enter_context(MockServer(profile="foundry-service"))
        bundled = bundled if bundled is not None else stack.enter_context(connect("bundled"))
        yield Servers(plain, keyed, service, bundled)


def _server_for(fault: Fault, env: Servers) -> tuple[MockServer, str]:
    """The server a cell talks to and the key it sends."""
    if fault.name == "wrong_key":
        return env.keyed, WRONG_KEY
    if fault.name == "foundry_alias":
        return env.service, SECRET
    return env.plain, SECRET  # the plain mock ignores keys: SECRET checks that no key is ever shown


def _inject(fault: Fault, server: MockServer, route: str) -> None:
    kind = fault.list_fault if route == "models" else fault.chat_fault
    if kind is None:
        return
    server.add_fault(kind, count=None, route=route, retry_after=RETRY_AFTER, stall_seconds=STALL_SECONDS,
                     after_tokens=2)


def _prompt(fault: Fault) -> str:
    if fault.name == "empty_prompt":
        return ""
    if fault.name == "context_overflow_llamacpp":
        return "Summarize this. " + "word " * 3000
    return HELLO


def _model(fault: Fault, conn: Connection) -> str:
    return {"unknown_model": UNKNOWN_MODEL, "foundry_alias": SERVICE_ALIAS}.get(fault.name, conn.model)


@contextmanager
def _connection(fault: Fault, env: Servers) -> Iterator[Connection]:
    """A connection made *before* the fault is injected (the surfaces under test come after connecting)."""
    if fault.name == "context_overflow_llamacpp":
        yield env.bundled
        return
    server, key = _server_for(fault, env)
    conn = connect(backend="endpoint", endpoint=server.url, api_key=SECRET if server is env.keyed else key,
                   timeout=SHORT_TIMEOUT if fault.name == "timeout" else 10.0)
    if fault.name == "wrong_key":
        conn.api_key = WRONG_KEY  # connected with the right key; the requests now carry a wrong one
    try:
        _inject(fault, server, "chat")
        yield conn
    finally:
        server.clear_faults()
        conn.close()


# -- surfaces ----------------------------------------------------------------------------------------------------


def surface_connect(fault: Fault, env: Servers) -> Outcome:
    server, key = _server_for(fault, env)
    _inject(fault, server, "models")
    try:
        model = UNKNOWN_MODEL if fault.name == "unknown_model" else None
        with connect(backend="endpoint", endpoint=server.url, api_key=key, model=model,
                     timeout=SHORT_TIMEOUT if fault.name == "timeout" else 10.0):
            return Outcome(message=None, notes=["connected without complaint"])
    except WorkshopError as exc:
        return Outcome(message=str(exc), escaped=type(exc).__name__, escape_ok=True)
    except Exception as exc:
        return _escaped(exc)
    finally:
        server.clear_faults()


def surface_plain(fault: Fault, env: Servers) -> Outcome:
    with _connection(fault, env) as conn:
        bare = openai.OpenAI(base_url=conn.endpoint, api_key=conn.api_key, timeout=conn.timeout)  # lesson 01
        client = bare.with_options(max_retries=0, timeout=SHORT_TIMEOUT if fault.name == "timeout" else 30)
        try:
            client.chat.completions.create(model=_model(fault, conn), messages=[{"role": "user", "content":
                                           _prompt(fault)}], max_tokens=16)
        except (openai.OpenAIError, WorkshopError) as exc:
            return Outcome(message=f"{type(exc).__name__}: {exc}", escaped=type(exc).__name__, escape_ok=True)
        except Exception as exc:
            return Outcome(message=f"{type(exc).__name__}: {exc}", escaped=type(exc).__name__)
    return Outcome(message=None, notes=["answered"])


def surface_chat(fault: Fault, env: Servers) -> Outcome:
    with _connection(fault, env) as conn:
        return asyncio.run(_chat_turn(fault, conn))


async def _chat_turn(fault: Fault, conn: Connection) -> Outcome:
    service = ModelService(opener=lambda: conn, max_retries=0)
    history = ChatHistory("You are a helpful assistant.", max_chars=100_000)
    history.record("What is 2 + 2?", "4.")  # the conversation so far, which a failure must not lose
    text = _prompt(fault)
    try:
        refusal = history.refusal(text)
        if refusal:
            return Outcome(message=refusal, kept=history.turns[0].user == "What is 2 + 2?")
        if not await service.ensure():
            return Outcome(message=service.problem, kept=len(history) == 1)
        reply = await stream_reply(service.client, model=_model(fault, conn), messages=history.messages_for(text),
                                   endpoint=conn.endpoint, secrets=service.secrets, max_tokens=16)
        history.record(text, reply.text)
    except Exception as exc:
        return _escaped(exc)
    finally:
        await conn.async_client.close()  # closed inside this cell's event loop
        service._client = None  # the connection belongs to the cell, not the service
    kept = history.turns[0].user == "What is 2 + 2?" and (not reply.text or history.turns[-1].reply == reply.text)
    return Outcome(message=reply.problem.message if reply.problem else None, kept=kept)


def surface_bench(fault: Fault, env: Servers) -> Outcome:
    with _connection(fault, env) as conn:
        client = conn.client.with_options(max_retries=0)
        options = RequestOptions(max_tokens=16, timeout=SHORT_TIMEOUT if fault.name == "timeout" else 30)
        try:
            sample = measure_sample(client, _model(fault, conn), Prompt("p1", _prompt(fault)), options)
        except Exception as exc:
            return _escaped(exc)
    kept = sample.prompt_id == "p1" and (sample.ok or bool(sample.error))
    message = None if sample.ok else " - ".join(filter(None, (sample.error, sample.advice)))
    return Outcome(message=message, kept=kept)


def surface_router(fault: Fault, env: Servers) -> Outcome:
    with _connection(fault, env) as conn:
        target = Target.from_connection(conn, timeout=SHORT_TIMEOUT if fault.name == "timeout" else 30)
        if fault.name in ("unknown_model", "foundry_alias"):
            target = Target(conn.client, _model(fault, conn), where=conn.endpoint, timeout=target.timeout)
        router = Router(target, None)
        try:
            router.create([{"role": "user", "content": _prompt(fault)}], private=True, max_tokens=16)
        except WorkshopError as exc:
            return Outcome(message=str(exc), escaped=type(exc).__name__, escape_ok=True)
        except Exception as exc:
            return _escaped(exc)
    return Outcome(message=None, notes=["answered"])


def _escaped(exc: Exception, kept: bool | None = None) -> Outcome:
    """An exception a course surface let out: openai's (unclear: the learner must read openai's words) or
    another (crashing)."""
    family = ["openai"] if isinstance(exc, openai.OpenAIError) else []
    return Outcome(message=f"{type(exc).__name__}: {exc}", escaped=type(exc).__name__, kept=kept, notes=family)


SURFACE_FUNCTIONS: dict[str, Callable[[Fault, Servers], Outcome]] = {
    "connect": surface_connect, "plain": surface_plain, "chat": surface_chat, "bench": surface_bench,
    "router": surface_router,
}


# -- verdicts ----------------------------------------------------------------------------------------------------


_NOTHING_ANSWERED = re.compile(r"\bno\b[^.]*\bserver answered", re.IGNORECASE)


def judge(fault: Fault, surface: str, outcome: Outcome) -> str:
    if outcome.escaped and not outcome.escape_ok:
        # Outside openai's and the course's exception families (a bare JSONDecodeError): nobody catches it.
        return "crashing" if outcome.notes[:1] != ["openai"] else "unclear"
    text = outcome.message or ""
    lowered = text.lower()
    if not text or "traceback" in lowered or SECRET in text or WRONG_KEY in text:
        return "unclear"
    if any(word.lower() in lowered for word in fault.wrong):
        return "unclear"
    if fault.server_answers and _NOTHING_ANSWERED.search(text):  # false: e.g. a 401 is an answer
        return "unclear"
    if surface == "plain":  # the lesson's own except clause explains; an openai error with its status is enough
        return "actionable"
    if all(any(word.lower() in lowered for word in group) for group in fault.needs):
        return "actionable" if outcome.kept is not False else "unclear"
    return "unclear"


def run(bundled: Connection | None = None) -> dict[tuple[str, str], Outcome]:
    """Every cell, in table order (``bundled``: see :func:`servers`)."""
    results: dict[tuple[str, str], Outcome] = {}
    with servers(bundled) as env:
        for fault in FAULTS:
            for surface in SURFACES:
                if surface not in fault.surfaces:
                    results[fault.name, surface] = Outcome(verdict="n/a")
                    continue
                outcome = SURFACE_FUNCTIONS[surface](fault, env)
                outcome.verdict = judge(fault, surface, outcome)
                results[fault.name, surface] = outcome
                env.reset()
    return results


# -- the table ---------------------------------------------------------------------------------------------------

_URL = re.compile(r"https?://127\.0\.0\.1:\d+")
_NUMBERS = re.compile(r"\b\d+\.\d{2,}\b")


def _stable(text: str) -> str:
    """Messages without what changes between runs (ports, measured seconds), fit for one table cell."""
    text = _URL.sub("http://127.0.0.1:PORT", text)
    text = _NUMBERS.sub("N", text)
    text = " ".join(text.split()).replace("|", "\\|")
    return text if len(text) <= 400 else text[:400] + "..."


def counts(results: dict[tuple[str, str], Outcome]) -> dict[str, int]:
    tally: dict[str, int] = {}
    for outcome in results.values():
        tally[outcome.verdict] = tally.get(outcome.verdict, 0) + 1
    return tally


def render(results: dict[tuple[str, str], Outcome]) -> str:
    tally = counts(results)
    lines = [
        "# Fault matrix",
        "",
        "Generated by `python tests/fault_matrix.py --write` from the cells `tests/test_fault_matrix.py` runs: every",
        "fault injected over HTTP into a real server (the mock's fault injection; the real bundled llama.cpp server",
        "for its own context limit), every surface driven through its public API. Do not edit by hand: a test fails",
        "when this file differs from what the cells produce.",
        "",
        "Surfaces: `connect` = `connect(backend=\"endpoint\")`; `plain` = the lessons' bare",
        "`OpenAI(base_url=conn.endpoint, api_key=conn.api_key, timeout=conn.timeout)` (an `openai` exception is the",
        "expected outcome there; lesson 01 catches `openai.APIError`); `chat` = the chat app's service layer;",
        "`bench` = `measure_sample`; `router` = `Router.create(private=True)` with the local side failing.",
        "",
        "Known and left as openai-python behaves: "
        + "; ".join(f"`{fault}` x `plain` lets a bare `{exc}` out (openai does not wrap it; `conn.client`'s wire "
                    "guard raises `MalformedResponseError`, an `openai.APIError`, instead)"
                    for fault, exc in KNOWN_PLAIN_CRASHES.items()) + ".",
        "",
        f"Verdicts: {', '.join(f'{k} {v}' for k, v in sorted(tally.items()))} (of {len(results)} cells).",
        "",
        "| fault | surface | verdict | kept | what the learner reads |",
        "|---|---|---|---|---|",
    ]
    described = {f.name: f.what for f in FAULTS}
    for (fault, surface), outcome in results.items():
        if outcome.verdict == "n/a":
            continue
        kept = {True: "yes", False: "**no**", None: ""}[outcome.kept]
        message = _stable(outcome.message or "(nothing: " + ", ".join(outcome.notes or ["no error"]) + ")")
        lines.append(f"| {fault} | {surface} | {outcome.verdict} | {kept} | {message} |")
    lines += ["", "## Faults", ""] + [f"- `{name}`: {what}" for name, what in described.items()]
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    started = time.monotonic()
    results = run()
    text = render(results)
    print(f"{counts(results)} in {time.monotonic() - started:.1f} s", file=sys.stderr)
    if "--write" in argv:
        TABLE.write_text(text, encoding="utf-8")
        return 0
    if "--check" in argv:
        return 0 if TABLE.exists() and TABLE.read_text(encoding="utf-8") == text else 1
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
