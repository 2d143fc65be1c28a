"""Catalog entries of the thread commands: run/resume on a thread, threads, history."""

from . import Msg

MESSAGES: dict[str, Msg] = {
    "cli.option_checkpointer": Msg("检查点地址，如 sqlite:///runs.db、postgresql://…",
                                   "checkpointer URL, e.g. sqlite:///runs.db, postgresql://…"),
    "cli.option_thread": Msg("线程 id", "thread id"),
    "cli.thread_needs_checkpointer": Msg("--thread 需要同时给出 --checkpointer",
                                         "--thread needs --checkpointer too"),
    "cli.thread_needs_runnable": Msg("{name} 是 Graph，不能按线程运行：请用 @flow 或 Workflow",
                                     "{name} is a Graph and cannot run on a thread: use a @flow or "
                                     "a Workflow"),
    "cli.resume_help": Msg("继续线程：回答它等待的问题，或从最后提交的超步接着运行",
                           "continue a thread: answer the question it waits for, or go on from "
                           "its last committed superstep"),
    "cli.resume_option_value": Msg("回答（文本）", "the answer (as text)"),
    "cli.resume_option_value_json": Msg("回答（JSON），几个问题同时等待时用 {{\"id\": 回答}}",
                                        "the answer as JSON; {{\"id\": answer}} when several "
                                        "questions wait"),
    "cli.bad_value_json": Msg("--value-json 不是有效的 JSON：{error}",
                              "--value-json is not valid JSON: {error}"),
    "cli.threads_help": Msg("列出检查点里的线程", "list the threads in a checkpointer"),
    "cli.history_help": Msg("显示一个线程的检查点历史", "show a thread's checkpoint history"),
    "cli.waiting": Msg("⏸ {flow} 在等待回答：{id}（{node}）：{payload}",
                       "⏸ {flow} waits for an answer: {id} ({node}): {payload}"),
    "cli.resume_hint": Msg("用 liteflow resume … --value … 回答", "answer with liteflow resume … --value …"),
    "cli.col_thread": Msg("线程", "thread"),
    "cli.col_flow": Msg("流程", "flow"),
    "cli.col_status": Msg("状态", "status"),
    "cli.col_step": Msg("步", "step"),
    "cli.col_branches": Msg("分支", "branches"),
    "cli.col_updated": Msg("更新时间", "updated"),
    "cli.col_bytes": Msg("字节", "bytes"),
    "cli.col_branch": Msg("分支", "branch"),
    "cli.col_kind": Msg("类型", "kind"),
    "cli.col_nodes": Msg("节点", "nodes"),
    "cli.col_written": Msg("写入的键", "written keys"),
    "cli.col_next": Msg("下一步", "next"),
    "cli.col_created": Msg("时间", "at"),
    "cli.threads_title": Msg("{url} 中的线程", "threads in {url}"),
    "cli.history_title": Msg("线程 {thread} 的历史", "history of thread {thread}"),
}
