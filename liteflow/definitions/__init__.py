"""What users declare: nodes, flows, wiring, configuration."""

from ..core.context import Context
from ..core.merge import UpdateStrategy
from .config import NodeConfig
from .flow import Flow, flow
from .graph import Edge, Graph, Node
from .node import NodeFunction, node
from .spec import NodeSpec
from .wiring import END, START, each, route
from .workflow import Workflow

__all__ = [
    "END",
    "START",
    "Context",
    "Edge",
    "Flow",
    "Graph",
    "Node",
    "NodeConfig",
    "NodeFunction",
    "NodeSpec",
    "UpdateStrategy",
    "Workflow",
    "each",
    "flow",
    "node",
    "route",
]
