"""问答代理：一个会用计算器的中文问答流程 / A Chinese Q&A agent flow with a calculator.

运行 / Run::

    python examples/问答代理.py                     # 离线：本地测试服务器回放脚本化的回复
    OPENAI_API_KEY=sk-... python examples/问答代理.py "1 到 100 的和是多少？"

设置了 OPENAI_API_KEY 时连接真实模型（可用 OPENAI_BASE_URL 指向任何兼容 OpenAI 的服务，
OPENAI_MODEL 选择模型）；否则在本机启动 `liteflow.testing.FakeOpenAIServer`，通过真实的
HTTP 回放一段事先写好的对话，所以不需要网络，也不需要密钥。

流程运行时，代理的每次工具调用都是一个 `tool_call` 自定义事件，模型的回答逐字作为
token 事件出现在 `stream()` 上。
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from contextlib import ExitStack
from typing import TypedDict

from liteflow import START, CustomEvent, Flow, RunFinished, TokenEvent, flow
from liteflow.components import ChatOpenAI, calculator, create_agent, create_tool_registry
from liteflow.testing import FakeOpenAIServer, Reply, ScriptedToolCall

默认问题 = "一块长方形菜地长 12.5 米、宽 8 米。它的面积是多少平方米？围一圈篱笆要多少米？"

系统提示 = (
    "你是一个严谨的中文助手。凡是需要计算的地方都调用 calculator 工具，不要心算；"
    "得到结果后用一两句中文回答，并写上单位。"
)


class 答案输出(TypedDict):
    答案: str


def 离线对话() -> list[Reply]:
    """The scripted model replies used offline: two calculations, then the answer."""
    return [
        Reply(
            tool_calls=[
                ScriptedToolCall("calculator", {"expression": "12.5 * 8"}),
                ScriptedToolCall("calculator", {"expression": "2 * (12.5 + 8)"}),
            ]
        ),
        Reply("菜地的面积是 100 平方米，围一圈篱笆需要 41 米。"),
    ]


def 构建流程(llm: ChatOpenAI) -> Flow[[str], 答案输出]:
    """The flow: one agent node that reads 问题 and writes 答案."""
    问答 = create_agent(
        llm,
        create_tool_registry(calculator),
        name="问答",
        input_key="问题",
        output_key="答案",
        system_prompt=系统提示,
        max_turns=6,
    )

    @flow(output=答案输出)
    def 问答流程(问题: str) -> None:
        START >> 问答

    return 问答流程


def 回答(问题: str, llm: ChatOpenAI) -> str:
    """Run the flow, printing tool calls and the streamed answer as they happen."""
    问答流程 = 构建流程(llm)
    答案 = ""
    for event in 问答流程.stream(问题):
        if isinstance(event, CustomEvent) and event.name == "tool_call":
            data = event.data
            outcome = data["result"] if data["error"] is None else f"出错：{data['error']}"
            print(f"[工具] {data['tool']}({data['arguments']}) → {outcome}")
        elif isinstance(event, TokenEvent):
            print(event.token, end="", flush=True)
        elif isinstance(event, RunFinished):
            答案 = event.result.output["答案"]
    print()
    return 答案


def main(argv: Sequence[str] = ()) -> str:
    """Answer the question given on the command line (or the default one); returns the answer."""
    问题 = " ".join(argv) or 默认问题
    print(f"问题：{问题}")
    with ExitStack() as stack:
        if os.environ.get("OPENAI_API_KEY"):
            llm = ChatOpenAI(model=os.environ.get("OPENAI_MODEL", "gpt-4o-mini"), temperature=0)
        else:
            print("（离线模式：未设置 OPENAI_API_KEY，使用本地测试服务器回放脚本）")
            server = stack.enter_context(FakeOpenAIServer(离线对话()))
            llm = server.chat_model("离线模型")
        答案 = 回答(问题, llm)
    print(f"答案：{答案}")
    return 答案


if __name__ == "__main__":
    main(sys.argv[1:])
