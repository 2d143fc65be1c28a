"""A deterministic flow for crash tests: a hash chain, an APPEND log of every superstep, a
fan-out, a join, an `each` and a conditional loop, with small sleeps to widen the windows
a kill can land in. Imported by the test and by the processes it kills."""

from __future__ import annotations

import asyncio
import hashlib
import os
import sys
import time
from typing import Annotated, TypedDict

from liteflow import START, UpdateStrategy, each, flow, node
from liteflow.checkpoint import open_checkpointer


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


class 头出(TypedDict):
    h: str
    log: Annotated[list[str], UpdateStrategy.APPEND]
    items: list[int]


class 左出(TypedDict):
    left: str


class 右出(TypedDict):
    right: str


class 合出(TypedDict):
    h: str
    log: Annotated[list[str], UpdateStrategy.APPEND]


class 映射出(TypedDict):
    parts: Annotated[list[str], UpdateStrategy.APPEND]


class 收出(TypedDict):
    i: int
    h: str
    log: Annotated[list[str], UpdateStrategy.APPEND]


@node
def 头(i: int, h: str) -> 头出:
    time.sleep(0.001 * (i % 3))
    return {"h": sha(f"{h}|{i}"), "log": [f"头{i}"], "items": [i, i + 1, i + 2]}


def trace(name: str, i: int) -> None:
    """A side effect the tests count: one line per call, when CRASHFLOWS_TRACE is set."""
    path = os.environ.get("CRASHFLOWS_TRACE")
    if path:
        with open(path, "a", encoding="utf-8") as f:
            f.write(f"{name}{i}\n")


@node
async def 左(h: str, i: int) -> 左出:
    await asyncio.sleep(0.002 + 0.001 * (i % 2))
    trace("左", i)
    return {"left": sha("L" + h)}


@node
async def 右(h: str, i: int) -> 右出:
    await asyncio.sleep(0.003)
    return {"right": sha("R" + h)}


@node
def 合(left: str, right: str, i: int) -> 合出:
    return {"h": sha(left + right), "log": [f"合{i}"]}


@node
async def 映射(x: int, h: str) -> 映射出:
    await asyncio.sleep(0.001 * (x % 4))
    return {"parts": [f"{h[:6]}:{x}"]}


@node
def 收(i: int, h: str, parts: list[str]) -> 收出:
    return {"i": i + 1, "h": sha(h + "".join(parts[-3:])), "log": [f"收{i}"]}


class 终(TypedDict):
    h: str
    i: int


@flow(output=终, max_supersteps=10_000)
def 压力(i: int, h: str, rounds: int) -> None:
    START >> 头
    头 >> [左, 右]
    [左, 右] >> 合
    合 >> each("items", 映射, item="x") >> 收
    收 >> 头.when(lambda out, state: out["i"] < state["rounds"])


def run_or_resume(url: str, thread: str, rounds: int, env: dict[str, str] | None = None) -> None:
    """Run the thread if it is new, else resume it (what the killed processes do), on the
    store at `url` (SQLite or PostgreSQL).

    Exits with status 3 when another process owns the thread (`ThreadConflictError`).
    """
    from liteflow.core.errors import ThreadConflictError

    os.environ.update(env or {})
    try:
        _run_or_resume(url, thread, rounds)
    except ThreadConflictError:
        sys.exit(3)


def _run_or_resume(url: str, thread: str, rounds: int) -> None:
    store = open_checkpointer(url)
    app = 压力.with_options(thread_id=thread, checkpointer=store)
    # A thread killed before its step 0 was committed stored no inputs: it starts anew.
    head = store.head(thread)
    if head is None or head.step < 0:
        app.run(i=0, h="种子", rounds=rounds)
    elif head.status != "completed":
        app.resume()


if __name__ == "__main__":
    run_or_resume(sys.argv[1], sys.argv[2], int(sys.argv[3]))
