"""The checkpoint codec: every supported type round-trips, nothing else gets imported."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import os
import subprocess
import sys
import uuid
from decimal import Decimal
from fractions import Fraction
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Annotated, Any, Literal, NamedTuple, TypedDict
from zoneinfo import ZoneInfo

import msgpack
import pydantic
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from liteflow.checkpoint import CODEC, Serde, Unrestorable, classes_in_hints, unrestorable_path
from liteflow.core.errors import CheckpointDecodeError, CheckpointEncodeError


class 颜色(enum.Enum):
    红 = "red"
    绿 = "green"


class Priority(enum.IntEnum):
    LOW = 1
    HIGH = 2


@dataclasses.dataclass(frozen=True)
class 作者:
    名字: str
    年龄: int = 0


@dataclasses.dataclass
class Draft:
    title: str
    author: 作者
    tags: list[str] = dataclasses.field(default_factory=list)
    words: int = dataclasses.field(default=0, init=False)


class 消息(pydantic.BaseModel):
    role: str
    content: str
    sent: dt.datetime | None = None
    author: 作者 | None = None


class Point(NamedTuple):
    x: int
    y: float


class 状态(TypedDict):
    消息列表: list[消息]
    草稿: Annotated[Draft | None, "doc"]
    颜色: 颜色
    点: dict[str, Point]
    级别: Literal[Priority.HIGH]


# Raise for a longer property run, e.g. LITEFLOW_TEST_EXAMPLES=5000.
EXAMPLES = int(os.environ.get("LITEFLOW_TEST_EXAMPLES", "200"))
CLASSES = classes_in_hints([状态])
SERDE = Serde().bind(CLASSES)


def roundtrip(value: Any, serde: Serde = SERDE) -> Any:
    return serde.decode(serde.encode(value))


def same(a: Any, b: Any) -> bool:
    """Equal and of the same types, recursively."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def test_classes_in_hints_walks_typeddicts_unions_generics_and_fields() -> None:
    assert CLASSES == {消息, 作者, Draft, 颜色, Point, Priority}
    assert classes_in_hints([int, str, list[int], "Unresolved", None]) == set()
    assert SERDE.bind([作者]) is SERDE


# ------------------------------------------------------------------ the type matrix

texts = st.text(alphabet=st.characters(codec="utf-8"), max_size=12) | st.sampled_from(
    ["", "\x00", "中文键", "值\x00值", "🙂", "ｆｕｌｌ"])
big_ints = st.integers(min_value=-(2**200), max_value=2**200) | st.sampled_from(
    [2**63, 2**64, -(2**63) - 1, 2**70, -(2**100)])
scalars = st.one_of(
    st.none(), st.booleans(), big_ints, st.floats(allow_nan=False), texts, st.binary(max_size=16),
    st.datetimes(timezones=st.none() | st.timezones()), st.dates(), st.times(),
    st.timedeltas(), st.decimals(allow_nan=False), st.uuids(), st.fractions(),
    st.complex_numbers(allow_nan=False), st.sampled_from(list(颜色) + list(Priority)),
    st.builds(PurePosixPath, texts.filter(lambda s: "\x00" not in s)),
    st.builds(作者, texts, st.integers()), st.builds(Point, st.integers(),
                                                     st.floats(allow_nan=False)),
)
hashables = st.one_of(texts, big_ints, st.tuples(texts, st.integers()),
                      st.frozensets(st.integers(), max_size=3))


def containers(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(
        st.lists(children, max_size=4), st.tuples(children, children),
        st.dictionaries(hashables, children, max_size=4),
        st.sets(hashables, max_size=4), st.frozensets(hashables, max_size=3),
        st.builds(lambda c, m: 消息(role="user", content=c, sent=m), texts,
                  st.none() | st.datetimes()),
        st.builds(lambda t, a, tags: Draft(t, a, tags), texts, st.builds(作者, texts),
                  st.lists(texts, max_size=3)),
    )


values = st.recursive(scalars, containers, max_leaves=20)


@settings(max_examples=EXAMPLES, deadline=None)
@given(values)
def test_every_supported_value_round_trips_with_its_types(value: Any) -> None:
    assert same(roundtrip(value), value)


@settings(max_examples=max(EXAMPLES // 2, 10), deadline=None)
@given(st.dictionaries(texts, values, max_size=5))
def test_states_with_chinese_keys_and_nul_round_trip(state: dict[str, Any]) -> None:
    assert same(roundtrip(state), state)


def test_the_matrix_by_example() -> None:
    shanghai = dt.datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=ZoneInfo("Asia/Shanghai"))
    state = {
        "时间": shanghai,
        "固定时区": dt.datetime(2026, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=-3))),
        "日期": dt.date(2026, 12, 1), "钟点": dt.time(23, 59, 1, 5), "间隔": dt.timedelta(days=-2),
        "金额": Decimal("12345678901234567890.0000001"), "编号": uuid.uuid4(),
        "大数": 2**4000, "复数": 1 - 2j, "分数": Fraction(22, 7), "颜色": 颜色.红,
        "级别": Priority.HIGH, "路径": Path("/tmp/数据.txt"), "窗口路径": PureWindowsPath("C:/x"),
        "字节": bytes(range(256)), "空": "\x00", 10**30: "大整数键", 3: "整数键",
        "点": Point(1, 2.5), "草稿": Draft("标题", 作者("李白", 61), ["诗"]),
        "消息": 消息(role="assistant", content="好", sent=shanghai, author=作者("杜甫")),
        "嵌套": {"a": [(1, {2}), frozenset({"x"})]},
    }
    back = roundtrip(state)
    assert same(back, state)
    assert back["时间"].tzinfo == ZoneInfo("Asia/Shanghai")
    draft = Draft("t", 作者("a"))
    draft.words = 42  # a field outside __init__ is kept too
    assert roundtrip(draft).words == 42


