"""OpenTelemetry spans of runs, read back from the SDK's in-memory exporter."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from typing import Annotated, TypedDict

import pytest

pytest.importorskip("opentelemetry.sdk")

from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import (
    InMemorySpanExporter,
)
from opentelemetry.trace import SpanKind, StatusCode

from liteflow import START, Context, NodeError, UpdateStrategy, flow, node
from liteflow.components import create_tool_registry
from liteflow.observability import instrument, uninstrument
from liteflow.testing import FakeOpenAIServer, Reply


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    provider = TracerProvider()
    exporter = InMemorySpanExporter()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    instrument(tracer_provider=provider)
    try:
        yield exporter
    finally:
        uninstrument()


def _by_name(exporter: InMemorySpanExporter) -> dict[str, ReadableSpan]:
    found = {}
    for span in exporter.get_finished_spans():
        assert span.name not in found, f"two spans named {span.name}"
        found[span.name] = span
    return found


def _parent(span: ReadableSpan) -> int | None:
    return span.parent.span_id if span.parent is not None else None


def _id(span: ReadableSpan) -> int:
    assert span.context is not None
    return span.context.span_id


class 稿(TypedDict):
    text: str


class 分(TypedDict):
    scores: Annotated[list[int], UpdateStrategy.APPEND]


@node
def 写作(topic: str) -> 稿:
    return {"text": f"关于{topic}"}


@node
def 评审甲(text: str) -> 分:
    time.sleep(0.02)
    return {"scores": [1]}


@node
def 评审乙(text: str) -> 分:
    time.sleep(0.02)
    return {"scores": [2]}


@node
async def 评审丙(text: str) -> 分:
    await asyncio.sleep(0.01)
    return {"scores": [3]}


@flow(output=分)
def 评审流程(topic: str) -> None:
    写作 >> [评审甲, 评审乙, 评审丙]


def test_workflow_superstep_and_node_spans_nest(spans: InMemorySpanExporter) -> None:
    result = 评审流程.with_options(thread_id="线程-1", checkpointer="memory://").run(topic="AI")
    found = _by_name(spans)
    root = found["invoke_workflow 评审流程"]
    assert root.kind is SpanKind.INTERNAL and root.parent is None
    assert root.attributes is not None
    assert root.attributes["gen_ai.operation.name"] == "invoke_workflow"
    assert root.attributes["gen_ai.workflow.name"] == "评审流程"
    assert root.attributes["gen_ai.conversation.id"] == "线程-1"
    assert root.attributes["liteflow.run.id"] == result.run_id
    assert root.attributes["liteflow.run.status"] == "completed"
    assert root.attributes["liteflow.run.supersteps"] == 2
    assert root.attributes["liteflow.plan.fingerprint"] == 评审流程.plan.fingerprint
    step1, step2 = found["superstep 1"], found["superstep 2"]
    assert _parent(step1) == _parent(step2) == _id(root)
    assert step2.attributes is not None and step2.attributes["liteflow.superstep"] == 2
    assert step2.attributes["liteflow.checkpoint.bytes"] > 0
    assert _parent(found["node 写作"]) == _id(step1)
    # Sync nodes on the thread pool and an async task: all children of their superstep.
    for name in ("评审甲", "评审乙", "评审丙"):
        span = found[f"node {name}"]
        assert _parent(span) == _id(step2), name
        assert span.attributes is not None
        assert span.attributes["liteflow.node.name"] == name
        assert span.attributes["liteflow.node.attempts"] == 1
    assert {s.name for s in found.values()} == {
        "invoke_workflow 评审流程", "superstep 1", "superstep 2", "node 写作",
        "node 评审甲", "node 评审乙", "node 评审丙"}


async def test_arun_traces_the_same_tree(spans: InMemorySpanExporter) -> None:
    await 评审流程.arun(topic="AI")
    found = _by_name(spans)
    step2 = found["superstep 2"]
    assert all(_parent(found[f"node {n}"]) == _id(step2) for n in ("评审甲", "评审乙", "评审丙"))


def test_retries_are_span_events_and_failures_are_errors(spans: InMemorySpanExporter) -> None:
    @node(retry_count=2, retry_delay=0.001)
    def 总坏(topic: str) -> 稿:
        raise ConnectionError("连不上")

    @flow(output=稿)
    def 坏流程(topic: str) -> None:
        START >> 总坏

    with pytest.raises(NodeError):
        坏流程.run(topic="x")
    found = _by_name(spans)
    span = found["node 总坏"]
    assert span.status.status_code is StatusCode.ERROR
    assert span.attributes is not None and span.attributes["liteflow.node.attempts"] == 3
    retries = [e for e in span.events if e.name == "retry"]
    assert [e.attributes["liteflow.retry.attempt"] for e in retries] == [1, 2]  # type: ignore[index]
    assert any(e.name == "exception" for e in span.events)
    root = found["invoke_workflow 坏流程"]
    assert root.status.status_code is StatusCode.ERROR
    assert found["superstep 1"].status.status_code is StatusCode.ERROR


def test_a_resumed_run_marks_restored_calls(spans: InMemorySpanExporter) -> None:
    @node
    def 问人(topic: str, ctx: Context) -> 稿:
        return {"text": str(ctx.interrupt("写什么？"))}

    @node
    def 旁路(topic: str) -> 分:
        return {"scores": [1]}

    @flow(output=分)
    def 人工(topic: str) -> None:
        START >> [问人, 旁路]

    app = 人工.with_options(thread_id="人工-1", checkpointer="memory://")
    assert app.run(topic="x").status == "interrupted"
    spans.clear()
    app.resume("好")
    restored = [s for s in spans.get_finished_spans()
                if s.name == "node 旁路" and s.attributes
                and s.attributes.get("liteflow.node.restored")]
    assert len(restored) == 1
    root = next(s for s in spans.get_finished_spans() if s.name.startswith("invoke_workflow"))
    assert root.attributes is not None and root.attributes["liteflow.run.resumed_from"] == 0


def test_chat_and_tool_spans_nest_under_their_node(spans: InMemorySpanExporter,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LITEFLOW_OTEL_CAPTURE_CONTENT", raising=False)
    registry = create_tool_registry()

    @registry.register_tool
    def 加法(a: int, b: int) -> int:
        """两数相加。"""
        return a + b

    with FakeOpenAIServer([Reply("答案是三", usage=(12, 4))]) as server:
        llm = server.chat_model("测试模型")

        @node
        def 提问(topic: str) -> 稿:
            total = registry.execute_tool("加法", a=1, b=2)
            return {"text": llm.invoke(f"{topic}{total}").content}

        @flow(output=稿)
        def 问答(topic: str) -> None:
            START >> 提问

        assert 问答.run(topic="一加二").output == {"text": "答案是三"}
    found = _by_name(spans)
    owner = found["node 提问"]
    chat = found["chat 测试模型"]
    assert chat.kind is SpanKind.CLIENT and _parent(chat) == _id(owner)
    assert chat.attributes is not None
    assert chat.attributes["gen_ai.operation.name"] == "chat"
    assert chat.attributes["gen_ai.provider.name"] == "openai"
    assert chat.attributes["gen_ai.request.model"] == "测试模型"
    assert chat.attributes["gen_ai.usage.input_tokens"] == 12
    assert chat.attributes["gen_ai.usage.output_tokens"] == 4
    assert chat.attributes["server.address"] == "127.0.0.1"
    assert "gen_ai.input.messages" not in chat.attributes  # content is opt-in
    assert "gen_ai.output.messages" not in chat.attributes
    tool = found["execute_tool 加法"]
    assert _parent(tool) == _id(owner)
    assert tool.attributes is not None and tool.attributes["gen_ai.tool.name"] == "加法"


def test_prompt_and_completion_text_only_when_asked(spans: InMemorySpanExporter,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LITEFLOW_OTEL_CAPTURE_CONTENT", "1")
    with FakeOpenAIServer(["流式回答"]) as server:
        llm = server.chat_model("测试模型")
        text = "".join(chunk.content for chunk in llm.stream("讲个笑话"))
    assert text == "流式回答"
    chat = _by_name(spans)["chat 测试模型"]  # traced outside a flow too: instrument()
    assert chat.attributes is not None
    assert "讲个笑话" in str(chat.attributes["gen_ai.input.messages"])
    output = json.loads(str(chat.attributes["gen_ai.output.messages"]))
    assert output[0]["parts"][0]["content"] == "流式回答"
    assert chat.attributes["liteflow.chat.chunks"] >= 2


def test_subflows_trace_under_their_node(spans: InMemorySpanExporter) -> None:
    @flow(output=稿)
    def 内层(topic: str) -> None:
        START >> 写作

    class 结果(TypedDict):
        text: str

    @node
    def 收尾(text: str) -> 结果:
        return {"text": text + "。"}

    @flow(output=结果)
    def 外层(topic: str) -> None:
        内层 >> 收尾

    外层.run(topic="x")
    found = {s.name: s for s in spans.get_finished_spans()}
    inner = found["invoke_workflow 内层"]
    assert _parent(inner) == _id(found["node 内层"])
    inner_steps = [s for s in spans.get_finished_spans()
                   if s.name == "superstep 1" and _parent(s) == _id(inner)]
    assert len(inner_steps) == 1
    assert _parent(found["node 写作"]) == _id(inner_steps[0])


_FRESH = textwrap.dedent("""
    import sys
    from typing import TypedDict
    from liteflow import START, flow, node

    class O(TypedDict):
        n: int

    @node
    def 加(n: int) -> O:
        return {"n": n + 1}

    @flow(output=O)
    def 流(n: int) -> None:
        START >> 加

    {body}
""")


def _fresh(body: str) -> str:
    done = subprocess.run([sys.executable, "-c", _FRESH.replace("{body}", textwrap.dedent(body))],
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_with_tracing_off_opentelemetry_is_not_imported() -> None:
    out = _fresh("""
        r = 流.with_options(metrics=True).run(n=1)
        list(流.stream(n=1))
        from liteflow.components import ChatOpenAI, create_tool_registry
        print(r.output["n"], any(m.startswith("opentelemetry") for m in sys.modules))
    """)
    assert out == "2 False"


def test_tracing_true_uses_the_global_provider() -> None:
    out = _fresh("""
        from opentelemetry import trace
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import SimpleSpanProcessor
        from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
        provider = TracerProvider()
        exporter = InMemorySpanExporter()
        provider.add_span_processor(SimpleSpanProcessor(exporter))
        trace.set_tracer_provider(provider)
        流.run(n=1)
        before = len(exporter.get_finished_spans())
        流.with_options(tracing=True).run(n=1)
        print(before, sorted(s.name for s in exporter.get_finished_spans()))
    """)
    assert out == "0 ['invoke_workflow 流', 'node 加', 'superstep 1']"
