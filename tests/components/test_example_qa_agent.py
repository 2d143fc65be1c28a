"""`examples/问答代理.py` runs offline, and against an endpoint given by the environment."""

from __future__ import annotations

import os
import runpy
import subprocess
import sys
from pathlib import Path

import pytest

from liteflow.testing import FakeOpenAIServer, RecordedRequest, Reply

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "问答代理.py"


def _run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(EXAMPLE), *args],
        cwd=ROOT,
        env={**env, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8"},
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
    )


def _clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")}


def test_example_runs_offline() -> None:
    proc = _run(env=_clean_env())
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert "离线模式" in lines[1]
    assert "[工具] calculator({'expression': '12.5 * 8'}) → 100.0" in lines
    assert "[工具] calculator({'expression': '2 * (12.5 + 8)'}) → 41.0" in lines
    assert lines[-1] == "答案：菜地的面积是 100 平方米，围一圈篱笆需要 41 米。"


def test_example_uses_the_configured_endpoint() -> None:
    def model(request: RecordedRequest) -> Reply | str:
        # Answer like a real model would: compute first, then reply from the tool result.
        tool_results = [m["content"] for m in request.messages if m["role"] == "tool"]
        if not tool_results:
            return Reply.tool_call("calculator", expression="sum(1, 2)")
        return f"结果：{tool_results[-1]}"

    with FakeOpenAIServer(handler=model) as server:
        env = {**_clean_env(), "OPENAI_API_KEY": "sk-test", "OPENAI_BASE_URL": server.base_url,
               "OPENAI_MODEL": "某个模型"}
        proc = _run("1", "加", "2", "等于几？", env=env)
        requests = server.requests
    assert proc.returncode == 0, proc.stderr
    # `sum` is not a calculator function: the error went back to the model as the result.
    assert "[工具] calculator({'expression': 'sum(1, 2)'}) → 出错：" in proc.stdout
    assert proc.stdout.splitlines()[-1].startswith("答案：结果：Error: ")
    first = requests[0]
    assert first.model == "某个模型"
    assert first.headers["authorization"] == "Bearer sk-test"
    assert first.messages[0]["role"] == "system"
    assert first.messages[1] == {"role": "user", "content": "1 加 2 等于几？"}
    assert first.tool_names == ["calculator"]


def test_example_main_in_process(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in [k for k in os.environ if k.startswith("OPENAI_")]:
        monkeypatch.delenv(name)
    namespace = runpy.run_path(str(EXAMPLE), run_name="example")
    assert namespace["main"]() == "菜地的面积是 100 平方米，围一圈篱笆需要 41 米。"
    out = capsys.readouterr().out
    # The answer was streamed token by token before the final line repeated it.
    assert out.count("菜地的面积是 100 平方米") == 2
