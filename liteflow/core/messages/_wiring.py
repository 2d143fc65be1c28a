"""Catalog entries of conditional entries (`START >> route(...)`, `START >> b.when(p)`)."""

from . import Msg

MESSAGES: dict[str, Msg] = {
    "check.entry_condition_key": Msg(
        "流程「{flow}」：START 之后的{what}读取 out[\"{key}\"]，但流程没有这个输入"
        "（它的输入：{inputs}）。{hint}",
        "flow '{flow}': the {what} after START reads out[\"{key}\"], but the flow has no such "
        "input (its inputs: {inputs}). {hint}"),
}
