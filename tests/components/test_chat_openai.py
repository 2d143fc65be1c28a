"""`ChatOpenAI` against the scripted server, through the real openai SDK over real HTTP."""

from __future__ import annotations

import time
from typing import NotRequired, TypedDict

import pydantic
import pytest

from liteflow.components import (
    AIMessage,
    ChatModelError,
    ChatOpenAI,
    HumanMessage,
    StructuredOutputError,
    SystemMessage,
    ToolCall,
    ToolMessage,
    Usage,
    calculator,
    create_tool_registry,
    merge_chunks,
    tool,
)
from liteflow.core.messages import use_language
from liteflow.testing import Failure, FakeOpenAIServer, Reply, ScriptedToolCall


def test_invoke_with_a_string(server: FakeOpenAIServer, llm: ChatOpenAI) -> None:
    server.add(Reply("杭州是浙江省的省会。", usage=(12, 9)))
    reply = llm.invoke("介绍一下杭州")
    assert reply == AIMessage(
        "杭州是浙江省的省会。", usage=Usage(12, 9, 21), finish_reason="stop", id=reply.id
    )
    (request,) = server.requests
    assert request.model == "测试模型"
    assert request.messages == [{"role": "user", "content": "介绍一下杭州"}]
    assert request.headers["authorization"] == "Bearer test-key"
    assert not request.stream


def test_invoke_with_a_message_list_and_options(server: FakeOpenAIServer) -> None:
    server.add("好的")
    llm = server.chat_model("gpt-test", temperature=0.2, max_tokens=50)
    history = [
        SystemMessage("你是一个简洁的助手。"),
        HumanMessage("你好"),
        AIMessage("你好！有什么可以帮你？"),
        {"role": "user", "content": "讲个笑话"},
    ]
    assert llm.invoke(history, stop=["。"]).content == "好的"
    body = server.requests[0].body
    assert body["messages"] == [
        {"role": "system", "content": "你是一个简洁的助手。"},
        {"role": "user", "content": "你好"},
        {"role": "assistant", "content": "你好！有什么可以帮你？"},
        {"role": "user", "content": "讲个笑话"},
    ]
    assert (body["temperature"], body["max_tokens"], body["stop"]) == (0.2, 50, ["。"])


def test_a_bad_message_is_a_clear_error(llm: ChatOpenAI) -> None:
    with pytest.raises(ChatModelError) as caught:
        llm.invoke([42])  # type: ignore[list-item]
    assert "SystemMessage" in caught.value.render("en")
    assert "无法识别的消息 42" in caught.value.render("zh")


async def test_ainvoke_and_default_usage(server: FakeOpenAIServer, llm: ChatOpenAI) -> None:
    server.add("四")
    reply = await llm.ainvoke([HumanMessage("二加二")])
    assert reply.content == "四"
    # Without scripted usage the server counts characters: 3 in, 1 out.
    assert reply.usage == Usage(3, 1, 4)


def test_stream_yields_pieces_that_add_up(server: FakeOpenAIServer, llm: ChatOpenAI) -> None:
    server.add(Reply("流式输出 works fine", usage=(5, 7)))
    chunks = list(llm.stream("说点什么"))
    texts = [c.content for c in chunks if c.content]
    assert texts == ["流", "式", "输", "出", " works", " fine"]
    message = merge_chunks(chunks)
    assert message.content == "流式输出 works fine"
    assert message.usage == Usage(5, 7, 12)
    assert message.finish_reason == "stop"
    request = server.requests[0]
    assert request.stream and request.body["stream_options"] == {"include_usage": True}


async def test_astream_with_explicit_chunks(server: FakeOpenAIServer, llm: ChatOpenAI) -> None:
    server.add(Reply("你好，世界", chunks=["你好", "，", "世界"]))
    texts = [chunk.content async for chunk in llm.astream("打个招呼") if chunk.content]
    assert texts == ["你好", "，", "世界"]


