"""Catalog entries of the command line."""

from . import Msg

MESSAGES: dict[str, Msg] = {
    "cli.description": Msg("liteflow：类型安全、可检查的工作流", "liteflow: typed, checked workflows"),
    "cli.option_lang": Msg("输出语言（zh 或 en）", "output language (zh or en)"),
    "cli.option_verbose": Msg("显示更多细节（出错时显示回溯）",
                              "show more detail (tracebacks on errors)"),
    "cli.file_not_found": Msg("找不到文件 {path}", "file not found: {path}"),
    "cli.load_failed": Msg("无法加载 {path}：{error}", "cannot load {path}: {error}"),
}
