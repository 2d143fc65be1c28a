"""Durable runs: a run's link to its checkpointer (threads, turns, resume, version checks).

Built only when a run has a checkpointer, so plain runs pay nothing. The commit protocol:
at every barrier the runner hands `Durable.step` the superstep's writes *before* applying
them in memory; the step record (only what the step wrote, see `checkpoint.delta_ops`)
is the write-ahead record, so a process killed at any moment loses at most the superstep
in progress. Finished calls of an unfinished superstep are stored as pending writes and
reused on resume instead of being run again.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..core.context import NodeInterrupt, RunInfo, interrupt_id
from ..core.deep_typecheck import contains_typeddict, find_mismatch
from ..core.errors import (
    AmbiguousResumeError,
    CheckpointError,
    CheckpointMismatchError,
    FlowVersionMismatchError,
    ResumeValueError,
    ThreadNotFinishedError,
)
from ..core.events import CheckpointSaved
from ..core.merge import MergeConflict, UpdateStrategy, merge_writes, merger_for
from ..core.result import NOTHING, Interrupt, Snapshot
from ..core.state import State
from ..core.suggest import did_you_mean
from ..core.typecheck import describe_type, describe_value
from ..plan import Plan, PlanNode
from .routing import first_active

if TYPE_CHECKING:
    from ..checkpoint import Checkpointer, CheckpointInfo, Journal, Loaded, StoredInterrupt
    from .options import RunOptions

__all__ = ["Durable", "Start", "open_store", "shape_of"]

# Breakpoints are stored as questions of their own: seq -1 before a node, -2 after it.
BREAK_SEQ = {"before": -1, "after": -2}

# What an interrupt id looks like (`审批#0@3`, `审批[2]#0@3`, `外层/审批#0@2`).
_ID = re.compile(r".+#\d+@\d+")

_BUILTINS = {merger_for(s): s for s in UpdateStrategy if s is not UpdateStrategy.OVERWRITE}


@dataclass(slots=True)
class Start:
    """Where a durable run begins: values, active set, arrivals, step, reusable outputs,
    the answers its first superstep's questions have, and those still waiting."""

    values: dict[str, Any]
    active: tuple[int, ...]
    arrivals: dict[int, set[int]]
    step: int
    pending: Mapping[tuple[int, int], dict[str, Any]] = field(default_factory=dict)
    answers: dict[tuple[int, str, int, int], Any] = field(default_factory=dict)
    waiting: tuple[Interrupt, ...] = ()
    done: bool = False  # the thread had already completed: nothing to run


def open_store(checkpointer: Any) -> Checkpointer:
    """A `Checkpointer` from an instance or a URL (`CheckpointError` naming the URL)."""
    from ..checkpoint import Checkpointer, open_checkpointer

    if isinstance(checkpointer, str):
        return open_checkpointer(checkpointer)
    if isinstance(checkpointer, Checkpointer):
        return checkpointer
    raise CheckpointError("checkpoint.not_a_checkpointer", value=repr(checkpointer))


def shape_of(plan: Plan) -> str:
    """What the stored state depends on, one item per line: names, keys, types, strategies
    and wiring, not code. Stored with a thread; compared item by item on resume."""
    items = [f"flow {plan.name}"]
    for node in plan.nodes:
        items.append(f"node {node.name} {node.kind}")
        items += [f"input {node.name}.{i.key}: {i.type_name}" for i in node.inputs]
        items += [f"output {node.name}.{key}: {o.type_name}" for key, o in node.outputs.items()]
        if node.each is not None:
            items.append(f"each {node.name} over {node.each.items_key}")
    for edge in plan.edges:
        targets = ",".join(plan.nodes[t].name for t in edge.targets)
        items.append(f"edge {plan.nodes[edge.source].name} >> {targets} ({edge.kind})")
    for edge in plan.entry_edges:
        targets = ",".join(plan.nodes[t].name for t in edge.targets)
        items.append(f"edge START >> {targets} ({edge.kind})")
    for key, merger in sorted(plan.mergers.items()):
        strategy = _BUILTINS.get(merger)
        items.append(f"strategy {key}: {strategy.value if strategy else 'custom'}")
    items += [f"flow input {i.key}: {i.type_name}" for i in plan.inputs]
    items += [f"flow output {o.key}: {o.type_name}" for o in plan.outputs]
    return "\n".join(items)


def _strategies(plan: Plan) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for key, merger in plan.mergers.items():
        strategy = _BUILTINS.get(merger)
        found[key] = strategy if strategy is not None else getattr(merger, "reducer", merger)
    return found


