"""Chat messages: small frozen values, converted to and from the OpenAI wire format."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal, TypeAlias

from ..core.messages import text
from ._jsonsafe import MAX_DEPTH, JSONProblem, loads

__all__ = [
    "AIMessage",
    "AIMessageChunk",
    "HumanMessage",
    "Message",
    "MessageLike",
    "SystemMessage",
    "ToolCall",
    "ToolCallChunk",
    "ToolMessage",
    "Usage",
    "json_kind",
    "merge_chunks",
    "to_openai_messages",
]

#: Tool-call argument text longer than this is refused (and reported to the model).
MAX_ARGUMENT_CHARS = 1_000_000


def json_kind(value: Any) -> str:
    """The catalog id naming the JSON type of a parsed value ("chat.kind.string", ...)."""
    if value is None:
        return "chat.kind.null"
    if isinstance(value, bool):
        return "chat.kind.boolean"
    if isinstance(value, int | float):
        return "chat.kind.number"
    if isinstance(value, str):
        return "chat.kind.string"
    if isinstance(value, list):
        return "chat.kind.array"
    return "chat.kind.object"


def _plus(a: int | None, b: int | None) -> int | None:
    if a is None:
        return b
    return a if b is None else a + b


@dataclass(frozen=True, slots=True)
class Usage:
    """Token counts of one model call (or, added up with `+`, of several).

    A count the service did not report is None; `+` adds the counts that are known.
    """

    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    total_tokens: int | None = None

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            _plus(self.prompt_tokens, other.prompt_tokens),
            _plus(self.completion_tokens, other.completion_tokens),
            _plus(self.total_tokens, other.total_tokens),
        )


@dataclass(frozen=True, slots=True)
class ToolCall:
    """A tool call requested by the model.

    `arguments` is the parsed JSON object; when the model sent something unusable (not a
    JSON object, nested too deeply, a number too long, no tool name), `arguments` is empty
    and `parse_error` says why (`raw_arguments` keeps the text). The agent reports such a
    call back to the model as a failed tool call, so the model can correct itself.
    """

    id: str
    name: str
    arguments: Mapping[str, Any] = field(default_factory=dict)
    raw_arguments: str = "{}"
    parse_error: str | None = None

    @classmethod
    def from_json(cls, id: str, name: str, raw_arguments: str) -> ToolCall:
        """Parse the model's JSON argument text, recording (not raising) a parse failure."""
        if not name:
            return cls(id, "", {}, raw_arguments, text("tool.why.no_name"))
        if len(raw_arguments) > MAX_ARGUMENT_CHARS:
            problem = text("tool.why.too_long", length=len(raw_arguments), limit=MAX_ARGUMENT_CHARS)
            return cls(id, name, {}, raw_arguments, problem)
        try:
            parsed = loads(raw_arguments.strip() or "{}")
        except JSONProblem as problem:
            return cls(id, name, {}, raw_arguments, _argument_problem(problem))
        if not isinstance(parsed, dict):
            problem_text = text("tool.why.not_object", kind=text(json_kind(parsed)))
            return cls(id, name, {}, raw_arguments, problem_text)
        return cls(id, name, parsed, raw_arguments)

    @classmethod
    def from_wire(cls, id: str, name: Any, arguments: Any) -> ToolCall:
        """A call from whatever a server sent: arguments as JSON text, an object or null."""
        if not isinstance(name, str):
            name = ""
        if arguments is None:
            arguments = ""
        elif isinstance(arguments, dict):
            try:
                arguments = json.dumps(arguments, ensure_ascii=False)
            except (TypeError, ValueError, RecursionError):
                arguments = ""
        elif not isinstance(arguments, str):
            problem = text("tool.why.not_object", kind=text(json_kind(arguments)))
            return cls(id, name, {}, "{}", problem)
        return cls.from_json(id, name, arguments)

    def to_openai(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "type": "function",
            "function": {"name": self.name, "arguments": self.raw_arguments},
        }


def _argument_problem(problem: JSONProblem) -> str:
    if problem.reason == "too_deep":
        return text("tool.why.too_deep", limit=MAX_DEPTH)
    if problem.reason == "number_too_long":
        return text("tool.why.number_too_long")
    return text("tool.why.not_json", position=problem.position)


@dataclass(frozen=True, slots=True)
class SystemMessage:
    """Instructions for the model."""

    content: str
    role: ClassVar[Literal["system"]] = "system"

    def to_openai(self) -> dict[str, Any]:
        return {"role": "system", "content": self.content}


