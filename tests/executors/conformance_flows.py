"""Flows every executor must run alike. A module of its own, importable on workers."""

from __future__ import annotations

import asyncio
import os
import time
from typing import Annotated, Any, TypedDict

from liteflow import START, Context, UpdateStrategy, each, flow, node


class Num(TypedDict):
    n: int


class Log(TypedDict):
    log: Annotated[list[str], UpdateStrategy.APPEND]


class Total(TypedDict):
    total: int


class Text(TypedDict):
    text: str


class Where(TypedDict):
    where: dict[str, Any]


# -- chain --------------------------------------------------------------------------

@node
def plus_one(n: int) -> Num:
    return {"n": n + 1}


@node
def double(n: int) -> Num:
    return {"n": n * 2}


@node
async def async_square(n: int, ctx: Context) -> Num:
    await asyncio.sleep(0.001)
    ctx.emit("squared", n)
    return {"n": n * n}


@flow(output=Num)
def chain(n: int) -> None:
    START >> plus_one >> double >> async_square


# -- fan-out and join: merge order is plan order, never timing -------------------------

@node
def split(n: int) -> Log:
    return {"log": [f"split{n}"]}


@node
def slow_left(n: int) -> Log:
    time.sleep(0.05)  # finishes last, merged first
    return {"log": ["left"]}


@node
async def right(n: int, ctx: Context) -> Log:
    ctx.emit("right", {"n": n})
    return {"log": ["right"]}


@node
def joined(log: list[str]) -> Log:
    return {"log": [f"joined{len(log)}"]}


@flow(output=Log)
def fan(n: int) -> None:
    START >> split >> [slow_left, right]
    [slow_left, right] >> joined


# -- a 200-way each --------------------------------------------------------------------

class Items(TypedDict):
    items: list[int]


@node
def make_items(count: int) -> Items:
    return {"items": list(range(count))}


@node
def cube(item: int, ctx: Context) -> Log:
    return {"log": [f"{item}^3={item ** 3}@{ctx.instance}"]}


@flow(output=Log)
def mapped(count: int) -> None:
    START >> make_items >> each("items", cube, item="item")


# -- a loop ---------------------------------------------------------------------------

@node
def step(n: int) -> Num:
    return {"n": n + 1}


@flow(output=Num, max_supersteps=50)
def loop(n: int) -> None:
    START >> step
    step >> step.when(lambda out: out["n"] < 7)


# -- a subflow used as a node ---------------------------------------------------------

@flow(output=Num)
def inner(n: int) -> None:
    START >> plus_one >> double


@node
def report(n: int) -> Text:
    return {"text": f"n={n}"}


@flow(output=Text)
def outer(n: int) -> None:
    START >> inner >> report


ALIKE = {"chain": (chain, {"n": 3}), "fan": (fan, {"n": 1}), "mapped": (mapped, {"count": 200}),
         "loop": (loop, {"n": 0}), "outer": (outer, {"n": 4})}


# -- retries, timeout, fallback: side effects are counted in a file -------------------

def _mark(path: str, text: str) -> None:
    with open(path, "a", encoding="utf-8") as f:
        f.write(text + "\n")


@node(retry_count=3, retry_delay=0.01)
def flaky(path: str, ctx: Context) -> Text:
    _mark(path, f"attempt {ctx.attempt}")
    if ctx.attempt < 3:
        raise ConnectionError(f"try {ctx.attempt}")
    return {"text": f"ok after {ctx.attempt}"}


@flow(output=Text)
def retried(path: str) -> None:
    START >> flaky


@node(timeout=0.3)
async def sleepy(path: str) -> Text:
    await asyncio.sleep(20)
    return {"text": "never"}


@flow(output=Text)
def timed(path: str) -> None:
    START >> sleepy


def _rescue(path: str, error: Exception) -> Text:
    return {"text": f"rescued {type(error).__name__}"}


@node(fallback=_rescue)
def broken(path: str) -> Text:
    raise ValueError("broken on purpose")


@flow(output=Text)
def rescued(path: str) -> None:
    START >> broken


# -- failure atomicity and resume: a node fails while a flag file exists -----------------

class Done(TypedDict):
    done: Annotated[list[str], UpdateStrategy.APPEND]