def _declared_classes(plan: Plan) -> frozenset[type]:
    from ..checkpoint import classes_in_hints

    hints: list[Any] = [o.hint for o in plan.outputs] + [i.hint for i in plan.inputs]
    for node in plan.nodes:
        hints += [i.hint for i in node.inputs]
        hints += [o.hint for o in node.outputs.values()]
    return classes_in_hints(h for h in hints if h is not None)


class Durable:
    """One run's checkpoints: opens the thread, checks it fits the plan, records steps."""

    def __init__(self, plan: Plan, options: RunOptions, run_id: str) -> None:
        from ..checkpoint import Journal, ThreadSpec

        if not options.thread_id:
            raise CheckpointError("checkpoint.no_thread_id", flow=plan.name)
        self.plan = plan
        self.store = open_store(options.checkpointer)
        self.thread_id = options.thread_id
        self.shape = shape_of(plan)
        shape_hash = hashlib.sha256(self.shape.encode()).hexdigest()[:16]
        spec = ThreadSpec(thread_id=self.thread_id, flow=plan.name, flow_version=plan.version,
                          fingerprint=plan.fingerprint, shape=self.shape + "\n#" + shape_hash,
                          run_id=run_id)
        # The store decodes what it loads: it may restore the classes the flow declares
        # (and those of `Serde(allow=...)`), nothing else.
        self.store.serde = self.store.serde.bind(_declared_classes(plan))
        self.journal: Journal = Journal(
            self.store, spec, serde=self.store.serde,
            durability=options.durability or "sync", node_names=plan.node_names)
        self.strategies = _strategies(plan)
        from ..checkpoint import NodeRun, delta_ops

        # Looked up once: `step` runs at every superstep.
        self._records = (NodeRun, delta_ops)
        # The run this records (set by the runner): told of every checkpoint saved.
        self.run: RunInfo | None = None

    # -- opening ---------------------------------------------------------------------

    def start(self, inputs: Mapping[str, Any] | None, *, allow_code_change: bool,
              prepare: Callable[..., dict[str, Any]],
              value: Any = NOTHING) -> Start:
        """Begin this run: a new thread (step 0 holds the inputs), a new turn of a completed
        thread (`inputs` given), or the continuation of an unfinished one (`inputs` None),
        first storing `value` as the answer to its pending question(s)."""
        journal = self.journal
        head = journal.begin()
        if head is None or head.step < 0:
            if inputs is None:
                raise CheckpointError("checkpoint.nothing_to_resume", thread=self.thread_id,
                                      flow=self.plan.name)
            values = prepare(self.plan, inputs)
            entries = first_active(self.plan, values)
            # One transaction creates the thread with its step 0 (status "running").
            journal.step(0, "input", {k: ("v", v) for k, v in values.items()}, entries,
                         values={})
            return Start(values, entries, {}, 0)
        self._check_fits(head.flow_version, head.shape, head.fingerprint,
                         allow_code_change or inputs is not None)
        if inputs is None:
            loaded = journal.load()
            if head.status == "completed":
                if value is not NOTHING:
                    raise CheckpointError("checkpoint.nothing_pending", thread=self.thread_id,
                                          flow=self.plan.name)
                return Start(loaded.values, (), {}, loaded.step, done=True)
            if any(i.seq < 0 and not i.answered for i in loaded.interrupts):
                # `resume()` goes on past the breakpoints it stopped at.
                self.journal.answers({i.interrupt_id: None for i in loaded.interrupts
                                      if i.seq < 0 and not i.answered})
                loaded = self.journal.load()
            if value is not NOTHING:
                loaded = self._answer(loaded, value)
            start = self._continue(loaded)
            if not start.waiting:
                # Fenced: a runner that finished the thread meanwhile keeps it "completed".
                journal.set_status("running", fenced=True)
            return start
        if head.status != "completed":
            raise ThreadNotFinishedError(thread=self.thread_id, flow=self.plan.name,
                                         status=head.status)
        loaded = journal.load()
        return self._turn(loaded, prepare(self.plan, inputs, loaded.values))

    def _check_fits(self, version: str | None, shape: str, fingerprint: str,
                    code_may_change: bool) -> None:
        plan = self.plan
        if version != plan.version:
            raise FlowVersionMismatchError(thread=self.thread_id, flow=plan.name,
                                           stored=version or "-", current=plan.version or "-")
        stored = shape.rpartition("\n#")[0].splitlines()
        current = self.shape.splitlines()
        if stored != current:
            raise CheckpointMismatchError(
                thread=self.thread_id, flow=plan.name,
                added=[i for i in current if i not in set(stored)],
                removed=[i for i in stored if i not in set(current)])
        if fingerprint != plan.fingerprint:
            if not code_may_change:
                raise CheckpointMismatchError("checkpoint.code_mismatch", thread=self.thread_id,
                                              flow=plan.name, stored=fingerprint,
                                              current=plan.fingerprint)
            self.journal.begin(adopt=True)

    def _turn(self, loaded: Loaded, given: Mapping[str, Any]) -> Start:
        """A new turn: the (checked) inputs merged into the stored state by strategy, from
        the entries."""
        from ..checkpoint import delta_ops

        plan = self.plan
        values = loaded.values
        try:
            staged = merge_writes(values, (("input", given),), plan.mergers)
        except MergeConflict as exc:
            from ..core.errors import StateConflictError

            raise StateConflictError(flow=plan.name, node="input", **exc.fields) from None
        step = loaded.step + 1
        ops = delta_ops(self.strategies, values, [given], staged)
        entries = first_active(plan, {**values, **staged})
        self.journal.step(step, "input", ops, entries, values=values)
        self.journal.set_status("running")
        values.update(staged)
        return Start(values, entries, {}, step)

    def _continue(self, loaded: Loaded) -> Start:
        arrivals = {int(k): set(v) for k, v in loaded.arrivals.items()}
        names = self.plan.node_names
        answers: dict[tuple[int, str, int, int], Any] = {}
        waiting: list[Interrupt] = []
        for asked in loaded.interrupts:
            name = names[asked.node]
            if asked.answered:
                answers[(asked.step, name, asked.instance, asked.seq)] = asked.answer
            else:
                waiting.append(Interrupt(asked.interrupt_id, name, _question(asked.payload),
                                         asked.step))
        return Start(loaded.values, tuple(loaded.active), arrivals, loaded.step,
                     dict(loaded.pending), answers, tuple(waiting))

    def _answer(self, loaded: Loaded, value: Any) -> Loaded:
        """Check and store the answer(s) before anything runs; returns the thread reloaded."""
        waiting = [i for i in loaded.interrupts if not i.answered and i.seq >= 0]
        ids = [i.interrupt_id for i in waiting]
        if not waiting:
            raise CheckpointError("checkpoint.nothing_pending", thread=self.thread_id,
                                  flow=self.plan.name)
        if isinstance(value, Mapping) and value and set(value) <= set(ids):
            given = dict(value)
        elif (isinstance(value, Mapping) and value
              and all(isinstance(k, str) and _ID.fullmatch(k) for k in value)):
            unknown = next(k for k in value if k not in ids)
            raise CheckpointError("checkpoint.answer_unknown", thread=self.thread_id,
                                  interrupt=unknown, known=", ".join(ids))
        elif len(waiting) == 1:
            given = {ids[0]: value}
        else:
            raise AmbiguousResumeError(thread=self.thread_id, flow=self.plan.name, ids=ids)
        by_id = {i.interrupt_id: i for i in waiting}
        checked = {iid: self._checked(by_id[iid], answer) for iid, answer in given.items()}
        self.journal.answers(checked)
        return self.journal.load()

    def _checked(self, asked: StoredInterrupt, answer: Any) -> Any:
        node = self.plan.nodes[asked.node]
        expect = _expected(asked.payload, getattr(node.fn, "__module__", None))
        if expect is None:
            return answer
        ok, fixed = _fits(expect, answer)
        if ok:
            return fixed
        names = {"thread": self.thread_id, "flow": self.plan.name,
                 "node": self.plan.node_names[asked.node], "interrupt": asked.interrupt_id}
        # A TypedDict answer: name the wrong field, as the node boundaries do.
        found = find_mismatch(expect, answer, "answer") if contains_typeddict(expect) else None
        if found is None or found.path == "answer":
            raise ResumeValueError(expected=describe_type(expect), actual=describe_value(answer),
                                   **names)
        if found.missing:
            raise ResumeValueError("checkpoint.resume_value_field_missing", path=found.path,
                                   expected=found.expected, **names)
        raise ResumeValueError("checkpoint.resume_value_field", path=found.path,
                               expected=found.expected, actual=found.actual, **names)

    def interrupts(self, superstep: int, asked: Sequence[tuple[PlanNode, NodeInterrupt]]
                   ) -> tuple[Interrupt, ...]:
        """Store the questions of the paused `superstep` (durably, before returning)."""
        from ..checkpoint import AskedInterrupt

        rows = []
        found = []
        for node, signal in asked:
            iid = interrupt_id(node.name, signal.instance, signal.seq, superstep,
                               node.each is not None, signal.path)
            rows.append(AskedInterrupt(node.index, signal.instance, signal.seq, iid,
                                       _stored_question(signal.payload, signal.expect)))
            found.append(Interrupt(iid, node.name, signal.payload, superstep))
        self.journal.interrupts(superstep, rows)
        return tuple(found)

    def breakpoints(self, superstep: int, due: Sequence[tuple[PlanNode, str]]
                    ) -> tuple[Interrupt, ...]:
        """Store the breakpoints the run stops at before `superstep`."""
        from ..checkpoint import AskedInterrupt

        rows, found = [], []
        for node, when in due:
            iid = f"{node.name}@{when}@{superstep}"
            rows.append(AskedInterrupt(node.index, 0, BREAK_SEQ[when], iid,
                                       {"question": None, "breakpoint": when}))
            found.append(Interrupt(iid, node.name, None, superstep))
        self.journal.interrupts(superstep, rows)
        return tuple(found)

    # -- history and time travel ---------------------------------------------------

    def _head(self) -> Any:
        head = self.journal.begin()
        if head is None or head.step < 0:
            raise CheckpointError("checkpoint.nothing_to_resume", thread=self.thread_id,
                                  flow=self.plan.name)
        return head

    def history(self, branch: str | None, limit: int | None) -> list[CheckpointInfo]:
        self._head()
        return self.store.history(self.thread_id, branch=branch, limit=limit)

    def snapshot(self, step: int | None, branch: str | None) -> Snapshot:
        self._head()
        loaded = self.journal.load(branch=branch, step=step)
        start = self._continue(loaded)
        names = self.plan.node_names
        return Snapshot(State(loaded.values), tuple(names[i] for i in loaded.active),
                        loaded.step, loaded.branch, loaded.checkpoint_id, start.waiting,
                        loaded.status)

    def update(self, values: Mapping[str, Any], as_node: str | None) -> CheckpointInfo:
        """Write `values` as a new step, merged by strategy, as if `as_node` returned them
        (its edges pick what runs next; without it, what was next stays next)."""
        from ..checkpoint import NodeRun, delta_ops

        plan = self.plan
        head = self._head()
        self._check_fits(head.flow_version, head.shape, head.fingerprint, True)
        loaded = self.journal.load()
        before = loaded.values
        arrivals = {int(k): set(v) for k, v in loaded.arrivals.items()}
        writer = as_node or "update"
        try:
            staged = merge_writes(before, ((writer, values),), plan.mergers)
        except MergeConflict as exc:
            from ..core.errors import StateConflictError

            raise StateConflictError(flow=plan.name, node=writer, **exc.fields) from None
        if as_node is None:
            active = tuple(loaded.active)
        else:
            if as_node not in plan.index:
                from ..core.errors import FlowInputError

                raise FlowInputError("error.unknown_node", flow=plan.name, node=as_node,
                                     hint=did_you_mean(as_node, plan.index))
            from .routing import next_active

            node = plan.node(as_node)
            active = next_active([node], [dict(values)], None, staged, before, arrivals,
                                 [len(j.parents) for j in plan.joins], plan.name, plan)
        step = loaded.step + 1
        ops = delta_ops(self.strategies, before, [values], staged)
        runs = [NodeRun(as_node)] if as_node else []
        self.journal.step(step, "update", ops, active, {k: v for k, v in arrivals.items() if v},
                          runs, values=before)
        self.journal.set_status("interrupted" if active else "completed")
        self.journal.close()
        return self.store.history(self.thread_id, branch=loaded.branch)[-1]

    def fork(self, step: int, branch: str | None = None) -> str:
        """A new branch continuing after `step` (history is kept); the head moves there."""
        self._head()
        name = self.journal.fork(step, branch=branch)
        self.journal.set_status("interrupted")
        self.journal.close()
        return name

    # -- recording -------------------------------------------------------------------

    def step(self, superstep: int, ran: Sequence[PlanNode], outs: Sequence[Mapping[str, Any]],
             values: Mapping[str, Any], staged: Mapping[str, Any], active: Sequence[int],
             arrivals: Mapping[int, set[int]], instances: Sequence[int] | None,
             duration: float) -> None:
        """Commit superstep `superstep` (its writes not yet applied to `values`)."""
        NodeRun, delta_ops = self._records
        ops = delta_ops(self.strategies, values, outs, staged)
        writers = {key: node.name for node, out in zip(ran, outs, strict=True) for key in out}
        share = duration / max(1, len(ran))
        runs = [NodeRun(node.name, instances[i] if instances else 0, share)
                for i, node in enumerate(ran)]
        run = self.run
        watched = run is not None and (run.bus.active or run.hooks is not None)
        started = time.perf_counter() if watched else 0.0
        rec = self.journal.step(superstep, "step", ops, active,
                                {k: v for k, v in arrivals.items() if v}, runs, values=values,
                                writers=writers)
        if watched:
            assert run is not None
            seconds = time.perf_counter() - started
            nbytes = len(rec.writes) + len(rec.snapshot or b"")
            if run.hooks is not None:
                run.hooks.checkpoint_saved(superstep, nbytes, seconds)
            if run.bus.active:
                run.bus.emit(CheckpointSaved(run.flow, run.run_id, superstep, nbytes, seconds))

    def pending(self, superstep: int, node: PlanNode, instance: int,
                out: Mapping[str, Any], duration: float | None = None) -> None:
        """Keep one finished call's outputs of the uncommitted `superstep`."""
        self.journal.pending(superstep, node.index, instance, out, duration)

    def finish(self, status: str) -> None:
        """Flush every write, then record how this run ended."""
        self.journal.finish(status)
        self.journal.close()

    def abandon(self, error: BaseException) -> None:
        """The run stopped on `error`: flush what was written and mark the thread failed
        (best effort: `error` is what the caller sees). A run that lost its thread to
        another runner (`ThreadConflictError`) leaves the thread alone."""
        from ..core.errors import ThreadConflictError

        try:
            if isinstance(error, ThreadConflictError):
                self.journal.flush()
            else:
                self.journal.finish("failed")
        except Exception:
            pass
        finally:
            try:
                self.journal.close()
            except Exception:
                pass





