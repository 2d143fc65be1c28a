"""The public namespace is exactly `liteflow.__all__` plus the subpackages."""

from __future__ import annotations

import subprocess
import sys
import types

import pytest

import liteflow


def test_every_public_attribute_is_in_all_or_a_submodule() -> None:
    public = {name for name in vars(liteflow) if not name.startswith("_")}
    extra = {
        name for name in public - set(liteflow.__all__)
        if not (isinstance(getattr(liteflow, name), types.ModuleType)
                and getattr(liteflow, name).__name__ == f"liteflow.{name}")
    }
    assert extra == set(), f"names that leak into `liteflow`: {sorted(extra)}"


def test_every_name_in_all_resolves() -> None:
    for name in liteflow.__all__:
        assert getattr(liteflow, name) is not None, name


@pytest.mark.parametrize("name", ["Any", "TYPE_CHECKING", "typing"])
def test_typing_helpers_are_not_public(name: str) -> None:
    with pytest.raises(AttributeError):
        getattr(liteflow, name)


def test_import_liteflow_does_not_load_the_openai_sdk() -> None:
    # The components load on first use of one of their names, and the openai SDK behind
    # them only when a model is first called.
    code = (
        "import sys, liteflow\n"
        "assert 'openai' not in sys.modules and 'liteflow.components' not in sys.modules\n"
        "liteflow.ChatOpenAI\n"
        "assert 'liteflow.components' in sys.modules\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
