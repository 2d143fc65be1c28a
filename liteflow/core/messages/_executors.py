"""Catalog entries of distributed executors (see `liteflow.core.messages`)."""

from . import Msg

MESSAGES: dict[str, Msg] = {
    "executor.failed": Msg(
        "执行器无法运行流程 {flow} 的节点 {node}：{error}",
        "the executor cannot run node {node} of flow {flow}: {error}"),
    "executor.not_installed": Msg(
        "{executor} 需要安装 {package}：pip install 'liteflow[{extra}]'",
        "{executor} needs {package}: pip install 'liteflow[{extra}]'"),
    "executor.code_differs": Msg(
        "流程 {flow} 在工作节点上的代码与提交端不同（指纹 {worker} ≠ {driver}）：请在每个工作节点上安装"
        "同一版本的代码（节点函数须能从同一模块导入）",
        "the code of flow {flow} on a worker differs from the driver's (fingerprint {worker} ≠ "
        "{driver}): install the same version of the code on every worker (node functions must "
        "import from the same modules)"),
    "executor.plan_not_loaded": Msg(
        "工作节点无法加载流程 {flow} 的计划：{error}（节点函数须能在工作节点上从同一模块导入，"
        "或用 runtime_env 带上代码）",
        "a worker cannot load the plan of flow {flow}: {error} (node functions must be "
        "importable from the same modules on the workers, or shipped with runtime_env)"),
    "executor.deps_not_portable": Msg(
        "流程 {flow} 的依赖 {key} 无法序列化，不能发送到工作节点：{error}",
        "dependency {key} of flow {flow} cannot be serialized for the workers: {error}"),
    "executor.bad_options": Msg(
        "流程 {flow} 节点 {node} 的 metadata[{section!r}] 无效：{error}（可用：{allowed}）",
        "metadata[{section!r}] of node {node} in flow {flow} is invalid: {error} "
        "(allowed: {allowed})"),
    "executor.infeasible": Msg(
        "流程 {flow} 的节点 {node} 需要 {resource}={wanted}，但集群总共只有 {available}："
        "没有工作节点能运行它",
        "node {node} of flow {flow} needs {resource}={wanted} but the whole cluster has "
        "{available}: no worker can run it"),
    "executor.wait_timeout": Msg(
        "流程 {flow} 第 {superstep} 步的节点 {nodes} 在 {timeout} 秒内没有完成（资源不足或工作节点"
        "失联？）；已取消，本步不写入任何结果",
        "nodes {nodes} of flow {flow} did not finish superstep {superstep} within {timeout} s "
        "(resources short or workers lost?); cancelled, nothing of the step is applied"),
    "executor.closed": Msg(
        "{executor} 已关闭，不能再运行流程 {flow}",
        "{executor} is closed and cannot run flow {flow} any more"),
    "executor.no_plan": Msg(
        "{executor} 需要由 liteflow 的运行器调用（流程 {flow} 的调用没有计划）",
        "{executor} must be called by liteflow's runner (the calls of flow {flow} carry no plan)"),
    "executor.worker_lost": Msg(
        "工作进程崩溃（{error}）；不会自动重试，以免副作用重复",
        "the worker process crashed ({error}); not retried, so no side effect runs twice"),
}
