"""A TypedDict value goes to a consumer typed with a compatible TypedDict or a dict."""
from typing import Any, TypedDict

from liteflow import flow, node


class 用户(TypedDict):
    name: str
    age: int


class 用户名(TypedDict):
    name: str


class 查询结果(TypedDict):
    user: 用户


class 问候(TypedDict):
    greeting: str


class 记录(TypedDict):
    log: str


class 全部(TypedDict):
    greeting: str
    log: str


@node
def 查询(uid: int) -> 查询结果:
    return {"user": {"name": "张三", "age": 30}}


@node
def 打招呼(user: 用户名) -> 问候:
    return {"greeting": f"你好，{user['name']}"}


@node
def 记日志(user: dict[str, Any]) -> 记录:
    return {"log": str(sorted(user))}


@flow(output=全部)
def 问候流程(uid: int) -> None:
    查询 >> 打招呼
    查询 >> 记日志


RUNS = {"问候流程": ({"uid": 1}, {"greeting": "你好，张三", "log": "['age', 'name']"})}