@dataclass(frozen=True, slots=True)
class HumanMessage:
    """A message from the user."""

    content: str
    role: ClassVar[Literal["user"]] = "user"

    def to_openai(self) -> dict[str, Any]:
        return {"role": "user", "content": self.content}


@dataclass(frozen=True, slots=True)
class AIMessage:
    """The model's reply: text, requested tool calls and token usage.

    `reasoning` is the thinking text some models send beside the answer (DeepSeek's and
    Qwen's `reasoning_content`, vLLM's and Ollama's `reasoning`); it is not sent back.
    """

    content: str = ""
    tool_calls: tuple[ToolCall, ...] = ()
    usage: Usage | None = None
    finish_reason: str | None = None
    id: str | None = None
    refusal: str | None = None
    reasoning: str | None = None
    role: ClassVar[Literal["assistant"]] = "assistant"

    def to_openai(self) -> dict[str, Any]:
        if not self.tool_calls:
            return {"role": "assistant", "content": self.content}
        # A reply that only calls tools has no text: the API expects null, not "".
        return {
            "role": "assistant",
            "content": self.content or None,
            "tool_calls": [call.to_openai() for call in self.tool_calls],
        }


@dataclass(frozen=True, slots=True)
class ToolMessage:
    """The result of one tool call, sent back to the model."""

    content: str
    tool_call_id: str
    name: str | None = None
    role: ClassVar[Literal["tool"]] = "tool"

    def to_openai(self) -> dict[str, Any]:
        return {"role": "tool", "content": self.content, "tool_call_id": self.tool_call_id}


Message: TypeAlias = SystemMessage | HumanMessage | AIMessage | ToolMessage
"""One message of a conversation."""

MessageLike: TypeAlias = Message | Mapping[str, Any]
"""A message object, or a dict already in the OpenAI chat format (`{"role": ..., ...}`)."""


@dataclass(frozen=True, slots=True)
class ToolCallChunk:
    """A piece of a streamed tool call; pieces with the same `index` belong together."""

    index: int
    id: str | None = None
    name: str | None = None
    arguments: str = ""


@dataclass(frozen=True, slots=True)
class AIMessageChunk:
    """One streamed piece of the model's reply (`.content` is the new text)."""

    content: str = ""
    tool_call_chunks: tuple[ToolCallChunk, ...] = ()
    usage: Usage | None = None
    finish_reason: str | None = None
    id: str | None = None
    reasoning: str = ""


@dataclass(slots=True)
class _PartialCall:
    id: str | None = None
    name: str | None = None
    arguments: list[str] = field(default_factory=list)


def merge_chunks(chunks: Iterable[AIMessageChunk]) -> AIMessage:
    """Assemble streamed chunks into the complete `AIMessage`."""
    pieces: list[str] = []
    thoughts: list[str] = []
    calls: dict[int, _PartialCall] = {}
    usage: Usage | None = None
    finish_reason: str | None = None
    message_id: str | None = None
    for chunk in chunks:
        pieces.append(chunk.content)
        thoughts.append(chunk.reasoning)
        for piece in chunk.tool_call_chunks:
            partial = calls.setdefault(piece.index, _PartialCall())
            # The id and name come once, in a call's first piece; the arguments in many.
            partial.id = partial.id or piece.id
            partial.name = partial.name or piece.name
            partial.arguments.append(piece.arguments)
        usage = chunk.usage or usage
        finish_reason = chunk.finish_reason or finish_reason
        message_id = message_id or chunk.id
    tool_calls = tuple(
        ToolCall.from_json(p.id or f"call_{i}", p.name or "", "".join(p.arguments))
        for i, p in sorted(calls.items())
    )
    reasoning = "".join(thoughts) or None
    return AIMessage(
        "".join(pieces), tool_calls, usage, finish_reason, message_id, reasoning=reasoning
    )


def to_openai_messages(messages: str | Sequence[MessageLike]) -> list[dict[str, Any]]:
    """Messages in the OpenAI chat format; a plain string is one user message.

    Raises `TypeError` for anything that is not a message or a dict with a role.
    """
    if isinstance(messages, str):
        return [{"role": "user", "content": messages}]
    converted: list[dict[str, Any]] = []
    for message in messages:
        if isinstance(message, SystemMessage | HumanMessage | AIMessage | ToolMessage):
            converted.append(message.to_openai())
        elif isinstance(message, Mapping) and isinstance(message.get("role"), str):
            converted.append(dict(message))
        else:
            raise TypeError(message)
    return converted
