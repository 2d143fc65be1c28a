"""Delta ops: a superstep stores only what it wrote, and `fold` replays the log.

A step's writes are `{key: (op, payload)}`:

    "v"  value set        payload: the merged value          replay: values[k] = payload
    "a"  append           payload: list of the new items     replay: values[k].extend(payload)
    "m"  raw MERGE writes payload: the writes in plan order  replay: liteflow's MERGE, in order

`delta_ops` computes them from a superstep's outputs; `encode_ops` turns them into the bytes
of `StepRecord.writes` (one map assembled from per-key pieces, so the snapshot rule learns
each key's size for free); `fold` rebuilds the state; `SnapshotRule` decides when a step
also stores the full state, so that replay never reads mostly dead bytes.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, Final, NamedTuple

import msgpack

from ..core.errors import CheckpointDecodeError
from ..core.merge import MISSING, UpdateStrategy, merger_for, sole_list
from ._records import ReplayStats
from ._serde import CODEC, Serde

__all__ = [
    "OPS",
    "FoldRecord",
    "Ops",
    "SnapshotRule",
    "apply_writes",
    "before_step",
    "delta_ops",
    "encode_ops",
    "encode_values",
    "fold",
]

OPS: Final = frozenset(("v", "a", "m"))
SNAPSHOT_MIN_BYTES: Final = 256 * 1024
SNAPSHOT_MAX_ROWS: Final = 10_000


def _builtin_merger(strategy: UpdateStrategy) -> Callable[[str, Any, Any, bool], Any]:
    merger = merger_for(strategy)
    assert merger is not None
    return merger


# Replay uses liteflow's own mergers, so a folded state equals the state the run built.
_append = _builtin_merger(UpdateStrategy.APPEND)
_merge = _builtin_merger(UpdateStrategy.MERGE)

Strategy = UpdateStrategy | Callable[[Any, Any], Any] | None


class FoldRecord(NamedTuple):
    """One decoded step for `fold`: its snapshot (state before its writes) and its writes."""

    snapshot: Mapping[str, Any] | None
    writes: Mapping[str, Sequence[Any]]


class Ops(dict[str, tuple[str, Any]]):
    """`delta_ops`' result; `grown`: keys whose list the barrier extended in place, with
    their length before the step (see `core.merge`), so that `before_step` can see them."""

    __slots__ = ("grown",)

    grown: Mapping[str, int]


class _Before(Mapping[str, Any]):
    """The state before a step whose barrier extended some lists in place: those lists cut
    back to their length before (copies, made only when read, e.g. for a snapshot)."""

    __slots__ = ("_grown", "_values")

    def __init__(self, values: Mapping[str, Any], grown: Mapping[str, int]) -> None:
        self._values = values
        self._grown = grown

    def __getitem__(self, key: str) -> Any:
        value = self._values[key]
        length = self._grown.get(key)
        return value if length is None else value[:length]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)


def before_step(values: Mapping[str, Any], ops: Mapping[str, tuple[str, Any]]) -> Mapping[str, Any]:
    """`values` as they were before the step of `ops` (its lists grown in place cut back)."""
    grown = getattr(ops, "grown", None)
    return _Before(values, grown) if grown else values


def delta_ops(strategies: Mapping[str, Strategy], before: Mapping[str, Any],
              outputs: Iterable[Mapping[str, Any]],
              after: Mapping[str, Any]) -> dict[str, tuple[str, Any]]:
    """The ops of one superstep: `outputs` in plan order, `before`/`after` the state around it.

    APPEND onto an existing list stores only the new items, MERGE its raw writes, IGNORE of
    a key already set nothing; everything else (and the first write of an APPEND key) its
    merged value. When `after` is a `Staged` whose lists grew in place (so `before` shows
    them grown too), the result is an `Ops` that says so.
    """
    raw: dict[str, list[Any]] = {}
    for out in outputs:
        for key, value in out.items():
            raw.setdefault(key, []).append(value)
    grown = getattr(after, "grown", None)
    ops: dict[str, tuple[str, Any]] = {}
    if grown:
        ops = Ops()
        ops.grown = dict(grown)
    for key, writes in raw.items():
        strategy = strategies.get(key)
        current = before.get(key, MISSING)
        if strategy is UpdateStrategy.APPEND and isinstance(current, list):
            items: list[Any] = []
            for value in writes:
                if isinstance(value, list):
                    items.extend(value)
                else:
                    items.append(value)
            ops[key] = ("a", items)
        elif strategy is UpdateStrategy.MERGE:
            ops[key] = ("m", writes)
        elif strategy is UpdateStrategy.IGNORE and current is not MISSING:
            continue
        else:
            ops[key] = ("v", after[key])
    return ops


def _map_header(n: int) -> bytes:
    if n <= 15:
        return bytes((0x80 | n,))
    if n <= 0xFFFF:
        return b"\xde" + struct.pack(">H", n)
    return b"\xdf" + struct.pack(">I", n)


_OP_HEAD: Final = {op: b"\x92" + msgpack.packb(op) for op in OPS}


def encode_ops(serde: Serde, ops: Mapping[str, tuple[str, Any]], *, flow: str = "?",
               writers: Mapping[str, str] | None = None) -> tuple[bytes, dict[str, int]]:
    """The bytes of `{key: [op, payload]}` and each payload's encoded size.

    `writers` maps a key to the node that wrote it, for `CheckpointEncodeError`.
    """
    parts = [_map_header(len(ops))]
    sizes: dict[str, int] = {}
    for key, (op, payload) in ops.items():
        node = writers.get(key, "?") if writers else "?"
        body = serde.encode(payload, key=key, node=node, flow=flow)
        parts.append(serde.encode(key, key=key, node=node, flow=flow))
        parts.append(_OP_HEAD[op])
        parts.append(body)
        sizes[key] = len(body)
    return b"".join(parts), sizes


def encode_values(serde: Serde, values: Mapping[str, Any], *,
                  flow: str = "?") -> tuple[bytes, dict[str, int]]:
    """The bytes of a full state `{key: value}` and each value's encoded size."""
    parts = [_map_header(len(values))]
    sizes: dict[str, int] = {}
    for key, value in values.items():
        body = serde.encode(value, key=key, flow=flow)
        parts.append(serde.encode(key, key=key, flow=flow))
        parts.append(body)
        sizes[key] = len(body)
    return b"".join(parts), sizes


