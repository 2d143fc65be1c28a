"""聊天线程：同一个 thread_id 上一轮接一轮地对话 / A chat thread that goes on turn by turn.

运行 / Run::

    python examples/聊天线程.py                  # 检查点存在临时目录的 SQLite 文件里
    python examples/聊天线程.py runs.db          # 或指定文件：再运行一次，对话会接着上次继续

每次 `run()` 是线程的一轮：存下的状态保留，新的输入按各键的合并策略并入（`messages` 是
APPEND，所以一轮比一轮长），流程从入口重新开始。每个超步只存它写入的内容（追加只存新增的
那几条），所以长对话的数据库也很小。
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any, TypedDict

from liteflow import START, RunResult, UpdateStrategy, flow, node
from liteflow.checkpoint import SqliteCheckpointer


class 对话(TypedDict):
    messages: Annotated[list[str], UpdateStrategy.APPEND]
    轮次: int


@node
def 助手(messages: list[str], 轮次: int = 0) -> 对话:
    问题 = messages[-1]
    return {"messages": [f"助手：第 {轮次 + 1} 轮，你说的是「{问题}」"], "轮次": 轮次 + 1}


@flow(output=对话)
def 聊天(messages: Annotated[list[str], UpdateStrategy.APPEND]) -> None:
    START >> 助手


def main(argv: Sequence[str] = ()) -> RunResult[Any]:
    """Three turns on one thread; returns the last turn's result."""
    folder = tempfile.mkdtemp(prefix="liteflow-chat-")
    path = Path(argv[0]) if argv else Path(folder) / "对话.db"
    app = 聊天.with_options(thread_id="用户-42", checkpointer=SqliteCheckpointer(path))
    result: RunResult[Any] | None = None
    for 句子 in ("你好", "今天适合出门吗？", "谢谢"):
        result = app.run(messages=[f"用户：{句子}"])
        print(result.output["messages"][-1])
    assert result is not None
    print(f"共 {result.output['轮次']} 轮，{len(app.history())} 个检查点，文件 {path}")
    return result


if __name__ == "__main__":
    main(sys.argv[1:])
