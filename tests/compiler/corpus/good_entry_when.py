"""A plain entry beside a conditional one (START >> a.when(pred) seeing the state)."""
from typing import Annotated, Any, TypedDict

from liteflow import START, UpdateStrategy, flow, node


class 日志(TypedDict):
    log: Annotated[list[str], UpdateStrategy.APPEND]


class 报告(TypedDict):
    report: str


@node
def 记录(user: str) -> 日志:
    return {"log": [f"来自 {user}"]}


@node
def 审计(user: str) -> 日志:
    return {"log": ["审计"]}


@node
def 出报告(log: list[str]) -> 报告:
    return {"report": "，".join(log)}


def 需要审计(inputs: dict[str, Any], state: Any) -> bool:
    return bool(state["audit"])


@flow(output=报告)
def 记录流程(user: str, audit: bool = False) -> None:
    START >> 记录
    START >> 审计.when(需要审计)
    记录 >> 出报告


RUNS = {"记录流程": ({"user": "张三"}, {"report": "来自 张三"})}
