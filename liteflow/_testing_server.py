"""HTTP plumbing and wire format of `liteflow.testing.FakeOpenAIServer` (standard library only)."""

from __future__ import annotations

import json
import re
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = [
    "Failure",
    "RawReply",
    "RecordedRequest",
    "Reply",
    "ScriptedToolCall",
    "completion_body",
    "split_tokens",
    "stream_events",
]


@dataclass(frozen=True, slots=True)
class ScriptedToolCall:
    """One tool call in a scripted reply; `arguments` is a mapping or raw JSON text."""

    name: str
    arguments: Mapping[str, Any] | str = field(default_factory=dict)
    id: str | None = None

    def arguments_json(self) -> str:
        if isinstance(self.arguments, str):
            return self.arguments
        return json.dumps(dict(self.arguments), ensure_ascii=False)


@dataclass(frozen=True, slots=True)
class Reply:
    """A scripted assistant reply.

    `usage` is `(prompt_tokens, completion_tokens)`; by default both are character counts
    (of the request's message contents and of the reply). `chunks` fixes how `content` is
    split when streamed (by default: per CJK character and per word). `delay` waits before
    answering, to test timeouts; `chunk_delay` waits between streamed pieces.
    """

    content: str | None = None
    tool_calls: Sequence[ScriptedToolCall] = ()
    usage: tuple[int, int] | None = None
    chunks: Sequence[str] | None = None
    delay: float = 0.0
    chunk_delay: float = 0.0
    finish_reason: str | None = None

    @classmethod
    def tool_call(cls, name: str, /, **arguments: Any) -> Reply:
        """A reply that calls one tool: `Reply.tool_call("calculator", expression="1+2")`."""
        return cls(tool_calls=(ScriptedToolCall(name, arguments),))

    @classmethod
    def json(cls, value: Any) -> Reply:
        """A reply whose content is `value` as JSON (for structured output)."""
        return cls(content=json.dumps(value, ensure_ascii=False))


@dataclass(frozen=True, slots=True)
class Failure:
    """A scripted error response, e.g. `Failure(429)` or `Failure(500, "overloaded")`.

    `retry_after` (seconds) is sent as `retry-after-ms`, which the openai SDK honours, so
    retries in tests are fast; None sends no header. `retry` sets `x-should-retry`.
    """

    status: int = 500
    message: str = "scripted failure"
    retry_after: float | None = 0.001
    retry: bool | None = None
    headers: Mapping[str, str] = field(default_factory=dict)

    def response_headers(self) -> dict[str, str]:
        headers = dict(self.headers)
        if self.retry_after is not None:
            headers.setdefault("retry-after-ms", str(max(1, round(self.retry_after * 1000))))
        if self.retry is not None:
            headers.setdefault("x-should-retry", "true" if self.retry else "false")
        return headers

    def body(self) -> dict[str, Any]:
        kind = "rate_limit_exceeded" if self.status == 429 else "server_error"
        if 400 <= self.status < 500 and self.status != 429:
            kind = "invalid_request_error"
        return {"error": {"message": self.message, "type": kind, "param": None, "code": kind}}


