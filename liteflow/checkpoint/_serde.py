"""The value codec of checkpoints: msgpack with fixed extension types (`lf-msgpack/1`).

Plain values (None, bool, int within 64 bits, float, str, bytes, list, dict with any
hashable keys) are native msgpack. Everything else uses one of the extension codes below,
which are part of the on-disk format and never change meaning:

    1 tuple  2 set  3 frozenset  4 datetime  5 date  6 time  7 timedelta  8 Decimal  9 UUID
    10 int beyond 64 bits  11 complex  12 Fraction  13 Enum  14 PurePath
    15 object (dataclass, pydantic model, NamedTuple)  17 pickle (only with pickle=True)

Classes (codes 13 and 15) are restored only when they are in the allowlist: `Serde(allow=)`
plus what `bind()` adds (the plan's declared types). A stored value naming any other class
decodes to an inert `Unrestorable`; the class is looked up by its qualified name in the
allowlist and nothing is ever imported because stored bytes name a module.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import pickle as _pickle
import re
import sys
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from decimal import Decimal
from fractions import Fraction
from pathlib import Path, PurePath, PurePosixPath, PureWindowsPath
from typing import Any, ClassVar

import msgpack

from ..core.errors import CheckpointDecodeError, CheckpointEncodeError

__all__ = ["CODEC", "Serde", "Unrestorable", "class_path", "unrestorable_path"]

CODEC = "lf-msgpack/1"

_TUPLE, _SET, _FROZENSET, _DATETIME, _DATE, _TIME, _TIMEDELTA = 1, 2, 3, 4, 5, 6, 7
_DECIMAL, _UUID, _BIGINT, _COMPLEX, _FRACTION, _ENUM, _PATH, _OBJECT = 8, 9, 10, 11, 12, 13, 14, 15
_PICKLE = 17

_PATH_KINDS: Mapping[str, type[PurePath]] = {
    "PurePosixPath": PurePosixPath,
    "PureWindowsPath": PureWindowsPath,
    "PosixPath": Path,
    "WindowsPath": Path,
}


@dataclasses.dataclass(frozen=True, slots=True)
class Unrestorable:
    """A stored object whose class is not in the allowlist: shown, never rebuilt.

    `class_path` is `"module:qualname"`; `fields` holds the decoded fields (or the enum
    value under `"value"`).
    """

    class_path: str
    fields: Any


def class_path(cls: type) -> str:
    """The name a class is stored under: `"module:qualname"`."""
    return f"{cls.__module__}:{cls.__qualname__}"


class _Unencodable(Exception):
    def __init__(self, obj: Any) -> None:
        super().__init__(type(obj).__name__)
        self.obj = obj


def _pydantic_base() -> type | None:
    # Only a value that already is a pydantic model can need pydantic: never import it here.
    module = sys.modules.get("pydantic")
    base = getattr(module, "BaseModel", None)
    return base if isinstance(base, type) else None


def _tz_state(tz: dt.tzinfo | None, at: dt.datetime | None) -> Any:
    if tz is None:
        return None
    key = getattr(tz, "key", None)  # zoneinfo.ZoneInfo keeps its name
    offset = tz.utcoffset(at)
    fixed = None if offset is None else [offset.days, offset.seconds, offset.microseconds]
    if isinstance(key, str):
        return ["zone", key, fixed]
    return ["fixed", fixed]


def _tz_restore(state: Any) -> dt.tzinfo | None:
    if state is None:
        return None
    if state[0] == "zone":
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError  # stdlib; the key is a zone name

        try:
            return ZoneInfo(state[1])
        except (ZoneInfoNotFoundError, ValueError):
            state = ["fixed", state[2]]
    fixed = state[1]
    if fixed is None:
        return None
    return dt.timezone(dt.timedelta(days=fixed[0], seconds=fixed[1], microseconds=fixed[2]))


class Serde:
    """The checkpoint codec: `Serde(allow=(MyModel,), pickle=False)`.

    `allow`: classes (dataclasses, pydantic models, enums, NamedTuples) that may be restored
    besides the flow's declared types. `pickle=True` pickles values msgpack cannot encode and
    unpickles them on load: only for databases nobody else can write.
    """

    codec: ClassVar[str] = CODEC
    __slots__ = ("_by_path", "_pydantic", "allow", "pickle")

    def __init__(self, allow: Iterable[type] = (), pickle: bool = False) -> None:
        self.allow: frozenset[type] = frozenset(allow)
        self.pickle = pickle
        self._by_path: dict[str, type] = {class_path(c): c for c in self.allow}
        self._pydantic: type | None = None

    def __repr__(self) -> str:
        names = ", ".join(sorted(c.__qualname__ for c in self.allow))
        return f"Serde(allow=[{names}], pickle={self.pickle})"

    def bind(self, extra_classes: Iterable[type]) -> Serde:
        """A codec that also restores `extra_classes` (the plan's declared types)."""
        extra = frozenset(extra_classes)
        if extra <= self.allow:
            return self
        return Serde(self.allow | extra, pickle=self.pickle)

    # ---------------------------------------------------------------- encoding

    def encode(self, value: Any, *, key: str = "?", node: str = "?", flow: str = "?") -> bytes:
        """The bytes of `value`; `CheckpointEncodeError` names key, node, flow and `$.path`."""
        try:
            return msgpack.packb(value, default=self._default, strict_types=True,
                                 use_bin_type=True, datetime=False)
        except _Unencodable as bad:
            path = _locate(value, bad.obj) or "$"
            raise CheckpointEncodeError(flow=flow, node=node, key=key, path=path,
                                        type=_type_name(bad.obj)) from None
        except (ValueError, OverflowError, TypeError) as error:
            # Recursion limit (a cycle), or a failure inside a pickled value.
            raise CheckpointEncodeError(flow=flow, node=node, key=key, path="$",
                                        type=_type_name(value)) from error

    def _pack(self, value: Any) -> bytes:
        return msgpack.packb(value, default=self._default, strict_types=True,
                             use_bin_type=True, datetime=False)

    def _default(self, obj: Any) -> Any:
        ext = self._ext(obj)
        if ext is not None:
            return ext
        if self.pickle:
            try:
                return msgpack.ExtType(_PICKLE, _pickle.dumps(obj, protocol=5))
            except Exception:
                raise _Unencodable(obj) from None
        raise _Unencodable(obj)

    def _ext(self, obj: Any) -> Any:
        pack = self._pack
        cls = type(obj)
        if cls is tuple:
            return msgpack.ExtType(_TUPLE, pack(list(obj)))
        if cls is int:
            n: int = obj
            return msgpack.ExtType(_BIGINT, n.to_bytes(n.bit_length() // 8 + 1, "big",
                                                       signed=True))
        if isinstance(obj, enum.Enum):
            return msgpack.ExtType(_ENUM, pack([class_path(cls), obj.value]))
        if isinstance(obj, tuple) and hasattr(cls, "_fields"):
            fields = dict(zip(cls._fields, obj, strict=True))
            return msgpack.ExtType(_OBJECT, pack([class_path(cls), "nt", fields]))
        if cls is set or cls is frozenset:
            return msgpack.ExtType(_SET if cls is set else _FROZENSET, pack(list(obj)))
        if isinstance(obj, dt.datetime):
            state = [obj.year, obj.month, obj.day, obj.hour, obj.minute, obj.second,
                     obj.microsecond, _tz_state(obj.tzinfo, obj), obj.fold]
            return msgpack.ExtType(_DATETIME, pack(state))
        if isinstance(obj, dt.date):
            return msgpack.ExtType(_DATE, pack([obj.year, obj.month, obj.day]))
        if isinstance(obj, dt.time):
            state = [obj.hour, obj.minute, obj.second, obj.microsecond,
                     _tz_state(obj.tzinfo, None), obj.fold]
            return msgpack.ExtType(_TIME, pack(state))
        if isinstance(obj, dt.timedelta):
            return msgpack.ExtType(_TIMEDELTA, pack([obj.days, obj.seconds, obj.microseconds]))
        if isinstance(obj, Decimal):
            return msgpack.ExtType(_DECIMAL, str(obj).encode())
        if isinstance(obj, uuid.UUID):
            return msgpack.ExtType(_UUID, obj.bytes)
        if isinstance(obj, complex):
            return msgpack.ExtType(_COMPLEX, pack([obj.real, obj.imag]))
        if isinstance(obj, Fraction):
            return msgpack.ExtType(_FRACTION, pack([obj.numerator, obj.denominator]))
        if isinstance(obj, PurePath):
            return msgpack.ExtType(_PATH, pack([cls.__name__, str(obj)]))
        if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
            fields = {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj)}
            return msgpack.ExtType(_OBJECT, pack([class_path(cls), "dc", fields]))
        base = self._pydantic or _pydantic_base()
        if base is not None and isinstance(obj, base):
            self._pydantic = base
            model: Any = obj
            return msgpack.ExtType(_OBJECT, pack([class_path(cls), "pd", dict(model)]))
        # Subclasses of the plain types keep their content, not their class (TypedDicts are
        # plain dicts already).
        if isinstance(obj, bool):
            return bool(obj)
        if isinstance(obj, int):
            return int(obj)
        if isinstance(obj, float):
            return float(obj)
        if isinstance(obj, str):
            return str(obj)
        if isinstance(obj, bytes | bytearray | memoryview):
            return bytes(obj)
        if isinstance(obj, dict):
            return dict(obj)
        if isinstance(obj, list):
            return list(obj)
        if isinstance(obj, tuple):
            return msgpack.ExtType(_TUPLE, pack(list(obj)))
        return None

    # ---------------------------------------------------------------- decoding

    def decode(self, data: bytes) -> Any:
        """The value stored in `data`; `CheckpointDecodeError` when it is not `lf-msgpack/1`."""
        try:
            return self._unpack(data)
        except CheckpointDecodeError:
            raise
        except Exception as error:
            raise CheckpointDecodeError(codec=CODEC, error=f"{type(error).__name__}: {error}",
                                        url="-") from None

    def _unpack(self, data: bytes) -> Any:
        return msgpack.unpackb(data, ext_hook=self._ext_hook, raw=False, strict_map_key=False,
                               use_list=True, timestamp=0)

    def _ext_hook(self, code: int, data: bytes) -> Any:
        handler = _DECODERS.get(code)
        if handler is None:
            raise ValueError(f"unknown extension code {code}")
        return handler(self, data)

    def _restore_enum(self, data: bytes) -> Any:
        path, value = self._unpack(data)
        cls = self._by_path.get(path)
        if cls is None or not issubclass(cls, enum.Enum):
            return Unrestorable(path, {"value": value})
        try:
            return cls(value)
        except ValueError:
            return Unrestorable(path, {"value": value})

    def _restore_object(self, data: bytes) -> Any:
        path, kind, fields = self._unpack(data)
        cls = self._by_path.get(path)
        if cls is None or not isinstance(fields, dict):
            return Unrestorable(path, fields)
        try:
            if kind == "dc" and dataclasses.is_dataclass(cls):
                return _build_dataclass(cls, fields)
            if kind == "pd":
                validate: Callable[[Any], Any] = getattr(cls, "model_validate")  # noqa: B009
                return validate(fields)
            if kind == "nt" and issubclass(cls, tuple):
                return cls(**fields)
        except Exception:
            return Unrestorable(path, fields)
        return Unrestorable(path, fields)

    def _restore_pickle(self, data: bytes) -> Any:
        if not self.pickle:
            return Unrestorable("pickle", {})
        return _pickle.loads(data)


