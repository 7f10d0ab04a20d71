"""What a mock *profile* is: which server the mock imitates, beyond the OpenAI-compatible core.

A profile names its default models and mounts its own routes before the generic ones (a route it serves
differently wins). Profiles live in their own modules and are registered in :data:`.app.PROFILES`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI

from .models import DEFAULT_MODELS, MockModel
from .state import MockState

#: ``add_routes(app, state, dependencies)``: ``dependencies`` carries the API-key check for protected routes.
RouteAdder = Callable[[FastAPI, MockState, list[Any]], None]


def _no_routes(app: FastAPI, state: MockState, dependencies: list[Any]) -> None:
    """The generic OpenAI-compatible routes are all there is."""


@dataclass(frozen=True)
class Profile:
    name: str
    default_models: Sequence[MockModel]
    add_routes: RouteAdder


OPENAI_PROFILE = Profile("openai", DEFAULT_MODELS, _no_routes)
