"""Structured output: ask for JSON matching a type's schema, validate it with pydantic."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import pydantic

from ..core.errors import ChatModelError, StructuredOutputError
from ..core.pydantic_hints import pydantic_compatible
from ._messages import AIMessage, MessageLike
from ._validation import Located

if TYPE_CHECKING:
    from ._chat import ChatOpenAI

__all__ = ["StructuredChatModel"]

T = TypeVar("T")

_NAME = re.compile(r"[^A-Za-z0-9_-]")


def _schema_name(schema: type[Any], name: str | None) -> str:
    """A `json_schema.name` the API accepts (ASCII letters, digits, `_` and `-`)."""
    wanted = name or getattr(schema, "__name__", "") or "output"
    ascii_name = _NAME.sub("", wanted)[:64]
    return ascii_name or "output"


_SCHEMA_MAPS = ("properties", "$defs", "definitions")
_SCHEMA_LISTS = ("anyOf", "allOf", "oneOf", "prefixItems")


def _strict(schema: Any) -> dict[str, Any] | None:
    """`schema` rewritten for the API's strict mode, or None if strict mode cannot express it.

    Strict mode needs every object closed (`additionalProperties: false`) with every
    property required, and does not accept `default`.
    """
    if not isinstance(schema, dict):
        return None
    result: dict[str, Any] = {}
    for key, value in schema.items():
        if key == "default":
            continue
        if key == "additionalProperties":
            if value is not False:
                return None  # an open mapping (dict[str, X]) is not expressible
        elif key in _SCHEMA_MAPS:
            converted = {name: _strict(sub) for name, sub in value.items()}
            if any(sub is None for sub in converted.values()):
                return None
            value = converted
        elif key in _SCHEMA_LISTS:
            items = [_strict(sub) for sub in value]
            if any(sub is None for sub in items):
                return None
            value = items
        elif key in ("items", "not") and isinstance(value, dict):
            value = _strict(value)
            if value is None:
                return None
        result[key] = value
    if result.get("type") == "object":
        if set(result.get("required", ())) != set(result.get("properties", {})):
            return None
        result["additionalProperties"] = False
    return result


class StructuredChatModel(Generic[T]):
    """A chat model whose replies are instances of one type (see `with_structured_output`)."""

    def __init__(
        self, model: ChatOpenAI, schema: type[T], *, name: str | None, strict: bool | None
    ) -> None:
        self.schema = schema
        self.name = _schema_name(schema, name)
        self._label = getattr(schema, "__name__", repr(schema))
        try:
            self._adapter: pydantic.TypeAdapter[T] = pydantic.TypeAdapter(
                pydantic_compatible(schema)
            )
            json_schema = self._adapter.json_schema()
        except Exception as exc:
            raise ChatModelError(
                "chat.bad_schema",
                model=model.model,
                schema=self._label,
                error=f"{type(exc).__name__}: {exc}",
            ) from exc
        strict_schema = _strict(json_schema) if strict is not False else None
        spec: dict[str, Any] = {"name": self.name}
        if strict_schema is not None:
            spec.update(schema=strict_schema, strict=True)
        else:
            spec.update(schema=json_schema, strict=False)
        self.json_schema: Mapping[str, Any] = spec["schema"]
        self._model = model._with_response_format({"type": "json_schema", "json_schema": spec})

    def invoke(self, messages: str | Sequence[MessageLike], **kwargs: Any) -> T:
        """Send the conversation; return the reply parsed into the schema's type."""
        return self._parse(self._model.invoke(messages, **kwargs))

    async def ainvoke(self, messages: str | Sequence[MessageLike], **kwargs: Any) -> T:
        """Async `invoke`."""
        return self._parse(await self._model.ainvoke(messages, **kwargs))

    def _parse(self, reply: AIMessage) -> T:
        model, url = self._model.model, self._model._clients.url()
        if reply.refusal and not reply.content:
            raise StructuredOutputError(
                "chat.structured_refusal", model=model, url=url, schema=self._label,
                error=reply.refusal,
            )
        try:
            return self._adapter.validate_json(reply.content)
        except pydantic.ValidationError as exc:
            raise StructuredOutputError(
                "chat.structured_invalid", model=model, url=url, schema=self._label,
                error=Located(list(exc.errors())),
            ) from exc

    def __repr__(self) -> str:
        return f"StructuredChatModel({self._model.model!r}, {self._label})"
