"""Chinese everywhere: names, keys, route keys; a strategy shared by parallel writers."""
from typing import Annotated, TypedDict

from liteflow import UpdateStrategy, flow, node


class 观点(TypedDict):
    观点列表: Annotated[list[str], UpdateStrategy.APPEND]


class 结论(TypedDict):
    总结: str


@node
def 正方(议题: str) -> 观点:
    return {"观点列表": [f"支持{议题}"]}


@node
def 反方(议题: str) -> 观点:
    return {"观点列表": [f"反对{议题}"]}


@node
def 裁判(观点列表: list[str]) -> 结论:
    return {"总结": "；".join(sorted(观点列表))}


@flow(output=结论)
def 辩论(议题: str) -> None:
    [正方, 反方] >> 裁判


RUNS = {"辩论": ({"议题": "加班"}, {"总结": "反对加班；支持加班"})}
