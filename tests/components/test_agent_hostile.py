"""Bad tool calls from the model go back to it as tool errors; the loop stays bounded.

Each case runs four ways: `invoke` and `ainvoke`, with the model streamed and not.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator

import pytest

from liteflow.components import AgentError, ToolCallingAgent, calculator
from liteflow.core.messages import use_language
from liteflow.testing import FakeOpenAIServer, RawReply, Reply

DEEP = "[" * 100_000 + "]" * 100_000
BIG = '{"expression": ' + "9" * 5000 + "}"

# (function object sent by the model, phrase expected in the tool error, if any)
CALLS: dict[str, tuple[object, str | None]] = {
    "function null": (None, "没有"),
    "no name": ({"arguments": '{"expression": "1+1"}'}, "没有工具名"),
    "arguments null": ({"name": "calculator", "arguments": None}, "缺少必填参数 expression"),
    "arguments an object": ({"name": "calculator", "arguments": {"expression": "1+1"}}, None),
    "arguments a list": ({"name": "calculator", "arguments": "[1]"}, "应为 JSON 对象"),
    "arguments not JSON": ({"name": "calculator", "arguments": "{x: 1"}, "不是合法的 JSON"),
    "a 5,000-digit number": ({"name": "calculator", "arguments": BIG}, "位数过多"),
    "100,000-deep arguments": ({"name": "calculator", "arguments": DEEP}, "嵌套"),
}
MODES = [("invoke", False), ("invoke", True), ("ainvoke", False), ("ainvoke", True)]


@pytest.fixture(scope="module")
def shared() -> Iterator[FakeOpenAIServer]:
    with FakeOpenAIServer() as running:
        yield running


@pytest.fixture
def server(shared: FakeOpenAIServer) -> FakeOpenAIServer:
    shared.reset()
    return shared


def tool_call_reply(function: object, stream: bool) -> RawReply:
    call = {"id": "call_bad", "type": "function", "function": function}
    if not stream:
        message = {"role": "assistant", "content": None, "tool_calls": [call]}
        return RawReply.json({"id": "c", "choices": [
            {"index": 0, "message": message, "finish_reason": "tool_calls"}]})
    delta = {"tool_calls": [{"index": 0, **call}]}
    return RawReply.events({"id": "c", "choices": [
        {"index": 0, "delta": delta, "finish_reason": "tool_calls"}]})


def run(agent: ToolCallingAgent, how: str) -> object:
    if how == "invoke":
        return agent.invoke("算一下")
    return asyncio.run(agent.ainvoke("算一下"))


@pytest.mark.parametrize(("how", "stream"), MODES)
@pytest.mark.parametrize("case", sorted(CALLS))
def test_a_bad_tool_call_is_reported_back_and_the_model_recovers(
    server: FakeOpenAIServer, case: str, how: str, stream: bool
) -> None:
    function, expected = CALLS[case]
    server.add(tool_call_reply(function, stream), Reply("好的，结果是 2。"))
    agent = ToolCallingAgent(server.chat_model(), [calculator], stream=stream, max_turns=3)
    with use_language("zh"):
        result = run(agent, how)
    assert result.answer == "好的，结果是 2。"  # type: ignore[attr-defined]
    (record,) = result.tool_calls  # type: ignore[attr-defined]
    sent_back = server.requests[1].messages[-1]
    assert sent_back["role"] == "tool" and sent_back["tool_call_id"] == "call_bad"
    if expected is None:
        assert (record.error, sent_back["content"]) == (None, "2")
        return
    assert record.result is None and expected in record.error, record.error
    assert sent_back["content"].startswith("Error: ") and expected in sent_back["content"]
    assert "Input should" not in sent_back["content"] and "Expecting" not in record.error
    # The model's call goes back verbatim (bounded in size) so the conversation is valid.
    assert server.requests[1].messages[-2]["tool_calls"][0]["id"] == "call_bad"


@pytest.mark.parametrize(("how", "stream"), MODES)
def test_a_model_that_keeps_sending_bad_calls_hits_the_turn_limit(
    server: FakeOpenAIServer, how: str, stream: bool
) -> None:
    function = {"name": "calculator", "arguments": DEEP}
    server.add(*[tool_call_reply(function, stream) for _ in range(3)])
    agent = ToolCallingAgent(server.chat_model(), [calculator], stream=stream, max_turns=3,
                             name="算术代理")
    with pytest.raises(AgentError) as caught:
        run(agent, how)
    assert caught.value.msg_id == "agent.turn_limit" and caught.value.node == "算术代理"
    assert len(server.requests) == 3


@pytest.mark.parametrize(("how", "stream"), MODES)
def test_usage_with_nulls_does_not_break_the_total(
    server: FakeOpenAIServer, how: str, stream: bool
) -> None:
    nulls = {"prompt_tokens": None, "completion_tokens": None, "total_tokens": None}
    some = {"prompt_tokens": 4, "completion_tokens": None, "total_tokens": "x"}
    replies = []
    for usage, answer in ((nulls, None), (some, "答")):
        call = {"id": "c1", "type": "function",
                "function": {"name": "calculator", "arguments": json.dumps({"expression": "1"})}}
        message = ({"content": answer} if answer else {"content": None, "tool_calls": [call]})
        if stream:
            delta = message if answer else {"tool_calls": [{"index": 0, **call}]}
            replies.append(RawReply.events(
                {"choices": [{"index": 0, "delta": delta, "finish_reason": "stop"}]},
                {"choices": [], "usage": usage}))
        else:
            replies.append(RawReply.json({"choices": [
                {"index": 0, "message": message, "finish_reason": "stop"}], "usage": usage}))
    server.add(*replies)
    agent = ToolCallingAgent(server.chat_model(), [calculator], stream=stream)
    result = run(agent, how)
    assert result.answer == "答"  # type: ignore[attr-defined]
    usage = result.usage  # type: ignore[attr-defined]
    assert (usage.prompt_tokens, usage.completion_tokens, usage.total_tokens) == (4, 0, 0)
