"""The `Plan`: the frozen result of compiling a flow, and all the runner ever reads.

Everything the superstep loop needs is precomputed here as tuples and frozen
mappings: each node's inputs with their type checkers, its outputs, its out-edges,
the join groups, the merge function of every key.
"""

from __future__ import annotations

import hashlib
import importlib
import inspect
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from types import CodeType, FunctionType
from typing import Any, Literal, NamedTuple, Protocol

from .core.cache import CachePolicy
from .core.merge import Merger
from .core.typecheck import Checker

__all__ = [
    "Compiled",
    "EachPlan",
    "FrozenMap",
    "JoinGroup",
    "Plan",
    "PlanEdge",
    "PlanInput",
    "PlanNode",
    "PlanOutput",
    "RetryPolicy",
    "RetryPredicateFailed",
]

class FrozenMap(dict[str, Any]):
    """A read-only dict: as fast to read as a dict, picklable, refuses every change."""

    __slots__ = ()

    def _refuse(self, *args: Any, **kwargs: Any) -> Any:
        raise TypeError("a compiled plan is immutable")

    __setitem__ = __delitem__ = __ior__ = _refuse
    clear = pop = popitem = setdefault = update = _refuse

    def __reduce__(self) -> tuple[Any, ...]:
        return (FrozenMap, (dict(self),))


EMPTY: Mapping[str, Any] = FrozenMap()


# The records a plan is made of are NamedTuples: immutable, picklable, and the fastest
# records to build with keywords (compiling makes several per node).


class PlanInput(NamedTuple):
    """A node (or flow) input: state `key`, passed as parameter `param`."""

    key: str
    param: str
    required: bool
    check: Checker | None
    type_name: str
    default: Any = None
    hint: Any = None  # the declared type (checkpoints restore the classes it names)


