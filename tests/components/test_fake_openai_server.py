"""`liteflow.testing.FakeOpenAIServer`: wire format, scripting, failures, records, lifecycle."""

from __future__ import annotations

import asyncio
import json
import urllib.error
import urllib.request
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from liteflow.components import ChatModelError, ChatOpenAI
from liteflow.testing import (
    Failure,
    FakeOpenAIServer,
    RecordedRequest,
    Reply,
    ScriptedToolCall,
    split_tokens,
)


def _post(url: str, body: dict[str, Any]) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_plain_reply_wire_format(server: FakeOpenAIServer) -> None:
    server.add(Reply("你好", tool_calls=[ScriptedToolCall("calculator", {"expression": "1"})]))
    status, headers, raw = _post(
        server.base_url + "/chat/completions",
        {"model": "m", "messages": [{"role": "user", "content": "嗨"}]},
    )
    assert status == 200 and headers["Content-Type"] == "application/json"
    body = json.loads(raw)
    assert body["object"] == "chat.completion" and body["model"] == "m"
    choice = body["choices"][0]
    assert choice["finish_reason"] == "tool_calls"
    assert choice["message"]["content"] == "你好"
    assert choice["message"]["tool_calls"] == [
        {"id": "call_1", "type": "function",
         "function": {"name": "calculator", "arguments": '{"expression": "1"}'}}
    ]
    assert body["usage"] == {"prompt_tokens": 1, "completion_tokens": 21, "total_tokens": 22}


def test_streaming_wire_format_is_server_sent_events(server: FakeOpenAIServer) -> None:
    server.add(Reply("你好", usage=(3, 2)))
    status, headers, raw = _post(
        server.base_url + "/chat/completions",
        {"model": "m", "messages": [], "stream": True, "stream_options": {"include_usage": True}},
    )
    assert status == 200 and headers["Content-Type"] == "text/event-stream"
    events = [line.removeprefix("data: ") for line in raw.decode().split("\n\n") if line]
    assert events[-1] == "[DONE]"
    chunks = [json.loads(e) for e in events[:-1]]
    assert all(c["object"] == "chat.completion.chunk" for c in chunks)
    assert [c["choices"][0]["delta"].get("content") for c in chunks[:3]] == ["", "你", "好"]
    assert chunks[-2]["choices"][0]["finish_reason"] == "stop"
    assert chunks[-1]["choices"] == [] and chunks[-1]["usage"]["total_tokens"] == 5


def test_handler_answers_when_the_queue_is_empty() -> None:
    def echo(request: RecordedRequest) -> str:
        return f"你说的是：{request.last_user_message}"

    with FakeOpenAIServer(["先用脚本"], handler=echo) as server:
        llm = server.chat_model()
        assert llm.invoke("一").content == "先用脚本"
        assert llm.invoke("二").content == "你说的是：二"
        assert server.pending == 0
        assert [r.last_user_message for r in server.requests] == ["一", "二"]


def test_running_out_of_script_is_a_clear_error_and_not_retried(server: FakeOpenAIServer) -> None:
    llm = server.chat_model(max_retries=3)
    with pytest.raises(ChatModelError) as caught:
        llm.invoke("x")
    assert "no scripted reply left for request #1" in caught.value.render("en")
    assert len(server.requests) == 1


def test_a_failing_handler_is_reported(server: FakeOpenAIServer) -> None:
    def broken(request: RecordedRequest) -> str:
        raise KeyError("oops")

    with FakeOpenAIServer(handler=broken) as failing:
        with pytest.raises(ChatModelError) as caught:
            failing.chat_model().invoke("x")
    assert "handler raised KeyError" in caught.value.render("en")


def test_failure_headers_and_unknown_paths(server: FakeOpenAIServer) -> None:
    server.add(Failure(429, "慢一点", retry_after=2.5), Failure(503, retry_after=None, retry=False))
    status, headers, raw = _post(server.base_url + "/chat/completions", {"messages": []})
    assert status == 429 and headers["retry-after-ms"] == "2500"
    assert json.loads(raw)["error"]["message"] == "慢一点"
    status, headers, _ = _post(server.base_url + "/chat/completions", {"messages": []})
    assert status == 503 and "retry-after-ms" not in headers
    assert headers["x-should-retry"] == "false"
    status, _, _ = _post(server.base_url + "/embeddings", {"input": "x"})
    assert status == 404
    assert [r.path for r in server.requests] == [
        "/v1/chat/completions", "/v1/chat/completions", "/v1/embeddings"
    ]


async def test_concurrent_requests(server: FakeOpenAIServer) -> None:
    server.add(*[Reply(f"回答{i}", delay=0.05) for i in range(8)])
    llm = server.chat_model()
    replies = await asyncio.gather(*(llm.ainvoke(f"问题{i}") for i in range(8)))
    assert sorted(r.content for r in replies) == sorted(f"回答{i}" for i in range(8))
    assert len(server.requests) == 8


def test_explicit_start_and_stop() -> None:
    server = FakeOpenAIServer(["一次"])
    assert not server.running
    with pytest.raises(RuntimeError):
        _ = server.base_url
    server.start()
    try:
        url = server.base_url
        assert url.startswith("http://127.0.0.1:") and url.endswith("/v1")
        assert server.start() is server  # idempotent
        assert ChatOpenAI("m", base_url=url, api_key="k").invoke("x").content == "一次"
    finally:
        server.stop()
    server.stop()  # idempotent
    assert not server.running
    refused = ChatOpenAI("m", base_url=url, api_key="k", max_retries=0)
    with pytest.raises(ChatModelError):
        refused.invoke("x")


def test_reset_forgets_requests_and_script(server: FakeOpenAIServer) -> None:
    server.add("a", "b")
    server.chat_model().invoke("x")
    server.reset()
    assert server.requests == [] and server.pending == 0


def test_two_servers_get_different_ports() -> None:
    with FakeOpenAIServer() as one, FakeOpenAIServer() as two:
        assert one.base_url != two.base_url


@given(st.text())
def test_split_tokens_joins_back_exactly(text: str) -> None:
    assert "".join(split_tokens(text)) == text


def test_split_tokens_shape() -> None:
    assert split_tokens("你好 world, 再见") == ["你", "好", " world,", " 再", "见"]
