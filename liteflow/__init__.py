"""liteflow: typed, checked, async-first workflows on the Pregel model."""

from typing import TYPE_CHECKING, Any

from .core.context import Context
from .core.errors import (
    ConditionError,
    EventLoopError,
    FlowCompileError,
    FlowDefinitionError,
    FlowInputError,
    FlowOutputError,
    InterruptNotSupportedError,
    LiteflowError,
    NodeError,
    NodeInputError,
    NodeTimeoutError,
    NodeTypeError,
    RouteError,
    StateConflictError,
    SuperstepLimitError,
)
from .core.events import (
    CheckpointSaved,
    CustomEvent,
    Event,
    EventBus,
    NodeFailed,
    NodeFinished,
    NodeRetrying,
    NodeStarted,
    RunFinished,
    RunInterrupted,
    RunResumed,
    RunStarted,
    SuperStepEvent,
    TokenEvent,
)
from .core.state import StateManager
from .definitions import (
    END,
    START,
    Edge,
    Flow,
    Graph,
    Node,
    NodeConfig,
    NodeFunction,
    UpdateStrategy,
    Workflow,
    each,
    flow,
    node,
    route,
)
from .engine import ExecutionEngine, Executor, LocalExecutor, PregelEngine, RunResult, State
from .observability import NodeMetrics, RunMetrics
from .plan import Plan

if TYPE_CHECKING:
    from .components import (
        AgentError,
        AIMessage,
        BaseTool,
        CalculatorError,
        ChatModelError,
        ChatOpenAI,
        HumanMessage,
        SystemMessage,
        ToolArgumentError,
        ToolError,
        ToolExecutionError,
        ToolMessage,
        ToolRegistry,
        UnknownToolError,
        calculator,
        create_agent,
        create_tool_registry,
        tool,
    )

# Components load on first use: they pull in the openai SDK, which `import liteflow`
# should not pay for.
_COMPONENTS = frozenset({
    "AIMessage",
    "AgentError",
    "BaseTool",
    "CalculatorError",
    "ChatModelError",
    "ChatOpenAI",
    "HumanMessage",
    "SystemMessage",
    "ToolArgumentError",
    "ToolError",
    "ToolExecutionError",
    "ToolMessage",
    "ToolRegistry",
    "UnknownToolError",
    "calculator",
    "create_agent",
    "create_tool_registry",
    "tool",
})


def __getattr__(name: str) -> Any:
    if name in _COMPONENTS:
        from . import components

        return getattr(components, name)
    raise AttributeError(f"module 'liteflow' has no attribute {name!r}")

__version__ = "0.1.0"

__all__ = [
    "END",
    "START",
    "AIMessage",
    "AgentError",
    "BaseTool",
    "CalculatorError",
    "ChatModelError",
    "ChatOpenAI",
    "CheckpointSaved",
    "ConditionError",
    "Context",
    "CustomEvent",
    "Edge",
    "Event",
    "EventBus",
    "EventLoopError",
    "ExecutionEngine",
    "Executor",
    "Flow",
    "FlowCompileError",
    "FlowDefinitionError",
    "FlowInputError",
    "FlowOutputError",
    "Graph",
    "HumanMessage",
    "InterruptNotSupportedError",
    "LiteflowError",
    "LocalExecutor",
    "Node",
    "NodeConfig",
    "NodeError",
    "NodeFailed",
    "NodeFinished",
    "NodeFunction",
    "NodeInputError",
    "NodeMetrics",
    "NodeRetrying",
    "NodeStarted",
    "NodeTimeoutError",
    "NodeTypeError",
    "Plan",
    "PregelEngine",
    "RouteError",
    "RunFinished",
    "RunInterrupted",
    "RunMetrics",
    "RunResult",
    "RunResumed",
    "RunStarted",
    "State",
    "StateConflictError",
    "StateManager",
    "SuperStepEvent",
    "SuperstepLimitError",
    "SystemMessage",
    "TokenEvent",
    "ToolArgumentError",
    "ToolError",
    "ToolExecutionError",
    "ToolMessage",
    "ToolRegistry",
    "UnknownToolError",
    "UpdateStrategy",
    "Workflow",
    "__version__",
    "calculator",
    "create_agent",
    "create_tool_registry",
    "each",
    "flow",
    "node",
    "route",
    "tool",
]