# A question is stored with what its answer must be, so `resume()` (in any process) can
# check the answer before anything runs: the type by its import path, looked up among the
# modules already loaded (never imported because a row names it), and its JSON schema for
# forms.
def _stored_question(payload: Any, expect: Any) -> dict[str, Any]:
    path = None
    schema = None
    if expect is not None:
        module = getattr(expect, "__module__", None)
        qualname = getattr(expect, "__qualname__", None)
        if isinstance(module, str) and isinstance(qualname, str) and "<locals>" not in qualname:
            path = f"{module}:{qualname}"
        schema = _schema(expect)
    return {"question": payload, "expect": path, "schema": schema}


def _question(stored: Any) -> Any:
    return stored.get("question") if isinstance(stored, dict) and "question" in stored else stored


def _expected(stored: Any, node_module: str | None) -> Any:
    """The answer type named by a stored question, among the modules already loaded: its
    own module, else the asking node's (a module loaded from a path has another name in
    another process)."""
    import sys

    path = stored.get("expect") if isinstance(stored, dict) else None
    if not isinstance(path, str):
        return None
    module, _, qualname = path.partition(":")
    for name in (module, node_module):
        found: Any = sys.modules.get(name) if name else None
        for part in qualname.split("."):
            found = getattr(found, part, None)
        if found is not None:
            return found
    return None


