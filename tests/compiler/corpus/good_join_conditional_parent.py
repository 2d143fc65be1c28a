"""A join after a conditional parent: `publish` runs only when the review approves, and
`record` after it (the same guard, a superstep deeper), so `notify` always completes when
its branch runs; `archive` runs beside `notify` and may read `url` too."""
from typing import TypedDict

from liteflow import flow, node


class 审(TypedDict):
    approved: bool


class 发(TypedDict):
    url: str


class 记(TypedDict):
    entry: str


class 通(TypedDict):
    message: str


class 档(TypedDict):
    archived: str


class 出(TypedDict):
    message: str
    archived: str


@node
def review(text: str) -> 审:
    return {"approved": bool(text)}


@node
def publish(text: str) -> 发:
    return {"url": "/p/" + text}


@node
def record(url: str, approved: bool) -> 记:
    return {"entry": f"{url}:{approved}"}


@node
def notify(url: str, entry: str) -> 通:
    return {"message": f"{url} {entry}"}


@node
def archive(url: str, entry: str) -> 档:
    return {"archived": url + entry}


@flow(output=出)
def 发布流程(text: str) -> None:
    review >> publish.when(lambda out: out["approved"])
    publish >> record
    [publish, record] >> notify
    record >> archive


RUNS = {"发布流程": ({"text": "x"}, {"message": "/p/x /p/x:True", "archived": "/p/x/p/x:True"})}
