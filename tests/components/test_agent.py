"""The tool-calling agent: the loop on its own, and as a node in a flow with its events."""

from __future__ import annotations

import asyncio
from typing import TypedDict

import pytest

from liteflow import START, Context, CustomEvent, NodeError, TokenEvent, flow, node
from liteflow.components import (
    AgentError,
    AIMessage,
    ChatOpenAI,
    ToolArgumentError,
    ToolCallingAgent,
    ToolMessage,
    Usage,
    calculator,
    create_agent,
    create_tool_registry,
    tool,
)
from liteflow.testing import FakeOpenAIServer, Reply, ScriptedToolCall


@tool
async def 查汇率(货币: str) -> float:
    """查询 1 人民币能换多少外币。

    Args:
        货币: 货币代码，如 USD
    """
    await asyncio.sleep(0.01)
    return {"USD": 0.14, "EUR": 0.13}[货币]


async def test_multi_turn_with_the_calculator(server: FakeOpenAIServer, llm: ChatOpenAI) -> None:
    server.add(
        Reply.tool_call("calculator", expression="12 * 12"),
        Reply.tool_call("calculator", expression="144 + 56"),
        Reply("结果是 200。", usage=(30, 5)),
    )
    agent = ToolCallingAgent(llm, [calculator], system_prompt="你是一个会用计算器的助手。")
    result = await agent.ainvoke("12 的平方再加 56 是多少？")
    assert result.answer == "结果是 200。"
    assert result.turns == 3
    assert [(r.tool, r.arguments, r.result) for r in result.tool_calls] == [
        ("calculator", {"expression": "12 * 12"}, "144"),
        ("calculator", {"expression": "144 + 56"}, "200"),
    ]
    assert result.usage.total_tokens > 35
    # The third request carries the whole conversation, tool results included.
    third = server.requests[2].messages
    assert third[0] == {"role": "system", "content": "你是一个会用计算器的助手。"}
    roles = [m["role"] for m in third]
    assert roles == ["system", "user", "assistant", "tool", "assistant", "tool"]
    assert third[3]["content"] == "144" and third[5]["content"] == "200"
    assert all(r.tool_names == ["calculator"] for r in server.requests)
    assert isinstance(result.messages[-1], AIMessage)


async def test_parallel_tool_calls_in_one_turn(server: FakeOpenAIServer, llm: ChatOpenAI) -> None:
    server.add(
        Reply(tool_calls=[ScriptedToolCall(查汇率.wire_name, {"货币": "USD"}),
                          ScriptedToolCall(查汇率.wire_name, {"货币": "EUR"})]),
        "1 元约合 0.14 美元或 0.13 欧元。",
    )
    agent = ToolCallingAgent(llm, create_tool_registry(查汇率), stream=False)
    result = await agent.ainvoke("人民币兑美元和欧元的汇率？")
    assert [r.result for r in result.tool_calls] == ["0.14", "0.13"]
    assert [r.tool for r in result.tool_calls] == ["查汇率", "查汇率"]
    tool_messages = [m for m in result.messages if isinstance(m, ToolMessage)]
    assert [m.tool_call_id for m in tool_messages] == ["call_1", "call_2"]


def test_sync_invoke(server: FakeOpenAIServer, llm: ChatOpenAI) -> None:
    server.add(Reply.tool_call("calculator", expression="2 ** 8"), "256")
    result = ToolCallingAgent(llm, [calculator]).invoke("2 的 8 次方")
    assert (result.answer, result.turns) == ("256", 2)
    assert result.tool_calls[0].result == "256"


async def test_turn_limit(server: FakeOpenAIServer, llm: ChatOpenAI) -> None:
    server.add(*[Reply.tool_call("calculator", expression="1 + 1")] * 3)
    agent = ToolCallingAgent(llm, [calculator], name="算术代理", max_turns=3)
    with pytest.raises(AgentError) as caught:
        await agent.ainvoke("一直算下去")
    assert len(server.requests) == 3
    error = caught.value
    assert error.render("zh") == (
        "代理 算术代理 在 3 轮内没有给出最终答案（最后请求的工具：calculator）"
    )
    assert error.render("en") == (
        "Agent 算术代理 gave no final answer within 3 turns (last tools requested: calculator)"
    )


async def test_tool_errors_go_back_to_the_model(server: FakeOpenAIServer, llm: ChatOpenAI) -> None:
    server.add(
        Reply.tool_call("calculater", expression="1/0"),
        Reply.tool_call("calculator", expression="1/0"),
        Reply.tool_call("calculator", expr="1"),
        "算不出来。",
    )
    result = await ToolCallingAgent(llm, [calculator]).ainvoke("1 除以 0")
    assert result.answer == "算不出来。"
    errors = [r.error for r in result.tool_calls]
    assert all(errors) and [r.result for r in result.tool_calls] == [None, None, None]
    assert "did you mean calculator" in (errors[0] or "") or "是不是想用 calculator" in (
        errors[0] or ""
    )
    # The model saw each error as the tool's result, so it could correct itself.
    sent = server.requests[3].messages
    assert [m["content"].startswith("Error: ") for m in sent if m["role"] == "tool"] == [True] * 3


