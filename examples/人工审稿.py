"""人工审稿：模型起草，人来审批，不通过就按意见重写 / A model drafts, a person approves.

运行 / Run::

    python examples/人工审稿.py            # 离线：本地测试服务器扮演模型，脚本扮演审稿人

审批节点调用 `ctx.interrupt(...)`：运行在这里暂停（`status == "interrupted"`），问题和已经
完成的工作都存进检查点；审稿人给出意见后 `resume(意见)` 继续，只有审批节点重新运行。
就算进程在提问和回答之间被杀掉，换一个进程调用 `resume(...)` 也一样能接着走。
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypedDict

from liteflow import START, Context, Flow, RunResult, flow, node
from liteflow.components import ChatOpenAI
from liteflow.testing import FakeOpenAIServer, RecordedRequest


class 审批意见(TypedDict):
    通过: bool
    意见: str


class 稿件(TypedDict):
    稿: str
    第几稿: int


class 结论(TypedDict):
    通过: bool
    意见: str


@node
def 起草(主题: str, ctx: Context, 意见: str = "", 第几稿: int = 0) -> 稿件:
    llm: ChatOpenAI = ctx.deps["llm"]
    要求 = f"请写一段关于「{主题}」的短文（第 {第几稿 + 1} 稿）。"
    if 意见:
        要求 += f"修改意见：{意见}"
    return {"稿": llm.invoke(要求).content, "第几稿": 第几稿 + 1}


@node
def 审批(稿: str, 第几稿: int, ctx: Context) -> 结论:
    # The run pauses here until a person answers; side effects belong after this line.
    答复: 审批意见 = ctx.interrupt({"请审阅": 稿, "第几稿": 第几稿}, expect=审批意见)
    return {"通过": 答复["通过"], "意见": 答复["意见"]}


@flow(output=结论, max_supersteps=20)
def 审稿流程(主题: str) -> None:
    START >> 起草 >> 审批
    审批 >> 起草.when(lambda out: not out["通过"])


def 模型(request: RecordedRequest) -> str:
    """The offline model: writes draft number n about the topic it was asked for."""
    prompt = str(request.messages[-1]["content"])
    主题 = re.search(r"「(.+?)」", prompt)
    稿号 = re.search(r"第 (\d+) 稿", prompt)
    return f"第{稿号.group(1) if 稿号 else '?'}稿：{主题.group(1) if 主题 else '?'}让工作流更可靠。"


@contextmanager
def 配置(path: Path, thread: str = "稿件-42") -> Iterator[Flow[..., 结论]]:
    """The review flow on a thread stored in `path`, with the offline model."""
    with FakeOpenAIServer(handler=模型) as server:
        yield 审稿流程.with_options(thread_id=thread, checkpointer=f"sqlite:///{path}",
                                   context={"llm": server.chat_model("离线模型")})


def main() -> RunResult[Any]:
    """Draft, ask for changes once, approve the second draft; returns the final result."""
    path = Path(tempfile.mkdtemp(prefix="liteflow-review-")) / "审稿.db"
    答复序列: list[审批意见] = [{"通过": False, "意见": "多举一个例子"},
                            {"通过": True, "意见": "可以发表"}]
    with 配置(path) as app:
        result = app.run(主题="检查点")
        for 答复 in 答复序列:
            assert result.status == "interrupted"
            print(f"问题 {result.interrupts[0].id}：{result.interrupt}")
            print(f"  → 审稿人：{答复}")
            result = app.resume(答复)
    print(f"结论：{result.output}（{len(app.history())} 个检查点）")
    return result


if __name__ == "__main__":
    main()
