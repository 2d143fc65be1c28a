"""Components for AI flows: tools, the calculator, chat models and a tool-calling agent.

    from liteflow.components import ChatOpenAI, calculator, create_agent, create_tool_registry

    registry = create_tool_registry(calculator)
    llm = ChatOpenAI(model="gpt-4o-mini")
    问答 = create_agent(llm, registry, name="问答")
"""

from ..core.errors import (
    AgentError,
    CalculatorError,
    ChatModelError,
    StructuredOutputError,
    ToolArgumentError,
    ToolDefinitionError,
    ToolError,
    ToolExecutionError,
    ToolTimeoutError,
    UnknownToolError,
)
from ._agent import AgentResult, ToolCallingAgent, ToolCallRecord, create_agent
from ._calculator import calculator, evaluate
from ._chat import ChatOpenAI
from ._messages import (
    AIMessage,
    AIMessageChunk,
    HumanMessage,
    Message,
    MessageLike,
    SystemMessage,
    ToolCall,
    ToolCallChunk,
    ToolMessage,
    Usage,
    merge_chunks,
)
from ._registry import ToolRegistry, create_tool_registry
from ._structured import StructuredChatModel
from ._tools import BaseTool, FunctionTool, tool

__all__ = [
    "AIMessage",
    "AIMessageChunk",
    "AgentError",
    "AgentResult",
    "BaseTool",
    "CalculatorError",
    "ChatModelError",
    "ChatOpenAI",
    "FunctionTool",
    "HumanMessage",
    "Message",
    "MessageLike",
    "StructuredChatModel",
    "StructuredOutputError",
    "SystemMessage",
    "ToolArgumentError",
    "ToolCall",
    "ToolCallChunk",
    "ToolCallRecord",
    "ToolCallingAgent",
    "ToolDefinitionError",
    "ToolError",
    "ToolExecutionError",
    "ToolMessage",
    "ToolRegistry",
    "ToolTimeoutError",
    "UnknownToolError",
    "Usage",
    "calculator",
    "create_agent",
    "create_tool_registry",
    "evaluate",
    "merge_chunks",
    "tool",
]
