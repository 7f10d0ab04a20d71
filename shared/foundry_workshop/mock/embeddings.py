"""``POST /v1/embeddings``: deterministic vectors in OpenAI's wire format (float lists or base64).

Vectors are feature-hashed bags of words (each lower-cased word adds +-1 to one of ``DIMENSIONS`` dimensions,
then the vector is normalised): texts that share words get similar vectors, so a retrieval test on the mock
behaves like retrieval, and the same text always gets the same vector. ``encoding_format="base64"`` (what the
openai client asks for by default) returns little-endian float32 bytes, base64-encoded.
"""

from __future__ import annotations

import base64
import hashlib
import math
import re
import struct
from collections.abc import Mapping, Sequence
from typing import Any

from foundry_workshop.tokens import count_pieces

from .wire import MockAPIError, invalid_request

DIMENSIONS = 384
#: Embedding models the mock serves besides its chat models (the course's bundled one and Foundry Local's).
EMBEDDING_MODELS = ("all-minilm-l6-v2", "qwen3-embedding-0.6b", "text-embedding-3-small")


def embedding_vector(text: str, dimensions: int = DIMENSIONS) -> list[float]:
    vector = [0.0] * dimensions
    for word in re.findall(r"\w+", text.lower()):
        digest = hashlib.sha256(word.encode()).digest()
        index = int.from_bytes(digest[:4], "little") % dimensions
        vector[index] += 1.0 if digest[4] & 1 else -1.0
    norm = math.sqrt(sum(v * v for v in vector)) or 1.0
    return [v / norm for v in vector]


def _inputs(raw: object) -> list[str]:
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list) or not raw:
        raise invalid_request("'input' must be a non-empty string or array.", "input", "invalid_type")
    texts = []
    for item in raw:
        if isinstance(item, str) and item:
            texts.append(item)
        elif isinstance(item, int) and not isinstance(item, bool):
            texts.append(str(item))  # token ids: embed them as their numbers
        elif isinstance(item, list) and item and all(isinstance(t, int) for t in item):
            texts.append(" ".join(map(str, item)))
        else:
            raise invalid_request("'input' items must be non-empty strings or arrays of token ids.", "input",
                                  "invalid_value")
    return texts


def embeddings_body(body: Mapping[str, Any], known_models: Sequence[str]) -> dict[str, Any]:
    """Validate an embeddings request and build the response body."""
    model = body.get("model")
    if not isinstance(model, str) or not model:
        raise invalid_request("Missing required parameter: 'model'.", "model", "missing_required_parameter")
    served = [*EMBEDDING_MODELS, *known_models]
    if model not in served:
        raise MockAPIError(404, f"The model '{model}' does not exist. Embedding models: {', '.join(EMBEDDING_MODELS)}.",
                           param="model", code="model_not_found")
    if "input" not in body:
        raise invalid_request("Missing required parameter: 'input'.", "input", "missing_required_parameter")
    texts = _inputs(body["input"])
    fmt = body.get("encoding_format", "float")
    if fmt not in ("float", "base64"):
        raise invalid_request(f"Invalid value for 'encoding_format': {fmt!r}. Supported: 'float', 'base64'.",
                              "encoding_format", "invalid_value")
    dimensions = body.get("dimensions", DIMENSIONS)
    if not isinstance(dimensions, int) or isinstance(dimensions, bool) or not 1 <= dimensions <= DIMENSIONS:
        raise invalid_request(f"'dimensions' must be an integer from 1 to {DIMENSIONS}.", "dimensions", "invalid_value")
    data = []
    for index, text in enumerate(texts):
        vector = embedding_vector(text, dimensions)
        encoded: Any = vector if fmt == "float" else base64.b64encode(struct.pack(f"<{len(vector)}f", *vector)).decode()
        data.append({"object": "embedding", "index": index, "embedding": encoded})
    tokens = sum(count_pieces(t) for t in texts)
    return {"object": "list", "data": data, "model": model, "usage": {"prompt_tokens": tokens, "total_tokens": tokens}}
