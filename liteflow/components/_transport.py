"""One chat-completions exchange over the official SDK, bounded by a deadline.

The request goes through `with_streaming_response`, so the SDK keeps doing what it does
well (authentication, retries on 429 and 5xx with `retry-after`) while the body is read
here, byte by byte, under one deadline for the whole call: connecting, every retry, the
first byte and the last. However slowly a server drips, the call ends at `timeout`.
"""

from __future__ import annotations

import asyncio
import os
import re
import threading
import time
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any, NoReturn
from urllib.parse import urlsplit, urlunsplit

from ..core.errors import ChatModelError, LiteflowError
from ..core.reprs import short_repr
from ._messages import AIMessage, AIMessageChunk, merge_chunks
from ._phrase import Phrase
from ._wire import MAX_REPLY_BYTES, Source, StreamReader, chunks_of, read_completion

if TYPE_CHECKING:
    import openai

__all__ = ["Clients", "complete", "stream"]


def _openai() -> Any:
    # Imported on first use: the SDK takes seconds to import, and importing liteflow (for
    # `liteflow check`, say) should not pay for a model it does not call.
    import openai

    return openai


class Clients:
    """The async SDK clients of one model configuration, one per event loop.

    An async client's connection pool belongs to the loop that used it (sync calls all
    share the background loop, so they share one client).
    """

    def __init__(
        self, *, api_key: str | None, base_url: str | None, timeout: float | None, max_retries: int
    ) -> None:
        self.api_key = api_key
        self.base_url = base_url
        self.timeout = timeout
        self.max_retries = max_retries
        # Not a WeakKeyDictionary: a client's connections refer to their loop, so a weak key
        # would never die. Clients of closed loops are dropped on the next lookup instead.
        self._clients: dict[asyncio.AbstractEventLoop, openai.AsyncOpenAI] = {}
        self._lock = threading.Lock()

    def __getstate__(self) -> dict[str, Any]:
        # Live clients and the lock stay behind: a copy in another process makes its own.
        return {"api_key": self.api_key, "base_url": self.base_url, "timeout": self.timeout,
                "max_retries": self.max_retries}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(**state)  # type: ignore[misc]

    def client(self, model: str) -> openai.AsyncOpenAI:
        loop = asyncio.get_running_loop()
        with self._lock:
            for closed in [known for known in self._clients if known.is_closed()]:
                del self._clients[closed]
            found = self._clients.get(loop)
            if found is None:
                key = self.api_key or os.environ.get("OPENAI_API_KEY")
                if not key:
                    raise ChatModelError("chat.no_api_key", model=model)
                found = _openai().AsyncOpenAI(
                    api_key=key, base_url=self.base_url, timeout=self.timeout,
                    max_retries=self.max_retries,
                )
                self._clients[loop] = found
            return found

    def url(self) -> str:
        """The endpoint called, without credentials or query (safe to show in messages)."""
        base = self.base_url or os.environ.get("OPENAI_BASE_URL") or "https://api.openai.com/v1"
        parts = urlsplit(base)
        host = parts.hostname or ""
        if parts.port is not None:
            host = f"{host}:{parts.port}"
        path = parts.path.rstrip("/") + "/chat/completions"
        return urlunsplit((parts.scheme, host, path, "", ""))


class _Deadline:
    """The end of the whole call; `scope()` bounds one wait by the time that is left."""

    def __init__(self, timeout: float | None) -> None:
        self.timeout = timeout
        self.at = None if timeout is None else time.monotonic() + timeout

    def scope(self) -> asyncio.Timeout:
        return asyncio.timeout(None if self.at is None else max(0.0, self.at - time.monotonic()))


async def complete(clients: Clients, source: Source, params: Mapping[str, Any]) -> AIMessage:
    """Send a non-streaming request; the reply as an `AIMessage`, or `ChatModelError`.

    A server that streams anyway is read as a stream.
    """
    body = bytearray()
    async with _response(clients, source, params) as (content_type, pieces):
        if "event-stream" in content_type.lower():
            reader = StreamReader(source)
            chunks: list[AIMessageChunk] = []
            async for piece in pieces:
                chunks += reader.feed(piece)
                if reader.done:
                    break
            return merge_chunks([*chunks, *reader.finish()])
        async for piece in pieces:
            body += piece
            if len(body) > MAX_REPLY_BYTES:
                source.fail(Phrase("chat.why.too_large", limit=MAX_REPLY_BYTES))
    return read_completion(source, bytes(body), content_type)