def _build_dataclass(cls: type, fields: dict[str, Any]) -> Any:
    specs = dataclasses.fields(cls)
    obj = cls(**{f.name: fields[f.name] for f in specs if f.init and f.name in fields})
    for f in specs:
        if not f.init and f.name in fields:
            object.__setattr__(obj, f.name, fields[f.name])
    return obj


def _restore_int(serde: Serde, data: bytes) -> int:
    return int.from_bytes(data, "big", signed=True)


def _restore_datetime(serde: Serde, data: bytes) -> dt.datetime:
    y, mo, d, h, mi, s, us, tz, fold = serde._unpack(data)
    return dt.datetime(y, mo, d, h, mi, s, us, tzinfo=_tz_restore(tz), fold=fold)


def _restore_time(serde: Serde, data: bytes) -> dt.time:
    h, mi, s, us, tz, fold = serde._unpack(data)
    return dt.time(h, mi, s, us, tzinfo=_tz_restore(tz), fold=fold)


def _restore_path(serde: Serde, data: bytes) -> PurePath:
    kind, text = serde._unpack(data)
    return _PATH_KINDS.get(kind, PurePath)(text)


_DECODERS: Mapping[int, Callable[[Serde, bytes], Any]] = {
    _TUPLE: lambda s, d: tuple(s._unpack(d)),
    _SET: lambda s, d: set(s._unpack(d)),
    _FROZENSET: lambda s, d: frozenset(s._unpack(d)),
    _DATETIME: _restore_datetime,
    _DATE: lambda s, d: dt.date(*s._unpack(d)),
    _TIME: _restore_time,
    _TIMEDELTA: lambda s, d: dt.timedelta(*s._unpack(d)),
    _DECIMAL: lambda s, d: Decimal(d.decode()),
    _UUID: lambda s, d: uuid.UUID(bytes=bytes(d)),
    _BIGINT: _restore_int,
    _COMPLEX: lambda s, d: complex(*s._unpack(d)),
    _FRACTION: lambda s, d: Fraction(*s._unpack(d)),
    _ENUM: Serde._restore_enum,
    _PATH: _restore_path,
    _OBJECT: Serde._restore_object,
    _PICKLE: Serde._restore_pickle,
}


