"""Catalog entries for replies a chat model's server gets wrong, tool timeouts, and the
reasons behind a bad tool call or a bad argument (`liteflow.components`).

Entries whose id has a `.why.` or `.kind.` part are phrases: they fill a field of another
message (`{problem:zh}` / `{problem:en}`), so they name no subject of their own.
"""

from . import Msg

MESSAGES: dict[str, Msg] = {
    # A reply that cannot be used; {problem} is one of the chat.why.* phrases.
    "chat.bad_reply": Msg(
        zh="模型 {model}（{url}）的回复无法使用：{problem:zh}",
        en="The reply of model {model} at {url} is unusable: {problem:en}",
    ),
    "chat.why.not_utf8": Msg(
        zh="不是合法的 UTF-8 文本（第 {position} 个字节）",
        en="it is not valid UTF-8 text (byte {position})",
    ),
    "chat.why.empty": Msg(
        zh="回复是空的",
        en="the body is empty",
    ),
    "chat.why.html": Msg(
        zh="收到的是一个 HTML 页面而不是 JSON（base_url 是否指向了网页、代理或登录页？）：{start}",
        en="it is an HTML page, not JSON (does base_url point at a web page, a proxy or a "
        "login page?): {start}",
    ),
    "chat.why.truncated": Msg(
        zh="JSON 在 {size} 个字节后被截断",
        en="the JSON is cut off after {size} bytes",
    ),
    "chat.why.not_json": Msg(
        zh="不是合法的 JSON（第 {position} 个字符附近：{start}）",
        en="it is not valid JSON (near character {position}: {start})",
    ),
    "chat.why.too_deep": Msg(
        zh="JSON 嵌套太深",
        en="the JSON is nested too deeply",
    ),
    "chat.why.number_too_long": Msg(
        zh="JSON 里有位数过多的数字",
        en="the JSON holds a number with too many digits",
    ),
    "chat.why.too_large": Msg(
        zh="回复超过了 {limit} 个字节",
        en="the reply is larger than {limit} bytes",
    ),
    "chat.why.missing": Msg(
        zh="缺少字段 {field}",
        en="the field {field} is missing",
    ),
    "chat.why.wrong_type": Msg(
        zh="字段 {field} 应为{expected:zh}，实际是{actual:zh}：{value}",
        en="the field {field} should be {expected:en}, not {actual:en}: {value}",
    ),
    "chat.why.no_choices": Msg(
        zh="回复里没有任何候选（choices 为空）",
        en="it has no choices",
    ),
    "chat.why.service_error": Msg(
        zh="服务返回了错误：{error}",
        en="the service returned an error: {error}",
    ),
    "chat.why.bad_event": Msg(
        zh="流里有一条不是 JSON 的 data 行：{line}",
        en="the stream holds a data line that is not JSON: {line}",
    ),
    "chat.why.stream_cut": Msg(
        zh="流在 {size} 个字节后中断，没有结束标记（既没有 finish_reason 也没有 [DONE]）",
        en="the stream stopped after {size} bytes without its end (no finish_reason and no "
        "[DONE])",
    ),
    "chat.why.connection_lost": Msg(
        zh="连接在收到 {size} 个字节后断开，回复不完整",
        en="the connection closed after {size} bytes, before the reply was complete",
    ),
    # JSON types, for chat.why.wrong_type and tool.why.not_object.
    "chat.kind.object": Msg(zh="对象", en="an object"),
    "chat.kind.array": Msg(zh="数组", en="an array"),
    "chat.kind.string": Msg(zh="字符串", en="a string"),
    "chat.kind.number": Msg(zh="数字", en="a number"),
    "chat.kind.boolean": Msg(zh="布尔值", en="a boolean"),
    "chat.kind.null": Msg(zh="空值 null", en="null"),
    # Tool calls the model got wrong: the reason in ToolCall.parse_error.
    "tool.call_malformed": Msg(
        zh="模型对工具 {tool} 的调用（{id}）无效：{error}",
        en="The model's call of tool {tool} ({id}) is malformed: {error}",
    ),
    "tool.why.no_name": Msg(
        zh="调用里没有工具名",
        en="the call names no tool",
    ),
    "tool.why.no_function": Msg(
        zh="调用里没有 function（工具名和参数）",
        en="the call has no function (tool name and arguments)",
    ),
    "tool.why.not_json": Msg(
        zh="参数不是合法的 JSON（第 {position} 个字符处出错）",
        en="the arguments are not valid JSON (error at character {position})",
    ),
    "tool.why.not_object": Msg(
        zh="参数应为 JSON 对象，实际是{kind}",
        en="the arguments should be a JSON object, not {kind}",
    ),
    "tool.why.too_deep": Msg(
        zh="参数嵌套超过 {limit} 层",
        en="the arguments nest deeper than {limit} levels",
    ),
    "tool.why.number_too_long": Msg(
        zh="参数里有位数过多的数字",
        en="the arguments hold a number with too many digits",
    ),
    "tool.why.too_long": Msg(
        zh="参数太长（{length} 个字符，最多 {limit} 个）",
        en="the arguments are too long ({length} characters, at most {limit})",
    ),
    # Tool timeouts.
    "tool.timeout": Msg(
        zh="工具 {tool} 没有在 {timeout} 秒内完成（这次调用已被放弃）",
        en="Tool {tool} did not finish within {timeout} s (the call was abandoned)",
    ),
    "tool.bad_timeout": Msg(
        zh="工具 {tool} 的 timeout 必须是正数秒或 None，得到 {timeout}",
        en="Tool {tool}: timeout must be a positive number of seconds or None, got {timeout}",
    ),
    # Several argument problems at once.
    "tool.argument_problems": Msg(
        zh="{first:zh}；另外：{others:zh}",
        en="{first:en}; also: {others:en}",
    ),
    # Why pydantic refused an argument (its own text is English only).
    "tool.why.int": Msg(zh="应为整数", en="should be an integer"),
    "tool.why.int_size": Msg(zh="整数太大，无法解析", en="the integer is too large to parse"),
    "tool.why.number": Msg(zh="应为数字", en="should be a number"),
    "tool.why.bool": Msg(zh="应为布尔值（true 或 false）", en="should be a boolean (true or false)"),
    "tool.why.string": Msg(zh="应为字符串", en="should be a string"),
    "tool.why.string_too_short": Msg(
        zh="至少要有 {min_length} 个字符", en="should have at least {min_length} characters"
    ),
    "tool.why.string_too_long": Msg(
        zh="最多只能有 {max_length} 个字符", en="should have at most {max_length} characters"
    ),
    "tool.why.too_few": Msg(
        zh="至少要有 {min_length} 项，实际 {actual_length} 项",
        en="should have at least {min_length} items, not {actual_length}",
    ),
    "tool.why.too_many": Msg(
        zh="最多只能有 {max_length} 项，实际 {actual_length} 项",
        en="should have at most {max_length} items, not {actual_length}",
    ),
    "tool.why.list": Msg(zh="应为列表（JSON 数组）", en="should be a list (a JSON array)"),
    "tool.why.dict": Msg(zh="应为对象（JSON 对象）", en="should be an object (a JSON object)"),
    "tool.why.one_of": Msg(zh="应为以下之一：{expected}", en="should be one of {expected}"),
    "tool.why.gt": Msg(zh="应大于 {gt}", en="should be greater than {gt}"),
    "tool.why.ge": Msg(zh="应大于或等于 {ge}", en="should be at least {ge}"),
    "tool.why.lt": Msg(zh="应小于 {lt}", en="should be less than {lt}"),
    "tool.why.le": Msg(zh="应小于或等于 {le}", en="should be at most {le}"),
    "tool.why.multiple_of": Msg(zh="应为 {multiple_of} 的倍数", en="should be a multiple of {multiple_of}"),
    "tool.why.none": Msg(zh="应为 null", en="should be null"),
    "tool.why.date": Msg(zh="应为日期（如 2026-12-01）", en="should be a date (e.g. 2026-12-01)"),
    "tool.why.datetime": Msg(
        zh="应为日期时间（如 2026-12-01T08:00:00）",
        en="should be a date and time (e.g. 2026-12-01T08:00:00)",
    ),
    "tool.why.time": Msg(zh="应为时间（如 08:30:00）", en="should be a time (e.g. 08:30:00)"),
    "tool.why.uuid": Msg(zh="应为 UUID", en="should be a UUID"),
    "tool.why.url": Msg(zh="应为网址", en="should be a URL"),
    "tool.why.value_error": Msg(zh="值不符合要求：{error}", en="the value is not accepted: {error}"),
    "tool.why.instance_of": Msg(zh="应为 {class} 的实例", en="should be an instance of {class}"),
    "tool.why.recursion": Msg(zh="嵌套太深", en="nested too deeply"),
    "tool.why.json": Msg(zh="不是合法的 JSON", en="is not valid JSON"),
    "tool.why.missing": Msg(zh="缺少字段", en="the field is missing"),
    "tool.why.extra": Msg(zh="不允许有这个字段", en="the field is not allowed"),
    "tool.why.other": Msg(zh="不符合要求（校验类型 {kind}）", en="does not pass the check {kind}"),
}
