"""The sync methods run the async ones on a background loop: from any thread, inside a
running loop, from an async tool on that very loop, in the caller's language."""

from __future__ import annotations

import asyncio
import threading

import pytest

from liteflow.components import ChatModelError, ToolCallingAgent, tool
from liteflow.core.messages import use_language
from liteflow.testing import Failure, FakeOpenAIServer, Reply


def test_sync_calls_work_inside_a_running_loop(server: FakeOpenAIServer) -> None:
    server.add("一", "二")
    llm = server.chat_model()

    async def inside() -> tuple[str, str]:
        first = llm.invoke("x").content
        second = "".join(chunk.content for chunk in llm.stream("y"))
        return first, second

    assert asyncio.run(inside()) == ("一", "二")


def test_an_async_tool_may_call_the_model_synchronously(server: FakeOpenAIServer) -> None:
    llm = server.chat_model()

    @tool
    async def 问问别人(问题: str) -> str:
        # Runs on the background loop when the agent is invoked synchronously.
        answer = llm.invoke(问题).content
        streamed = "".join(chunk.content for chunk in llm.stream(问题))
        return answer + streamed

    server.add(Reply.tool_call("问问别人", 问题="天气？"), "晴", "朗", "天气晴朗。")
    agent = ToolCallingAgent(llm, [问问别人], stream=False)
    outcome: dict[str, object] = {}
    worker = threading.Thread(target=lambda: outcome.update(result=agent.invoke("问天气")))
    worker.start()
    worker.join(15)
    assert not worker.is_alive(), "deadlock"
    result = outcome["result"]
    assert result.answer == "天气晴朗。"  # type: ignore[attr-defined]
    assert result.tool_calls[0].result == "晴朗"  # type: ignore[attr-defined]


def test_errors_of_sync_calls_use_the_callers_language(server: FakeOpenAIServer) -> None:
    server.add(Failure(400, "bad"), Failure(400, "bad"))
    llm = server.chat_model()
    for language, start in (("zh", "模型 fake-model（"), ("en", "The request to model")):
        with use_language(language), pytest.raises(ChatModelError) as caught:
            llm.invoke("x")
        assert str(caught.value).startswith(start)


def test_leaving_a_sync_stream_early_closes_it(server: FakeOpenAIServer) -> None:
    server.add(Reply("一 二 三 四 五", chunk_delay=0.05), "下一次")
    llm = server.chat_model()
    stream = llm.stream("x")
    assert next(stream).content == ""  # the role chunk
    stream.close()
    assert llm.invoke("y").content == "下一次"


def test_many_threads_share_the_background_loop(server: FakeOpenAIServer) -> None:
    server.add(*[f"答{i}" for i in range(16)])
    llm = server.chat_model()
    answers: list[str] = []
    lock = threading.Lock()

    def ask() -> None:
        content = llm.invoke("x").content
        with lock:
            answers.append(content)

    threads = [threading.Thread(target=ask) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(15)
    assert sorted(answers) == sorted(f"答{i}" for i in range(16))


def test_ctrl_c_stops_a_sync_call_that_has_no_timeout() -> None:
    import signal
    import subprocess
    import sys
    import time
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    script = """
import sys
from liteflow.testing import FakeOpenAIServer, RawReply
hang = RawReply([b": keep-alive\\n\\n"] * 600, delay=0.1, chunked=True,
                content_type="text/event-stream")
with FakeOpenAIServer([hang]) as server:
    llm = server.chat_model(timeout=None)
    print("calling", flush=True)
    try:
        llm.invoke("x")
    except KeyboardInterrupt:
        print("interrupted", flush=True)
"""
    process = subprocess.Popen([sys.executable, "-c", script], cwd=root, text=True,
                               stdout=subprocess.PIPE, env={"PYTHONPATH": str(root),
                                                            "PATH": "/usr/bin:/bin"})
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "calling"
    time.sleep(0.5)
    started = time.monotonic()
    process.send_signal(signal.SIGINT)
    output, _ = process.communicate(timeout=20)
    assert output.strip() == "interrupted"
    assert time.monotonic() - started < 3.0
