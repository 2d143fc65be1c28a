"""liteflow: typed, checked, async-first workflows on the Pregel model."""

import typing as _typing

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
    CustomEvent,
    Event,
    EventBus,
    NodeFailed,
    NodeFinished,
    NodeRetrying,
    NodeStarted,
    RunFinished,
    RunStarted,
    SuperStepEvent,
    TokenEvent,
)
from .core.state_manager import StateManager
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
from .plan import Plan

if _typing.TYPE_CHECKING:
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


def __getattr__(name: str) -> _typing.Any:
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
    "NodeRetrying",
    "NodeStarted",
    "NodeTimeoutError",
    "NodeTypeError",
    "Plan",
    "PregelEngine",
    "RouteError",
    "RunFinished",
    "RunResult",
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
