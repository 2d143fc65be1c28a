"""What users declare: nodes, flows, wiring, configuration."""

from ..core.context import Context
from .config import NodeConfig
from .flow import Flow, flow
from .node import NodeFunction, node
from .spec import NodeSpec
from .strategy import UpdateStrategy
from .wiring import END, START, each, route

__all__ = [
    "END",
    "START",
    "Context",
    "Flow",
    "NodeConfig",
    "NodeFunction",
    "NodeSpec",
    "UpdateStrategy",
    "each",
    "flow",
    "node",
    "route",
]
