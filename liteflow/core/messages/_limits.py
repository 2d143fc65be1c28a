"""Catalog entries of concurrency limits and retry options."""

from . import Msg

MESSAGES: dict[str, Msg] = {
    # max_concurrency (with_options)
    "error.max_concurrency_value": Msg(
        "max_concurrency 必须是正整数（同一超步内最多同时运行的节点调用数），收到 {value!r}",
        "max_concurrency must be a positive integer (how many node calls of one superstep "
        "may run at once), got {value!r}"),
    "error.max_concurrency_executor": Msg(
        "执行器 {executor} 不支持 max_concurrency：它在别处运行节点调用，无法限制同时运行的数量。"
        "请用它自己的资源设置（如每个任务的 CPU 数）限流，或去掉 executor 使用本地执行器",
        "the executor {executor} cannot honour max_concurrency: it runs node calls elsewhere, "
        "so it cannot bound how many run at once. Limit them with its own resource settings "
        "(such as CPUs per task), or leave out executor to use the local executor"),
    "error.max_concurrency_subflow_executor": Msg(
        "流程 {flow} 作为子流程运行在限制了 max_concurrency 的流程里，但它配置的执行器 {executor} "
        "无法遵守这个上限",
        "the flow {flow} runs as a subflow of a flow with max_concurrency, but its own "
        "executor {executor} cannot honour that limit"),
    # Retry options (@node / NodeConfig)
    "error.node_jitter": Msg(
        "节点 {node} 的 jitter 必须是 >= 0 的秒数（每次退避额外随机等待的上限），收到 {value!r}",
        "node {node}: jitter must be a number of seconds >= 0 (the most random extra wait "
        "added to each backoff), got {value!r}"),
    "error.config_jitter": Msg(
        "NodeConfig 的 jitter 必须是 >= 0 的秒数（每次退避额外随机等待的上限），收到 {value!r}",
        "NodeConfig: jitter must be a number of seconds >= 0 (the most random extra wait "
        "added to each backoff), got {value!r}"),
    "error.node_retry_on": Msg(
        "节点 {node} 的 retry_on 必须是异常类型、异常类型的元组，或判断函数 (exc) -> bool，"
        "收到 {value!r}",
        "node {node}: retry_on must be an exception type, a tuple of exception types or a "
        "predicate (exc) -> bool, got {value!r}"),
    "error.config_retry_on": Msg(
        "NodeConfig 的 retry_on 必须是异常类型、异常类型的元组，或判断函数 (exc) -> bool，"
        "收到 {value!r}",
        "NodeConfig: retry_on must be an exception type, a tuple of exception types or a "
        "predicate (exc) -> bool, got {value!r}"),
    "error.retry_predicate_failed": Msg(
        "流程 {flow} 的节点 {node} 在第 {superstep} 超步第 {attempts} 次尝试失败（{failure}），"
        "判断是否重试时它的 retry_on 判断函数本身出错：{error}",
        "the retry_on predicate of node {node} (flow {flow}) itself failed while deciding "
        "whether to retry attempt {attempts} of superstep {superstep} ({failure}): {error}"),
}