async def test_stream_arrives_incrementally(server: FakeOpenAIServer) -> None:
    # Each SSE event is flushed on its own: the first piece arrives long before the last.
    pieces = [f"第{i}段" for i in range(3)]
    server.add("热身", Reply("".join(pieces), chunks=pieces, chunk_delay=0.3))
    llm = server.chat_model()
    await llm.ainvoke("x")  # the client (and its TLS setup) is made on first use: not timed
    started = time.perf_counter()
    arrivals = [(c.content, time.perf_counter() - started) async for c in llm.astream("慢慢说")
                if c.content]
    assert [text for text, _ in arrivals] == pieces
    assert arrivals[0][1] < 0.25 and arrivals[-1][1] >= 0.6


@tool
def 查天气(城市: str) -> str:
    """查询天气。

    Args:
        城市: 城市名
    """
    return f"{城市}：晴"


def test_bind_tools_sends_tools_and_parses_tool_calls(
    server: FakeOpenAIServer, llm: ChatOpenAI
) -> None:
    registry = create_tool_registry(calculator, 查天气)
    server.add(
        Reply(
            tool_calls=[
                ScriptedToolCall("calculator", {"expression": "6*7"}),
                ScriptedToolCall(查天气.wire_name, {"城市": "杭州"}),
            ]
        )
    )
    bound = llm.bind_tools(registry)
    assert llm.tools is None and bound.tools is registry
    reply = bound.invoke("6*7 是多少？杭州天气如何？")
    assert reply.finish_reason == "tool_calls"
    assert [(c.name, dict(c.arguments)) for c in reply.tool_calls] == [
        ("calculator", {"expression": "6*7"}),
        (查天气.wire_name, {"城市": "杭州"}),
    ]
    assert [registry.execute_call(c).content for c in reply.tool_calls] == ["42", "杭州：晴"]
    request = server.requests[0]
    assert request.tool_names == ["calculator", 查天气.wire_name]
    assert "tool_choice" not in request.body


async def test_streamed_tool_calls_are_reassembled(
    server: FakeOpenAIServer, llm: ChatOpenAI
) -> None:
    server.add(
        Reply(
            content="我来算一下。",
            tool_calls=[
                ScriptedToolCall("calculator", {"expression": "2**10"}, id="call_a"),
                ScriptedToolCall("calculator", {"expression": "sqrt(81)"}, id="call_b"),
            ],
        )
    )
    bound = llm.bind_tools([calculator])
    message = merge_chunks([chunk async for chunk in bound.astream("算两个数")])
    assert message.content == "我来算一下。"
    assert message.tool_calls == (
        ToolCall("call_a", "calculator", {"expression": "2**10"}, '{"expression": "2**10"}'),
        ToolCall("call_b", "calculator", {"expression": "sqrt(81)"}, '{"expression": "sqrt(81)"}'),
    )


def test_tool_choice_forcing_a_tool(server: FakeOpenAIServer, llm: ChatOpenAI) -> None:
    server.add(Reply.tool_call(查天气.wire_name, 城市="上海"))
    llm.bind_tools([查天气], tool_choice="查天气").invoke("上海")
    assert server.requests[0].body["tool_choice"] == {
        "type": "function",
        "function": {"name": 查天气.wire_name},
    }


def test_tool_results_round_trip_in_the_conversation(
    server: FakeOpenAIServer, llm: ChatOpenAI
) -> None:
    server.add("42")
    call = ToolCall.from_json("call_1", "calculator", '{"expression": "6*7"}')
    llm.invoke(
        [
            HumanMessage("6*7?"),
            AIMessage(tool_calls=(call,)),
            ToolMessage("42", "call_1", "calculator"),
        ]
    )
    assert server.requests[0].messages[1:] == [
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "call_1",
                    "type": "function",
                    "function": {"name": "calculator", "arguments": '{"expression": "6*7"}'},
                }
            ],
        },
        {"role": "tool", "content": "42", "tool_call_id": "call_1"},
    ]


class 城市信息(TypedDict):
    """一个城市的基本信息。"""

    名称: str
    人口: int
    别称: list[str]


class Invoice(pydantic.BaseModel):
    number: str
    total: float
    paid: bool = False


