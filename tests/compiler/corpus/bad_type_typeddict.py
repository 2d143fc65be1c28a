"""LF102: a TypedDict value whose field types differ from what the consumer declares."""
from typing import TypedDict

from liteflow import flow, node


class 用户(TypedDict):
    name: str
    age: str


class 用户档案(TypedDict):
    name: str
    age: int


class 查询结果(TypedDict):
    user: 用户


class 问候(TypedDict):
    greeting: str


@node
def 查询(uid: int) -> 查询结果:
    return {"user": {"name": "张三", "age": "30"}}


@node
def 打招呼(user: 用户档案) -> 问候:  # expect: LF102
    return {"greeting": user["name"]}


@flow(output=问候)
def 问候流程(uid: int) -> None:
    查询 >> 打招呼
