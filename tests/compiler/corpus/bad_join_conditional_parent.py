"""LF101: `archive` follows `record`, which runs whether or not `publish` did, so `url` is
not guaranteed there; only the join `notify` waits for `publish`."""
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


@node
def review(text: str) -> 审:
    return {"approved": bool(text)}


@node
def publish(text: str) -> 发:
    return {"url": "/p/" + text}


@node
def record(approved: bool) -> 记:
    return {"entry": str(approved)}


@node
def notify(url: str, entry: str) -> 通:
    return {"message": f"{url} {entry}"}


@node
def archive(url: str, entry: str) -> 档:  # expect: LF101
    return {"archived": url + entry}


class 出(TypedDict):
    message: str
    archived: str


@flow(output=出)
def 发布流程(text: str) -> None:
    review >> publish.when(lambda out: out["approved"])
    review >> record
    [publish, record] >> notify  # expect: LF204
    record >> archive
