"""README's install command gives a user's own code liteflow's types.

`pip install -e '.[dev]'` must leave a plain path entry that mypy follows, so `mypy --strict` on a
file outside the checkout sees liteflow's annotations (an import-hook finder would leave liteflow
invisible and every decorated function untyped).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from _venv import ROOT, make_venv, ok

USER_APP = '''\
from typing import TypedDict

from liteflow import START, flow, node


class 计数(TypedDict):
    n: int


@node
def 加一(n: int) -> 计数:
    return {"n": n + 1}


@flow(output=计数)
def 计数流程(n: int) -> None:
    START >> 加一


result = 计数流程.run(n=1)
total: int = result.output["n"]
计数流程.run(n="一")
'''


@pytest.mark.skipif(importlib.util.find_spec("hatchling") is None
                    or importlib.util.find_spec("editables") is None,
                    reason="the build backend (hatchling, editables) is not installed")
def test_mypy_strict_sees_liteflow_after_editable_install(tmp_path: Path) -> None:
    venv = make_venv(tmp_path / "venv")
    # README's first command, without the network: dependencies come from the base interpreter.
    ok(venv.pip_install("--no-build-isolation", "--no-deps", "-e", f"{ROOT}[dev]", cwd=tmp_path))

    app_dir = tmp_path / "app"
    app_dir.mkdir()
    (app_dir / "app.py").write_text(USER_APP, encoding="utf-8")

    where = ok(venv.run(venv.python, "-c", "import liteflow; print(liteflow.__file__)",
                        cwd=app_dir))
    assert Path(where.strip()).resolve() == ROOT / "liteflow" / "__init__.py"

    # The checkout's mypy cache (shared with the other mypy tests) keeps this quick after the
    # first run; a loaded machine still needs a generous timeout.
    proc = venv.run(venv.python, "-m", "mypy", "--strict", "--cache-dir",
                    ROOT / ".mypy_cache", "app.py", cwd=app_dir, timeout=300)
    out = proc.stdout + proc.stderr
    # Exactly one error: the deliberate wrong argument type, which only typed stubs can catch.
    assert "import-not-found" not in out and "untyped-decorator" not in out, out
    expected = 'Argument "n" to "run" of "Runnable" has incompatible type "str"; expected "int"'
    assert expected in out, out
    assert "Found 1 error in 1 file" in out, out
