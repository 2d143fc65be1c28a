"""Messages of the field-by-field checks of TypedDict values at node and flow boundaries."""

from __future__ import annotations

from . import Msg

MESSAGES: dict[str, Msg] = {
    "error.node_input_field_type": Msg(
        "流程 {flow} 的节点 {node}：输入 {key} 的字段 {path} 应为 {expected}，实际是 {actual}",
        "flow {flow}: node {node}: input {key}: field {path} should be {expected}, got {actual}"),
    "error.node_input_field_missing": Msg(
        "流程 {flow} 的节点 {node}：输入 {key} 缺少必需的字段 {path}（{expected}）",
        "flow {flow}: node {node}: input {key} lacks the required field {path} ({expected})"),
    "error.node_output_field_type": Msg(
        "流程 {flow} 的节点 {node}：输出 {key} 的字段 {path} 应为 {expected}，实际是 {actual}",
        "flow {flow}: node {node}: output {key}: field {path} should be {expected}, "
        "got {actual}"),
    "error.node_output_field_missing": Msg(
        "流程 {flow} 的节点 {node}：输出 {key} 缺少必需的字段 {path}（{expected}）",
        "flow {flow}: node {node}: output {key} lacks the required field {path} ({expected})"),
    "error.flow_input_field_type": Msg(
        "流程 {flow} 的输入 {key} 的字段 {path} 应为 {expected}，实际是 {actual}",
        "flow {flow}: input {key}: field {path} should be {expected}, got {actual}"),
    "error.flow_input_field_missing": Msg(
        "流程 {flow} 的输入 {key} 缺少必需的字段 {path}（{expected}）",
        "flow {flow}: input {key} lacks the required field {path} ({expected})"),
    "error.flow_output_field_type": Msg(
        "流程 {flow} 的输出 {key} 的字段 {path} 应为 {expected}，实际是 {actual}",
        "flow {flow}: output {key}: field {path} should be {expected}, got {actual}"),
    "error.flow_output_field_missing": Msg(
        "流程 {flow} 的输出 {key} 缺少必需的字段 {path}（{expected}）",
        "flow {flow}: output {key} lacks the required field {path} ({expected})"),
}