@node
def first(path: str) -> Done:
    _mark(path, "first")
    return {"done": ["first"]}


@node
def sibling(path: str) -> Done:
    _mark(path, "sibling")
    return {"done": ["sibling"]}


@node
def fragile(path: str) -> Done:
    if os.path.exists(path + ".fail"):
        raise RuntimeError("the flag file says fail")
    return {"done": ["fragile"]}


@node
def last(done: list[str]) -> Done:
    return {"done": [f"last saw {len(done)}"]}


@flow(output=Done)
def atomic(path: str) -> None:
    START >> first >> [sibling, fragile]
    [sibling, fragile] >> last


# -- crashes and a fast failure next to a slow call -------------------------------------

@node
def crash(path: str) -> Text:
    _mark(path, "crash")
    os._exit(3)


@flow(output=Text)
def crashing(path: str) -> None:
    START >> crash


@node
async def very_slow(path: str, slow: float) -> Text:
    await asyncio.sleep(slow)
    _mark(path, "slow finished")
    return {"text": "slow"}


@node
def fails_fast(path: str) -> Text:
    raise KeyError("fast")


@flow(output=Text)
def failfast(path: str, slow: float) -> None:
    START >> [very_slow, fails_fast]


# -- inputs: only the declared ones travel; a value shared by many calls is stored once --

class Doc(TypedDict):
    doc: str
    items: list[int]
    big: bytes


@node
def load(count: int) -> Doc:
    return {"doc": "文" * 200_000, "items": list(range(count)), "big": b"x" * 20_000_000}


@node
def measure(item: int, doc: str) -> Log:
    return {"log": [f"{item}:{len(doc)}"]}


@flow(output=Log)
def shared_doc(count: int) -> None:
    START >> load >> each("items", measure, item="item")


@node
def tiny(count: int) -> Num:
    return {"n": count + 1}


@flow(output=Num)
def beside_big(count: int) -> None:
    START >> load >> tiny


# -- per-node Ray options --------------------------------------------------------------

def _assigned() -> dict[str, Any]:
    import ray

    context = ray.get_runtime_context()
    return {"resources": context.get_assigned_resources(), "node": context.get_node_id()}


@node(metadata={"ray": {"num_cpus": 0.5, "resources": {"special": 1}}})
def placed(n: int) -> Where:
    return {"where": _assigned()}


@node(metadata={"ray": {"num_cpus": 0, "resources": {"nodeB": 1}}})
def on_b(n: int) -> Where:
    return {"where": _assigned()}


@flow(output=Where)
def placement(n: int) -> None:
    START >> placed


@flow(output=Where)
def pinned(n: int) -> None:
    START >> on_b


@node(metadata={"ray": {"num_gpus": 1}})
def wants_gpu(n: int) -> Num:
    return {"n": n}


@flow(output=Num)
def gpu(n: int) -> None:
    START >> wants_gpu


@node(metadata={"ray": {"max_retries": 5}})
def wants_retries(n: int) -> Num:
    return {"n": n}


@flow(output=Num)
def ray_retries(n: int) -> None:
    START >> wants_retries


@node
def uses_deps(n: int, ctx: Context) -> Num:
    return {"n": n + len(ctx.deps)}


@flow(output=Num)
def with_deps(n: int) -> None:
    START >> uses_deps


# -- a driver killed mid-run: the next call waits for a release file -------------------

@node
def hold(path: str, done: list[str]) -> Done:
    _mark(path, "holding")
    deadline = time.monotonic() + 30
    while not os.path.exists(path + ".release"):
        if time.monotonic() > deadline:
            raise TimeoutError("never released")
        time.sleep(0.05)
    return {"done": ["held"]}


@flow(output=Done)
def held(path: str) -> None:
    START >> first >> hold >> last


# -- interrupts: a remote node asks a person --------------------------------------------

@node
def ask(path: str, ctx: Context) -> Text:
    _mark(path, "asked")
    answer = ctx.interrupt({"q": "ok?"})
    return {"text": f"answer {answer}"}


@node
def beside(path: str) -> Done:
    _mark(path, "beside")
    return {"done": ["beside"]}


class Both(TypedDict):
    text: str
    done: list[str]


@flow(output=Both)
def asking(path: str) -> None:
    START >> [ask, beside]
