"""国内模型与本地模型的配置 / Settings for Chinese providers and local model servers.

`ChatOpenAI` 通过 `base_url` 连接任何兼容 OpenAI 的服务。这里集中写好 DeepSeek、通义千问
（阿里云百炼 DashScope 兼容模式）、Moonshot/Kimi、智谱 GLM，以及本地的 vLLM 和 Ollama 的
设置：地址、常用模型、密钥所在的环境变量，以及各家支持什么。

`ChatOpenAI` reaches any OpenAI-compatible service through `base_url`. This file keeps the
settings of DeepSeek, Qwen (DashScope's compatible mode), Moonshot/Kimi, Zhipu GLM and a
local vLLM or Ollama in one place: the URL, common models, the environment variable with
the key, and what each one supports.

运行 / Run::

    DEEPSEEK_API_KEY=sk-... python examples/国内模型配置.py deepseek "用一句话介绍杭州"
    python examples/国内模型配置.py ollama "你好"          # 本机 ollama serve
    python examples/国内模型配置.py                        # 列出所有配置 / list them

模型名和功能以各家文档为准，这里是编写时的情况 / Model names and features change: check
each provider's documentation.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from liteflow.components import ChatOpenAI

StructuredOutput = Literal["json_schema", "json_object"]


@dataclass(frozen=True, slots=True)
class Provider:
    """One OpenAI-compatible service: where it is and what it supports."""

    base_url: str
    models: tuple[str, ...]
    api_key_env: str | None
    tool_calls: bool
    structured_output: StructuredOutput
    stream_usage: bool
    """Send `stream_options.include_usage` (the others report usage in a stream anyway)."""
    reasoning: str | None = None
    """The model that sends its thinking as `reasoning_content` / `reasoning`, if any."""


PROVIDERS: dict[str, Provider] = {
    "deepseek": Provider(
        base_url="https://api.deepseek.com/v1",
        models=("deepseek-chat", "deepseek-reasoner"),
        api_key_env="DEEPSEEK_API_KEY",
        tool_calls=True,
        structured_output="json_object",
        stream_usage=True,
        reasoning="deepseek-reasoner",
    ),
    "qwen": Provider(
        base_url="https://dashscope.aliyuncs.com/compatible-mode/v1",
        models=("qwen-plus", "qwen-max", "qwen-turbo", "qwen3-235b-a22b"),
        api_key_env="DASHSCOPE_API_KEY",
        tool_calls=True,
        structured_output="json_object",
        stream_usage=True,
        reasoning="qwen3-235b-a22b",
    ),
    "moonshot": Provider(
        base_url="https://api.moonshot.cn/v1",
        models=("kimi-k2-0905-preview", "moonshot-v1-8k", "moonshot-v1-32k"),
        api_key_env="MOONSHOT_API_KEY",
        tool_calls=True,
        structured_output="json_object",
        stream_usage=False,
        reasoning="kimi-k2-thinking",
    ),
    "zhipu": Provider(
        base_url="https://open.bigmodel.cn/api/paas/v4",
        models=("glm-4.5", "glm-4-plus", "glm-4-flash"),
        api_key_env="ZHIPUAI_API_KEY",
        tool_calls=True,
        structured_output="json_object",
        stream_usage=False,
        reasoning="glm-4.5",
    ),
    "vllm": Provider(
        base_url="http://localhost:8000/v1",
        models=("Qwen/Qwen2.5-7B-Instruct",),
        api_key_env=None,
        tool_calls=True,
        structured_output="json_schema",
        stream_usage=True,
        reasoning="Qwen/Qwen3-8B",
    ),
    "ollama": Provider(
        base_url="http://localhost:11434/v1",
        models=("qwen2.5:7b", "llama3.1:8b", "qwen3:8b"),
        api_key_env=None,
        tool_calls=True,
        structured_output="json_schema",
        stream_usage=True,
        reasoning="qwen3:8b",
    ),
}


def chat_model(
    provider: str,
    model: str | None = None,
    *,
    base_url: str | None = None,
    api_key: str | None = None,
    **options: Any,
) -> ChatOpenAI:
    """A `ChatOpenAI` for `provider` (its first model unless `model` is given).

    The key comes from `api_key`, else the provider's environment variable; local servers
    need none. `base_url` overrides the provider's address (a proxy, a test server).
    """
    settings = PROVIDERS[provider]
    if api_key is None:
        api_key = os.environ.get(settings.api_key_env) if settings.api_key_env else "local"
    options.setdefault("stream_usage", settings.stream_usage)
    return ChatOpenAI(
        model or settings.models[0],
        api_key=api_key,
        base_url=base_url or settings.base_url,
        **options,
    )


def main(argv: Sequence[str]) -> None:
    """`国内模型配置.py PROVIDER QUESTION`: stream the answer; with no arguments, list them."""
    if len(argv) < 2:
        for name, settings in PROVIDERS.items():
            key = settings.api_key_env or "（本地，无需密钥 / local, no key）"
            print(f"{name:9} {settings.base_url:52} {settings.models[0]:26} {key}")
        return
    llm = chat_model(argv[0], temperature=0.3)
    for chunk in llm.stream(" ".join(argv[1:])):
        print(chunk.content, end="", flush=True)
    print()


if __name__ == "__main__":
    main(sys.argv[1:])
