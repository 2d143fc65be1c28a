"""pydantic's validation errors in both languages (pydantic's own text is English only)."""

from __future__ import annotations

from typing import Any

from ..core.messages import text

__all__ = ["Detail", "Located"]

# pydantic's error kinds that a tool's caller meets, as catalog phrases (pydantic's own
# text is English only). Others show pydantic's text in English and their kind in Chinese.
_KINDS = {
    "int_type": "tool.why.int", "int_parsing": "tool.why.int", "int_from_float": "tool.why.int",
    "int_parsing_size": "tool.why.int_size",
    "float_type": "tool.why.number", "float_parsing": "tool.why.number",
    "decimal_type": "tool.why.number", "decimal_parsing": "tool.why.number",
    "bool_type": "tool.why.bool", "bool_parsing": "tool.why.bool",
    "string_type": "tool.why.string", "string_unicode": "tool.why.string",
    "string_too_short": "tool.why.string_too_short", "string_too_long": "tool.why.string_too_long",
    "too_short": "tool.why.too_few", "too_long": "tool.why.too_many",
    "list_type": "tool.why.list", "tuple_type": "tool.why.list", "set_type": "tool.why.list",
    "frozen_set_type": "tool.why.list", "iterable_type": "tool.why.list",
    "dict_type": "tool.why.dict", "model_type": "tool.why.dict", "dataclass_type": "tool.why.dict",
    "model_attributes_type": "tool.why.dict",
    "literal_error": "tool.why.one_of", "enum": "tool.why.one_of",
    "greater_than": "tool.why.gt", "greater_than_equal": "tool.why.ge",
    "less_than": "tool.why.lt", "less_than_equal": "tool.why.le",
    "multiple_of": "tool.why.multiple_of",
    "none_required": "tool.why.none",
    "date_type": "tool.why.date", "date_parsing": "tool.why.date", "date_from_datetime_parsing":
    "tool.why.date", "datetime_type": "tool.why.datetime", "datetime_parsing": "tool.why.datetime",
    "datetime_from_date_parsing": "tool.why.datetime",
    "time_type": "tool.why.time", "time_parsing": "tool.why.time",
    "uuid_type": "tool.why.uuid", "uuid_parsing": "tool.why.uuid",
    "url_type": "tool.why.url", "url_parsing": "tool.why.url",
    "value_error": "tool.why.value_error", "assertion_error": "tool.why.value_error",
    "is_instance_of": "tool.why.instance_of",
    "recursion_loop": "tool.why.recursion",
    "json_invalid": "tool.why.json", "json_type": "tool.why.json",
    "missing": "tool.why.missing", "extra_forbidden": "tool.why.extra",
}


class Detail:
    """Why pydantic refused a value, in the language the spec names."""

    __slots__ = ("error",)

    def __init__(self, error: Any) -> None:
        self.error = error

    def __format__(self, spec: str) -> str:
        kind = str(self.error.get("type", "?"))
        msg_id = _KINDS.get(kind)
        if msg_id is None:
            if spec == "zh":
                return text("tool.why.other", "zh", kind=kind)
            return str(self.error.get("msg", kind))
        ctx = {name: str(value)[:120] for name, value in (self.error.get("ctx") or {}).items()}
        if spec == "zh" and "expected" in ctx:  # pydantic lists choices as "'a' or 'b'"
            ctx["expected"] = ctx["expected"].replace(" or ", "、")
        return text(msg_id, spec or None, **ctx)


class Located:
    """Every problem of a validation error, each as `path: why`, in the spec's language."""

    __slots__ = ("errors",)

    def __init__(self, errors: list[Any]) -> None:
        self.errors = errors

    def __format__(self, spec: str) -> str:
        separator = "；" if spec == "zh" else "; "
        return separator.join(
            f"{'.'.join(str(part) for part in error.get('loc', ())) or '$'}: "
            f"{format(Detail(error), spec)}"
            for error in self.errors
        )
