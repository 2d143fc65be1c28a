"""Catalog entries for `liteflow.components` (tools, chat models, agents, the calculator).

See `liteflow.core.messages`. Every entry names the tool, argument, model or agent it is about.
"""

from . import Msg

MESSAGES: dict[str, Msg] = {
    # Tool definitions and the registry.
    "tool.bad_signature": Msg(
        zh="工具 {tool} 的参数 {key} 无法作为工具参数：{reason}",
        en="Tool {tool} cannot take parameter {key}: {reason}",
    ),
    "tool.no_annotation": Msg(
        zh="工具 {tool} 的参数 {key} 缺少类型注解；工具参数的 JSON Schema 由类型注解生成",
        en="Tool {tool}: parameter {key} has no type annotation; "
        "the JSON schema of a tool's arguments comes from its annotations",
    ),
    "tool.variadic": Msg(
        zh="工具 {tool} 不能使用 *{key} 或 **{key} 参数：每个参数都必须有名字和类型",
        en="Tool {tool} cannot take *{key} or **{key}: every argument needs a name and a type",
    ),
    "tool.not_a_function": Msg(
        zh="{tool} 已经是工具对象了：请用 registry.register(...) 注册它",
        en="{tool} is already a tool object: add it with registry.register(...)",
    ),
    "tool.positional_only": Msg(
        zh="工具 {tool} 的参数 {key} 是仅限位置参数；模型按名字传参，请去掉 /",
        en="Tool {tool}: parameter {key} is positional-only, but a model passes arguments by "
        "name; remove the /",
    ),
    "tool.no_run": Msg(
        zh="工具 {tool} 没有实现 _run 或 _arun",
        en="Tool {tool} implements neither _run nor _arun",
    ),
    "tool.bad_name": Msg(
        zh="工具名 {tool} 无效：工具名不能为空，也不能包含空白字符",
        en="Invalid tool name {tool}: a tool name must be non-empty and contain no whitespace",
    ),
    "tool.duplicate": Msg(
        zh="工具 {tool} 已经注册过了",
        en="Tool {tool} is already registered",
    ),
    "tool.unknown": Msg(
        zh="未知工具 {tool}（已注册的工具：{known}）",
        en="Unknown tool {tool} (registered tools: {known})",
    ),
    "tool.unknown_suggest": Msg(
        zh="未知工具 {tool}，你是不是想用 {suggestion}？（已注册的工具：{known}）",
        en="Unknown tool {tool}; did you mean {suggestion}? (registered tools: {known})",
    ),
    # Tool arguments.
    "tool.argument_missing": Msg(
        zh="工具 {tool} 缺少必填参数 {key}",
        en="Tool {tool} is missing the required argument {key}",
    ),
    "tool.argument_unknown": Msg(
        zh="工具 {tool} 没有参数 {key}（可用参数：{known}）",
        en="Tool {tool} has no argument {key} (its arguments: {known})",
    ),
    "tool.argument_unknown_suggest": Msg(
        zh="工具 {tool} 没有参数 {key}，你是不是想用 {suggestion}？（可用参数：{known}）",
        en="Tool {tool} has no argument {key}; did you mean {suggestion}? "
        "(its arguments: {known})",
    ),
    "tool.argument_invalid": Msg(
        zh="工具 {tool} 的参数 {key} 无效：期望 {expected}，得到 {value}（{detail:zh}）",
        en="Tool {tool}: invalid argument {key}: expected {expected}, got {value} ({detail:en})",
    ),
    "tool.failed": Msg(
        zh="工具 {tool} 执行失败：{error}",
        en="Tool {tool} failed: {error}",
    ),
    # The calculator.
    "calc.empty": Msg(
        zh="计算器（{tool}）：表达式为空",
        en="Calculator ({tool}): the expression is empty",
    ),
    "calc.too_long": Msg(
        zh="计算器（{tool}）：表达式太长（{length} 个字符，最多 {limit} 个）",
        en="Calculator ({tool}): the expression is too long ({length} characters, at most {limit})",
    ),
    "calc.too_complex": Msg(
        zh="计算器（{tool}）：表达式太复杂（嵌套或运算过多）",
        en="Calculator ({tool}): the expression is too complex (too deeply nested or too many "
        "operations)",
    ),
    "calc.syntax": Msg(
        zh="计算器（{tool}）：表达式 {expression} 有语法错误（第 {position} 个字符附近）",
        en="Calculator ({tool}): syntax error in {expression} (near character {position})",
    ),
    "calc.not_allowed": Msg(
        zh="计算器（{tool}）：不允许使用 {what}；只支持数字、+ - * / // % **、括号和 {functions}",
        en="Calculator ({tool}): {what} is not allowed; only numbers, + - * / // % **, "
        "parentheses and {functions} are supported",
    ),
    "calc.not_a_number": Msg(
        zh="计算器（{tool}）：结果不是一个数（{value}）",
        en="Calculator ({tool}): the result is not a number ({value})",
    ),
    "calc.unknown_name": Msg(
        zh="计算器（{tool}）：未知的名字 {name}；可用的函数和常量：{functions}",
        en="Calculator ({tool}): unknown name {name}; available functions and constants: "
        "{functions}",
    ),
    "calc.bad_call": Msg(
        zh="计算器（{tool}）：函数 {name} 的参数不对：{error}",
        en="Calculator ({tool}): wrong arguments for {name}: {error}",
    ),
    "calc.keyword_arguments": Msg(
        zh="计算器（{tool}）：函数 {name} 不接受关键字参数",
        en="Calculator ({tool}): {name} takes no keyword arguments",
    ),
    "calc.too_many_arguments": Msg(
        zh="计算器（{tool}）：函数 {name} 最多接受 {limit} 个参数",
        en="Calculator ({tool}): {name} takes at most {limit} arguments",
    ),
    "calc.argument_range": Msg(
        zh="计算器（{tool}）：{name} 的参数必须是 {low} 到 {high} 之间的整数",
        en="Calculator ({tool}): the argument of {name} must be an integer from {low} to {high}",
    ),
    "calc.too_large": Msg(
        zh="计算器（{tool}）：结果太大，拒绝计算 {expression}",
        en="Calculator ({tool}): the result would be too large; refusing to compute {expression}",
    ),
    "calc.division_by_zero": Msg(
        zh="计算器（{tool}）：除数为零",
        en="Calculator ({tool}): division by zero",
    ),
    "calc.math_error": Msg(
        zh="计算器（{tool}）：数学错误：{error}",
        en="Calculator ({tool}): math error: {error}",
    ),
    # Chat models.
    "chat.no_api_key": Msg(
        zh="模型 {model} 没有 API 密钥：请传入 api_key=... 或设置环境变量 OPENAI_API_KEY",
        en="Model {model} has no API key: pass api_key=... or set the OPENAI_API_KEY "
        "environment variable",
    ),
    "chat.status": Msg(
        zh="模型 {model}（{url}）的请求失败（HTTP {status}）：{error}",
        en="The request to model {model} at {url} failed (HTTP {status}): {error}",
    ),
    "chat.timeout": Msg(
        zh="模型 {model}（{url}）没有在 {timeout} 秒内完成回复",
        en="Model {model} at {url} did not finish its reply within {timeout} s",
    ),
    "chat.connection": Msg(
        zh="无法连接模型 {model} 的服务 {url}：{error}",
        en="Could not connect to the service of model {model} at {url}: {error}",
    ),
    "chat.failed": Msg(
        zh="模型 {model}（{url}）调用失败：{error}",
        en="The call to model {model} at {url} failed: {error}",
    ),
    "chat.bad_message": Msg(
        zh="模型 {model}：无法识别的消息 {value}；请使用 SystemMessage、HumanMessage、AIMessage、"
        "ToolMessage 或带 role 的字典",
        en="Model {model}: unrecognised message {value}; use SystemMessage, HumanMessage, "
        "AIMessage, ToolMessage or a dict with a role",
    ),
    "chat.bad_schema": Msg(
        zh="模型 {model}：无法为结构化输出类型 {schema} 生成 JSON Schema：{error}",
        en="Model {model}: cannot build a JSON schema for the structured output type {schema}: "
        "{error}",
    ),
    "chat.structured_refusal": Msg(
        zh="模型 {model}（{url}）拒绝按 {schema} 输出：{error}",
        en="Model {model} at {url} refused to answer in the shape of {schema}: {error}",
    ),
    "chat.structured_invalid": Msg(
        zh="模型 {model}（{url}）的输出不符合 {schema}：{error:zh}",
        en="The output of model {model} at {url} does not match {schema}: {error:en}",
    ),
    # Agents.
    "agent.turn_limit": Msg(
        zh="代理 {node} 在 {turns} 轮内没有给出最终答案（最后请求的工具：{tools}）",
        en="Agent {node} gave no final answer within {turns} turns (last tools requested: {tools})",
    ),
    "agent.bad_key": Msg(
        zh="代理 {node} 的状态键 {key} 无效：键名必须是合法的 Python 标识符",
        en="Agent {node}: invalid state key {key}: a key must be a valid Python identifier",
    ),
    "agent.bad_turns": Msg(
        zh="代理 {node} 的 max_turns 必须至少为 1，得到 {turns}",
        en="Agent {node}: max_turns must be at least 1, got {turns}",
    ),
}
