"""Tools: schemas from signatures and docstrings, validation, lookup, sync and async calls."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Annotated, Literal, NotRequired, TypedDict

import pydantic
import pytest

from liteflow.components import (
    BaseTool,
    ToolArgumentError,
    ToolCall,
    ToolDefinitionError,
    ToolExecutionError,
    UnknownToolError,
    calculator,
    create_tool_registry,
    tool,
)
from liteflow.core.messages import use_language


@tool(name="天气查询")
def 查天气(城市: str, 天数: int = 1, 单位: Literal["摄氏", "华氏"] = "摄氏") -> str:
    """查询城市未来几天的天气。

    Args:
        城市: 要查询的城市名称
        天数 (int): 预报的天数，
            最多 7 天
        单位: 温度单位
    """
    return f"{城市}未来{天数}天：晴（{单位}）"


@tool
def search(query: str, limit: int = 5, *, exact: bool = False) -> list[str]:
    """Search the knowledge base.

    Parameters
    ----------
    query : str
        What to look for.
    limit : int
        How many results
        at most.

    Returns
    -------
    list[str]
    """
    return [f"{query}#{i}" for i in range(limit)][: 1 if exact else limit]


@tool(description="两数相加")
async def 加法(a: float, b: float) -> float:
    await asyncio.sleep(0)
    return a + b


def test_schema_comes_from_signature_and_google_docstring() -> None:
    spec = 查天气.openai_tool()["function"]
    assert spec["description"].startswith("天气查询: 查询城市未来几天的天气")
    parameters = spec["parameters"]
    assert parameters["required"] == ["城市"]
    assert parameters["additionalProperties"] is False
    props = parameters["properties"]
    assert props["城市"] == {"type": "string", "description": "要查询的城市名称"}
    assert props["天数"] == {
        "type": "integer", "default": 1, "description": "预报的天数， 最多 7 天"
    }
    assert props["单位"]["enum"] == ["摄氏", "华氏"]
    assert props["单位"]["description"] == "温度单位"


def test_schema_from_numpy_docstring_and_keyword_only_parameters() -> None:
    spec = search.openai_tool()["function"]
    assert spec["name"] == "search"
    assert spec["description"] == "Search the knowledge base."
    props = spec["parameters"]["properties"]
    assert props["query"]["description"] == "What to look for."
    assert props["limit"]["description"] == "How many results at most."
    assert props["exact"] == {"type": "boolean", "default": False}
    assert spec["parameters"]["required"] == ["query"]


def test_annotated_field_constraints_reach_the_schema_and_validation() -> None:
    @tool
    def 打分(分数: Annotated[int, pydantic.Field(ge=0, le=100, description="0 到 100")]) -> str:
        return "好" if 分数 >= 60 else "差"

    prop = 打分.parameters_schema()["properties"]["分数"]
    assert prop == {"type": "integer", "minimum": 0, "maximum": 100, "description": "0 到 100"}
    registry = create_tool_registry(打分)
    assert registry.execute_tool("打分", 分数=75) == "好"
    with pytest.raises(ToolArgumentError) as caught:
        registry.execute_tool("打分", 分数=120)
    assert caught.value.key == "分数"
    assert "100" in caught.value.render("en")


def test_decorated_functions_stay_plain_callables() -> None:
    assert 查天气("杭州", 天数=2) == "杭州未来2天：晴（摄氏）"
    assert asyncio.run(加法(1, 2)) == 3
    assert 加法.description == "两数相加"


def test_chinese_tool_names_get_a_stable_ascii_name_on_the_wire() -> None:
    registry = create_tool_registry(查天气, calculator)
    names = [t["function"]["name"] for t in registry.openai_tools()]
    assert names[1] == "calculator"
    wire = names[0]
    assert wire.isascii() and wire != "天气查询"
    alone = create_tool_registry(查天气).openai_tools()[0]["function"]["name"]
    assert wire == 查天气.wire_name == alone
    # The model answers with the wire name; the registry finds the tool either way.
    assert registry.get(wire) is registry.get("天气查询") is 查天气
    call = ToolCall.from_json("call_1", wire, '{"城市": "北京"}')
    assert registry.execute_call(call).content == "北京未来1天：晴（摄氏）"


def test_execute_tool_validates_and_coerces_arguments() -> None:
    registry = create_tool_registry(查天气, search)
    assert registry.execute_tool("天气查询", 城市="上海", 天数="3") == "上海未来3天：晴（摄氏）"
    assert registry.execute_tool("search", query="pregel", limit=2) == ["pregel#0", "pregel#1"]


def test_missing_argument_names_tool_and_argument_in_both_languages() -> None:
    registry = create_tool_registry(查天气)
    with pytest.raises(ToolArgumentError) as caught:
        registry.execute_tool("天气查询", 天数=2)
    error = caught.value
    assert error.tool == "天气查询" and error.key == "城市"
    assert error.render("zh") == "工具 天气查询 缺少必填参数 城市"
    assert error.render("en") == "Tool 天气查询 is missing the required argument 城市"


def test_wrong_type_reports_expected_type_and_value() -> None:
    registry = create_tool_registry(查天气)
    with use_language("zh"):
        with pytest.raises(ToolArgumentError) as caught:
            registry.execute_tool("天气查询", 城市="杭州", 天数="很多")
    message = str(caught.value)
    assert message.startswith("工具 天气查询 的参数 天数 无效：期望 int，得到 '很多'")
    assert caught.value.render("en").startswith(
        "Tool 天气查询: invalid argument 天数: expected int, got '很多'"
    )


def test_unknown_argument_suggests_the_close_one() -> None:
    registry = create_tool_registry(查天气)
    with pytest.raises(ToolArgumentError) as caught:
        registry.execute_tool("天气查询", 城市="杭州", 天="2")
    error = caught.value
    assert error.key == "天"
    assert "你是不是想用 天数？" in error.render("zh")
    assert "did you mean 天数?" in error.render("en")
    assert "城市, 天数, 单位" in error.render("en")


def test_every_problem_is_listed() -> None:
    registry = create_tool_registry(search)
    with pytest.raises(ToolArgumentError) as caught:
        registry.execute_tool("search", limit="x", color="red")
    keys = sorted(p["fields"]["key"] for p in caught.value.problems)
    assert keys == ["color", "limit", "query"]


def test_unknown_tool_suggests_a_close_chinese_name() -> None:
    registry = create_tool_registry(查天气, calculator)
    with pytest.raises(UnknownToolError) as caught:
        registry.execute_tool("天气查", 城市="杭州")
    error = caught.value
    assert error.suggestion == "天气查询"
    assert error.render("zh") == (
        "未知工具 天气查，你是不是想用 天气查询？（已注册的工具：天气查询, calculator）"
    )
    assert error.render("en") == (
        "Unknown tool 天气查; did you mean 天气查询? (registered tools: 天气查询, calculator)"
    )
    with pytest.raises(UnknownToolError) as far:
        registry.execute_tool("翻译")
    assert far.value.suggestion is None
    assert "did you mean" not in far.value.render("en")


def test_tool_exceptions_become_tool_execution_errors() -> None:
    @tool
    def 除法(a: int, b: int) -> float:
        return a / b

    registry = create_tool_registry(除法)
    with pytest.raises(ToolExecutionError) as caught:
        registry.execute_tool("除法", a=1, b=0)
    assert isinstance(caught.value.__cause__, ZeroDivisionError)
    assert caught.value.render("zh") == "工具 除法 执行失败：ZeroDivisionError: division by zero"
    assert caught.value.render("en") == "Tool 除法 failed: ZeroDivisionError: division by zero"


async def test_async_tools_run_on_the_loop_and_sync_tools_off_it() -> None:
    loop_thread = threading.get_ident()
    seen: dict[str, int] = {}

    @tool
    async def 异步工具(x: int) -> int:
        seen["async"] = threading.get_ident()
        await asyncio.sleep(0.01)
        return x * 2

    @tool
    def 同步工具(x: int) -> int:
        seen["sync"] = threading.get_ident()
        time.sleep(0.01)
        return x + 1

    registry = create_tool_registry(异步工具, 同步工具)
    assert await registry.aexecute_tool("异步工具", x=21) == 42
    assert await registry.aexecute_tool("同步工具", x=41) == 42
    assert seen["async"] == loop_thread
    assert seen["sync"] != loop_thread  # a sync tool must not block the event loop
    with pytest.raises(ToolArgumentError):
        await registry.aexecute_tool("异步工具", x="二十一")


def test_async_tool_called_synchronously() -> None:
    registry = create_tool_registry(加法)
    assert registry.execute_tool("加法", a=1.5, b=2) == 3.5


async def test_async_tool_called_synchronously_inside_a_running_loop() -> None:
    registry = create_tool_registry(加法)
    assert registry.execute_tool("加法", a=1, b=1) == 2


class 汇率换算(BaseTool):
    """把人民币换算成其他货币。

    Args:
        金额: 人民币金额
    """

    name = "汇率换算"

    def __init__(self, 汇率表: dict[str, float]) -> None:
        self.汇率表 = 汇率表

    def _run(self, 金额: float, 货币: str = "USD") -> float:
        """Convert.

        参数：
            货币: 目标货币代码
        """
        return round(金额 * self.汇率表[货币], 2)


class AsyncEcho(BaseTool):
    name = "echo"
    description = "Echo the text back."

    async def _arun(self, text: str) -> str:
        return text


async def test_base_tool_subclasses() -> None:
    registry = create_tool_registry()
    converter = registry.register(汇率换算({"USD": 0.14, "EUR": 0.13}))
    registry.register(AsyncEcho())
    spec = converter.openai_tool()["function"]
    assert spec["description"].endswith("把人民币换算成其他货币。")
    assert spec["parameters"]["required"] == ["金额"]
    assert spec["parameters"]["properties"]["金额"]["description"] == "人民币金额"
    assert spec["parameters"]["properties"]["货币"]["description"] == "目标货币代码"
    assert registry.execute_tool("汇率换算", 金额=100) == 14.0
    assert await registry.aexecute_tool("汇率换算", 金额=100, 货币="EUR") == 13.0
    assert registry.execute_tool("echo", text="回声") == "回声"
    assert await registry.aexecute_tool("echo", text="回声") == "回声"
    with pytest.raises(ToolExecutionError) as caught:
        registry.execute_tool("汇率换算", 金额=1, 货币="JPY")
    assert isinstance(caught.value.__cause__, KeyError)


def test_register_tool_as_decorator_and_duplicates() -> None:
    registry = create_tool_registry()

    @registry.register_tool
    def 问候(名字: str) -> str:
        return f"你好，{名字}"

    @registry.register_tool(name="道别", description="说再见")
    def goodbye(名字: str) -> str:
        return f"再见，{名字}"

    assert registry.names == ("问候", "道别")
    assert "道别" in registry and len(registry) == 2
    assert registry.execute_tool("道别", 名字="小明") == "再见，小明"
    with pytest.raises(ToolDefinitionError) as caught:
        registry.register_tool(问候)
    assert caught.value.render("zh") == "工具 问候 已经注册过了"


def test_bad_tool_definitions_are_refused_at_definition_time() -> None:
    with pytest.raises(ToolDefinitionError) as no_hint:

        @tool
        def 无注解(x) -> str:  # type: ignore[no-untyped-def]
            return str(x)

    assert no_hint.value.key == "x"
    assert "类型注解" in no_hint.value.render("zh")

    with pytest.raises(ToolDefinitionError) as variadic:

        @tool
        def 可变(*values: int) -> int:
            return sum(values)

    assert "*values" in variadic.value.render("en")

    with pytest.raises(ToolDefinitionError) as positional:

        @tool
        def 仅位置(x: int, /) -> int:
            return x

    assert positional.value.key == "x" and "positional-only" in positional.value.render("en")

    class NotSerialisable:
        pass

    with pytest.raises(ToolDefinitionError) as bad_type:

        @tool
        def 怪类型(x: NotSerialisable) -> str:
            return ""

    assert bad_type.value.key == "x"

    with pytest.raises(ToolDefinitionError):

        @tool(name="两个 词")
        def spaced(x: int) -> int:
            return x


def test_tool_call_with_broken_json_is_an_argument_error() -> None:
    registry = create_tool_registry(calculator)
    call = ToolCall.from_json("call_9", "calculator", '{"expression": "1+')
    assert call.parse_error is not None
    with pytest.raises(ToolArgumentError) as caught:
        registry.execute_call(call)
    assert caught.value.render("en") == (
        "The model's call of tool calculator (call_9) is malformed: "
        "the arguments are not valid JSON (error at character 15)"
    )


def test_results_are_sent_back_as_text() -> None:
    registry = create_tool_registry(search, calculator)
    reply = registry.execute_call(ToolCall.from_json("c1", "search", '{"query": "图", "limit": 2}'))
    assert reply.content == '["图#0","图#1"]'
    assert reply.tool_call_id == "c1" and reply.name == "search"
    half = ToolCall.from_json("c2", "calculator", '{"expression": "7/2"}')
    assert registry.execute_call(half).content == "3.5"


class 地址(TypedDict):
    城市: str
    邮编: NotRequired[str]


@tool
def 寄件(收件人: str, 地址: 地址, 加急: bool = False) -> str:
    """寄一个包裹。"""
    return f"寄给{地址['城市']}的{收件人}{'（加急）' if 加急 else ''}"


def test_typeddict_arguments_are_validated() -> None:
    schema = 寄件.parameters_schema()
    ref = schema["properties"]["地址"]["$ref"].removeprefix("#/$defs/")
    nested = schema["$defs"][ref]
    assert nested["title"] == "地址"
    assert nested["required"] == ["城市"]  # NotRequired is honoured
    registry = create_tool_registry(寄件)
    assert registry.execute_tool("寄件", 收件人="小王", 地址={"城市": "苏州"}) == "寄给苏州的小王"
    with pytest.raises(ToolArgumentError) as caught:
        registry.execute_tool("寄件", 收件人="小王", 地址={"邮编": "215000"})
    assert caught.value.key == "地址.城市"


def test_tools_and_registries_pickle() -> None:
    import pickle

    registry = create_tool_registry(查天气, calculator, 加法)
    registry.register(汇率换算({"USD": 0.14}))
    copy = pickle.loads(pickle.dumps(registry))
    assert copy.get("天气查询") is 查天气  # module-level tools travel by reference
    assert copy.execute_tool("calculator", expression="6*7") == 42
    assert copy.execute_tool("汇率换算", 金额=100) == 14.0
    assert copy.openai_tools() == registry.openai_tools()
