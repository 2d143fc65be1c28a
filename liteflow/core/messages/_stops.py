"""Catalog entries of runs stopped by Ctrl-C (see `liteflow.core.messages`)."""

from . import Msg

MESSAGES: dict[str, Msg] = {
    "run.stopped": Msg(
        "Ctrl-C 中止了流程 {flow} 的第 {superstep} 个超步：该超步的写入均未应用",
        "Ctrl-C stopped flow {flow} in superstep {superstep}: nothing of that superstep was "
        "applied"),
    "run.stopped_flow": Msg("Ctrl-C 中止了流程 {flow}", "Ctrl-C stopped flow {flow}"),
}