def test_structured_output_into_a_typeddict(server: FakeOpenAIServer, llm: ChatOpenAI) -> None:
    server.add(Reply.json({"名称": "杭州", "人口": 12_000_000, "别称": ["临安", "钱塘"]}))
    info = llm.with_structured_output(城市信息).invoke("介绍杭州")
    assert info == {"名称": "杭州", "人口": 12_000_000, "别称": ["临安", "钱塘"]}
    response_format = server.requests[0].body["response_format"]
    assert response_format["type"] == "json_schema"
    spec = response_format["json_schema"]
    assert spec["strict"] is True and spec["name"] == "output"
    assert spec["schema"]["required"] == ["名称", "人口", "别称"]
    assert spec["schema"]["additionalProperties"] is False


async def test_structured_output_into_a_pydantic_model(
    server: FakeOpenAIServer, llm: ChatOpenAI
) -> None:
    server.add(Reply.json({"number": "INV-7", "total": "99.5"}))
    structured = llm.with_structured_output(Invoice)
    invoice = await structured.ainvoke("读取发票")
    assert invoice == Invoice(number="INV-7", total=99.5)
    spec = server.requests[0].body["response_format"]["json_schema"]
    # A field with a default cannot be expressed in strict mode: the schema is sent as is.
    assert spec["name"] == "Invoice" and spec["strict"] is False


def test_structured_output_that_does_not_validate(
    server: FakeOpenAIServer, llm: ChatOpenAI
) -> None:
    server.add(Reply.json({"名称": "杭州", "人口": "很多"}))
    with pytest.raises(StructuredOutputError) as caught:
        llm.with_structured_output(城市信息).invoke("介绍杭州")
    error = caught.value
    assert error.model == "测试模型"
    url = f"{server.base_url}/chat/completions"
    assert error.render("zh") == (
        f"模型 测试模型（{url}）的输出不符合 城市信息：人口: 应为整数；别称: 缺少字段")
    assert error.render("en") == (
        f"The output of model 测试模型 at {url} does not match 城市信息: "
        "人口: should be an integer; 别称: the field is missing")


def test_structured_output_that_is_not_json(server: FakeOpenAIServer, llm: ChatOpenAI) -> None:
    server.add("好的，杭州是……")
    with use_language("zh"), pytest.raises(StructuredOutputError) as caught:
        llm.with_structured_output(城市信息).invoke("介绍杭州")
    url = f"{server.base_url}/chat/completions"
    assert str(caught.value) == f"模型 测试模型（{url}）的输出不符合 城市信息：$: 不是合法的 JSON"


def test_retries_on_500_and_429_then_succeeds(server: FakeOpenAIServer) -> None:
    server.add(Failure(500, "boom"), Failure(429, "slow down"), "终于成功")
    llm = server.chat_model(max_retries=2)
    started = time.perf_counter()
    assert llm.invoke("试试").content == "终于成功"
    assert len(server.requests) == 3
    assert time.perf_counter() - started < 2  # the server's retry-after keeps tests fast


async def test_async_retries(server: FakeOpenAIServer) -> None:
    server.add(Failure(503), "好了")
    llm = server.chat_model(max_retries=1)
    assert (await llm.ainvoke("试试")).content == "好了"
    assert len(server.requests) == 2


def test_gives_up_after_max_retries(server: FakeOpenAIServer) -> None:
    server.add(Failure(429, "rate limited"), Failure(429, "rate limited"), "too late")
    llm = server.chat_model(max_retries=1)
    with pytest.raises(ChatModelError) as caught:
        llm.invoke("试试")
    assert len(server.requests) == 2
    error = caught.value
    assert error.status_code == 429
    url = f"{server.base_url}/chat/completions"
    assert error.render("en") == (
        f"The request to model fake-model at {url} failed (HTTP 429): rate limited"
    )
    assert error.render("zh") == f"模型 fake-model（{url}）的请求失败（HTTP 429）：rate limited"
    assert server.pending == 1


def test_client_errors_are_not_retried(server: FakeOpenAIServer, llm: ChatOpenAI) -> None:
    server.add(Failure(400, "bad request"), "never")
    with pytest.raises(ChatModelError) as caught:
        llm.invoke("x")
    assert caught.value.status_code == 400
    assert len(server.requests) == 1


