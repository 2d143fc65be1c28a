"""Shared fixtures: a scripted OpenAI-compatible server and a model pointed at it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from liteflow.components import ChatOpenAI
from liteflow.testing import FakeOpenAIServer


@pytest.fixture
def server() -> Iterator[FakeOpenAIServer]:
    with FakeOpenAIServer() as running:
        yield running


@pytest.fixture
def llm(server: FakeOpenAIServer) -> ChatOpenAI:
    return server.chat_model("测试模型", max_retries=2)
