"""Catalog entries of durable runs: threads, turns, resume (see `liteflow.core.messages`)."""

from . import Msg

MESSAGES: dict[str, Msg] = {
    "checkpoint.not_a_checkpointer": Msg(
        "checkpointer 必须是 Checkpointer 或地址（sqlite:///runs.db、memory://、postgresql://…），"
        "收到 {value}",
        "checkpointer must be a Checkpointer or a URL (sqlite:///runs.db, memory://, "
        "postgresql://…), got {value}"),
    "checkpoint.needs_checkpointer": Msg(
        "流程 {flow} 的 {method}() 需要检查点：请用 with_options(checkpointer=..., thread_id=...)",
        "{method}() of flow {flow} needs a checkpointer: use "
        "with_options(checkpointer=..., thread_id=...)"),
    "checkpoint.nothing_to_resume": Msg(
        "线程 {thread} 还没有运行过流程 {flow}：请先调用 run(...)",
        "thread {thread} has never run flow {flow}: call run(...) first"),
    "error.unknown_node": Msg("流程 {flow} 没有节点 {node}{hint}", "flow {flow} has no node {node}.{hint}"),
    "checkpoint.nothing_pending": Msg(
        "线程 {thread}（流程 {flow}）没有等待回答的问题：不带值调用 resume() 即可继续",
        "thread {thread} (flow {flow}) has no question waiting for an answer: call resume() "
        "without a value to continue it"),
}