class PlanOutput(NamedTuple):
    key: str
    required: bool
    check: Checker | None
    type_name: str
    hint: Any = None


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Retries of one node as tenacity strategies, composed once from its `NodeConfig`."""

    attempts: int
    stop: Any
    wait: Any
    retry: Any


class RetryPredicateFailed(Exception):
    """Raised by a `RetryPolicy.retry` test whose `retry_on` predicate raised `error` on
    the node's `failure`; the engine reports it as the node's `RetryPredicateError`."""

    def __init__(self, error: Exception, failure: Exception) -> None:
        super().__init__(error, failure)
        self.error = error
        self.failure = failure


@dataclass(frozen=True, slots=True)
class EachPlan:
    """A mapped node: one call per element of `state[items_key]`, bound to `item_param`."""

    items_key: str
    item_param: str
    item_check: Checker | None
    item_type: str
    item_hint: Any = None  # the item's declared type (errors name a wrong field inside it)


class PlanEdge(NamedTuple):
    kind: Literal["plain", "when", "route", "join"]
    source: int
    targets: tuple[int, ...]
    condition: Callable[..., Any] | None = None
    wants_state: bool = False
    route_map: Mapping[str, tuple[int, ...]] = EMPTY
    join: int = -1
    label: str = ""
    file: str = "<unknown>"
    line: int = 0


@dataclass(frozen=True, slots=True)
class JoinGroup:
    index: int
    parents: frozenset[int]
    target: int


@dataclass(slots=True)
class PlanNode:
    """One node as the runner sees it; nothing changes it once compiled.

    A slotted dataclass rather than a NamedTuple (a tuple's field may not be named
    `index`), and not frozen: a frozen one costs several microseconds per node to build.
    """

    index: int
    name: str
    fn: Callable[..., Any]
    is_async: bool
    inputs: tuple[PlanInput, ...]
    context_param: str | None
    outputs: Mapping[str, PlanOutput]
    required_outputs: tuple[str, ...]
    retry: RetryPolicy | None
    timeout: float | None
    fallback: Callable[..., Any] | None
    fallback_is_async: bool
    out_edges: tuple[PlanEdge, ...]
    file: str
    line: int
    kind: str = "function"
    each: EachPlan | None = None
    takes_state: bool = False
    open_outputs: bool = False
    metadata: Mapping[str, Any] = field(default_factory=lambda: EMPTY)
    # Sync, no retry, no timeout: called inline without any awaiting.
    simple: bool = False
    # Any out-edge whose condition reads the merged state.
    edges_want_state: bool = False
    # When every out-edge is plain, the sorted successors: the next active set of a
    # superstep this node runs alone, with no set to build.
    plain_next: tuple[int, ...] | None = None
    # `@node(cache=...)`: its outputs are reused for the same inputs and code.
    cache: CachePolicy | None = None

    def __reduce__(self) -> tuple[Any, ...]:
        state = {f.name: getattr(self, f.name) for f in fields(self)}
        state["fn"] = portable(self.fn)
        state["fallback"] = portable(self.fallback)
        return (_rebuild_node, (state,))


def _rebuild_node(state: dict[str, Any]) -> PlanNode:
    return PlanNode(**state)


class _FunctionRef:
    """Pickles a decorated function by where its decorator object lives."""

    __slots__ = ("module", "qualname")

    def __init__(self, module: str, qualname: str) -> None:
        self.module = module
        self.qualname = qualname

    def __reduce__(self) -> tuple[Any, ...]:
        return (_resolve_function, (self.module, self.qualname))


def _resolve_function(module: str, qualname: str) -> Any:
    target: Any = importlib.import_module(module)
    for part in qualname.split("."):
        target = getattr(target, part)
    spec = getattr(target, "spec", None)
    return spec.fn if spec is not None else target


def portable(fn: Any) -> Any:
    """`fn`, or a reference to it when `@node` shadows it at module level.

    Plain pickle stores functions by name; a decorated node's name now points at the
    node object, so the reference goes through that object's spec instead.
    """
    module = getattr(fn, "__module__", None)
    qualname = getattr(fn, "__qualname__", None)
    if not (isinstance(module, str) and isinstance(qualname, str)) or "<locals>" in qualname:
        return fn
    if module == "__main__":
        return fn  # no other process can import it: cloudpickle sends it by value
    target: Any = sys.modules.get(module)
    for part in qualname.split("."):
        target = getattr(target, part, None)
    if target is not fn and getattr(getattr(target, "spec", None), "fn", None) is fn:
        return _FunctionRef(module, qualname)
    return fn


@dataclass(frozen=True, slots=True)
class Plan:
    """A compiled flow: immutable, shareable between runs and threads."""

    name: str
    version: str | None
    nodes: tuple[PlanNode, ...]
    index: Mapping[str, int]
    entries: tuple[int, ...]
    edges: tuple[PlanEdge, ...]
    joins: tuple[JoinGroup, ...]
    mergers: Mapping[str, Merger]
    inputs: tuple[PlanInput, ...]
    outputs: tuple[PlanOutput, ...]
    max_supersteps: int
    file: str = "<unknown>"
    line: int = 0
    warnings: tuple[Any, ...] = field(default=(), compare=False)
    # A builder workflow accepts any initial state keys.
    open_inputs: bool = False
    # `START >> b.when(p)`, `START >> route(...)`: edges from START (source -1) whose
    # conditions see the flow's inputs; `entries` are the unconditional entries.
    entry_edges: tuple[PlanEdge, ...] = ()
    # The `each` workers (a map over an empty list is skipped: it runs nothing).
    mapped: frozenset[int] = frozenset()
    _fingerprint: str | None = field(default=None, init=False, compare=False, repr=False)
    # Derived once from the fields above (see `__post_init__`), for the runner's hot path.
    _all_simple: bool = field(default=False, init=False, compare=False, repr=False)
    _cached: bool = field(default=False, init=False, compare=False, repr=False)
    #: How many parents each join waits for, by join index.
    join_sizes: tuple[int, ...] = field(default=(), init=False, compare=False, repr=False)
    #: By node index: whether none of the node's writes can need a merger, so that a
    #: superstep it runs alone commits its outputs as they are.
    plain_writers: tuple[bool, ...] = field(default=(), init=False, compare=False,
                                             repr=False)
    #: The flow's inputs by key.
    inputs_by_key: Mapping[str, PlanInput] = field(default_factory=dict, init=False,
                                                   compare=False, repr=False)

    def __post_init__(self) -> None:
        mergers = self.mergers
        simple, cached, plain = True, False, []
        for node in self.nodes:  # one pass: compiling a long chain should not notice
            simple = simple and node.simple
            cached = cached or node.cache is not None
            plain.append(not node.open_outputs
                         and (not mergers or mergers.keys().isdisjoint(node.outputs)))
        derived = {
            "_all_simple": simple,
            "_cached": cached,
            "plain_writers": tuple(plain),
            "join_sizes": tuple(len(group.parents) for group in self.joins),
            "inputs_by_key": {i.key: i for i in self.inputs},
        }
        for name, value in derived.items():
            object.__setattr__(self, name, value)

    def node(self, name: str) -> PlanNode:
        return self.nodes[self.index[name]]

    @property
    def fingerprint(self) -> str:
        """A content hash of the plan: names, keys, types, strategies, wiring and code.

        Computed on first use (only durable runs need it) and kept.
        """
        found = self._fingerprint
        if found is None:
            found = _fingerprint(self)
            object.__setattr__(self, "_fingerprint", found)
        return found

    @property
    def all_simple(self) -> bool:
        """Whether every node is a simple sync node (no async, retry, timeout or subflow):
        such a plan runs to completion without an event loop."""
        return self._all_simple

    @property
    def cached(self) -> bool:
        """Whether some node caches its outputs (`@node(cache=...)`)."""
        return self._cached

    @property
    def node_names(self) -> tuple[str, ...]:
        return tuple(n.name for n in self.nodes)


def _fingerprint(plan: Plan) -> str:
    parts: list[bytes] = [f"{plan.name}|{plan.version}|{plan.entries}".encode()]
    add = parts.append
    for node in plan.nodes:
        add(f"N|{node.name}|{node.kind}|{node.context_param}|{node.takes_state}".encode())
        add("".join(f"I|{i.key}|{i.param}|{i.type_name}|{i.required}"
                    for i in node.inputs).encode())
        add("".join(f"O|{o.key}|{o.type_name}|{o.required}"
                    for o in node.outputs.values()).encode())
        if node.each is not None:
            add(f"M|{node.each.items_key}|{node.each.item_param}".encode())
        add(_code_hash(node.fn))
    for edge in plan.edges:
        add(f"E|{edge.kind}|{edge.source}>{edge.targets}>{tuple(edge.route_map)}".encode())
        if edge.condition is not None:
            add(_code_hash(edge.condition))
    for edge in plan.entry_edges:
        add(f"S|{edge.kind}|{edge.targets}>{tuple(edge.route_map)}".encode())
        add(_code_hash(edge.condition))
    for key in sorted(plan.mergers):
        merger = plan.mergers[key]
        add(f"R|{key}|".encode())
        add(_code_hash(getattr(merger, "reducer", merger)))
    return hashlib.sha256(b"".join(parts)).hexdigest()[:16]


def code_fingerprint(fn: Any) -> str:
    """A hash of a function's code (what wrappers wrap): it changes when the code does."""
    return hashlib.sha256(_code_hash(fn)).hexdigest()[:16]


