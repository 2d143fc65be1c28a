"""Test LLM flows offline, over real HTTP: a scripted OpenAI-compatible server.

`FakeOpenAIServer` serves `POST /v1/chat/completions` on 127.0.0.1 (a free port) from a
background thread. It answers from a script — a queue of replies, or a function of the
request — plain or streamed (SSE), with tool calls, scripted failures and raw bytes (a
`RawReply`: truncated bodies, HTML pages, drips, streams cut short), and records every
request::

    from liteflow.components import ChatOpenAI
    from liteflow.testing import FakeOpenAIServer, Failure, Reply

    script = [Failure(429), "你好！", Reply.tool_call("calculator", expression="1+2")]
    with FakeOpenAIServer(script) as server:
        llm = ChatOpenAI(model="test", base_url=server.base_url, api_key="test")
        assert llm.invoke("打个招呼").content == "你好！"
        assert len(server.requests) == 2          # the 429 was retried by the SDK

Standard library only; nothing here is needed at run time.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeAlias

from ._testing_server import (
    Failure,
    HTTPRunner,
    RawReply,
    RecordedRequest,
    Reply,
    ScriptedToolCall,
    completion_body,
    split_tokens,
    stream_events,
)

if TYPE_CHECKING:
    from .components import ChatOpenAI

__all__ = [
    "Failure",
    "FakeOpenAIServer",
    "RawReply",
    "RecordedRequest",
    "Reply",
    "ScriptItem",
    "ScriptedToolCall",
    "split_tokens",
]

ScriptItem: TypeAlias = str | Reply | Failure | RawReply
"""What the server answers with: text, a `Reply` (tool calls, usage, ...), a `Failure`, or
a `RawReply` (bytes as they are, for testing broken servers)."""

Handler: TypeAlias = Callable[[RecordedRequest], ScriptItem]


class FakeOpenAIServer:
    """A scripted OpenAI-compatible chat-completions server for tests.

    Replies come from `replies` (consumed in order; `add` appends more), else from
    `handler(request)`. With neither left, the server answers 500 (not retried) saying the
    script ran out. Use it as a context manager, or call `start()` and `stop()`.
    """

    def __init__(
        self,
        replies: Iterable[ScriptItem] = (),
        *,
        handler: Handler | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self._script: deque[ScriptItem] = deque(replies)
        self._handler = handler
        self._host = host
        self._port = port
        self._lock = threading.Lock()
        self._requests: list[RecordedRequest] = []
        self._numbers = itertools.count(1)
        self._call_ids = itertools.count(1)
        self._runner: HTTPRunner | None = None

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> FakeOpenAIServer:
        """Start serving in a background thread (idempotent); returns the server."""
        if self._runner is None:
            self._runner = HTTPRunner(self._host, self._port, self._respond)
        return self

    def stop(self) -> None:
        """Stop serving and close open connections (idempotent)."""
        runner, self._runner = self._runner, None
        if runner is not None:
            runner.stop()

    def __enter__(self) -> FakeOpenAIServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        return self._runner is not None

    @property
    def base_url(self) -> str:
        """The OpenAI-style base URL, e.g. `http://127.0.0.1:53124/v1`."""
        if self._runner is None:
            raise RuntimeError("FakeOpenAIServer is not running; call start() first")
        host, port = self._runner.address
        return f"http://{host}:{port}/v1"

    # -- script and records ------------------------------------------------------------------

    def add(self, *replies: ScriptItem) -> None:
        """Append replies to the script."""
        with self._lock:
            self._script.extend(replies)

    @property
    def pending(self) -> int:
        """How many scripted replies have not been used yet."""
        with self._lock:
            return len(self._script)

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request received so far, in order (a copy)."""
        with self._lock:
            return list(self._requests)

    def reset(self) -> None:
        """Forget the recorded requests and the remaining script."""
        with self._lock:
            self._requests.clear()
            self._script.clear()

    def chat_model(self, model: str = "fake-model", **options: Any) -> ChatOpenAI:
        """A `ChatOpenAI` pointed at this server (`options` go to `ChatOpenAI`)."""
        from .components import ChatOpenAI

        options.setdefault("api_key", "test-key")
        return ChatOpenAI(model, base_url=self.base_url, **options)

    # -- answering ---------------------------------------------------------------------------

    def _next(self, request: RecordedRequest) -> ScriptItem | None:
        with self._lock:
            self._requests.append(request)
            if self._script:
                return self._script.popleft()
        if self._handler is not None:
            return self._handler(request)
        return None

    def _respond(self, request: RecordedRequest) -> tuple[int, dict[str, str], Any]:
        if not request.path.rstrip("/").endswith("/chat/completions"):
            with self._lock:
                self._requests.append(request)
            return 404, {}, Failure(404, f"unknown path {request.path}").body()
        try:
            item = self._next(request)
        except Exception as exc:  # a failing handler must not hang the client
            message = f"handler raised {type(exc).__name__}: {exc}"
            return 500, {"x-should-retry": "false"}, Failure(500, message).body()
        if item is None:
            message = (
                f"FakeOpenAIServer: no scripted reply left for request #{len(self.requests)}; "
                "add replies with server.add(...) or pass handler="
            )
            return 500, {"x-should-retry": "false"}, Failure(500, message).body()
        if isinstance(item, Failure):
            return item.status, item.response_headers(), item.body()
        if isinstance(item, RawReply):
            return item.status, {}, item
        reply = Reply(item) if isinstance(item, str) else item
        if reply.delay:
            time.sleep(reply.delay)
        number = next(self._numbers)
        call_ids = [call.id or f"call_{next(self._call_ids)}" for call in reply.tool_calls]
        if request.stream:
            return 200, {}, stream_events(request, reply, number, call_ids)
        return 200, {}, completion_body(request, reply, number, call_ids)