async def test_tool_errors_can_propagate(server: FakeOpenAIServer, llm: ChatOpenAI) -> None:
    server.add(Reply.tool_call("calculator", wrong="1"))
    agent = ToolCallingAgent(llm, [calculator], handle_tool_errors=False)
    with pytest.raises(ToolArgumentError):
        await agent.ainvoke("x")


def test_bad_configuration(llm: ChatOpenAI) -> None:
    with pytest.raises(AgentError):
        ToolCallingAgent(llm, [calculator], max_turns=0)
    with pytest.raises(AgentError) as caught:
        create_agent(llm, [calculator], output_key="not a key")
    assert "not a key" in caught.value.render("en")


class 答案输出(TypedDict):
    答案: str


def _qa_flow(server: FakeOpenAIServer) -> object:
    问答 = create_agent(
        server.chat_model(), create_tool_registry(calculator), name="问答",
        input_key="问题", output_key="答案",
    )

    @flow
    def 问答流程(问题: str) -> 答案输出:
        START >> 问答

    return 问答流程


def test_agent_node_in_a_flow_streams_tool_calls_and_tokens(server: FakeOpenAIServer) -> None:
    server.add(Reply.tool_call("calculator", expression="6 * 7"), "答案是 42。")
    问答 = create_agent(
        server.chat_model(), create_tool_registry(calculator), name="问答",
        input_key="问题", output_key="答案",
    )

    @flow
    def 问答流程(问题: str) -> 答案输出:
        START >> 问答

    events = list(问答流程.stream(问题="6 乘 7 是多少？"))
    calls = [e for e in events if isinstance(e, CustomEvent)]
    assert [(e.name, e.node) for e in calls] == [("tool_call", "问答")]
    assert calls[0].data == {"turn": 1, "id": "call_1", "tool": "calculator",
                             "arguments": {"expression": "6 * 7"}, "result": "42", "error": None}
    tokens = [e for e in events if isinstance(e, TokenEvent)]
    assert "".join(e.token for e in tokens) == "答案是 42。"
    assert {e.node for e in tokens} == {"问答"}
    # The tool call happens before the final answer is streamed.
    assert events.index(calls[0]) < events.index(tokens[0])
    assert server.requests[0].messages == [{"role": "user", "content": "6 乘 7 是多少？"}]


async def test_agent_node_in_an_async_flow(server: FakeOpenAIServer) -> None:
    server.add(Reply.tool_call("calculator", expression="sqrt(2) ** 2"), "约等于 2。")
    问答流程 = _qa_flow(server)
    result = await 问答流程.arun(问题="根号 2 的平方？")  # type: ignore[attr-defined]
    assert result.output == {"答案": "约等于 2。"}

    server.add(Reply.tool_call("calculator", expression="1 + 1"), "二")
    seen = [e async for e in 问答流程.astream(问题="1+1")]  # type: ignore[attr-defined]
    assert [e.data["result"] for e in seen if isinstance(e, CustomEvent)] == ["2"]
    assert "".join(e.token for e in seen if isinstance(e, TokenEvent)) == "二"


def test_the_agent_node_is_callable_outside_a_flow(server: FakeOpenAIServer) -> None:
    server.add("直接回答")
    问答 = create_agent(server.chat_model(), [calculator], input_key="q", output_key="a")
    assert asyncio.run(问答(q="你好")) == {"a": "直接回答"}
    assert 问答.spec.input_names == ("q",)
    assert 问答.spec.output_names == ("a",)


def test_turn_limit_inside_a_flow_fails_the_node(server: FakeOpenAIServer) -> None:
    server.add(*[Reply.tool_call("calculator", expression="1")] * 2)
    问答 = create_agent(
        server.chat_model(), [calculator], name="问答", input_key="问题", output_key="答案",
        max_turns=2,
    )

    @flow
    def 问答流程(问题: str) -> 答案输出:
        START >> 问答

    with pytest.raises(NodeError) as caught:
        问答流程.run(问题="?")
    assert isinstance(caught.value.__cause__, AgentError)


class 摘要(TypedDict):
    摘要: str


def test_model_streaming_inside_any_node_emits_tokens(server: FakeOpenAIServer) -> None:
    server.add(Reply("一句话摘要", chunks=["一句", "话", "摘要"]))
    llm = server.chat_model()

    @node
    def 总结(text: str, ctx: Context) -> 摘要:
        pieces = [chunk.content for chunk in llm.stream(f"总结：{text}")]
        return {"摘要": "".join(pieces)}

    @flow
    def 总结流程(text: str) -> 摘要:
        START >> 总结

    events = list(总结流程.stream(text="很长的文章"))
    assert [(e.token, e.node) for e in events if isinstance(e, TokenEvent)] == [
        ("一句", "总结"), ("话", "总结"), ("摘要", "总结"),
    ]


def test_usage_accumulates_over_turns(server: FakeOpenAIServer, llm: ChatOpenAI) -> None:
    server.add(Reply(tool_calls=[ScriptedToolCall("calculator", {"expression": "1"})],
                     usage=(10, 2)), Reply("1", usage=(20, 1)))
    result = ToolCallingAgent(llm, [calculator]).invoke("1?")
    assert result.usage == Usage(30, 3, 33)
