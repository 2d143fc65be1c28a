"""Mermaid and DOT export: exactly the declared edges, labelled, safe for any name."""

import re
import shutil
import subprocess
from typing import Annotated, TypedDict

import pytest

from liteflow import END, START, UpdateStrategy, each, flow, node, route


class 稿(TypedDict):
    text: str
    ok: bool


class 图(TypedDict):
    image: str


class 发(TypedDict):
    url: str


class 段(TypedDict):
    parts: Annotated[list[str], UpdateStrategy.APPEND]


class 列(TypedDict):
    titles: list[str]


@node(name='写作 "初稿" <#1> | A&B')
def 写作(topic: str) -> 稿:
    return {"text": topic, "ok": True}


@node
def 配图(text: str) -> 图:
    return {"image": "p.png"}


@node
def 审核(text: str) -> 稿:
    return {"text": text, "ok": True}


@node
def 发布(text: str, image: str = "") -> 发:
    return {"url": text + image}


@node
def 列出(topic: str) -> 列:
    return {"titles": [topic]}


@node
def 写段(title: str) -> 段:
    return {"parts": [title]}


@node
def 合成(parts: list[str], topic: str) -> 发:
    return {"url": "".join(parts) + topic}


def 通过了(out: 稿) -> bool:
    return out["ok"]


@flow(output=发)
def 全部种类(topic: str) -> None:
    START >> [写作, 列出]
    写作 >> 审核.when(lambda out: out["ok"] and len(out["text"]) > 0)
    写作 >> 配图
    审核 >> route(lambda out: "发" if out["ok"] else "停", {"发": 发布, "停": END})
    审核 >> 发布.when(通过了)
    [配图, 审核] >> 发布
    列出 >> each("titles", 写段, item="title") >> 合成


MERMAID_LINE = re.compile(
    r'^    (flowchart TD|lf_start\(\["START"\]\)|lf_end\(\["END"\]\)'
    r'|n\d+\["[^"\[\]]*"\]|n\d+\[\["[^"\[\]]*"\]\]|j\d+\(\("join"\)\)'
    r'|(lf_start|n\d+|j\d+) (-->|-\.->)(\|"[^"|]*"\|)? (lf_end|n\d+|j\d+))$')


def test_mermaid_draws_every_declared_edge_once_with_labels() -> None:
    text = 全部种类.to_mermaid()
    lines = text.splitlines()
    assert lines[0] == "flowchart TD"
    for line in lines[1:]:
        assert MERMAID_LINE.match(line), line
    arrows = [line.strip() for line in lines if "->" in line]
    # 2 entries, when, plain, 2 route keys, when, join (2 parents + barrier), each, plain
    assert len(arrows) == 12
    assert 'n0 -.->|"out[#quot;ok#quot;] and len(out[#quot;text#quot;]) #gt; 0"| n2' in arrows
    assert 'n2 -.->|"通过了"| n4' in arrows
    assert 'n2 -.->|"停"| lf_end' in arrows and 'n2 -.->|"发"| n4' in arrows
    assert {"n2 --> j0", "n3 --> j0", "j0 --> n4"} <= set(arrows)
    assert 'n1 -->|"each titles"| n5' in arrows
    assert '["写作 #quot;初稿#quot; #lt;#35;1#gt; #124; A#amp;B"]' in text
    assert '[["写段"]]' in text  # an each worker is drawn stacked


def test_mermaid_is_exactly_the_declared_graph() -> None:
    plain = 全部种类.plan
    drawn = {tuple(re.findall(r"(n\d+|j\d+|lf_\w+)", line))
             for line in 全部种类.to_mermaid().splitlines() if "->" in line}
    expected_pairs = {("lf_start", f"n{e}") for e in plain.entries}
    for edge in plain.edges:
        if edge.kind == "join":
            expected_pairs.add((f"n{edge.source}", f"j{edge.join}"))
        elif edge.kind == "route":
            for targets in edge.route_map.values():
                expected_pairs |= {(f"n{edge.source}", f"n{t}") for t in targets} or set()
                if not targets:
                    expected_pairs.add((f"n{edge.source}", "lf_end"))
        else:
            expected_pairs |= {(f"n{edge.source}", f"n{t}") for t in edge.targets}
    expected_pairs |= {(f"j{g.index}", f"n{g.target}") for g in plain.joins}
    assert drawn == expected_pairs


def test_dot_escapes_names_and_marks_conditions() -> None:
    text = 全部种类.to_dot()
    assert text.startswith('digraph "全部种类" {')
    assert 'label="写作 \\"初稿\\" <#1> | A&B"' in text
    assert "style=dashed" in text and 'shape=box3d' in text and 'shape=circle' in text


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed")
def test_graphviz_accepts_the_dot_output() -> None:
    done = subprocess.run(["dot", "-Tsvg"], input=全部种类.to_dot(), capture_output=True,
                          text=True, encoding="utf-8", timeout=60)
    assert done.returncode == 0, done.stderr
    assert "写作 &quot;初稿&quot;" in done.stdout or "写作 \"初稿\"" in done.stdout
