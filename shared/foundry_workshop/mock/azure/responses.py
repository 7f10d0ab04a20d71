"""What the emulated Azure endpoints answer: Azure's error bodies, rate-limit headers, content-filter annotations."""

from __future__ import annotations

import math
from collections.abc import Mapping
from enum import Enum
from typing import Any

from starlette.responses import JSONResponse

from ..faults import FaultKind, FaultRule
from ..wire import CompletionPlan

_SAFE = {"filtered": False, "severity": "safe"}
CONTENT_FILTER_RESULTS: dict[str, dict[str, Any]] = {
    category: dict(_SAFE) for category in ("hate", "self_harm", "sexual", "violence")
}
PROMPT_FILTER_RESULTS = [{"prompt_index": 0, "content_filter_results": CONTENT_FILTER_RESULTS}]

DEPLOYMENT_NOT_FOUND = (
    "The API deployment for this resource does not exist. If you created the deployment within the "
    "last 5 minutes, please wait a moment and try again."
)
ACCESS_DENIED = (
    "Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key "
    "for an active subscription and use a correct regional API endpoint for your resource."
)


class Surface(Enum):
    """Which Azure API a request came through; decides the error shapes and annotations."""

    OPENAI = "Azure OpenAI"
    INFERENCE = "Azure AI model inference"


class AzureError(Exception):
    """Raise in an Azure route to answer with Azure's error body ``{"error": {"code", "message"}}``."""

    def __init__(
        self, status: int, code: str, message: str, *, details: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.details = status, code, message, details
        self.headers = dict(headers or {})

    def to_response(self) -> JSONResponse:
        error: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.details is not None:
            error["details"] = self.details
        return JSONResponse({"error": error}, status_code=self.status, headers=self.headers)


class AzureOpenAIPlan(CompletionPlan):
    """Azure OpenAI's answers: OpenAI's, plus content-filter annotations and the prompt-filter chunk."""

    def completion_body(self) -> dict[str, Any]:
        body = super().completion_body()
        body["prompt_filter_results"] = PROMPT_FILTER_RESULTS
        for choice in body["choices"]:
            choice["content_filter_results"] = CONTENT_FILTER_RESULTS
        return body

    def leading_chunks(self) -> list[dict[str, Any]]:
        return [{"choices": [], "created": 0, "id": "", "model": "", "object": "",
                 "prompt_filter_results": PROMPT_FILTER_RESULTS}]

    def content_chunk(self, piece: str, include_usage: bool) -> dict[str, Any]:
        chunk = self.delta_chunk({"content": piece}, include_usage)
        chunk["choices"][0]["content_filter_results"] = CONTENT_FILTER_RESULTS
        return chunk


def _retry_headers(seconds: float) -> dict[str, str]:
    return {"retry-after": str(max(math.ceil(seconds), 1)), "retry-after-ms": str(max(round(seconds * 1000), 1))}


def rate_limited(surface: Surface, seconds: float, api_version: str | None) -> AzureError:
    wait = max(math.ceil(seconds), 1)
    if surface is Surface.OPENAI:
        version = f" under Azure OpenAI API version {api_version}" if api_version else ""
        message = (
            f"Requests to the ChatCompletions_Create Operation{version} have exceeded call rate limit of your "
            f"current AIServices S0 pricing tier. Please retry after {wait} seconds. Please contact Azure "
            "support service if you would like to further increase the default rate limit."
        )
    else:
        message = f"Rate limit is exceeded. Try again in {wait} seconds."
    return AzureError(429, "429", message, headers=_retry_headers(seconds))


def fault_error(rule: FaultRule, surface: Surface, api_version: str | None) -> AzureError:
    """The mock's injected status faults, in Azure's error shape."""
    if rule.kind is FaultKind.RATE_LIMIT:
        return rate_limited(surface, rule.retry_after, api_version)
    if rule.kind is FaultKind.MODEL_LOADING:
        return AzureError(503, "ServiceUnavailable", "The service is temporarily unable to process your request. "
                          "Please try again later. (injected by the emulation)",
                          headers=_retry_headers(rule.retry_after))
    if rule.kind is FaultKind.CONTEXT_OVERFLOW:
        return AzureError(400, "context_length_exceeded", "This model's maximum context length was exceeded. "
                          "Please reduce the length of the messages. (injected by the emulation)")
    return AzureError(500, "InternalServerError", "The server had an error while processing your request. Sorry "
                      "about that! (injected by the emulation)")
