"""OpenAI-shaped error responses.

Clients (the ``openai`` package in particular) map the HTTP status to an
exception class and read ``error.message`` / ``error.code`` from the body, so
every failure the mock produces uses exactly this shape.
"""

from __future__ import annotations

from collections.abc import Mapping

from starlette.responses import JSONResponse


class MockAPIError(Exception):
    """Raise anywhere in a request handler to answer with an OpenAI error body."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        type: str = "invalid_request_error",
        param: str | None = None,
        code: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.type = type
        self.param = param
        self.code = code
        self.headers = dict(headers or {})

    def body(self) -> dict[str, object]:
        return {"error": {"message": self.message, "type": self.type, "param": self.param, "code": self.code}}

    def to_response(self) -> JSONResponse:
        return JSONResponse(self.body(), status_code=self.status, headers=self.headers)


def invalid_request(message: str, param: str | None = None, code: str | None = None) -> MockAPIError:
    """A 400 ``invalid_request_error``."""
    return MockAPIError(400, message, param=param, code=code)
