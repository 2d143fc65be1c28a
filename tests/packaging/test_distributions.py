"""`python -m build` makes an sdist and a wheel that a user can trust.

Both pass `twine check`, carry the metadata PyPI shows, and install into a fresh venv where
liteflow imports, runs its demo and checks an example.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import tarfile
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest
from _venv import ROOT, Venv, make_venv, ok

pytestmark = pytest.mark.skipif(
    any(importlib.util.find_spec(m) is None for m in ("build", "twine", "hatchling")),
    reason="build, twine and hatchling are not installed",
)


@pytest.fixture(scope="module")
def dists(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    out = tmp_path_factory.mktemp("dist")
    ok(subprocess.run([sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out),
                       str(ROOT)], capture_output=True, text=True, timeout=120))
    (sdist,) = out.glob("liteflow-*.tar.gz")
    (wheel,) = out.glob("liteflow-*.whl")
    return sdist, wheel


def _wheel_metadata(wheel: Path) -> tuple[list[str], dict[str, list[str]]]:
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        meta_name = next(n for n in names if n.endswith(".dist-info/METADATA"))
        msg = Parser().parsestr(zf.read(meta_name).decode())
    fields: dict[str, list[str]] = {}
    for key, value in msg.items():
        fields.setdefault(key, []).append(value)
    return names, fields


def test_twine_check_is_clean(dists: tuple[Path, Path]) -> None:
    out = ok(subprocess.run([sys.executable, "-m", "twine", "check", "--strict", *map(str, dists)],
                            capture_output=True, text=True, timeout=60))
    assert out.count("PASSED") == 2, out


def test_wheel_metadata(dists: tuple[Path, Path]) -> None:
    names, meta = _wheel_metadata(dists[1])
    assert "liteflow/py.typed" in names
    assert not any(n.startswith(("tests/", "examples/", "docs/", "benchmarks/")) for n in names)
    assert meta["License-Expression"] == ["MIT"]
    assert any(n.endswith("licenses/LICENSE") for n in names)
    assert "Typing :: Typed" in meta["Classifier"]
    assert meta["Requires-Python"] == [">=3.11"]
    urls = {u.split(",")[0] for u in meta["Project-URL"]}
    assert {"Homepage", "Documentation", "Source", "Issues", "Changelog"} <= urls
    extras = set(meta["Provides-Extra"])
    assert {"postgres", "ray", "dask", "otel", "all", "dev", "docs"} <= extras
    requires = meta["Requires-Dist"]
    assert any(r.startswith("psycopg[binary]>=3.2") and "extra == 'postgres'" in r
               for r in requires), requires
    assert any(r.startswith("opentelemetry-api") and "extra == 'otel'" in r for r in requires)
    assert not any(r.startswith("wcwidth") for r in requires)
    # `[all]` pulls in every optional backend.
    in_all = {r.split(";")[0] for r in requires if "extra == 'all'" in r}
    for extra in ("postgres", "ray", "dask", "otel"):
        own = {r.split(";")[0] for r in requires if f"extra == '{extra}'" in r}
        assert own and own <= in_all, (extra, own, in_all)


def test_sdist_contents(dists: tuple[Path, Path]) -> None:
    with tarfile.open(dists[0]) as tf:
        names = {n.split("/", 1)[1] for n in tf.getnames() if "/" in n}
    for required in ("pyproject.toml", "README.md", "CHANGELOG.md", "LICENSE",
                     "liteflow/__init__.py", "liteflow/py.typed", "examples/写作循环.py",
                     "mkdocs.yml", "docs/zh/index.md", "docs/en/index.md"):
        assert required in names, required
    assert not any("__pycache__" in n for n in names)


def _smoke(venv: Venv, examples: Path, cwd: Path) -> None:
    where = ok(venv.run(venv.python, "-c", "import liteflow; print(liteflow.__file__)", cwd=cwd))
    assert Path(where.strip()).is_relative_to(venv.path), where
    demo = ok(venv.run(venv.python, "-m", "liteflow", "--demo", cwd=cwd))
    assert "写作流程" in demo
    check = venv.run(venv.path / "bin" / "liteflow", "check", examples / "写作循环.py",
                     "--lang", "en", cwd=cwd)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "1 flow(s) checked" in check.stdout
    broken = cwd / "broken.py"
    broken.write_text(
        "from typing import TypedDict\nfrom liteflow import START, flow, node\n\n"
        "class A(TypedDict):\n    a: int\n\n"
        "@node\ndef 读取(missing: int) -> A:\n    return {'a': missing}\n\n"
        "@flow\ndef 坏流程() -> None:\n    START >> 读取\n", encoding="utf-8")
    bad = venv.run(venv.path / "bin" / "liteflow", "check", broken, "--lang", "en", cwd=cwd)
    assert bad.returncode == 1 and "LF101" in bad.stdout, bad.stdout + bad.stderr


def test_wheel_installs_and_runs(dists: tuple[Path, Path], tmp_path: Path) -> None:
    venv = make_venv(tmp_path / "venv")
    ok(venv.pip_install("--no-deps", "--no-index", dists[1], cwd=tmp_path))
    _smoke(venv, ROOT / "examples", tmp_path)


def test_sdist_builds_installs_and_runs(dists: tuple[Path, Path], tmp_path: Path) -> None:
    venv = make_venv(tmp_path / "venv")
    ok(venv.pip_install("--no-deps", "--no-index", "--no-build-isolation", dists[0], cwd=tmp_path))
    with tarfile.open(dists[0]) as tf:
        tf.extractall(tmp_path / "src", filter="data")
    (unpacked,) = (tmp_path / "src").iterdir()
    _smoke(venv, unpacked / "examples", tmp_path)
