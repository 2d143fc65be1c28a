#!/usr/bin/env bash
# Create benchmarks/.venv-langgraph with a pinned LangGraph, isolated from liteflow's
# environment so the two never share dependencies. Safe to run repeatedly.
set -euo pipefail

LANGGRAPH_VERSION="${LANGGRAPH_VERSION:-1.2.24}"
# The SQLite saver for the durability workloads; 3.1.x needs langgraph-checkpoint >=4.3,<5,
# which langgraph 1.2.24 brings.
SQLITE_SAVER_VERSION="${SQLITE_SAVER_VERSION:-3.1.2}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VENV="$HERE/.venv-langgraph"
PYTHON="${PYTHON:-python3}"

if [[ ! -x "$VENV/bin/python" ]]; then
    echo "creating $VENV"
    "$PYTHON" -m venv "$VENV"
fi

installed="$("$VENV/bin/python" -c 'import importlib.metadata as m
print(m.version("langgraph"), m.version("langgraph-checkpoint-sqlite"))' 2>/dev/null || true)"
if [[ "$installed" == "$LANGGRAPH_VERSION $SQLITE_SAVER_VERSION" ]]; then
    echo "langgraph and langgraph-checkpoint-sqlite $installed already installed in $VENV"
    exit 0
fi

"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
    "langgraph==$LANGGRAPH_VERSION" "langgraph-checkpoint-sqlite==$SQLITE_SAVER_VERSION"
"$VENV/bin/python" -c 'import importlib.metadata as m
for n in ("langgraph", "langgraph-checkpoint", "langgraph-checkpoint-sqlite"):
    print("installed", n, m.version(n))'
