"""Catalog entries for `liteflow.checkpoint`: stores, the serializer, threads, resume.

See `liteflow.core.messages`. Every entry names the thread, flow, node, key or URL it is about.
"""

from . import Msg

MESSAGES: dict[str, Msg] = {
    # Stores and URLs.
    "checkpoint.failed": Msg(
        zh="检查点存储 {url} 出错：{error}",
        en="checkpoint store {url} failed: {error}",
    ),
    "checkpoint.unknown_scheme": Msg(
        zh="无法识别的检查点地址 {url}：支持 sqlite:///相对路径.db、sqlite:////绝对路径.db、"
        "postgresql://… 和 memory://",
        en="unknown checkpointer URL {url}: use sqlite:///relative.db, "
        "sqlite:////absolute/path.db, postgresql://… or memory://",
    ),
    "checkpoint.path_no_dir": Msg(
        zh="检查点地址 {url} 不可用：目录 {path} 不存在",
        en="checkpointer URL {url} cannot be used: the directory {path} does not exist",
    ),
    "checkpoint.path_not_writable": Msg(
        zh="检查点地址 {url} 不可用：目录 {path} 不可写",
        en="checkpointer URL {url} cannot be used: the directory {path} is not writable",
    ),
    "checkpoint.path_is_dir": Msg(
        zh="检查点地址 {url} 不可用：{path} 是一个目录，而不是数据库文件",
        en="checkpointer URL {url} cannot be used: {path} is a directory, not a database file",
    ),
    "checkpoint.path_file_not_writable": Msg(
        zh="检查点地址 {url} 不可用：文件 {path} 不可写",
        en="checkpointer URL {url} cannot be used: the file {path} is not writable",
    ),
    "checkpoint.path_missing": Msg(
        zh="检查点地址 {url} 不可用：没有给出数据库文件路径",
        en="checkpointer URL {url} cannot be used: no database file path is given",
    ),
    "checkpoint.no_postgres": Msg(
        zh="检查点地址 {url} 需要 psycopg 3：请安装 pip install 'liteflow[postgres]'",
        en="checkpointer URL {url} needs psycopg 3: pip install 'liteflow[postgres]'",
    ),
    "checkpoint.unreachable": Msg(
        zh="无法连接检查点数据库 {url}：{error}",
        en="cannot reach the checkpoint database {url}: {error}",
    ),
    "checkpoint.connection_lost": Msg(
        zh="与检查点数据库 {url} 的连接中断：{error}；本超步没有提交，修复后可以 resume() 继续",
        en="the connection to the checkpoint database {url} was lost: {error}; "
        "this superstep was not committed, resume() continues once the database is back",
    ),
    "checkpoint.schema_newer": Msg(
        zh="检查点数据库 {url} 的格式版本是 {found}，这个 liteflow 只认识到 {supported}：请升级 liteflow",
        en="the checkpoint database {url} has schema version {found}; this liteflow knows up to "
        "{supported}: upgrade liteflow",
    ),
    "checkpoint.closed": Msg(
        zh="检查点存储 {url} 已经关闭", en="the checkpoint store {url} is closed"),
    "checkpoint.thread_unknown": Msg(
        zh="线程 {thread} 没有检查点", en="thread {thread} has no checkpoints"),
    "checkpoint.step_unknown": Msg(
        zh="线程 {thread} 的分支 {branch} 没有第 {step} 步的检查点",
        en="thread {thread} has no checkpoint at step {step} of branch {branch}",
    ),
    "checkpoint.branch_unknown": Msg(
        zh="线程 {thread} 没有分支 {branch}（已有分支：{known}）",
        en="thread {thread} has no branch {branch} (its branches: {known})",
    ),
    "checkpoint.answer_unknown": Msg(
        zh="线程 {thread} 没有等待回答的中断 {interrupt}（等待中的：{known}）",
        en="thread {thread} has no pending interrupt {interrupt} (pending: {known})",
    ),
    "checkpoint.bad_status": Msg(
        zh="线程状态 {status} 无效：可选 running、interrupted、completed、failed",
        en="invalid thread status {status}: use running, interrupted, completed or failed",
    ),
    "checkpoint.bad_durability": Msg(
        zh="durability={value!r} 无效：可选 \"sync\"、\"async\"、\"exit\"",
        en="invalid durability={value!r}: use \"sync\", \"async\" or \"exit\"",
    ),
    "checkpoint.journal_failed": Msg(
        zh="线程 {thread} 的检查点写入在后台失败：{error}",
        en="writing checkpoints of thread {thread} failed in the background: {error}",
    ),
    # The serializer.
    "checkpoint.encode": Msg(
        zh="流程 {flow} 的节点 {node} 写入的键 {key} 在 {path} 处的值类型 {type} 无法写入检查点："
        "请把它声明为 dataclass 或 pydantic 模型、用 Serde(allow=[...]) 登记，或者使用 Serde(pickle=True)",
        en="value of type {type} at {path} of key {key} (written by node {node} of flow {flow}) "
        "cannot be checkpointed; declare it as a dataclass or pydantic model, register it with "
        "Serde(allow=[...]), or use Serde(pickle=True)",
    ),
    "checkpoint.decode": Msg(
        zh="检查点数据无法解码（{codec}）：{error}",
        en="checkpoint data cannot be decoded ({codec}): {error}",
    ),
    "checkpoint.unrestorable": Msg(
        zh="检查点里键 {key} 的值是类 {cls} 的对象，但这个类不在允许恢复的类型里：把它写进流程的类型注解或 Serde(allow=[...])",
        en="the checkpointed value of key {key} is an object of class {cls}, which is not in "
        "the restorable types: declare it in the flow's type hints or in Serde(allow=[...])",
    ),
    # Threads, versions, resume.
    "checkpoint.no_thread_id": Msg(
        zh="流程 {flow} 配置了 checkpointer，但没有 thread_id：请用 with_options(thread_id=...) 指定线程",
        en="flow {flow} has a checkpointer but no thread_id: name the thread with "
        "with_options(thread_id=...)",
    ),
    "checkpoint.conflict": Msg(
        zh="线程 {thread} 已被另一次运行推进（期望停在分支 {branch} 第 {expected} 步，实际在分支 {head_branch} 第 {found} 步）：本次运行没有写入任何东西",
        en="thread {thread} was moved on by another run (expected branch {branch} at step "
        "{expected}, found branch {head_branch} at step {found}); this run wrote nothing",
    ),
    "checkpoint.not_finished": Msg(
        zh="线程 {thread} 的上一次运行（流程 {flow}）状态为 {status}，还没有完成：请调用 .resume() 继续它",
        en="the last run of thread {thread} (flow {flow}) is {status}, not finished: "
        "call .resume() to continue it",
    ),
    "checkpoint.version_mismatch": Msg(
        zh="线程 {thread} 由流程 {flow} 的版本 {stored} 创建，当前版本是 {current}：不能用新版本继续旧线程",
        en="thread {thread} was created by version {stored} of flow {flow}; the current version "
        "is {current}: an old thread cannot continue under a new version",
    ),
    "checkpoint.shape_mismatch": Msg(
        zh="线程 {thread} 的检查点与流程 {flow} 的当前结构不一致（新增：{added}；删除：{removed}）",
        en="the checkpoints of thread {thread} do not match the current shape of flow {flow} "
        "(added: {added}; removed: {removed})",
    ),
    "checkpoint.code_mismatch": Msg(
        zh="流程 {flow} 的代码在线程 {thread} 创建后改变了（{stored} → {current}）："
        "确认改动无害后用 resume(allow_code_change=True) 继续",
        en="the code of flow {flow} changed since thread {thread} was checkpointed "
        "({stored} → {current}); if the change is safe, resume with allow_code_change=True",
    ),
    "checkpoint.resume_value": Msg(
        zh="线程 {thread} 中节点 {node} 的中断 {interrupt} 期望 {expected} 类型的回答，收到 {actual}：什么都没有保存",
        en="interrupt {interrupt} of node {node} in thread {thread} expects an answer of type "
        "{expected}, got {actual}; nothing was stored",
    ),
    "checkpoint.resume_value_field": Msg(
        zh="线程 {thread} 中节点 {node} 的中断 {interrupt}：字段 {path} 应为 {expected}，"
        "实际是 {actual}：什么都没有保存",
        en="interrupt {interrupt} of node {node} in thread {thread}: field {path} should be "
        "{expected}, got {actual}; nothing was stored",
    ),
    "checkpoint.resume_value_field_missing": Msg(
        zh="线程 {thread} 中节点 {node} 的中断 {interrupt}：缺少必需的字段 {path}（{expected}）："
        "什么都没有保存",
        en="interrupt {interrupt} of node {node} in thread {thread}: the required field {path} "
        "({expected}) is missing; nothing was stored",
    ),
    "checkpoint.ambiguous_resume": Msg(
        zh="线程 {thread} 有多个中断在等待回答：请用 resume({{id: 值, ...}}) 逐个回答（{ids}）",
        en="thread {thread} has several pending interrupts: answer them with "
        "resume({{id: value, ...}}) ({ids})",
    ),
}