def test_errors_in_a_stream(server: FakeOpenAIServer) -> None:
    server.add(Failure(500, "down", retry=False))
    with pytest.raises(ChatModelError) as caught:
        list(server.chat_model().stream("x"))
    assert caught.value.status_code == 500


def test_timeout(server: FakeOpenAIServer) -> None:
    server.add(Reply("太慢了", delay=1.0))
    llm = server.chat_model(timeout=0.2, max_retries=0)
    with use_language("zh"), pytest.raises(ChatModelError) as caught:
        llm.invoke("x")
    assert caught.value.msg_id == "chat.timeout"
    url = f"{server.base_url}/chat/completions"
    assert str(caught.value) == f"模型 fake-model（{url}）没有在 0.2 秒内完成回复"


def test_connection_refused_names_the_url() -> None:
    with FakeOpenAIServer() as gone:
        url = gone.base_url
    llm = ChatOpenAI("m", base_url=url, api_key="k", max_retries=0, timeout=2)
    with pytest.raises(ChatModelError) as caught:
        llm.invoke("x")
    assert caught.value.msg_id == "chat.connection"
    assert url in caught.value.render("en")


def test_reads_key_and_url_from_the_environment(
    server: FakeOpenAIServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "env-key")
    monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
    server.add("来自环境变量")
    assert ChatOpenAI("m").invoke("x").content == "来自环境变量"
    assert server.requests[0].headers["authorization"] == "Bearer env-key"


def test_missing_api_key_is_reported_on_first_use(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    llm = ChatOpenAI("gpt-x")  # creating it needs no credentials
    with pytest.raises(ChatModelError) as caught:
        llm.invoke("x")
    assert "OPENAI_API_KEY" in caught.value.render("en")
    assert caught.value.render("zh").startswith("模型 gpt-x 没有 API 密钥")


class Partial(TypedDict):
    a: int
    b: NotRequired[str]


def test_optional_keys_fall_back_to_non_strict_schema(
    server: FakeOpenAIServer, llm: ChatOpenAI
) -> None:
    server.add(Reply.json({"a": 1}))
    assert llm.with_structured_output(Partial).invoke("x") == {"a": 1}
    assert server.requests[0].body["response_format"]["json_schema"]["strict"] is False


def test_one_model_serves_many_event_loops(server: FakeOpenAIServer) -> None:
    # `flow.run()` starts a fresh loop each time; the model must not reuse a dead one.
    import asyncio

    llm = server.chat_model()
    server.add("一", "二", "三")
    answers = [asyncio.run(llm.ainvoke("x")).content for _ in range(3)]
    assert answers == ["一", "二", "三"]


def test_error_language_follows_liteflow_lang(
    server: FakeOpenAIServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    server.add(Failure(400, "bad"))
    monkeypatch.setenv("LITEFLOW_LANG", "zh")
    with pytest.raises(ChatModelError) as caught:
        server.chat_model().invoke("x")
    url = f"{server.base_url}/chat/completions"
    assert str(caught.value) == f"模型 fake-model（{url}）的请求失败（HTTP 400）：bad"


def test_models_pickle_for_other_processes(server: FakeOpenAIServer) -> None:
    import pickle

    llm = server.chat_model(temperature=0.5).bind_tools([calculator])
    server.add("原来的", "复制的")
    assert llm.invoke("x").content == "原来的"  # clients exist now
    copy = pickle.loads(pickle.dumps(llm))
    assert copy.invoke("x").content == "复制的"
    assert server.requests[1].body["temperature"] == 0.5
    assert server.requests[1].tool_names == ["calculator"]


def test_a_refusal_names_the_model_and_url(server: FakeOpenAIServer, llm: ChatOpenAI) -> None:
    from liteflow.testing import RawReply

    message = {"role": "assistant", "content": None, "refusal": "不能回答"}
    server.add(RawReply.json({"choices": [{"index": 0, "message": message,
                                           "finish_reason": "stop"}]}))
    with use_language("zh"), pytest.raises(StructuredOutputError) as caught:
        llm.with_structured_output(城市信息).invoke("介绍杭州")
    url = f"{server.base_url}/chat/completions"
    assert str(caught.value) == f"模型 测试模型（{url}）拒绝按 城市信息 输出：不能回答"
