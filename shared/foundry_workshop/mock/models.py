"""The model catalogue the mock advertises on ``/v1/models``.

Ids follow Foundry Local's naming (``<alias>-<device>:<version>``) so notebooks
written against the mock use the same strings they would use against a real
Foundry Local service.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

#: ``created`` timestamp reported for every model. Fixed (2025-01-01T00:00:00Z) so
#: responses are byte-for-byte reproducible between runs.
MODEL_CREATED = 1735689600


@dataclass(frozen=True)
class MockModel:
    """One model the mock pretends to serve.

    ``id`` is what OpenAI clients send as ``model``; ``alias`` is the short Foundry
    name (``foundry model run <alias>``), accepted as a convenience and resolved to
    ``id`` in responses.
    """

    id: str
    alias: str
    owned_by: str = "foundry-local-mock"

    def to_openai(self) -> dict[str, object]:
        """Serialise as an OpenAI ``model`` object."""
        return {"id": self.id, "object": "model", "created": MODEL_CREATED, "owned_by": self.owned_by}


DEFAULT_MODELS: tuple[MockModel, ...] = (
    MockModel("smollm2-135m-instruct-generic-cpu:1", "smollm2-135m-instruct"),
    MockModel("qwen2.5-0.5b-instruct-generic-cpu:4", "qwen2.5-0.5b"),
    MockModel("phi-3.5-mini-instruct-generic-cpu:1", "phi-3.5-mini"),
)


def find_model(models: Iterable[MockModel], name: str) -> MockModel | None:
    """Return the model whose id (preferred) or alias equals ``name``.

    Ids win over aliases so that an alias can never shadow a real id.
    """
    models = tuple(models)
    for model in models:
        if model.id == name:
            return model
    for model in models:
        if model.alias == name:
            return model
    return None
