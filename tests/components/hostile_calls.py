"""Helpers for the hostile-server tests: call a model in each of its four ways."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from liteflow.components import AIMessage, ChatModelError, ChatOpenAI, merge_chunks

MODES = ("invoke", "ainvoke", "stream", "astream")
STREAMING = ("stream", "astream")


async def _astream(llm: ChatOpenAI, question: str) -> AIMessage:
    return merge_chunks([chunk async for chunk in llm.astream(question)])


def call(llm: ChatOpenAI, mode: str, question: str = "你好") -> AIMessage:
    """The reply to `question`, asked the `mode` way (the async ways on a fresh loop)."""
    runs: dict[str, Callable[[], Any]] = {
        "invoke": lambda: llm.invoke(question),
        "ainvoke": lambda: asyncio.run(llm.ainvoke(question)),
        "stream": lambda: merge_chunks(llm.stream(question)),
        "astream": lambda: asyncio.run(_astream(llm, question)),
    }
    result: AIMessage = runs[mode]()
    return result


def problem_of(llm: ChatOpenAI, mode: str, url: str) -> str:
    """The phrase id of the `chat.bad_reply` error the call raises (after common checks)."""
    with pytest.raises(ChatModelError) as caught:
        call(llm, mode)
    error = caught.value
    assert error.msg_id == "chat.bad_reply", error.render("en")
    assert error.model == llm.model
    for language in ("zh", "en"):
        text = error.render(language)
        assert llm.model in text and f"{url}/chat/completions" in text
    assert "Error" not in error.render("zh")  # no English exception text in Chinese
    problem: Any = error.fields["problem"]
    return str(problem.msg_id)
