"""The components' catalog entries: complete in both languages, and every id used exists.

Entries with a `.why.` or `.kind.` part are phrases that fill a field of another message.
"""

from __future__ import annotations

import ast
import string
from pathlib import Path

import pytest

from liteflow.core.messages import CATALOG, _components, _replies

MESSAGES = {**_components.MESSAGES, **_replies.MESSAGES}

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [*sorted((ROOT / "liteflow" / "components").glob("*.py")), ROOT / "liteflow/testing.py"]
PREFIXES = ("tool.", "calc.", "chat.", "agent.")


def _placeholders(template: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(template) if field}


@pytest.mark.parametrize("msg_id", sorted(MESSAGES))
def test_entry_has_both_languages_with_the_same_fields(msg_id: str) -> None:
    entry = MESSAGES[msg_id]
    assert msg_id.startswith(PREFIXES)
    assert entry.zh.strip() and entry.en.strip()
    assert _placeholders(entry.zh) == _placeholders(entry.en)
    assert CATALOG[msg_id] is entry


def test_every_message_names_what_it_is_about() -> None:
    subjects = {"tool", "key", "model", "node"}
    for msg_id, entry in MESSAGES.items():
        if ".why." in msg_id or ".kind." in msg_id or msg_id == "tool.argument_problems":
            continue  # a phrase, or a list of messages that each name their subject
        assert _placeholders(entry.en) & subjects, msg_id


def test_every_id_used_in_the_code_is_in_the_catalog() -> None:
    used: set[str] = set()
    for path in SOURCES:
        for item in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(item, ast.Constant) and isinstance(item.value, str)
                    and item.value.startswith(PREFIXES) and " " not in item.value):
                used.add(item.value)
    assert used, "the scan found no message ids"
    assert used <= set(MESSAGES), used - set(MESSAGES)
    assert set(MESSAGES) <= used, f"unused entries: {set(MESSAGES) - used}"
