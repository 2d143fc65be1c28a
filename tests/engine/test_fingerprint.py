"""The plan's content fingerprint: equal for equal flows, different for any real change."""

from __future__ import annotations

from typing import Annotated, TypedDict

from liteflow import UpdateStrategy, flow, node
from liteflow.plan import Plan


class Text(TypedDict):
    text: str


class Notes(TypedDict):
    notes: Annotated[list[str], UpdateStrategy.APPEND]


def _plan(*, suffix: str = "!", wiring: str = "chain", strategy: bool = False,
          flow_name: str = "文档") -> Plan:
    """Builds the same small flow anew, varying one aspect at a time."""
    if suffix == "!":
        def 写(topic: str) -> Text:
            return {"text": topic + "!"}
    else:
        def 写(topic: str) -> Text:
            return {"text": topic + "?"}

    def 注(text: str) -> Notes:
        return {"notes": [text]}

    def 注2(text: str) -> Text:
        return {"text": text}

    a = node(写)
    b = node(name="注")(注) if not strategy else node(name="注")(注2)

    def body(topic: str) -> None:
        if wiring == "chain":
            a >> b
        else:
            a >> b.when(lambda out: True)

    out = Notes if not strategy else Text
    return flow(output=out, name=flow_name)(body).plan


def test_equal_flows_have_equal_fingerprints() -> None:
    first = _plan()
    assert first.fingerprint == _plan().fingerprint
    assert len(first.fingerprint) == 16
    assert first.fingerprint == first.fingerprint  # kept after the first use


def test_every_real_change_changes_the_fingerprint() -> None:
    base = _plan().fingerprint
    changed = {
        "code": _plan(suffix="?").fingerprint,
        "wiring": _plan(wiring="when").fingerprint,
        "keys and strategy": _plan(strategy=True).fingerprint,
        "name": _plan(flow_name="文档2").fingerprint,
    }
    for what, fingerprint in changed.items():
        assert fingerprint != base, what
    assert len(set(changed.values())) == len(changed)

