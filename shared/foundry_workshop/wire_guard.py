"""An HTTP transport for the course's OpenAI clients that turns an unreadable answer into an openai error.

openai-python parses a JSON body or a stream event with ``json.loads`` and lets ``json.JSONDecodeError``
escape: outside openai's exception family, so ``except openai.OpenAIError`` misses it and a learner sees a
parser traceback (measured with openai 3.54.0 against the mock's ``malformed`` fault). This transport checks
what the server sends as it arrives - a whole ``application/json`` body, or each ``data:`` line of an event
stream - and raises :class:`MalformedResponseError` (an ``openai.APIResponseValidationError``) instead. openai
propagates its own errors as they are (``_base_client``: "Propagate OpenAIErrors as-is"), and well-formed
answers pass through byte for byte. The bytes arrive still content-encoded (httpx decodes after the transport),
so a gzip or deflate body is inflated here for the check only; an encoding this module cannot read (br, zstd)
is passed through unchecked rather than misjudged.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import AsyncIterator, Iterator

import httpx2
import openai

__all__ = ["MalformedResponseError", "guarded_async_http_client", "guarded_http_client"]

#: Longest piece of the bad text quoted in the error.
QUOTE_CHARS = 80

#: Content encodings zlib inflates (``MAX_WBITS | 32`` reads both gzip and zlib headers).
_ZLIB_ENCODINGS = frozenset({"gzip", "x-gzip", "deflate"})


class MalformedResponseError(openai.APIResponseValidationError):
    """The server answered 2xx with a body or stream event that is not valid JSON."""


class _Checker:
    """Feeds on the bytes of one response and raises at the first piece that is not JSON."""

    def __init__(self, response: httpx2.Response) -> None:
        self.response = response
        content_type = response.headers.get("content-type", "")
        self.stream = "text/event-stream" in content_type
        self.json = "json" in content_type and response.is_success
        self.buffer = b""
        encoding = response.headers.get("content-encoding", "identity").strip().lower()
        self.inflater = zlib.decompressobj(zlib.MAX_WBITS | 32) if encoding in _ZLIB_ENCODINGS else None
        if encoding not in _ZLIB_ENCODINGS | {"", "identity"}:
            self.stream = self.json = False  # unreadable here: leave it to httpx and openai

    def feed(self, chunk: bytes) -> None:
        if self.inflater is not None and (self.stream or self.json):
            try:
                chunk = self.inflater.decompress(chunk)
            except zlib.error:  # httpx will report the broken encoding itself
                self.stream = self.json = False
                return
        if self.stream:
            self.buffer += chunk
            *lines, self.buffer = self.buffer.split(b"\n")
            for line in lines:
                self._check_event_line(line)
        elif self.json:
            self.buffer += chunk

    def close(self) -> None:
        if self.stream and self.buffer:
            self._check_event_line(self.buffer)
        elif self.json and self.buffer.strip():
            self._check(self.buffer, "The server's answer is not valid JSON")

    def _check_event_line(self, line: bytes) -> None:
        line = line.strip()
        if line.startswith(b"data:"):
            payload = line[len(b"data:"):].strip()
            if payload and payload != b"[DONE]":
                self._check(payload, "The server sent a stream event that is not valid JSON")

    def _check(self, data: bytes, what: str) -> None:
        try:
            json.loads(data)
        except ValueError:
            text = data.decode(errors="replace")
            quoted = text if len(text) <= QUOTE_CHARS else text[:QUOTE_CHARS] + "..."
            raise MalformedResponseError(self.response, text, message=f"{what}: {quoted!r}") from None


class _CheckedStream(httpx2.SyncByteStream):
    def __init__(self, inner: httpx2.SyncByteStream, checker: _Checker) -> None:
        self.inner, self.checker = inner, checker

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self.inner:
            self.checker.feed(chunk)
            yield chunk
        self.checker.close()

    def close(self) -> None:
        self.inner.close()


class _AsyncCheckedStream(httpx2.AsyncByteStream):
    def __init__(self, inner: httpx2.AsyncByteStream, checker: _Checker) -> None:
        self.inner, self.checker = inner, checker

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self.inner:
            self.checker.feed(chunk)
            yield chunk
        self.checker.close()

    async def aclose(self) -> None:
        await self.inner.aclose()


class _GuardTransport(httpx2.BaseTransport):
    def __init__(self) -> None:
        self.inner = httpx2.HTTPTransport()

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        response = self.inner.handle_request(request)
        assert isinstance(response.stream, httpx2.SyncByteStream)
        response.stream = _CheckedStream(response.stream, _Checker(response))
        return response

    def close(self) -> None:
        self.inner.close()


class _AsyncGuardTransport(httpx2.AsyncBaseTransport):
    def __init__(self) -> None:
        self.inner = httpx2.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        response = await self.inner.handle_async_request(request)
        assert isinstance(response.stream, httpx2.AsyncByteStream)
        response.stream = _AsyncCheckedStream(response.stream, _Checker(response))
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


def guarded_http_client() -> httpx2.Client:
    """openai's default HTTP client (its timeouts, limits, redirects) on the checking transport."""
    return openai.DefaultHttpxClient(transport=_GuardTransport())


def guarded_async_http_client() -> httpx2.AsyncClient:
    return openai.DefaultAsyncHttpxClient(transport=_AsyncGuardTransport())
