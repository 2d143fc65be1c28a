"""Catalog entries of the command line."""

from . import Msg

MESSAGES: dict[str, Msg] = {
    "cli.description": Msg("liteflow：类型安全、可检查的工作流", "liteflow: typed, checked workflows"),
    "cli.option_lang": Msg("输出语言（zh 或 en）", "output language (zh or en)"),
    "cli.option_verbose": Msg("显示更多细节（出错时显示回溯）",
                              "show more detail (tracebacks on errors)"),
    "cli.file_not_found": Msg("找不到文件 {path}", "file not found: {path}"),
    "cli.load_failed": Msg("无法加载 {path}：{error}", "cannot load {path}: {error}"),
    # liteflow check
    "cli.check_help": Msg("静态检查文件中的每个流程和工作流（不运行任何节点）",
                          "check every flow and workflow in a file, without running a node"),
    "cli.check_option_path": Msg("要检查的 Python 文件（可以有多个）",
                                 "the Python file(s) to check"),
    "cli.check_option_strict": Msg("警告也算失败（退出码 1）",
                                   "treat warnings as failures (exit status 1)"),
    "cli.check_clean": Msg("✓ 检查了 {flows} 个流程：没有发现问题",
                           "✓ {flows} flow(s) checked: no problems found"),
    "cli.check_summary": Msg("检查了 {flows} 个流程：{errors} 个错误，{warnings} 个警告",
                             "{flows} flow(s) checked: {errors} error(s), {warnings} "
                             "warning(s)"),
    "cli.check_no_flows": Msg("{path} 中没有流程或工作流（@flow、Workflow 或 Graph 对象）",
                              "{path} defines no flow or workflow (a @flow, Workflow or Graph "
                              "object)"),
    # liteflow graph
    "cli.graph_help": Msg("把流程导出为 Mermaid 或 DOT 图",
                          "export a flow as a Mermaid or DOT diagram"),
    "cli.graph_option_target": Msg("path.py[:名字]：文件，以及其中的流程（只有一个时可省略名字）",
                                   "path.py[:name]: the file, and the flow in it (the name may "
                                   "be left out when there is only one)"),
    "cli.graph_option_format": Msg("图的格式：mermaid 或 dot", "diagram format: mermaid or dot"),
    "cli.graph_option_output": Msg("写入这个文件，而不是标准输出",
                                   "write to this file instead of standard output"),
    "cli.graph_broken": Msg("流程「{flow}」有错误，无法画图；"
                            "运行 liteflow check {path} 查看全部问题",
                            "flow '{flow}' has errors and cannot be drawn; run liteflow check "
                            "{path} to see them all"),
    # liteflow run / --workflow
    "cli.run_help": Msg("运行文件中的流程或工作流", "run a flow or workflow from a file"),
    "cli.run_option_target": Msg("path.py[:名字]：文件，以及其中的流程（只有一个时可省略名字）",
                                 "path.py[:name]: the file, and the flow in it (the name may be "
                                 "left out when there is only one)"),
    "cli.run_option_input": Msg("一个输入，写成 键=值（值按输入的类型解析；可重复）",
                                "one input as key=value (parsed by the input's type; "
                                "repeatable)"),
    "cli.run_option_input_json": Msg("全部输入，写成一个 JSON 对象",
                                     "all inputs as one JSON object"),
    "cli.run_option_json": Msg("以 JSON 打印结果（给程序读）",
                               "print the result as JSON (for programs)"),
    "cli.run_bad_input": Msg("--input 需要「键=值」的形式，收到「{value}」",
                             "--input needs the form key=value, got '{value}'"),
    "cli.run_bad_json": Msg("--input-json 不是合法的 JSON：{error}",
                            "--input-json is not valid JSON: {error}"),
    "cli.run_json_not_object": Msg("--input-json 必须是一个 JSON 对象 {{...}}，收到的是 {kind}",
                                   "--input-json must be a JSON object {{...}}, got {kind}"),
    "cli.run_no_target": Msg("{path} 中没有流程或工作流（@flow、Workflow 或 Graph 对象）",
                             "{path} defines no flow or workflow (a @flow, Workflow or Graph "
                             "object)"),
    "cli.run_target_missing": Msg(
        "{path} 中没有名为 {name} 的流程或工作流（可选：{options}）。{hint}",
                                  "{path} has no flow or workflow named {name} (choices: "
                                  "{options}). {hint}"),
    "cli.run_target_ambiguous": Msg(
        "{path} 中有多个流程或工作流：{options}；用 {path}:名字 选择一个",
                                    "{path} defines several flows or workflows: {options}; pick "
                                    "one with {path}:name"),
    "cli.run_not_runnable": Msg("{path} 中的 {name} 不是流程或工作流（它是 {kind}）",
                                "{name} in {path} is not a flow or workflow (it is {kind})"),
    "cli.run_error": Msg("错误：{error}", "error: {error}"),
    "cli.run_unexpected": Msg("错误：{error}（加 --verbose 查看回溯）",
                              "error: {error} (add --verbose for the traceback)"),
    "cli.run_cancelled": Msg("已取消", "cancelled"),
    "cli.run_done": Msg("✅ {flow} 完成：{supersteps} 个超步，耗时 {seconds:.2f}s",
                        "✅ {flow} completed: {supersteps} superstep(s) in {seconds:.2f}s"),
    "cli.run_paused": Msg("⏸ {flow} 已暂停，等待恢复：{payload}",
                          "⏸ {flow} is paused, waiting to be resumed: {payload}"),
    "cli.run_running": Msg("正在运行 {flow}…", "running {flow}…"),
    "cli.run_progress": Msg("正在运行 {flow}：第 {superstep} 个超步完成（{nodes}）",
                            "running {flow}: superstep {superstep} done ({nodes})"),
    "cli.run_outputs": Msg("输出", "Outputs"),
    "cli.run_final_state": Msg("最终状态", "Final state"),
    "cli.run_col_key": Msg("键", "key"),
    "cli.run_col_value": Msg("值", "value"),
    "cli.run_col_superstep": Msg("超步", "step"),
    "cli.run_col_node": Msg("节点", "node"),
    "cli.run_col_time": Msg("耗时", "time"),
    "cli.run_col_writes": Msg("写入", "writes"),
    "cli.workflow_option": Msg("运行文件中的流程或工作流并打印最终状态（path.py[:名字]）",
                               "run the flow or workflow in a file and print its final state "
                               "(path.py[:name])"),
    # liteflow demo / --demo
    "cli.demo_help": Msg("运行内置的中文演示：链式、并行、条件循环，实时显示每个超步",
                         "run the built-in demo: a chain, a fan-out and a conditional loop, "
                         "showing each superstep live"),
    "cli.demo_option": Msg("运行内置演示（同 liteflow demo）",
                           "run the built-in demo (same as liteflow demo)"),
    "cli.demo_option_offline": Msg("不调用模型，即使设置了 OPENAI_API_KEY",
                                   "never call a model, even with OPENAI_API_KEY set"),
    "cli.demo_option_topic": Msg("演示文章的主题", "the topic of the demo article"),
    "cli.demo_title": Msg("liteflow 演示：{flow}", "liteflow demo: {flow}"),
    "cli.demo_topic": Msg("主题：{topic}", "topic: {topic}"),
    "cli.demo_chain": Msg("链式　{path}", "chain     {path}"),
    "cli.demo_fanout": Msg("并行　{branches} 在同一个超步里同时运行，{join} 等两者都完成",
                           "fan-out   {branches} run in the same superstep; {join} waits for "
                           "both"),
    "cli.demo_loop": Msg("循环　{check} → {fix}（当分数 < {target}）→ {check}",
                         "loop      {check} → {fix} (while the score < {target}) → {check}"),
    "cli.demo_offline": Msg("离线模式：未设置 OPENAI_API_KEY，初稿来自内置模板",
                            "offline: OPENAI_API_KEY is not set, the draft comes from a built-in "
                            "template"),
    "cli.demo_online": Msg("在线模式：初稿调用模型 {model}（失败时回退到内置模板）",
                           "online: the draft is written by model {model} (falling back to the "
                           "built-in template on failure)"),
    "cli.demo_supersteps": Msg("超步（实时）", "Supersteps (live)"),
}