def _code_hash(fn: Any) -> bytes:
    # Wrappers are hashed by what they wrap (`inspect.unwrap` is slow: only when needed).
    if type(fn) is not FunctionType or getattr(fn, "__wrapped__", None) is not None:
        fn = inspect.unwrap(fn) if hasattr(fn, "__wrapped__") else fn
    code = getattr(fn, "__code__", None)
    if not isinstance(code, CodeType):
        return repr(type(fn)).encode()
    return _code_bytes(code)


def _code_bytes(code: CodeType) -> bytes:
    """The bytecode and constants of `code`, the same in every process: nested code
    objects (comprehensions, lambdas) by their own content, not by their `repr` (which
    holds an address), and frozensets sorted (their order follows string hashing)."""
    parts = [code.co_code]
    for const in code.co_consts:
        if isinstance(const, CodeType):
            parts.append(b"C(" + _code_bytes(const) + b")")
        elif isinstance(const, frozenset):
            parts.append(repr(sorted(map(repr, const))).encode())
        else:
            parts.append(repr(const).encode())
    return b"|".join(parts)


class Compiled(Protocol):
    """Anything with a name and a compiled plan: a `Graph`, a `Workflow`, a `@flow`."""

    @property
    def name(self) -> str: ...

    @property
    def plan(self) -> Plan: ...
