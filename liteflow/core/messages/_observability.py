"""Catalog entries of observability: log lines of runs and nodes, the metrics table."""

from . import Msg

MESSAGES: dict[str, Msg] = {
    # Logger
    "log.node_retrying": Msg(
        "🔁 工作流 {flow} 超步 {superstep} 节点 {node} 第 {attempt} 次尝试失败（{error}），"
        "{wait:.2f}s 后重试",
        "🔁 Workflow {flow} superstep {superstep}: node {node} failed attempt {attempt} "
        "({error}), retrying in {wait:.2f}s"),
    "log.node_failed": Msg(
        "❌ 工作流 {flow} 超步 {superstep} 节点 {node} 失败（共尝试 {attempts} 次）：{error}",
        "❌ Workflow {flow} superstep {superstep}: node {node} failed after {attempts} "
        "attempt(s): {error}"),
    "log.run_failed": Msg(
        "❌ 工作流 {flow} 在 {seconds:.2f}s 后失败：{error}",
        "❌ Workflow {flow} failed after {seconds:.2f}s: {error}"),
    "log.run_interrupted": Msg(
        "⏸️ 工作流 {flow} 在超步 {superstep} 暂停，等待回答：{ids}",
        "⏸️ Workflow {flow} paused at superstep {superstep}, waiting for: {ids}"),
    "log.run_resumed": Msg(
        "▶️ 工作流 {flow} 从超步 {superstep} 继续（线程 {thread}）",
        "▶️ Workflow {flow} resumed after superstep {superstep} (thread {thread})"),
    "error.tracing_needs_otel": Msg(
        "tracing=True 需要 OpenTelemetry：请安装 pip install 'liteflow[otel]'",
        "tracing=True needs OpenTelemetry: install it with pip install 'liteflow[otel]'"),
    # `liteflow run --metrics`
    "cli.run_option_metrics": Msg("运行后打印每个节点的指标表",
                                  "print a table of per-node metrics after the run"),
    "metrics.title": Msg("运行指标：{flow}", "Run metrics: {flow}"),
    "metrics.col_node": Msg("节点", "node"),
    "metrics.col_calls": Msg("调用", "calls"),
    "metrics.col_failures": Msg("失败", "failures"),
    "metrics.col_retries": Msg("重试", "retries"),
    "metrics.col_cached": Msg("缓存", "cached"),
    "metrics.col_restored": Msg("恢复", "restored"),
    "metrics.col_total": Msg("总耗时", "total"),
    "metrics.col_mean": Msg("平均", "mean"),
    "metrics.col_max": Msg("最长", "max"),
    "metrics.col_tokens_in": Msg("输入词元", "tokens in"),
    "metrics.col_tokens_out": Msg("输出词元", "tokens out"),
    "metrics.summary": Msg(
        "{supersteps} 个超步，耗时 {seconds}；检查点 {nbytes} 字节，{checkpoint}",
        "{supersteps} superstep(s) in {seconds}; checkpoints {nbytes} bytes in {checkpoint}"),
}
