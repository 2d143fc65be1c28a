"""Catalog entries of the compiler's checks (`check.*`) and their hints (see `liteflow check`)."""

from . import Msg

MESSAGES: dict[str, Msg] = {
    # LF201: names
    "check.duplicate_node": Msg(
        "流程「{flow}」中有两个节点都叫「{name}」（另一个在 {other}）；用 @node(name=...) 给其中一"
        "个改名",
        "flow '{flow}' has two nodes named '{name}' (the other one is at {other}); rename one "
        "with @node(name=...)"),
    "check.unknown_node": Msg("流程「{flow}」的一条边指向未知节点「{name}」。{hint}",
                              "flow '{flow}': an edge names unknown node '{name}'. {hint}"),
    "check.unknown_route_key": Msg(
        "流程「{flow}」：节点「{node}」之后的 route 选择器可能返回「{key}」，但它不是 route 的键（"
        "{options}）。"
        "{hint}",
        "flow '{flow}': the route selector after node '{node}' can return '{key}', which is not "
        "one of its keys ({options}). {hint}"),
    "check.unknown_entry_route_key": Msg(
        "流程「{flow}」：START 处的 route 选择器可能返回「{key}」，但它不是 route 的键（{options}）。"
        "{hint}",
        "flow '{flow}': the route selector at START can return '{key}', which is not one of its "
        "keys ({options}). {hint}"),
    # LF202 / LF203: structure
    "check.empty_flow": Msg("流程「{flow}」没有任何节点：用 `>>` 连线，或写 START >> 节点",
                            "flow '{flow}' has no nodes: wire them with `>>`, or write START >> "
                            "node"),
    "check.no_entry": Msg("流程「{flow}」没有入口：每个节点都有前驱；用 START >> 节点 标出入口",
                          "flow '{flow}' has no entry: every node has a predecessor; mark one "
                          "with START >> node"),
    "check.unreachable": Msg("流程「{flow}」的节点「{node}」从任何入口（{entries}）都无法到达",
                             "flow '{flow}': node '{node}' is unreachable from every entry "
                             "({entries})"),
    "check.endless_cycle": Msg(
        "流程「{flow}」的循环 {cycle} 的每条边都是无条件的：一旦进入就会一直运行到超步上限；"
        "给其中一条边加 .when(...) 或改用 route(...)",
        "flow '{flow}': the cycle {cycle} has only unconditional edges: once entered it runs "
        "until the superstep limit; put a .when(...) on one of its edges or use route(...)"),
    # LF101: data flow
    "check.missing_input": Msg(
        "流程「{flow}」：节点「{node}」的必需输入「{key}」没有保证：在路径 {path} 上，没有流程输入"
        "或节点产生它。"
        "{hint}",
        "flow '{flow}': required input '{key}' of node '{node}' is not guaranteed: on the path "
        "{path} no flow input or node produces it. {hint}"),
    "check.missing_items": Msg(
        "流程「{flow}」：节点「{node}」的 each(...) 遍历的键「{key}」没有保证：在路径 {path} 上，"
        "没有流程输入或节点产生它。{hint}",
        "flow '{flow}': key '{key}', which each(...) maps node '{node}' over, is not "
        "guaranteed: on the path {path} no flow input or node produces it. {hint}"),
    "check.condition_key": Msg(
        "流程「{flow}」：节点「{node}」之后的{what}读取 out[\"{key}\"]，但「{node}」没有声明这个输"
        "出"
        "（它的输出：{outputs}）。{hint}",
        "flow '{flow}': the {what} after node '{node}' reads out[\"{key}\"], but '{node}' "
        "does not declare that output (its outputs: {outputs}). {hint}"),
    "check.condition_key_optional": Msg(
        "流程「{flow}」：节点「{node}」之后的{what}读取 out[\"{key}\"]，但「{node}」把它声明为 Not"
        "Required，"
        "可能不存在；请用 out.get(\"{key}\")",
        "flow '{flow}': the {what} after node '{node}' reads out[\"{key}\"], but '{node}' "
        "declares it NotRequired, so it may be missing; use out.get(\"{key}\")"),
    "check.what_condition": Msg("条件", "condition"),
    "check.what_selector": Msg("route 选择器", "route selector"),
    "check.hint_each_zero": Msg("{producers} 由 each(...) 映射，列表为空时一次也不运行、什么也不写；只有接在它后面的节点能依赖它的输出。",
                                "{producers} is mapped by each(...): on an empty list it runs zero times and writes nothing; only the nodes after it may rely on its outputs."),
    "check.hint_elsewhere": Msg("{producers} 会产生它，但不在这条路径上。",
                                "{producers} produce(s) it, but not on this path."),
    "check.hint_not_required": Msg("{producers} 把它声明为 NotRequired，所以它可能不存在。",
                                   "{producers} declare(s) it NotRequired, so it may be absent."),
    "check.hint_add_input": Msg(
        "把它加为流程参数，让「{node}」之前的节点产生它，或者给参数一个默认值。",
        "Make it a flow parameter, let a node before '{node}' produce it, or give the "
        "parameter a default."),
    # LF102 / LF105: types
    "check.type_mismatch": Msg(
        "流程「{flow}」中键「{key}」的类型不匹配：「{producer}」产生 {produced}，「{node}」需要 "
        "{expected}",
        "flow '{flow}': type mismatch for key '{key}': '{producer}' produces {produced}, "
        "'{node}' expects {expected}"),
    "check.type_mismatch_input": Msg(
        "流程「{flow}」中键「{key}」的类型不匹配：流程输入是 {produced}，「{node}」需要 {expected}",
        "flow '{flow}': type mismatch for key '{key}': the flow input is {produced}, '{node}' "
        "expects {expected}"),
    "check.type_mismatch_output": Msg(
        "流程「{flow}」的输出「{key}」类型不匹配：「{node}」产生 {produced}，流程返回 {expected}",
        "flow '{flow}': type mismatch for output '{key}': '{node}' produces {produced}, the "
        "flow returns {expected}"),
    "check.fallback_missing_key": Msg(
        "流程「{flow}」：节点「{node}」的 fallback「{fallback}」不返回「{node}」的必需输出「{key}"
        "」",
        "flow '{flow}': fallback '{fallback}' of node '{node}' does not return '{key}', a "
        "required output of '{node}'"),
    "check.fallback_extra_key": Msg(
        "流程「{flow}」：节点「{node}」的 fallback「{fallback}」返回键「{key}」，但「{node}」没有"
        "声明它",
        "flow '{flow}': fallback '{fallback}' of node '{node}' returns key '{key}', which "
        "'{node}' does not declare"),
    "check.fallback_type": Msg(
        "流程「{flow}」：节点「{node}」的 fallback「{fallback}」为「{key}」返回 {produced}，"
        "「{node}」声明的是 {expected}",
        "flow '{flow}': fallback '{fallback}' of node '{node}' returns {produced} for '{key}'; "
        "'{node}' declares {expected}"),
    "check.fallback_param": Msg(
        "流程「{flow}」：节点「{node}」的 fallback「{fallback}」不接受参数「{param}」，但调用时会"
        "传入它"
        "（fallback 接收节点的参数，再加上 error）",
        "flow '{flow}': fallback '{fallback}' of node '{node}' does not accept parameter "
        "'{param}', which it is called with (a fallback takes the node's parameters plus "
        "error)"),
    "check.fallback_extra_param": Msg(
        "流程「{flow}」：节点「{node}」的 fallback「{fallback}」需要参数「{param}」，但调用时只传"
        "入节点的输入和 error",
        "flow '{flow}': fallback '{fallback}' of node '{node}' requires parameter '{param}', "
        "but it is called with the node's inputs and error only"),
    "check.each_not_sequence": Msg(
        "流程「{flow}」：节点「{node}」的 each(...) 遍历键「{key}」，但它不是序列（类型 {type}）",
        "flow '{flow}': each(...) of node '{node}' iterates over key '{key}', which is not a "
        "sequence (type {type})"),
    "check.each_item_type": Msg(
        "流程「{flow}」：节点「{node}」的 each(...)：「{key}」的元素是 {produced}，参数「{item}」"
        "需要 "
        "{expected}",
        "flow '{flow}': each(...) of node '{node}': the elements of '{key}' are {produced}, "
        "parameter '{item}' expects {expected}"),
    # LF103 / LF104 / LF302: keys
    "check.output_never_produced": Msg(
        "流程「{flow}」的输出键「{key}」从未被任何节点产生。{hint}",
        "flow '{flow}': output key '{key}' is never produced by any node. {hint}"),
    "check.strategy_conflict": Msg(
        "流程「{flow}」中键「{key}」的合并策略冲突：「{first}」声明 {a}，「{node}」声明 {b}",
        "flow '{flow}': conflicting merge strategies for key '{key}': '{first}' declares {a}, "
        "'{node}' declares {b}"),
    "check.unread_output": Msg(
        "流程「{flow}」：节点「{node}」的输出「{key}」没有节点读取，也不是流程输出",
        "flow '{flow}': output '{key}' of node '{node}' is read by no node and is not a flow "
        "output"),
    # LF204 / LF301: joins and parallel writes
    "check.join_conditional": Msg(
        "流程「{flow}」：汇合节点「{node}」的父节点「{parent}」位于其他父节点没有的条件"
        "（.when 或 route）之后，所以「{node}」可能永远不会运行",
        "flow '{flow}': parent '{parent}' of join node '{node}' sits behind a condition "
        "(.when or route) that the other parents do not share, so '{node}' may never run"),
    "check.parallel_overwrite": Msg(
        "流程「{flow}」：节点「{other}」和「{node}」总在同一超步运行，并且都写入 OVERWRITE 键「"
        "{key}」；"
        "给这个键声明 APPEND 等策略，或让它们写不同的键",
        "flow '{flow}': nodes '{other}' and '{node}' always run in the same superstep and "
        "both write OVERWRITE key '{key}'; declare a strategy such as APPEND for it, or let "
        "them write different keys"),
    "check.each_overwrite": Msg(
        "流程「{flow}」：each(...) 节点「{node}」的各个实例在同一超步运行，并且都写入 OVERWRITE 键"
        "「{key}」；"
        "给这个键声明 APPEND 等策略",
        "flow '{flow}': the instances of each(...) node '{node}' run in the same superstep and "
        "all write OVERWRITE key '{key}'; declare a strategy such as APPEND for it"),
}