@dataclass(frozen=True, slots=True)
class RawReply:
    """Bytes sent as they are, to test how a client copes with a broken server.

    The body is `pieces` sent one after another, `delay` seconds apart (a drip). With
    `chunked` each piece is one HTTP chunk and `complete=False` leaves out the final empty
    chunk; otherwise `Content-Length` announces `length` (default: the real length, so a
    larger `length` cuts the body short). `close` closes the connection at the end::

        RawReply([b"<html>502 Bad Gateway</html>"], content_type="text/html")
        RawReply([b": keep-alive\n\n"] * 20, delay=0.2, chunked=True,
                 content_type="text/event-stream")
    """

    pieces: Sequence[bytes]
    status: int = 200
    content_type: str = "application/json"
    delay: float = 0.0
    chunked: bool = False
    complete: bool = True
    length: int | None = None
    close: bool = True
    headers: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def json(cls, value: Any, **options: Any) -> RawReply:
        """`value` as one JSON body (any value: a reply of the wrong shape, say)."""
        return cls([json.dumps(value, ensure_ascii=False).encode()], **options)

    @classmethod
    def events(cls, *events: Any, done: bool = True, **options: Any) -> RawReply:
        """A server-sent-event stream of `events` (JSON values, or raw `data:` text as str),
        ending with `data: [DONE]` when `done`."""
        pieces = [
            f"data: {e if isinstance(e, str) else json.dumps(e, ensure_ascii=False)}\n\n".encode()
            for e in events
        ]
        if done:
            pieces.append(b"data: [DONE]\n\n")
        options.setdefault("content_type", "text/event-stream")
        options.setdefault("chunked", True)
        return cls(pieces, **options)


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    """A request the server received, for assertions in tests."""

    method: str
    path: str
    headers: Mapping[str, str]
    body: Mapping[str, Any]

    @property
    def model(self) -> str | None:
        value = self.body.get("model")
        return value if isinstance(value, str) else None

    @property
    def messages(self) -> list[dict[str, Any]]:
        return list(self.body.get("messages") or [])

    @property
    def tools(self) -> list[dict[str, Any]]:
        return list(self.body.get("tools") or [])

    @property
    def tool_names(self) -> list[str]:
        return [t.get("function", {}).get("name", "") for t in self.tools]

    @property
    def stream(self) -> bool:
        return bool(self.body.get("stream"))

    @property
    def last_user_message(self) -> str | None:
        """The text of the last user message, if any."""
        for message in reversed(self.messages):
            if message.get("role") == "user":
                return _text(message.get("content"))
        return None


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # content parts
        return "".join(p.get("text", "") for p in content if isinstance(p, dict))
    return ""


# Every CJK character is its own piece; other text goes word by word with its leading space.
_CJK = "\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef"
_TOKEN = re.compile(rf"\s*(?:[{_CJK}]|[^\s{_CJK}]+)|\s+")


def split_tokens(text: str) -> list[str]:
    """Split `text` into stream pieces that join back to exactly `text`."""
    return _TOKEN.findall(text)


def _usage(request: RecordedRequest, reply: Reply) -> dict[str, int]:
    if reply.usage is not None:
        prompt, completion = reply.usage
    else:
        prompt = sum(len(_text(m.get("content"))) for m in request.messages)
        completion = len(reply.content or "") + sum(
            len(c.arguments_json()) for c in reply.tool_calls
        )
    return {"prompt_tokens": prompt, "completion_tokens": completion,
            "total_tokens": prompt + completion}


def _finish_reason(reply: Reply) -> str:
    return reply.finish_reason or ("tool_calls" if reply.tool_calls else "stop")


def completion_body(
    request: RecordedRequest, reply: Reply, number: int, call_ids: list[str]
) -> dict[str, Any]:
    """A `chat.completion` object answering `request` with `reply`."""
    message: dict[str, Any] = {"role": "assistant", "content": reply.content, "refusal": None}
    if reply.tool_calls:
        message["tool_calls"] = [
            {"id": call_id, "type": "function",
             "function": {"name": call.name, "arguments": call.arguments_json()}}
            for call, call_id in zip(reply.tool_calls, call_ids, strict=True)
        ]
    return {
        "id": f"chatcmpl-{number}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": request.model or "fake-model",
        "choices": [
            {"index": 0, "message": message, "logprobs": None,
             "finish_reason": _finish_reason(reply)}
        ],
        "usage": _usage(request, reply),
    }


def stream_events(
    request: RecordedRequest, reply: Reply, number: int, call_ids: list[str]
) -> Iterator[dict[str, Any]]:
    """The `chat.completion.chunk` objects of a streamed answer (without `[DONE]`)."""
    base = {"id": f"chatcmpl-{number}", "object": "chat.completion.chunk",
            "created": int(time.time()), "model": request.model or "fake-model"}

    def chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        return {**base, "choices": [
            {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}]}

    yield chunk({"role": "assistant", "content": ""})
    pieces = list(reply.chunks) if reply.chunks is not None else split_tokens(reply.content or "")
    for number_in_stream, piece in enumerate(pieces):
        if reply.chunk_delay and number_in_stream:
            time.sleep(reply.chunk_delay)
        yield chunk({"content": piece})
    for index, (call, call_id) in enumerate(zip(reply.tool_calls, call_ids, strict=True)):
        yield chunk({"tool_calls": [{"index": index, "id": call_id, "type": "function",
                                     "function": {"name": call.name, "arguments": ""}}]})
        arguments = call.arguments_json()
        middle = len(arguments) // 2  # two pieces, so clients must reassemble them
        for part in (arguments[:middle], arguments[middle:]):
            if part:
                yield chunk({"tool_calls": [{"index": index, "function": {"arguments": part}}]})
    yield chunk({}, _finish_reason(reply))
    options = request.body.get("stream_options") or {}
    if options.get("include_usage"):
        yield {**base, "choices": [], "usage": _usage(request, reply)}


