"""The pipeline's direction, enforced: definitions → compiler → plan → engine, `core` at
the bottom. Every import statement counts: module level, inside functions, and under
`TYPE_CHECKING`, so the direction cannot rot through a lazy import."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "liteflow"

# Where a lower stage may reach up, and why: the one front door, and compiling a flow
# where it is declared.
ALLOWED = {
    ("definitions/_runnable.py", "compiler"),
    ("definitions/_runnable.py", "engine"),
    ("definitions/_runnable.py", "diagram"),
    ("definitions/flow.py", "compiler"),  # @flow compiles at decoration
    ("definitions/flow.py", "engine"),  # a flow used as a node runs nested (engine.nested)
    ("definitions/graph.py", "compiler"),  # Graph.compile
    ("definitions/workflow.py", "engine"),  # the type of its RunOptions (TYPE_CHECKING)
}

# package → what it must never import.
FORBIDDEN = {
    "core": {"definitions", "compiler", "engine", "plan", "diagram", "components", "cli",
             "checkpoint", "ui", "executors", "observability"},
    "plan": {"definitions", "compiler", "engine", "diagram", "components", "cli"},
    "diagram": {"definitions", "compiler", "engine", "components", "cli"},
    "definitions": {"compiler", "engine", "diagram", "components", "cli"},
    "compiler": {"engine", "components", "cli"},
    "engine": {"definitions", "compiler", "components", "cli"},
    "checkpoint": {"definitions", "compiler", "engine", "components", "cli"},
    "components": {"cli", "compiler"},
    "executors": {"definitions", "compiler", "components", "cli", "ui"},
    "ui": {"compiler", "cli"},
}


def _module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path, tree: ast.AST | None = None) -> list[tuple[str, int]]:
    """Every liteflow module `path` (or `tree`, a part of it) imports, with its line."""
    if tree is None:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: list[tuple[str, int]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(a.name, node.lineno) for a in node.names if a.name.startswith("liteflow")]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.startswith("liteflow"):
                found.append((target, node.lineno))
                found += [(f"{target}.{a.name}", node.lineno) for a in node.names]
    return found


def _stage(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None


def _all_imports() -> list[tuple[str, str, str, int]]:
    rows = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        source_stage = rel.split("/")[0].removesuffix(".py")
        for target, line in _imports(path):
            stage = _stage(target)
            if stage is not None and ((PACKAGE / stage).exists()
                                      or (PACKAGE / f"{stage}.py").exists()):
                rows.append((rel, source_stage, stage, line))
    return rows


def test_no_stage_imports_against_the_pipeline() -> None:
    wrong = [f"liteflow/{rel}:{line} imports liteflow.{stage}"
             for rel, source, stage, line in _all_imports()
             if stage in FORBIDDEN.get(source, set()) and (rel, stage) not in ALLOWED]
    assert not wrong, "\n".join(wrong)


def test_nothing_but_the_entry_points_imports_the_cli() -> None:
    wrong = [f"liteflow/{rel}:{line}" for rel, source, stage, line in _all_imports()
             if stage == "cli" and source not in ("cli", "__main__")]
    assert not wrong


def test_the_allowed_exceptions_are_still_needed() -> None:
    # An exception nobody uses any more is a door left open: close it.
    used = {(rel, stage) for rel, _source, stage, _line in _all_imports()}
    assert ALLOWED <= used, ALLOWED - used


def test_no_import_cycle_between_modules() -> None:
    graph: nx.DiGraph[str] = nx.DiGraph()
    modules = {_module_name(p) for p in PACKAGE.rglob("*.py")}
    for path in PACKAGE.rglob("*.py"):
        name = _module_name(path)
        tree = ast.parse(path.read_text(encoding="utf-8"))
        # Only imports that run when the module is imported can make a cycle.
        for stmt in tree.body:
            if not isinstance(stmt, ast.Import | ast.ImportFrom):
                continue
            for target, _line in _imports(path, stmt):
                parts = target.split(".")
                # Importing a.b.c runs a.b's __init__ first.
                for i in range(2, len(parts) + 1):
                    parent = ".".join(parts[:i])
                    if parent in modules and not name.startswith(parent):
                        graph.add_edge(name, parent)
    cycles = [c for c in nx.strongly_connected_components(graph) if len(c) > 1]
    assert not cycles, cycles


@pytest.mark.parametrize("first", ["liteflow.plan", "liteflow.engine", "liteflow.compiler",
                                   "liteflow.definitions.flow", "liteflow.core.state",
                                   "liteflow.diagram", "liteflow.cli"])
def test_any_module_imports_first(first: str) -> None:
    # The import order of liteflow/__init__.py is not load-bearing.
    done = subprocess.run([sys.executable, "-c", f"import {first}; import liteflow"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
