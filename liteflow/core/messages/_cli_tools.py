"""Catalog entries of the command line as a tool: argparse's own words, load errors named
by the command, `check --format sarif|github|json`, `--timeout`, and the rules' help."""

from . import Msg

MESSAGES: dict[str, Msg] = {
    # argparse, in the chosen language
    "cli.usage": Msg("用法：", "usage: "),
    "cli.section_positional": Msg("位置参数", "positional arguments"),
    "cli.section_options": Msg("选项", "options"),
    "cli.section_commands": Msg("子命令", "commands"),
    "cli.option_help": Msg("显示帮助并退出", "show this help message and exit"),
    "cli.usage_error": Msg("{prog}：错误：{error}", "{prog}: error: {error}"),
    "cli.arg_unrecognized": Msg("无法识别的参数：{args}", "unrecognized arguments: {args}"),
    "cli.arg_required": Msg("缺少必需的参数：{args}",
                            "the following arguments are required: {args}"),
    "cli.arg_invalid_choice": Msg("参数 {option}：无效的取值 {value}（可选：{choices}）",
                                  "argument {option}: invalid choice: {value} (choose from "
                                  "{choices})"),
    "cli.arg_expected_one": Msg("参数 {option}：需要一个值",
                                "argument {option}: expected one argument"),
    "cli.arg_invalid_value": Msg("参数 {option}：无效的 {type} 值：{value}",
                                 "argument {option}: invalid {type} value: {value}"),
    # loading a module, by the command that was run
    "cli.command_failed": Msg("liteflow {command} 出错：{error}", "liteflow {command}: {error}"),
    "cli.is_directory": Msg("{path} 是一个目录，不是 Python 文件",
                            "{path} is a directory, not a Python file"),
    "cli.not_python": Msg("{path} 不是 Python 文件（需要 .py 文件）",
                          "{path} is not a Python file (expected a .py file)"),
    "cli.import_timeout": Msg("导入 {path} 超过 {seconds} 秒仍未完成（可用 --timeout 调整）",
                              "importing {path} did not finish within {seconds} s (change the "
                              "limit with --timeout)"),
    "cli.checker_died": Msg("检查 {path} 的进程意外结束（退出码 {status}）",
                            "the process checking {path} ended unexpectedly (exit status "
                            "{status})"),
    "cli.input_json_too_deep": Msg("--input-json 嵌套太深", "--input-json is nested too deeply"),
    # liteflow check
    "cli.check_option_formats": Msg(
        "输出格式：text（像编译器一样逐行）、json、sarif（代码扫描工具）或 github（工作流注释）",
        "output format: text (one line each, like a compiler), json, sarif (code-scanning "
        "tools) or github (workflow annotations)"),
    "cli.check_option_timeout": Msg("导入模块最多等待的秒数（默认 30）",
                                    "seconds to wait for the module to import (default 30)"),
    # The rules, as code-scanning tools show them (SARIF `rules`).
    "rule.LF100": Msg("节点签名无效", "invalid node signature"),
    "rule_help.LF100": Msg(
        "节点函数不能用 *args/**kwargs，返回注解必须是 TypedDict 或 None，类型注解必须能解析。",
        "A node function takes no *args/**kwargs, its return annotation is a TypedDict or "
        "None, and its hints must resolve."),
    "rule.LF101": Msg("必需的输入没有保证", "required input not guaranteed"),
    "rule_help.LF101": Msg(
        "在某次可能的运行中，节点被激活时这个键既不是流程输入，也没有更早的写入。"
        "让产生它的节点在所有路径上先运行（例如用汇合 [a, b] >> c），或给参数一个默认值。",
        "In some possible run the node is activated while no flow input and no earlier write "
        "has defined the key. Make its producer run first on every path (a join [a, b] >> c, "
        "for instance) or give the parameter a default."),
    "rule.LF102": Msg("类型不匹配", "type mismatch"),
    "rule_help.LF102": Msg("生产者声明的输出类型与消费者的参数类型不兼容。",
                           "A producer's declared output type does not fit the consumer's "
                           "parameter type."),
    "rule.LF103": Msg("流程输出从未产生", "flow output never produced"),
    "rule_help.LF103": Msg("没有节点（也没有流程输入）产生这个输出键。",
                           "No node (and no flow input) produces this output key."),
    "rule.LF104": Msg("合并策略冲突", "conflicting merge strategies"),
    "rule_help.LF104": Msg("同一个键的所有声明必须使用同一种合并策略。",
                           "Every declaration of one key must use the same merge strategy."),
    "rule.LF105": Msg("each 的键不合适", "unsuitable each() key"),
    "rule_help.LF105": Msg("each 遍历的键必须是序列，且元素类型符合 item 参数。",
                           "The key each() maps over must be a sequence whose element type "
                           "fits the item parameter."),
    "rule.LF201": Msg("未知或重复的节点名", "unknown or duplicate node name"),
    "rule_help.LF201": Msg("边引用了不存在的节点，或两个节点同名；按提示改正名字。",
                           "An edge names an unknown node, or two nodes share a name; fix the "
                           "name as suggested."),
    "rule.LF202": Msg("节点不可达", "unreachable node"),
    "rule_help.LF202": Msg("从任何入口都到不了这个节点：连上它，或用 START >> 节点 标出入口。",
                           "No entry reaches this node: wire it in, or mark an entry with "
                           "START >> node."),
    "rule.LF203": Msg("永不停止的循环", "cycle that never stops"),
    "rule_help.LF203": Msg(
        "循环上的每条边都是无条件的（包括所有父节点都无条件位于循环上的汇合），"
        "一旦进入就会跑到超步上限。在某条边上加 .when(...) 或用 route(...)。",
        "Every edge on the cycle is unconditional (a join whose parents all sit "
        "unconditionally on it counts too), so once entered it runs until the superstep "
        "limit. Put a .when(...) on one of its edges or use route(...)."),
    "rule.LF204": Msg("汇合的父节点条件不一致", "join parents guarded differently"),
    "rule_help.LF204": Msg("汇合的某个父节点位于其他父节点没有的条件之后，汇合可能永远不触发。",
                           "A parent of the join sits behind a condition the others do not "
                           "share, so the join may never fire."),
    "rule.LF301": Msg("同一超步覆盖写同一个键", "parallel overwrite of one key"),
    "rule_help.LF301": Msg("总在同一超步运行的两个节点都以 OVERWRITE 写同一个键；"
                           "换成 APPEND/MERGE 等策略，或改用不同的键。",
                           "Two nodes that always run in the same superstep both write an "
                           "OVERWRITE key; use APPEND, MERGE or another strategy, or separate "
                           "keys."),
    "rule.LF302": Msg("无人读取的输出", "output nobody reads"),
    "rule_help.LF302": Msg("没有节点读取这个输出，它也不是流程输出：可能是遗留或拼错的键。",
                           "No node reads this output and it is not a flow output: most likely "
                           "a leftover or a misspelt key."),
}