Responder = Callable[[RecordedRequest], "tuple[int, dict[str, str], Any]"]
"""Maps a request to (status, headers, body); a body that is an iterator is streamed as SSE."""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes; with Nagle's algorithm on, the client's
    # delayed ACK would add ~40 ms to every response.
    disable_nagle_algorithm = True
    server: _HTTPServer

    def setup(self) -> None:
        super().setup()
        self.server.connections.add(self.connection)

    def finish(self) -> None:
        self.server.connections.discard(self.connection)
        super().finish()

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep test output clean

    def do_GET(self) -> None:
        self._respond()

    def do_POST(self) -> None:
        self._respond()

    def _respond(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else {}
        except json.JSONDecodeError:
            body = {"_raw": raw.decode(errors="replace")}
        request = RecordedRequest(
            self.command, self.path, {k.lower(): v for k, v in self.headers.items()},
            body if isinstance(body, dict) else {"_raw": body},
        )
        status, headers, payload = self.server.responder(request)
        if isinstance(payload, RawReply):
            self._send_raw(payload)
        elif isinstance(payload, Iterator):
            self._send_stream(status, headers, payload)
        else:
            self._send_json(status, headers, payload)

    def _send_json(self, status: int, headers: Mapping[str, str], payload: Any) -> None:
        data = json.dumps(payload, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _send_stream(
        self, status: int, headers: Mapping[str, str], events: Iterator[Any]
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        for event in events:
            self._write_chunk(f"data: {json.dumps(event, ensure_ascii=False)}\n\n".encode())
        self._write_chunk(b"data: [DONE]\n\n")
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    def _send_raw(self, raw: RawReply) -> None:
        self.send_response(raw.status)
        self.send_header("Content-Type", raw.content_type)
        if raw.chunked:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            length = sum(len(piece) for piece in raw.pieces)
            self.send_header("Content-Length", str(length if raw.length is None else raw.length))
        if raw.close:
            self.send_header("Connection", "close")
            self.close_connection = True
        for name, value in raw.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.flush()
        for number, piece in enumerate(raw.pieces):
            if number and raw.delay:
                time.sleep(raw.delay)
            if self.server.stopping.is_set():
                return
            if raw.chunked:
                self._write_chunk(piece)
            else:
                self.wfile.write(piece)
                self.wfile.flush()
        if raw.chunked and raw.complete:
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()

    def _write_chunk(self, data: bytes) -> None:
        # One HTTP chunk per event, flushed at once, so the client really streams.
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # a burst of parallel clients must not overflow the backlog

    def __init__(self, address: tuple[str, int], responder: Responder) -> None:
        self.responder = responder
        self.connections: set[socket.socket] = set()
        self.stopping = threading.Event()
        super().__init__(address, _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that gave up (a timeout test, say) is normal here, not worth a traceback.
        if not isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            super().handle_error(request, client_address)

    def close_connections(self) -> None:
        for connection in list(self.connections):
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class HTTPRunner:
    """Runs an `_HTTPServer` in a background thread."""

    def __init__(self, host: str, port: int, responder: Responder) -> None:
        self._httpd = _HTTPServer((host, port), responder)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
            name="liteflow-fake-openai", daemon=True,
        )
        self._thread.start()

    @property
    def address(self) -> tuple[str, int]:
        host, port = self._httpd.server_address[:2]
        return str(host), int(port)

    def stop(self) -> None:
        self._httpd.stopping.set()
        self._httpd.shutdown()
        self._httpd.close_connections()
        self._httpd.server_close()
        self._thread.join(timeout=5)
