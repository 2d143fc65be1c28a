"""Replies from OpenAI-compatible servers, read defensively: bytes in, messages out.

Whatever a server sends — a truncated body, an HTML page, invalid UTF-8, a reply without
`choices` or `message`, `content: 123`, a stream cut off before its end — becomes a
`ChatModelError` naming the model, the URL and what was wrong. Harmless provider quirks
are accepted: usage in the last chunk or inside the choice (Moonshot), `reasoning_content`
(DeepSeek, Qwen) or `reasoning` (vLLM, Ollama), tool-call arguments sent as an object or
null, a streaming request answered with one plain JSON completion.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, NoReturn

from ..core.errors import ChatModelError
from ..core.messages import text
from ..core.reprs import short_repr
from ._jsonsafe import JSONProblem, loads
from ._messages import AIMessage, AIMessageChunk, ToolCall, ToolCallChunk, Usage, json_kind
from ._phrase import Phrase

__all__ = ["MAX_REPLY_BYTES", "Source", "StreamReader", "chunks_of", "read_completion"]

#: A reply larger than this is refused: no chat answer is this big, and a hostile server
#: could otherwise fill the memory at loopback speed.
MAX_REPLY_BYTES = 32 * 1024 * 1024

_LINE_END = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True, slots=True)
class Source:
    """Which model at which URL a reply came from: what every error names."""

    model: str
    url: str

    def fail(self, problem: Phrase) -> NoReturn:
        raise ChatModelError("chat.bad_reply", model=self.model, url=self.url, problem=problem)


# -- whole bodies --------------------------------------------------------------------------


def _decode(source: Source, body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        source.fail(Phrase("chat.why.not_utf8", position=exc.start))


def _looks_like_html(text: str, content_type: str) -> bool:
    return "html" in content_type.lower() or text.lstrip()[:1] == "<"


def _parse(source: Source, text: str, content_type: str, size: int) -> Any:
    if not text.strip():
        source.fail(Phrase("chat.why.empty"))
    if _looks_like_html(text, content_type):
        source.fail(Phrase("chat.why.html", start=short_repr(text.strip(), 60)))
    try:
        return loads(text)
    except JSONProblem as problem:
        source.fail(_json_phrase(problem, text, size))


def _json_phrase(problem: JSONProblem, text: str, size: int) -> Phrase:
    if problem.reason == "truncated":
        return Phrase("chat.why.truncated", size=size)
    if problem.reason == "too_deep":
        return Phrase("chat.why.too_deep")
    if problem.reason == "number_too_long":
        return Phrase("chat.why.number_too_long")
    start = short_repr(text[max(0, problem.position - 20) : problem.position + 20], 50)
    return Phrase("chat.why.not_json", position=problem.position, start=start)


def read_completion(source: Source, body: bytes, content_type: str) -> AIMessage:
    """The `AIMessage` in a `chat.completion` body, or `ChatModelError`."""
    data = _object(source, _parse(source, _decode(source, body), content_type, len(body)), "$")
    _service_error(source, data)
    choices = data.get("choices")
    if choices is None:
        source.fail(Phrase("chat.why.missing", field="choices"))
    if not isinstance(choices, list):
        _wrong(source, "choices", "chat.kind.array", choices)
    if not choices:
        source.fail(Phrase("chat.why.no_choices"))
    choice = _object(source, choices[0], "choices[0]")
    message = choice.get("message")
    if message is None:
        source.fail(Phrase("chat.why.missing", field="choices[0].message"))
    message = _object(source, message, "choices[0].message")
    usage = _usage(data.get("usage")) or _usage(choice.get("usage"))
    return AIMessage(
        content=_content(source, message.get("content"), "choices[0].message.content"),
        tool_calls=_tool_calls(source, message.get("tool_calls"), "choices[0].message"),
        usage=usage,
        finish_reason=_optional_text(choice.get("finish_reason")),
        id=_optional_text(data.get("id")),
        refusal=_optional_text(message.get("refusal")),
        reasoning=_reasoning(message),
    )


def chunks_of(message: AIMessage) -> Iterator[AIMessageChunk]:
    """A complete message as stream chunks (for a server that ignored `stream=true`)."""
    pieces = tuple(
        ToolCallChunk(index, call.id, call.name, call.raw_arguments)
        for index, call in enumerate(message.tool_calls)
    )
    yield AIMessageChunk(
        message.content, pieces, message.usage, message.finish_reason or "stop", message.id,
        message.reasoning or "",
    )


# -- streams -------------------------------------------------------------------------------


class StreamReader:
    """Turns the bytes of a server-sent-event stream into `AIMessageChunk`s.

    Feed it bytes as they arrive; `finish()` at the end of the body raises if the stream
    never said it was complete (neither a `finish_reason` nor `data: [DONE]`). Comment
    lines (`: keep-alive`) are ignored; `done` is true once `[DONE]` arrived.
    """

    def __init__(self, source: Source) -> None:
        self.source = source
        self.done = False
        self.finished = False  # a finish_reason arrived
        self.size = 0
        self._decoder = codecs.getincrementaldecoder("utf-8")("strict")
        self._buffer = ""
        self._data: list[str] = []
        self._event = ""

    def feed(self, data: bytes) -> list[AIMessageChunk]:
        """The chunks completed by `data`."""
        self.size += len(data)
        if self.size > MAX_REPLY_BYTES:
            self.source.fail(Phrase("chat.why.too_large", limit=MAX_REPLY_BYTES))
        try:
            self._buffer += self._decoder.decode(data)
        except UnicodeDecodeError as exc:
            position = self.size - len(data) + exc.start
            self.source.fail(Phrase("chat.why.not_utf8", position=position))
        # SSE lines end in \r\n, \n or \r (not str.splitlines: U+2028 may be in the text);
        # a trailing \r waits, as its \n may come with the next piece.
        cut = len(self._buffer) - 1 if self._buffer.endswith("\r") else len(self._buffer)
        *lines, rest = _LINE_END.split(self._buffer[:cut])
        self._buffer = rest + self._buffer[cut:]
        chunks: list[AIMessageChunk] = []
        for line in lines:
            if self.done:
                break
            chunk = self._line(line)
            if chunk is not None:
                chunks.append(chunk)
        return chunks

    def finish(self) -> list[AIMessageChunk]:
        """The last chunks at the end of the body; raises if the stream was cut off."""
        chunks = [] if self.done else self.feed(b"\n\n")
        if not (self.done or self.finished):
            self.source.fail(Phrase("chat.why.stream_cut", size=self.size))
        return chunks

    def _line(self, line: str) -> AIMessageChunk | None:
        if not line:
            return self._dispatch()
        if line.startswith(":"):
            return None  # a comment: keep-alive
        name, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if name == "data":
            self._data.append(value)
        elif name == "event":
            self._event = value
        return None

    def _dispatch(self) -> AIMessageChunk | None:
        data, event = "\n".join(self._data), self._event
        self._data, self._event = [], ""
        if not data.strip():
            return None
        if data.strip() == "[DONE]":
            self.done = True
            return None
        try:
            value = loads(data)
        except JSONProblem:
            self.source.fail(Phrase("chat.why.bad_event", line=short_repr(data, 60)))
        if event == "error" and isinstance(value, dict) and "error" not in value:
            value = {"error": value}
        chunk = _chunk(self.source, value)
        if chunk.finish_reason:
            self.finished = True
        return chunk


def _chunk(source: Source, value: Any) -> AIMessageChunk:
    data = _object(source, value, "chunk")
    _service_error(source, data)
    usage = _usage(data.get("usage"))
    message_id = _optional_text(data.get("id"))
    choices = data.get("choices")
    if not choices:  # missing, null or []: a usage-only chunk
        return AIMessageChunk(usage=usage, id=message_id)
    if not isinstance(choices, list):
        _wrong(source, "chunk.choices", "chat.kind.array", choices)
    choice = _object(source, choices[0], "chunk.choices[0]")
    usage = usage or _usage(choice.get("usage"))
    # Some servers send `message` instead of `delta`, or a choice with neither.
    delta = choice.get("delta", choice.get("message"))
    delta = {} if delta is None else _object(source, delta, "chunk.choices[0].delta")
    return AIMessageChunk(
        content=_content(source, delta.get("content"), "chunk.choices[0].delta.content"),
        tool_call_chunks=_call_chunks(delta.get("tool_calls")),
        usage=usage,
        finish_reason=_optional_text(choice.get("finish_reason")),
        id=message_id,
        reasoning=_reasoning(delta) or "",
    )


def _call_chunks(value: Any) -> tuple[ToolCallChunk, ...]:
    if not isinstance(value, list):
        return ()
    pieces: list[ToolCallChunk] = []
    for position, item in enumerate(value):
        if not isinstance(item, dict):
            continue
        index = item.get("index")
        function = item.get("function")
        function = function if isinstance(function, dict) else {}
        arguments = function.get("arguments")
        if isinstance(arguments, dict):
            arguments = _dumps(arguments)
        pieces.append(ToolCallChunk(
            index=index if isinstance(index, int) and not isinstance(index, bool) else position,
            id=_optional_text(item.get("id")),
            name=_optional_text(function.get("name")),
            arguments=arguments if isinstance(arguments, str) else "",
        ))
    return tuple(pieces)


# -- fields --------------------------------------------------------------------------------


def _object(source: Source, value: Any, field: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        _wrong(source, field, "chat.kind.object", value)
    return value


def _wrong(source: Source, field: str, expected: str, value: Any) -> NoReturn:
    source.fail(Phrase(
        "chat.why.wrong_type", field=field, expected=Phrase(expected),
        actual=Phrase(json_kind(value)), value=short_repr(value, 40),
    ))


def _service_error(source: Source, data: dict[str, Any]) -> None:
    """Some gateways answer an error with status 200 and `{"error": ...}`."""
    error = data.get("error")
    if error is None or "choices" in data:
        return
    message = error.get("message") if isinstance(error, dict) else error
    shown = message[:200] if isinstance(message, str) else short_repr(message, 200)
    source.fail(Phrase("chat.why.service_error", error=shown))


def _content(source: Source, value: Any, field: str) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, list):  # content parts: [{"type": "text", "text": ...}]
        return "".join(
            part["text"] for part in value
            if isinstance(part, dict) and isinstance(part.get("text"), str)
        )
    _wrong(source, field, "chat.kind.string", value)


def _reasoning(message: dict[str, Any]) -> str | None:
    for key in ("reasoning_content", "reasoning"):
        value = message.get(key)
        if isinstance(value, str) and value:
            return value
    return None


def _dumps(value: Any) -> str:
    try:
        return json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError, RecursionError):
        return ""


def _optional_text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _count(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, float) and value.is_integer() and value >= 0:
        return int(value)
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 19:
        return int(value)
    return None


def _usage(value: Any) -> Usage | None:
    """Usage with int or None counts, whatever the server put there."""
    if not isinstance(value, dict):
        return None
    prompt = _count(value.get("prompt_tokens"))
    completion = _count(value.get("completion_tokens"))
    total = _count(value.get("total_tokens"))
    if total is None and prompt is not None and completion is not None:
        total = prompt + completion
    if prompt is None and completion is None and total is None:
        return None
    return Usage(prompt, completion, total)


def _tool_calls(source: Source, value: Any, where: str) -> tuple[ToolCall, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        _wrong(source, f"{where}.tool_calls", "chat.kind.array", value)
    calls: list[ToolCall] = []
    for position, item in enumerate(value):
        item = item if isinstance(item, dict) else {"function": None}
        kind = item.get("type")
        if isinstance(kind, str) and kind != "function":
            continue  # another kind of call (e.g. custom tools): not ours to run
        call_id = _optional_text(item.get("id")) or f"call_{position}"
        function = item.get("function")
        if not isinstance(function, dict):
            calls.append(ToolCall(call_id, "", {}, "{}", text("tool.why.no_function")))
            continue
        calls.append(ToolCall.from_wire(call_id, function.get("name"), function.get("arguments")))
    return tuple(calls)
