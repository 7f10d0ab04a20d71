"""A deterministic OpenAI-compatible HTTP server, used as a test instrument.

It stands in for Foundry Local (or any OpenAI-compatible runtime) so workshop
notebooks and apps can be tested without downloading a model, with answers,
token usage, timing and failures that tests control exactly::

    from foundry_workshop.mock import MockServer, Latency, reply_text

    with MockServer(latency=Latency(first_token=0.2, inter_token=0.01)) as mock:
        client = openai.OpenAI(base_url=mock.url, api_key="unused")
        mock.add_fault("429", count=1)       # the next chat request is rate limited
        ...
        assert mock.requests[-1]["json"]["model"] == "phi-3.5-mini-instruct-generic-cpu:1"

Routes: ``GET /v1/models``, ``GET /v1/models/{id}``, ``POST /v1/chat/completions``
(streaming and not), ``GET /health`` and the ``/_mock`` control API for tests
running in another process. Run standalone with ``python -m foundry_workshop.mock``.

Profiles: ``MockServer(profile="foundry-service")`` (``--profile foundry-service``) adds the
Foundry Local service's own routes and rules (catalog at ``/foundry/list``, load/unload,
exact-id chat of loaded models): see :mod:`foundry_workshop.mock.foundry_service`.
The Azure emulation is :class:`foundry_workshop.mock.azure.AzureEmulator`.
"""

from foundry_workshop.tokens import count_pieces as count_tokens
from foundry_workshop.tokens import split_tokens

from .app import create_app
from .faults import FaultKind, FaultRule
from .latency import Latency
from .models import DEFAULT_MODELS, MockModel
from .server import MockServer
from .state import MockState
from .wire import count_prompt_tokens, reply_text

__all__ = [
    "DEFAULT_MODELS",
    "FaultKind",
    "FaultRule",
    "Latency",
    "MockModel",
    "MockServer",
    "MockState",
    "count_prompt_tokens",
    "count_tokens",
    "create_app",
    "reply_text",
    "split_tokens",
]
