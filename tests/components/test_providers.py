"""Replies shaped the way each provider sends them parse, through `examples/国内模型配置.py`.

Each provider's quirks that matter: usage only in the last chunk (or inside the choice, as
Moonshot does), `reasoning_content` (DeepSeek, Qwen, Kimi, GLM) or `reasoning` (vLLM,
Ollama), whole tool calls in one chunk (GLM, Ollama) and tool-call pieces without `index`.
"""

from __future__ import annotations

import asyncio
import runpy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from liteflow.components import AIMessage, ChatOpenAI, Usage, merge_chunks
from liteflow.testing import FakeOpenAIServer, RawReply

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "国内模型配置.py"
CONFIG = runpy.run_path(str(EXAMPLE), run_name="providers")
PROVIDERS: dict[str, Any] = CONFIG["PROVIDERS"]


def delta(provider: str, **fields: Any) -> dict[str, Any]:
    return {"id": f"{provider}-1", "object": "chat.completion.chunk", "created": 1,
            "model": "m", "choices": [{"index": 0, "delta": fields, "finish_reason": None}]}


def last(provider: str, finish: str, **extra: Any) -> dict[str, Any]:
    body = delta(provider)
    body["choices"][0]["finish_reason"] = finish
    return {**body, **extra}


USAGE = {"prompt_tokens": 11, "completion_tokens": 7, "total_tokens": 18}
CALL = {"id": "call_0", "type": "function",
        "function": {"name": "calculator", "arguments": '{"expression": "2*3"}'}}

STREAMS: dict[str, list[Any]] = {
    # Thinking first (content null), then the answer; usage in a last chunk without choices,
    # with DeepSeek's own extra counts.
    "deepseek": [
        delta("deepseek", role="assistant", content=None, reasoning_content=""),
        delta("deepseek", content=None, reasoning_content="先想一想。"),
        delta("deepseek", content="答案是六。", reasoning_content=None),
        last("deepseek", "stop", usage=None),
        {"id": "deepseek-1", "choices": [],
         "usage": {**USAGE, "prompt_cache_hit_tokens": 0, "prompt_cache_miss_tokens": 11,
                   "completion_tokens_details": {"reasoning_tokens": 4}}},
    ],
    # DashScope: an empty first piece, usage in a trailing chunk with `choices: []`.
    "qwen": [
        delta("qwen", role="assistant", content=""),
        delta("qwen", reasoning_content="先想一想。"),
        delta("qwen", content="答案是六。"),
        last("qwen", "stop"),
        {"id": "qwen-1", "choices": [], "usage": USAGE, "system_fingerprint": None},
    ],
    # Moonshot puts the usage inside the last choice.
    "moonshot": [
        delta("moonshot", role="assistant", reasoning_content="先想一想。"),
        delta("moonshot", content="答案是六。"),
        {"id": "moonshot-1", "choices": [
            {"index": 0, "delta": {}, "finish_reason": "stop", "usage": USAGE}]},
    ],
    # GLM: usage beside the final choice; a whole tool call arrives in one chunk.
    "zhipu": [
        delta("zhipu", role="assistant", reasoning_content="先想一想。"),
        delta("zhipu", content="答案是六。", tool_calls=[{"index": 0, **CALL}]),
        {**last("zhipu", "tool_calls"), "usage": USAGE},
    ],
    # vLLM's reasoning parser: `reasoning`; usage in a trailing chunk.
    "vllm": [
        delta("vllm", role="assistant", content=""),
        delta("vllm", reasoning="先想一想。"),
        delta("vllm", content="答案是六。"),
        last("vllm", "stop"),
        {"id": "vllm-1", "choices": [], "usage": USAGE},
    ],
    # Ollama: `reasoning`, a whole tool call without `index`, usage in a trailing chunk.
    "ollama": [
        delta("ollama", role="assistant", content="", reasoning="先想一想。"),
        delta("ollama", content="答案是六。", tool_calls=[CALL]),
        last("ollama", "tool_calls"),
        {"id": "ollama-1", "choices": [], "usage": USAGE},
    ],
}


@pytest.fixture(scope="module")
def server() -> Iterator[FakeOpenAIServer]:
    with FakeOpenAIServer() as running:
        yield running


def model(provider: str, server: FakeOpenAIServer) -> ChatOpenAI:
    llm: ChatOpenAI = CONFIG["chat_model"](provider, base_url=server.base_url, api_key="k")
    return llm


async def _astream(llm: ChatOpenAI) -> AIMessage:
    return merge_chunks([c async for c in llm.astream("2 乘 3")])


@pytest.mark.parametrize("way", ["stream", "astream"])
@pytest.mark.parametrize("provider", sorted(PROVIDERS))
def test_a_streamed_reply_in_the_providers_shape_parses(
    server: FakeOpenAIServer, provider: str, way: str
) -> None:
    server.reset()
    server.add(RawReply.events(*STREAMS[provider]))
    llm = model(provider, server)
    reply = merge_chunks(llm.stream("2 乘 3")) if way == "stream" else asyncio.run(_astream(llm))
    assert reply.content == "答案是六。"
    assert reply.reasoning == "先想一想。"
    assert reply.usage == Usage(11, 7, 18)
    if provider in ("zhipu", "ollama"):
        (call,) = reply.tool_calls
        assert (call.id, call.name, dict(call.arguments)) == (
            "call_0", "calculator", {"expression": "2*3"})
    (request,) = server.requests
    settings = PROVIDERS[provider]
    assert request.model == settings.models[0]
    assert ("stream_options" in request.body) is settings.stream_usage


@pytest.mark.parametrize("way", ["invoke", "ainvoke"])
@pytest.mark.parametrize("provider", sorted(PROVIDERS))
def test_a_plain_reply_with_reasoning_and_tool_calls_parses(
    server: FakeOpenAIServer, provider: str, way: str
) -> None:
    server.reset()
    # DashScope numbers the calls of a plain reply too; Ollama sends arguments as text.
    message = {"role": "assistant", "content": "", "reasoning_content": "先想一想。",
               "tool_calls": [{"index": 0, **CALL}]}
    server.add(RawReply.json({"id": "x", "object": "chat.completion", "choices": [
        {"index": 0, "message": message, "finish_reason": "tool_calls"}], "usage": USAGE}))
    llm = model(provider, server)
    reply = llm.invoke("2 乘 3") if way == "invoke" else asyncio.run(llm.ainvoke("2 乘 3"))
    assert (reply.reasoning, reply.usage, reply.finish_reason) == (
        "先想一想。", Usage(11, 7, 18), "tool_calls")
    assert [dict(c.arguments) for c in reply.tool_calls] == [{"expression": "2*3"}]
    # The thinking is not sent back in the next request.
    assert "reasoning_content" not in str(reply.to_openai())


def test_the_example_lists_every_provider(capsys: pytest.CaptureFixture[str]) -> None:
    CONFIG["main"]([])
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == list(PROVIDERS)
    assert "https://api.deepseek.com/v1" in lines[0] and "DEEPSEEK_API_KEY" in lines[0]


def test_the_key_comes_from_the_providers_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOONSHOT_API_KEY", "sk-moon")
    llm: ChatOpenAI = CONFIG["chat_model"]("moonshot")
    assert llm._clients.api_key == "sk-moon"
    assert llm._clients.url() == "https://api.moonshot.cn/v1/chat/completions"
    local: ChatOpenAI = CONFIG["chat_model"]("ollama", "qwen3:8b")
    assert (local.model, local._clients.api_key) == ("qwen3:8b", "local")
