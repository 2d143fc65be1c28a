"""The attribute names liteflow's spans use, in one place.

The OpenTelemetry GenAI conventions are still in development; these follow the version
below (`gen_ai.provider.name`, `gen_ai.input.messages`, …). liteflow's own attributes
are under `liteflow.`.
"""

from __future__ import annotations

SCOPE = "liteflow"
SCHEMA_URL = "https://opentelemetry.io/schemas/1.37.0"

# GenAI conventions
OPERATION = "gen_ai.operation.name"
WORKFLOW_NAME = "gen_ai.workflow.name"
CONVERSATION_ID = "gen_ai.conversation.id"
PROVIDER = "gen_ai.provider.name"
REQUEST_MODEL = "gen_ai.request.model"
REQUEST_TEMPERATURE = "gen_ai.request.temperature"
REQUEST_MAX_TOKENS = "gen_ai.request.max_tokens"
RESPONSE_ID = "gen_ai.response.id"
RESPONSE_MODEL = "gen_ai.response.model"
FINISH_REASONS = "gen_ai.response.finish_reasons"
INPUT_TOKENS = "gen_ai.usage.input_tokens"
OUTPUT_TOKENS = "gen_ai.usage.output_tokens"
INPUT_MESSAGES = "gen_ai.input.messages"
OUTPUT_MESSAGES = "gen_ai.output.messages"
TOOL_NAME = "gen_ai.tool.name"
TOOL_CALL_ID = "gen_ai.tool.call.id"
TOOL_TYPE = "gen_ai.tool.type"
SERVER_ADDRESS = "server.address"
SERVER_PORT = "server.port"
ERROR_TYPE = "error.type"

# liteflow's own
RUN_ID = "liteflow.run.id"
RUN_STATUS = "liteflow.run.status"
RUN_SUPERSTEPS = "liteflow.run.supersteps"
RESUMED_FROM = "liteflow.run.resumed_from"
FLOW_VERSION = "liteflow.flow.version"
PLAN_FINGERPRINT = "liteflow.plan.fingerprint"
SUPERSTEP = "liteflow.superstep"
SUPERSTEP_NODES = "liteflow.superstep.nodes"
SUPERSTEP_WRITTEN = "liteflow.superstep.written_keys"
CHECKPOINT_BYTES = "liteflow.checkpoint.bytes"
CHECKPOINT_SECONDS = "liteflow.checkpoint.duration"
NODE_NAME = "liteflow.node.name"
NODE_INSTANCE = "liteflow.node.instance"
NODE_ATTEMPTS = "liteflow.node.attempts"
NODE_RESTORED = "liteflow.node.restored"
NODE_INTERRUPTED = "liteflow.node.interrupted"
RETRY_ATTEMPT = "liteflow.retry.attempt"
RETRY_WAIT = "liteflow.retry.wait"
CHAT_CHUNKS = "liteflow.chat.chunks"

# Prompt and completion text kept in a span, at most (characters).
CONTENT_LIMIT = 8192
