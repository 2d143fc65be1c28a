"""An iterative writing loop with a quality gate: write → review → improve → review …"""

from __future__ import annotations

from typing import TypedDict

from liteflow import RunResult, State, flow, node


class 草稿(TypedDict):
    text: str
    iteration: int


class 评审(TypedDict):
    score: int


@node
def 写作(topic: str) -> 草稿:
    return {"text": f"关于{topic}的初稿", "iteration": 0}


@node
def 评审员(text: str) -> 评审:
    return {"score": min(100, 40 + 10 * text.count("！"))}


@node(retry_count=2, retry_delay=0.5, timeout=30)
async def 改进(text: str, iteration: int) -> 草稿:
    return {"text": text + "！", "iteration": iteration + 1}


def 需要改进(out: 评审, state: State) -> bool:
    """The quality gate: improve until the score reaches 80, at most five times."""
    return out["score"] < 80 and state["iteration"] < 5


@flow(output=评审, max_supersteps=50)
def 写作流程(topic: str) -> None:
    写作 >> 评审员
    评审员 >> 改进.when(需要改进)
    改进 >> 评审员


def main() -> RunResult[评审]:
    result = 写作流程.run(topic="机器学习")
    print(f"得分 {result.output['score']}，改进 {result.final_state['iteration']} 次，"
          f"共 {result.supersteps} 个超步")
    print(result.final_state["text"])
    return result


if __name__ == "__main__":
    main()