# ------------------------------------------------------------------ error paths

_IDENT = re.compile(r"^[^\W\d]\w*$")


def _type_name(obj: Any) -> str:
    cls = type(obj)
    return cls.__qualname__ if cls.__module__ == "builtins" else class_path(cls)


def _step(key: Any) -> str:
    if isinstance(key, str) and _IDENT.match(key):
        return f".{key}"
    return f"[{key!r}]"


def _children(value: Any) -> Iterator[tuple[str, Any]]:
    if isinstance(value, Mapping):
        for k, v in value.items():
            yield _step(k) + "{key}", k
            yield _step(k), v
    elif isinstance(value, list | tuple) and not hasattr(type(value), "_fields"):
        for i, v in enumerate(value):
            yield f"[{i}]", v
    elif isinstance(value, tuple):  # NamedTuple
        names: tuple[str, ...] = getattr(type(value), "_fields", ())
        for name in names:
            yield f".{name}", getattr(value, name)
    elif isinstance(value, set | frozenset):
        for i, v in enumerate(value):
            yield f"{{{i}}}", v
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            yield f".{f.name}", getattr(value, f.name)
    else:
        base = _pydantic_base()
        if base is not None and isinstance(value, base):
            model: Any = value
            for k, v in dict(model).items():
                yield f".{k}", v


def _locate(value: Any, culprit: Any, depth: int = 0) -> str | None:
    """The `$.path` of `culprit` inside `value` (by identity), or None."""
    if value is culprit:
        return "$"
    if depth > 200:
        return None
    for step, child in _children(value):
        found = _locate(child, culprit, depth + 1)
        if found is not None:
            return "$" + step + found[1:]
    return None


def unrestorable_path(value: Any) -> tuple[str, Unrestorable] | None:
    """Where the first `Unrestorable` sits inside a decoded value: `("$.a[2]", obj)` or None.

    The runner calls it before a node receives a restored value, to fail clearly instead of
    handing the node an inert placeholder.
    """
    return _find_unrestorable(value, 0)


def _find_unrestorable(value: Any, depth: int) -> tuple[str, Unrestorable] | None:
    if isinstance(value, Unrestorable):
        return "$", value
    if depth > 200 or isinstance(value, str | bytes | int | float) or value is None:
        return None
    for step, child in _children(value):
        found = _find_unrestorable(child, depth + 1)
        if found is not None:
            return "$" + step + found[0][1:], found[1]
    return None
