"""Catalog entries of the core: definitions, compiler structure, runner."""

from . import Msg

MESSAGES: dict[str, Msg] = {
    "error.generic": Msg("liteflow 出错了", "liteflow error"),
    "hint.did_you_mean": Msg("你是不是想用「{suggestion}」？", "Did you mean '{suggestion}'?"),
    # Declarations
    "error.config_value": Msg("选项 {option} 的值 {value!r} 无效",
                              "invalid value {value!r} for option {option}"),
    "error.wiring_outside_flow": Msg(
        "`>>` 只能写在 @flow 函数体内（连线在声明流程时记录）",
        "`>>` can only be used inside a @flow body (wiring is recorded when a flow is declared)"),
    "error.wiring_from_end": Msg("END 是终点，不能再连出边", "END is a sink: nothing can follow it"),
    "error.wiring_from_route": Msg("route(...) 之后不能再接 `>>`：把后续节点写进 route 的映射里",
                                   "nothing can follow route(...) with `>>`: list the targets "
                                   "in the route mapping"),
    "error.not_callable": Msg("{what}(...) 需要一个可调用对象，收到的是 {value}",
                              "{what}(...) needs a callable, got {value}"),
    "error.bad_route_target": Msg("route 的键「{key}」指向 {value}，它不是节点、each(...) 或 END",
                                  "route key '{key}' maps to {value}, which is not a node, "
                                  "each(...) or END"),
    "error.not_a_node": Msg("{value} 不是节点：请先用 @node 或 @flow 装饰",
                            "{value} is not a node: decorate it with @node or @flow"),
    "error.each_no_item": Msg("each(\"{key}\", {node})：节点 {node} 没有参数可以接收元素",
                              "each(\"{key}\", {node}): node {node} has no parameter to receive "
                              "the element"),
    "error.each_bad_item": Msg("each(...)：节点 {node} 没有参数 {item}（它的参数：{params}）",
                               "each(...): node {node} has no parameter {item} (its parameters: "
                               "{params})"),
    "error.each_twice": Msg("节点 {node} 被 each(...) 以不同的方式映射了两次",
                            "node {node} is mapped by each(...) twice in different ways"),
    "error.bad_wiring_target": Msg("{node} >> {value}：右边必须是节点、节点列表、.when(...)、"
                                   "route(...) 或 each(...)",
                                   "{node} >> {value}: the right side must be a node, a list of "
                                   "nodes, .when(...), route(...) or each(...)"),
    "error.bad_join_source": Msg("汇合 [...] >> 节点 的列表里只能是节点，收到 {value}",
                                 "a join [...] >> node lists nodes only, got {value}"),
    "error.flow_trace_failed": Msg("声明流程 {flow} 时函数体出错：{error}（函数体只应连线）",
                                   "the body of flow {flow} failed while it was traced: {error} "
                                   "(a flow body should only wire nodes)"),
    # Definition problems (LF100)
    "problem.return_not_typeddict": Msg(
        "节点 {node} 的返回注解 {hint} 不是 TypedDict 或 None",
        "node {node}: return annotation {hint} is not a TypedDict or None"),
    "problem.unresolvable_hints": Msg("节点 {node} 的类型注解无法解析：{error}",
                                      "node {node}: type hints cannot be resolved: {error}"),
    "problem.var_args": Msg("节点 {node} 不能有 *args/**kwargs 参数（{param}）：每个参数都是一个状态键",
                            "node {node} cannot take *args/**kwargs ({param}): every parameter "
                            "is a state key"),
    "problem.positional_only": Msg("节点 {node} 的参数 {param} 是仅限位置参数：输入按名字传入",
                                   "node {node}: parameter {param} is positional-only, but "
                                   "inputs are passed by name"),
    "problem.no_return_hint": Msg("节点 {node} 缺少返回注解：请写 -> 某个TypedDict 或 -> None",
                                  "node {node} has no return annotation: write -> SomeTypedDict "
                                  "or -> None"),
    "problem.flow_context_param": Msg("流程 {node} 的参数 {param} 不能是 Context：流程参数是输入",
                                      "flow {node}: parameter {param} cannot be a Context: flow "
                                      "parameters are inputs"),
    # Compiler (the checks' own messages are in _compiler.py)
    "error.compile": Msg("流程 {flow} 有 {count} 个错误：{details}",
                         "flow {flow} has {count} error(s):{details}"),
    # Running
    "error.event_loop": Msg("{flow}.{method}() 不能在运行中的事件循环里调用：请改用 await "
                            "{flow}.{async_method}(...)",
                            "{flow}.{method}() cannot be called inside a running event loop: "
                            "use await {flow}.{async_method}(...) instead"),
    "error.bad_executor": Msg("executor 必须是 Executor（例如 LocalExecutor()），收到 {value}",
                              "executor must be an Executor (such as LocalExecutor()), got "
                              "{value}"),
    "error.event_loop_choice": Msg("环境变量 {variable}={value} 无效：应为 auto、uvloop 或 asyncio"
                                   "（uvloop 需已安装）",
                                   "environment variable {variable}={value} is not usable: "
                                   "write auto, uvloop or asyncio (uvloop must be installed)"),
    "error.flow_input_unknown": Msg("流程 {flow} 没有输入 {key}（它的输入：{expected}）。{hint}",
                                    "flow {flow} has no input {key} (its inputs: {expected}). "
                                    "{hint}"),
    "error.flow_input_missing": Msg("流程 {flow} 缺少必需的输入 {key}",
                                    "flow {flow} is missing the required input {key}"),
    "error.flow_input_type": Msg("流程 {flow} 的输入 {key} 应为 {expected}，实际是 {actual}",
                                 "flow {flow}: input {key} should be {expected}, got {actual}"),
    "error.flow_too_many_args": Msg("流程 {flow} 只有 {expected} 个输入，却收到 {count} 个位置参数",
                                    "flow {flow} has {expected} inputs but got {count} "
                                    "positional arguments"),
    "error.flow_input_twice": Msg("流程 {flow} 的输入 {key} 被传了两次",
                                  "flow {flow}: input {key} was given twice"),
    "error.flow_output_missing": Msg("流程 {flow} 已结束，但没有产生输出 {key}",
                                     "flow {flow} finished without producing its output {key}"),
    "error.flow_output_type": Msg("流程 {flow} 的输出 {key} 应为 {expected}，实际是 {actual}",
                                  "flow {flow}: output {key} should be {expected}, got {actual}"),
    "error.node_input_missing": Msg("流程 {flow} 的节点 {node} 需要输入 {key}，但状态中没有它",
                                    "flow {flow}: node {node} needs input {key}, which is not in "
                                    "the state"),
    "error.node_type": Msg("流程 {flow} 的节点 {node}：键 {key} 类型错误",
                           "flow {flow}: node {node}: wrong type for key {key}"),
    "error.node_input_type": Msg("流程 {flow} 的节点 {node}：输入 {key} 应为 {expected}，实际是 "
                                 "{actual}",
                                 "flow {flow}: node {node}: input {key} should be {expected}, "
                                 "got {actual}"),
    "error.node_output_type": Msg("流程 {flow} 的节点 {node}：输出 {key} 应为 {expected}，实际是 "
                                  "{actual}",
                                  "flow {flow}: node {node}: output {key} should be {expected}, "
                                  "got {actual}"),
    "error.node_output_missing": Msg("流程 {flow} 的节点 {node} 没有返回必需的输出 {key}",
                                     "flow {flow}: node {node} did not return its required "
                                     "output {key}"),
    "error.node_output_not_dict": Msg("流程 {flow} 的节点 {node} 应返回字典，实际返回 {actual}",
                                      "flow {flow}: node {node} must return a dict, got {actual}"),
    "error.node_undeclared_key": Msg(
        "流程 {flow} 的节点 {node} 返回了未声明的键 {key}（已声明：{declared}）；"
        "把它加进返回的 TypedDict",
        "flow {flow}: node {node} returned the undeclared key {key} (declared: {declared}); "
        "add it to the node's return TypedDict"),
    "error.node_misspelled_key": Msg(
        "流程 {flow} 的节点 {node} 返回了未声明的键 {key}，却没有返回声明的 {missing}：是不是拼错了？"
        "应为「{suggestion}」",
        "flow {flow}: node {node} returned the undeclared key {key} and not the declared "
        "{missing}: a typo? Did you mean '{suggestion}'?"),
    "error.node_timeout": Msg("流程 {flow} 的节点 {node} 第 {attempt} 次尝试超时（{timeout} 秒）",
                              "flow {flow}: node {node} timed out after {timeout}s (attempt "
                              "{attempt})"),
    "error.node_failed": Msg("流程 {flow} 的节点 {node} 在第 {superstep} 超步失败，共尝试 {attempts} "
                             "次：{error}",
                             "flow {flow}: node {node} failed in superstep {superstep} after "
                             "{attempts} attempt(s): {error}"),
    "error.state_conflict": Msg("流程 {flow} 的节点 {node} 写入键 {key} 冲突（策略 RAISE）：已有 {old}，"
                                "新值 {new}",
                                "flow {flow}: node {node} wrote a conflicting value to key {key} "
                                "(strategy RAISE): had {old}, got {new}"),
    "error.superstep_limit": Msg(
        "流程 {flow} 超过了 {limit} 个超步的上限；仍在运行的节点：{nodes}（很可能是一个停不下来的循环）",
        "flow {flow} exceeded its limit of {limit} supersteps; nodes still active: {nodes} "
        "(most likely a loop that never stops)"),
    "error.condition_failed": Msg("流程 {flow} 中节点 {node} 之后的条件出错：{error}",
                                  "flow {flow}: a condition after node {node} failed: {error}"),
    "error.route_unknown_key": Msg("流程 {flow} 中节点 {node} 之后的 route 返回了 {key}，可选的键："
                                   "{options}。{hint}",
                                   "flow {flow}: the route after node {node} returned {key}; its "
                                   "keys are: {options}. {hint}"),
    "error.each_not_sequence": Msg("流程 {flow} 的节点 {node}：each 的键 {key} 应为序列，实际是 "
                                   "{actual}",
                                   "flow {flow}: node {node}: each() key {key} must be a "
                                   "sequence, got {actual}"),
    "error.interrupt_needs_checkpointer": Msg(
        "流程 {flow} 的节点 {node} 调用了 interrupt()，但运行没有配置 checkpointer",
        "flow {flow}: node {node} called interrupt(), but the run has no checkpointer"),
    # Builder API (Workflow, Graph, Node, Edge, StateManager)
    "builder.unknown_node": Msg("边 {src} → {dst} 引用了不存在的节点「{name}」。{hint}",
                                "edge {src} → {dst} names unknown node '{name}'. {hint}"),
    "builder.unknown_entry": Msg("入口「{name}」不是工作流 {flow} 的节点。{hint}",
                                 "entry '{name}' is not a node of workflow {flow}. {hint}"),
    "builder.duplicate_node": Msg("工作流 {flow} 中有两个节点都叫「{name}」（另一个在 {other}）",
                                  "workflow {flow} has two nodes named '{name}' (the other one "
                                  "is at {other})"),
    "builder.empty": Msg("工作流 {flow} 没有任何节点：先用 add_node(名字, 函数) 添加节点",
                         "workflow {flow} has no nodes: add some with add_node(name, fn)"),
    "builder.no_entry": Msg(
        "工作流 {flow} 没有入口：每个节点都有前驱；用 set_entry(名字) 或 Graph(..., start=名字) "
        "指定入口",
        "workflow {flow} has no entry: every node has a predecessor; choose one with "
        "set_entry(name) or Graph(..., start=name)"),
    "builder.bad_param": Msg(
        "节点 {node} 的参数 {param} 无法传入：构建器节点的函数形如 fn(inputs, **context)，"
        "可用的上下文参数：{keys}",
        "node {node}: parameter {param} cannot be filled: builder node functions look like "
        "fn(inputs, **context), with the context keywords {keys}"),
    "builder.no_executor": Msg(
        "节点 {node} 没有可执行的函数：传入 executor，或在子类中重写 execute(inputs, **context)",
        "node {node} has nothing to run: pass an executor, or override "
        "execute(inputs, **context) in a subclass"),
    "builder.bad_name": Msg("节点名必须是非空字符串，收到 {value}",
                            "a node name must be a non-empty string, got {value}"),
    "builder.state_conflict": Msg("键 {key} 写入冲突（策略 RAISE）：已有 {old}，新值 {new}",
                                  "conflicting write to key {key} (strategy RAISE): had {old}, "
                                  "got {new}"),
    # Logger
    "log.run_started": Msg("🚀 工作流 {flow} 开始执行", "🚀 Workflow {flow} started"),
    "log.run_finished": Msg("✅ 工作流 {flow} 完成，耗时 {seconds:.2f}s",
                            "✅ Workflow {flow} finished in {seconds:.2f}s"),
}