def fold(records: Iterable[FoldRecord]) -> dict[str, Any]:
    """The state after the last record: the latest snapshot, then every later write replayed.

    The records are consumed; the result owns its values (they are freshly decoded).
    """
    rows = list(records)
    start = 0
    values: dict[str, Any] = {}
    for i in range(len(rows) - 1, -1, -1):
        snap = rows[i].snapshot
        if snap is not None:
            values = dict(snap)
            start = i
            break
    for row in rows[start:]:
        apply_writes(values, row.writes)
    return values


def apply_writes(values: dict[str, Any], writes: Mapping[str, Sequence[Any]]) -> None:
    """Replay one step's decoded `{key: [op, payload]}` onto `values` in place."""
    for key, entry in writes.items():
        try:
            op, payload = entry
        except (TypeError, ValueError):
            raise CheckpointDecodeError(codec=CODEC, error=f"bad write entry for {key!r}",
                                        url="-") from None
        if op == "v":
            values[key] = payload
        elif op == "a":
            current = values.get(key, MISSING)
            if isinstance(current, list):
                current.extend(payload)
            else:
                values[key] = _append(key, current, list(payload), False)
        elif op == "m":
            for write in payload:
                if type(write) is list and sole_list(values, key):
                    values[key].extend(write)  # the fold owns its values (see core.merge)
                else:
                    values[key] = _merge(key, values.get(key, MISSING), write, False)
        else:
            raise CheckpointDecodeError(codec=CODEC, error=f"unknown op {op!r} for {key!r}",
                                        url="-")


class SnapshotRule:
    """When a step should also store the full state.

    Keeps `state_bytes` (the latest encoded size of every key, plus appended tails) and
    `dead_bytes` (payloads superseded since the last snapshot). The *next* step carries a
    snapshot once `dead_bytes >= max(state_bytes, min_bytes)` or `max_rows` rows have passed:
    an append-only thread never snapshots, an overwrite-heavy one about every
    `min_bytes / write size` steps, so storage stays within 2x the deltas and a load reads at
    most 2x the state plus `min_bytes`.
    """

    __slots__ = ("dead_bytes", "max_rows", "min_bytes", "rows", "sizes", "state_bytes")

    def __init__(self, stats: ReplayStats | None = None, *, min_bytes: int = SNAPSHOT_MIN_BYTES,
                 max_rows: int = SNAPSHOT_MAX_ROWS) -> None:
        stats = stats or ReplayStats()
        self.state_bytes = stats.state_bytes
        self.dead_bytes = stats.dead_bytes
        self.rows = stats.rows
        self.min_bytes = min_bytes
        self.max_rows = max_rows
        # Known encoded size per key; a key missing here is measured when first overwritten.
        self.sizes: dict[str, int] = {}

    @property
    def due(self) -> bool:
        """Whether the next step should carry a snapshot."""
        return (self.dead_bytes >= max(self.state_bytes, self.min_bytes)
                or self.rows >= self.max_rows)

    def snapshotted(self, sizes: Mapping[str, int]) -> None:
        """A snapshot with these per-key sizes was just written: replay starts there."""
        self.sizes = dict(sizes)
        self.state_bytes = sum(sizes.values())
        self.dead_bytes = 0
        self.rows = 0

    def observe(self, ops: Mapping[str, tuple[str, Any]], sizes: Mapping[str, int],
                measure: Callable[[str], int]) -> ReplayStats:
        """Account one step's writes; `measure(key)` is the current encoded size of a key."""
        for key, (op, _payload) in ops.items():
            size = sizes[key]
            if op == "v":
                old = self.sizes[key] if key in self.sizes else measure(key)
                self.dead_bytes += old
                self.state_bytes += size - old
                self.sizes[key] = size
            else:
                if key in self.sizes:
                    self.sizes[key] += size
                self.state_bytes += size
        self.rows += 1
        return self.stats

    @property
    def stats(self) -> ReplayStats:
        return ReplayStats(self.state_bytes, self.dead_bytes, self.rows)