async def stream(
    clients: Clients, source: Source, params: Mapping[str, Any]
) -> AsyncIterator[AIMessageChunk]:
    """Send a streaming request; yield its chunks, or raise `ChatModelError`.

    A server that answers with one plain JSON completion instead of a stream is accepted;
    a stream that ends without saying it is complete is an error, not an answer.
    """
    async with _response(clients, source, params) as (content_type, pieces):
        if "event-stream" not in content_type.lower():
            body = bytearray()
            async for piece in pieces:
                body += piece
                if len(body) > MAX_REPLY_BYTES:
                    source.fail(Phrase("chat.why.too_large", limit=MAX_REPLY_BYTES))
            for chunk in chunks_of(read_completion(source, bytes(body), content_type)):
                yield chunk
            return
        reader = StreamReader(source)
        async for piece in pieces:
            for chunk in reader.feed(piece):
                yield chunk
            if reader.done:
                break  # `[DONE]`: do not wait for the server to close the connection
        for chunk in reader.finish():
            yield chunk


@asynccontextmanager
async def _response(
    clients: Clients, source: Source, params: Mapping[str, Any]
) -> AsyncIterator[tuple[str, AsyncIterator[bytes]]]:
    """The response's content type and its body pieces, every wait under the deadline."""
    deadline = _Deadline(clients.timeout)
    client = clients.client(source.model)
    sdk = _openai()
    manager = client.chat.completions.with_streaming_response.create(**params)
    try:
        async with deadline.scope():
            response = await manager.__aenter__()
    except TimeoutError:
        _timeout(source, deadline)
    except sdk.OpenAIError as exc:
        _sdk_error(source, exc, deadline)
    received = 0

    async def pieces() -> AsyncIterator[bytes]:
        nonlocal received
        iterator = response.iter_bytes().__aiter__()
        while True:
            async with deadline.scope():
                try:
                    piece = await iterator.__anext__()
                except StopAsyncIteration:
                    return
            received += len(piece)
            yield piece

    try:
        yield response.headers.get("content-type", ""), pieces()
    except TimeoutError:
        _timeout(source, deadline)
    except (LiteflowError, GeneratorExit):
        raise
    except Exception as exc:  # the connection broke mid-body (the HTTP library's own error)
        if "timeout" in type(exc).__name__.lower():
            _timeout(source, deadline)
        raise ChatModelError(
            "chat.bad_reply", model=source.model, url=source.url,
            problem=Phrase("chat.why.connection_lost", size=received),
        ) from exc
    finally:
        await manager.__aexit__(None, None, None)


def _timeout(source: Source, deadline: _Deadline) -> NoReturn:
    raise ChatModelError(
        "chat.timeout", model=source.model, url=source.url, timeout=deadline.timeout
    ) from None


def _sdk_error(source: Source, exc: openai.OpenAIError, deadline: _Deadline) -> NoReturn:
    model, url = source.model, source.url
    openai = _openai()
    if isinstance(exc, openai.APIStatusError):
        raise ChatModelError(
            "chat.status", model=model, url=url, status=exc.status_code, error=_status_text(exc)
        ) from exc
    if isinstance(exc, openai.APITimeoutError):
        raise ChatModelError(
            "chat.timeout", model=model, url=url, timeout=deadline.timeout
        ) from exc
    if isinstance(exc, openai.APIConnectionError):
        cause = exc.__cause__ or exc
        error = short_repr(str(cause) or type(cause).__name__, 200).strip("'\"")
        raise ChatModelError("chat.connection", model=model, url=url, error=error) from exc
    raise ChatModelError("chat.failed", model=model, url=url, error=str(exc)[:200]) from exc


def _status_text(exc: openai.APIStatusError) -> str:
    body = exc.body
    if isinstance(body, Mapping):
        error = body.get("error", body)
        message = error.get("message") if isinstance(error, Mapping) else None
        if isinstance(message, str) and message:
            return message[:300]
    if isinstance(body, str) and body.strip():
        # A proxy's error page: its title says it; the rest is markup.
        title = _TITLE.search(body)
        text = title.group(1) if title else _TAG.sub(" ", body)
        return short_repr(" ".join(text.split()), 200).strip("'\"")
    return short_repr(exc.message, 300).strip("'\"")


_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]*>")
