"""Routing rules: small functions from a request to a route, tried in order (seed 002, part 2).

A rule gets a :class:`RouteRequest` and returns a :class:`Decision`, or None to let the next rule decide;
when none decides, the router's default route applies (local-first). Any callable with that signature is
a rule, so a lesson can add its own in one line. The built-in ones:

* :class:`PrivacyRule` - private requests stay on this machine (the router also never falls back to the
  cloud for them);
* :class:`TaskRule` - a task-type table, the seed's ``routing_rules``;
* :class:`ComplexityRule` - prompts of ``threshold_tokens`` tokens or more go to the cloud, shorter ones
  stay local (the seed's ``complexity_threshold``, counted in tokens rather than words).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from foundry_workshop.routing.tokens import Messages

LOCAL = "local"
CLOUD = "cloud"
ROUTES = (LOCAL, CLOUD)

#: The seed's task table: privacy-sensitive and iterative work local, breadth and creativity in the cloud.
SEED_TASK_ROUTES: Mapping[str, str] = MappingProxyType({
    "code_generation": LOCAL,  # privacy-sensitive
    "creative_writing": CLOUD,  # benefits from larger models
    "data_analysis": LOCAL,  # fast iteration needed
    "research": CLOUD,  # requires broad knowledge
})

#: The seed routes prompts of 100 words or more to the cloud; English prose runs at ~1.3 tokens per word.
DEFAULT_THRESHOLD_TOKENS = 130


@dataclass(frozen=True)
class RouteRequest:
    """What a rule may look at."""

    messages: Messages
    task: str | None = None
    private: bool = False
    #: Prompt size, counted as described in :mod:`foundry_workshop.routing.tokens`.
    tokens: int = 0
    token_method: str = ""


@dataclass(frozen=True)
class Decision:
    route: str
    #: Which rule fired, short (for a table column): "privacy", "task:research", "tokens>=130"...
    rule: str
    #: Why, in words.
    reason: str = ""

    def __post_init__(self) -> None:
        if self.route not in ROUTES:
            raise ValueError(f"A route is one of {ROUTES}, got {self.route!r}")


Rule = Callable[[RouteRequest], Decision | None]


@dataclass(frozen=True)
class PrivacyRule:
    def __call__(self, request: RouteRequest) -> Decision | None:
        if request.private:
            return Decision(LOCAL, "privacy", "marked private: it never leaves this machine")
        return None


@dataclass(frozen=True)
class TaskRule:
    table: Mapping[str, str] = field(default_factory=lambda: dict(SEED_TASK_ROUTES))

    def __post_init__(self) -> None:
        wrong = {task: route for task, route in self.table.items() if route not in ROUTES}
        if wrong:
            raise ValueError(f"Task routes must be one of {ROUTES}: {wrong}")

    def __call__(self, request: RouteRequest) -> Decision | None:
        route = self.table.get(request.task or "")
        if route is None:
            return None
        return Decision(route, f"task:{request.task}", f"the task table sends {request.task} to {route}")


@dataclass(frozen=True)
class ComplexityRule:
    threshold_tokens: int = DEFAULT_THRESHOLD_TOKENS

    def __call__(self, request: RouteRequest) -> Decision:
        if request.tokens >= self.threshold_tokens:
            return Decision(CLOUD, f"tokens>={self.threshold_tokens}",
                            f"{request.tokens} prompt tokens ({request.token_method}): complex, use the larger model")
        return Decision(LOCAL, f"tokens<{self.threshold_tokens}",
                        f"{request.tokens} prompt tokens ({request.token_method}): simple, answer locally")


def default_rules(threshold_tokens: int = DEFAULT_THRESHOLD_TOKENS,
                  task_routes: Mapping[str, str] = SEED_TASK_ROUTES) -> list[Rule]:
    """Privacy first, then the task table, then prompt size."""
    return [PrivacyRule(), TaskRule(dict(task_routes)), ComplexityRule(threshold_tokens)]