def _schema(expect: Any) -> Any:
    """The JSON schema of an answer type (for forms), or None when pydantic has none."""
    try:
        from pydantic import TypeAdapter

        from ..core.pydantic_hints import pydantic_compatible

        return TypeAdapter(pydantic_compatible(expect)).json_schema()
    except Exception:
        return None


def _fits(expect: Any, answer: Any) -> tuple[bool, Any]:
    """Whether `answer` fits `expect`, and the value to store (a pydantic model validates)."""
    try:
        from pydantic import BaseModel

        if isinstance(expect, type) and issubclass(expect, BaseModel):
            try:
                return True, expect.model_validate(answer).model_dump()
            except Exception:
                return False, answer
    except ImportError:  # pragma: no cover - pydantic comes with the openai SDK
        pass
    from beartype import BeartypeConf
    from beartype.door import is_bearable

    from ..core.typecheck import make_checker

    check = make_checker(expect)
    if check is None:
        return True, answer
    if not check(answer):
        return False, answer
    # TypedDicts are checked key by key: a wrong field is a wrong answer.
    hints = getattr(expect, "__annotations__", None)
    if isinstance(answer, dict) and isinstance(hints, dict):
        conf = BeartypeConf(is_pep484_tower=True)
        for key, hint in hints.items():
            if key in answer and not is_bearable(answer[key], hint, conf=conf):
                return False, answer
    return True, answer
