"""`Phrase`: a catalog message used as a field of another, rendered in that one's language.

A template names the language in the field's format spec (`{problem:zh}` in the Chinese
text, `{problem:en}` in the English one), so `err.render("en")` of an error raised under
Chinese is English all the way down.
"""

from __future__ import annotations

from ..core.messages import text

__all__ = ["Phrase", "Phrases"]


class Phrase:
    """Catalog entry `msg_id` with `fields`, formatted in the language its spec names."""

    __slots__ = ("fields", "msg_id")

    def __init__(self, msg_id: str, /, **fields: object) -> None:
        self.msg_id = msg_id
        self.fields = fields

    def __format__(self, spec: str) -> str:
        return text(self.msg_id, spec or None, **self.fields)

    def __str__(self) -> str:
        return text(self.msg_id, **self.fields)

    def __repr__(self) -> str:
        return f"Phrase({self.msg_id!r}, {self.fields!r})"


class Phrases:
    """Several phrases in a row, joined in the language the spec names."""

    __slots__ = ("items",)

    def __init__(self, items: tuple[object, ...]) -> None:
        self.items = items

    def __format__(self, spec: str) -> str:
        separator = "；" if spec == "zh" else "; "
        return separator.join(format(item, spec) for item in self.items)
