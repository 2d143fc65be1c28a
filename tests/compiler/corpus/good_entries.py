"""Several entries (START), writing different keys, joined."""
from typing import TypedDict

from liteflow import START, flow, node


class 天气(TypedDict):
    weather: str


class 新闻(TypedDict):
    news: str


class 简报(TypedDict):
    brief: str


@node
def 查天气(city: str) -> 天气:
    return {"weather": f"{city}晴"}


@node
def 查新闻(city: str) -> 新闻:
    return {"news": f"{city}新闻"}


@node
def 写简报(weather: str, news: str) -> 简报:
    return {"brief": weather + news}


@flow(output=简报)
def 简报流程(city: str) -> None:
    START >> [查天气, 查新闻]
    [查天气, 查新闻] >> 写简报


RUNS = {"简报流程": ({"city": "北京"}, {"brief": "北京晴北京新闻"})}
