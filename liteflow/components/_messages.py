"""Chat messages: small frozen values, converted to and from the OpenAI wire format."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal, TypeAlias

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
    "merge_chunks",
    "to_openai_messages",
]


@dataclass(frozen=True, slots=True)
class Usage:
    """Token counts of one model call (or, added up with `+`, of several)."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            self.prompt_tokens + other.prompt_tokens,
            self.completion_tokens + other.completion_tokens,
            self.total_tokens + other.total_tokens,
        )


@dataclass(frozen=True, slots=True)
class ToolCall:
    """A tool call requested by the model.

    `arguments` is the parsed JSON object; when the model sent something that is not a JSON
    object, `arguments` is empty and `parse_error` says why (`raw_arguments` keeps the text).
    """

    id: str
    name: str
    arguments: Mapping[str, Any] = field(default_factory=dict)
    raw_arguments: str = "{}"
    parse_error: str | None = None

    @classmethod
    def from_json(cls, id: str, name: str, raw_arguments: str) -> ToolCall:
        """Parse the model's JSON argument text, recording (not raising) a parse failure."""
        text = raw_arguments.strip() or "{}"
        try:
            parsed = json.loads(text)
        except json.JSONDecodeError as exc:
            return cls(id, name, {}, raw_arguments, str(exc))
        if not isinstance(parsed, dict):
            return cls(id, name, {}, raw_arguments, text[:80])
        return cls(id, name, parsed, raw_arguments)

    def to_openai(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "type": "function",
            "function": {"name": self.name, "arguments": self.raw_arguments},
        }


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
    """The model's reply: text, requested tool calls and token usage."""

    content: str = ""
    tool_calls: tuple[ToolCall, ...] = ()
    usage: Usage | None = None
    finish_reason: str | None = None
    id: str | None = None
    refusal: str | None = None
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


@dataclass(slots=True)
class _PartialCall:
    id: str | None = None
    name: str | None = None
    arguments: list[str] = field(default_factory=list)


def merge_chunks(chunks: Iterable[AIMessageChunk]) -> AIMessage:
    """Assemble streamed chunks into the complete `AIMessage`."""
    text: list[str] = []
    calls: dict[int, _PartialCall] = {}
    usage: Usage | None = None
    finish_reason: str | None = None
    message_id: str | None = None
    for chunk in chunks:
        text.append(chunk.content)
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
    return AIMessage("".join(text), tool_calls, usage, finish_reason, message_id)


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