def test_subclasses_of_plain_types_keep_their_content() -> None:
    from collections import OrderedDict, defaultdict

    class Name(str):
        pass

    assert same(roundtrip(OrderedDict(a=1)), {"a": 1})
    assert same(roundtrip(defaultdict(list, b=[1])), {"b": [1]})
    assert same(roundtrip(Name("名")), "名")
    assert same(roundtrip(bytearray(b"ab")), b"ab")


# ------------------------------------------------------------------ safety


def test_classes_outside_the_allowlist_decode_inert() -> None:
    data = SERDE.encode({"草稿": Draft("t", 作者("a")), "颜色": 颜色.绿, "消息": 消息(role="r",
                                                                                    content="c")})
    plain = Serde().decode(data)
    assert plain["颜色"] == Unrestorable(f"{__name__}:颜色", {"value": "green"})
    assert isinstance(plain["草稿"], Unrestorable)
    assert plain["草稿"].class_path == f"{__name__}:Draft"
    assert plain["草稿"].fields["author"] == Unrestorable(f"{__name__}:作者",
                                                         {"名字": "a", "年龄": 0})
    assert unrestorable_path(plain["草稿"]) == ("$", plain["草稿"])
    found = unrestorable_path({"列表": [1, {"x": plain["消息"]}]})
    assert found is not None and found[0] == "$.列表[1].x"
    assert unrestorable_path({"a": [1, "b"]}) is None
    # Allowing one class restores exactly that one.
    only_author = Serde(allow=[作者]).decode(data)
    assert only_author["草稿"].fields["author"] == 作者("a")


def _crafted_object(path: str, kind: str, fields: Any) -> bytes:
    inner = msgpack.packb([path, kind, fields], use_bin_type=True)
    return msgpack.packb({"值": msgpack.ExtType(15, inner)}, use_bin_type=True)


def test_a_crafted_row_never_imports_or_calls_what_it_names() -> None:
    # Run in a fresh interpreter, so that sys.modules shows exactly what decoding imported.
    script = r'''
import sys, msgpack, os
from liteflow.checkpoint import Serde, Unrestorable
def crafted(code, payload):
    return msgpack.packb({"值": msgpack.ExtType(code, msgpack.packb(payload))})
called = []
os.system = lambda *a: called.append(a)  # would record a call
rows = [crafted(15, ["os:system", "dc", {"command": "touch /tmp/pwned"}]),
        crafted(15, ["liteflow_evil_module:Boom", "pd", {"x": 1}]),
        crafted(13, ["liteflow_evil_enum:Color", 1]),
        crafted(15, ["builtins:eval", "nt", {"source": "1+1"}]),
        crafted(17, None)]
before = set(sys.modules)
for row in rows:
    value = Serde().decode(row)["值"]
    assert isinstance(value, Unrestorable), value
new = set(sys.modules) - before
assert not called, called
assert "liteflow_evil_module" not in sys.modules and "liteflow_evil_enum" not in sys.modules
print(sorted(new))
'''
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_pickle_only_when_asked() -> None:
    class Opaque:
        def __init__(self, n: int) -> None:
            self.n = n

        def __eq__(self, other: object) -> bool:
            return isinstance(other, Opaque) and other.n == self.n

    with pytest.raises(CheckpointEncodeError):
        Serde().encode(Opaque(1))
    pickled = Serde(pickle=True)
    value = {"f": Fraction(1, 2), "c": complex(1, 1)}
    assert pickled.decode(pickled.encode(value)) == value  # ext types, not pickle
    data = pickled.encode({"x": Path})  # a class object: only pickle can carry it
    assert pickled.decode(data) == {"x": Path}
    assert Serde().decode(data) == {"x": Unrestorable("pickle", {})}


# ------------------------------------------------------------------ errors


def test_an_unencodable_value_names_key_node_flow_path_and_type() -> None:
    class Handle:
        pass

    value = {"items": [1, 2, 3, {"meta": Handle()}]}
    with pytest.raises(CheckpointEncodeError) as info:
        SERDE.encode(value, key="draft", node="改进", flow="写作流程")
    err = info.value
    assert (err.key, err.node, err.flow, err.path) == ("draft", "改进", "写作流程",
                                                     "$.items[3].meta")
    assert "Handle" in str(err) and "$.items[3].meta" in str(err)
    assert "改进" in err.render("zh") and "draft" in err.render("zh")
    with pytest.raises(CheckpointEncodeError) as info:
        SERDE.encode([Point(1, 2.0), 作者("a", lambda: 1)], key="k")  # type: ignore[arg-type]
    assert info.value.path == "$[1].年龄"
    with pytest.raises(CheckpointEncodeError) as info:
        SERDE.encode({"中 文": {"x": (1, {object()})}}, key="k")
    assert info.value.path == "$['中 文'].x[1]{0}"


def test_a_cycle_is_an_encode_error_not_a_crash() -> None:
    loop: list[Any] = []
    loop.append(loop)
    with pytest.raises(CheckpointEncodeError):
        SERDE.encode(loop, key="循环")


@pytest.mark.parametrize("garbage", [b"", b"\xc1", b"\x92\x01", b"\xd4\x63\x00",
                                     _crafted_object("x:y", "dc", 1)[:-1], b"\x81\xa1a"])
def test_garbage_is_a_decode_error(garbage: bytes) -> None:
    with pytest.raises(CheckpointDecodeError) as info:
        SERDE.decode(garbage)
    assert CODEC in str(info.value)
