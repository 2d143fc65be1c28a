"""`BaseTool` named both ways (class attributes, or `super().__init__` as in the design
document), and argument errors that say everything in either language."""

from __future__ import annotations

import asyncio
from typing import Annotated, Literal

import annotated_types
import pytest

from liteflow.components import (
    BaseTool,
    ToolArgumentError,
    ToolCallingAgent,
    create_tool_registry,
    tool,
)
from liteflow.core.messages import use_language
from liteflow.testing import FakeOpenAIServer, Reply


class SearchTool(BaseTool):
    """The design document's own example."""

    def __init__(self) -> None:
        super().__init__(name="search", description="搜索网络信息")

    def _run(self, query: str, limit: int = 3) -> list[str]:
        return [f"{query}#{i}" for i in range(limit)]


class 天气查询(BaseTool):
    """查询城市的天气。

    Args:
        城市: 要查询的城市
    """

    name = "天气查询"

    async def _arun(self, 城市: str) -> str:
        await asyncio.sleep(0)
        return f"{城市}：晴"


def test_both_ways_of_naming_a_tool() -> None:
    search, weather = SearchTool(), 天气查询()
    assert (search.tool_name, search.description) == ("search", "搜索网络信息")
    assert weather.tool_name == "天气查询"
    registry = create_tool_registry(search, weather)
    assert registry.names == ("search", "天气查询")
    schema = {t["function"]["name"]: t["function"] for t in registry.openai_tools()}
    assert schema["search"]["description"] == "搜索网络信息"
    assert schema["search"]["parameters"]["required"] == ["query"]
    assert schema["search"]["parameters"]["properties"]["limit"] == {
        "type": "integer", "default": 3}
    assert registry.execute_tool("search", query="pregel", limit="2") == ["pregel#0", "pregel#1"]
    assert registry.execute_tool("天气查询", 城市="杭州") == "杭州：晴"
    assert asyncio.run(registry.aexecute_tool("search", query="q", limit=1)) == ["q#0"]


def test_init_arguments_override_class_attributes_per_instance() -> None:
    class Named(BaseTool):
        name = "default_name"

        def _run(self, x: int) -> int:
            return x

    assert Named().tool_name == "default_name"
    assert Named(name="other").tool_name == "other"
    assert Named.name == "default_name"


def test_an_agent_uses_base_tools(server: FakeOpenAIServer) -> None:
    server.add(Reply.tool_call("search", query="liteflow"), Reply("找到了三条。"))
    agent = ToolCallingAgent(server.chat_model(), [SearchTool()])
    result = agent.invoke("搜一下 liteflow")
    assert result.answer == "找到了三条。"
    assert result.tool_calls[0].result == '["liteflow#0","liteflow#1","liteflow#2"]'
    assert server.requests[0].tool_names == ["search"]


@tool
def add(a: int, b: int) -> int:
    return a + b


def test_an_unexpected_argument_is_named_with_a_did_you_mean_and_the_missing_one() -> None:
    registry = create_tool_registry(add)
    with pytest.raises(ToolArgumentError) as caught:
        registry.execute_tool("add", a=1, bb=2)
    error = caught.value
    assert error.key == "bb"
    assert error.render("en") == (
        "Tool add has no argument bb; did you mean b? (its arguments: a, b); "
        "also: Tool add is missing the required argument b")
    assert error.render("zh") == (
        "工具 add 没有参数 bb，你是不是想用 b？（可用参数：a, b）；另外：工具 add 缺少必填参数 b")


def test_did_you_mean_folds_full_width_and_finds_chinese_names() -> None:
    @tool
    def 订票(城市: str, city_code: str = "") -> str:
        return 城市

    registry = create_tool_registry(订票)
    with pytest.raises(ToolArgumentError) as caught:
        registry.execute_tool("订票", 城巿="北京")  # a look-alike character
    assert caught.value.fields["suggestion"] == "城市"
    with pytest.raises(ToolArgumentError) as caught:
        # Full-width letters (a keyword in source would be NFKC-normalised by Python itself).
        registry.execute_tool("订票", 城市="北京", **{"ｃｉｔｙ＿ｃｏｄｅ": "BJ"})
    assert caught.value.fields["suggestion"] == "city_code"


@pytest.mark.parametrize(
    ("value", "zh", "en"),
    [
        ("很多", "应为整数", "should be an integer"),
        (1.5, "应为整数", "should be an integer"),
        (-3, "应大于或等于 0", "should be at least 0"),
        ([1], "应为整数", "should be an integer"),
    ],
)
def test_invalid_values_are_explained_in_the_language_of_the_message(
    value: object, zh: str, en: str
) -> None:
    @tool
    def 重复(文本: str, 次数: Annotated[int, annotated_types.Ge(0)]) -> str:
        return 文本 * 次数

    with use_language("zh"), pytest.raises(ToolArgumentError) as caught:
        create_tool_registry(重复).execute_tool("重复", 文本="好", 次数=value)
    message = str(caught.value)
    assert message.startswith("工具 重复 的参数 次数 无效") and zh in message
    assert not any(word in message for word in ("Input", "should", "valid"))
    assert en in caught.value.render("en")


def test_a_choice_lists_the_options_in_chinese() -> None:
    @tool
    def 换算(温度: float, 单位: Literal["摄氏", "华氏"]) -> float:
        return 温度

    with use_language("zh"), pytest.raises(ToolArgumentError) as caught:
        create_tool_registry(换算).execute_tool("换算", 温度=1, 单位="开尔文")
    assert "应为以下之一：'摄氏'、'华氏'" in str(caught.value)
    assert "should be one of '摄氏' or '华氏'" in caught.value.render("en")
