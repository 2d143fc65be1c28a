"""LF101: every required input must be defined whenever its node runs.

A must-be-defined analysis over supersteps, solved as a greatest fixpoint so that
cycles are handled exactly. It mirrors the runner:

- the flow's inputs (with their defaults) are the initial state, so they are always set;
- nodes run in supersteps, and all writes of a superstep are applied at its barrier.
  When the nodes of a set S all run in superstep t, superstep t + 1 runs their plain
  successors and the targets of joins whose parents are all in S. So some nodes always
  run together: the unconditional entries, the unconditional siblings of a fan-out
  (`s >> [p, q]`: whenever `p` runs, `q` runs too). These are a node's *companions*,
  found first, as a fixpoint of their own;
- a node activated by a plain, `.when` or `route` edge from `p` starts with what is
  defined after `p`'s superstep; a join `[a, b] >> c` fires the superstep after its last
  parent finished (all of them since `c` last ran), so it starts with the union of what
  is defined after each parent;
- after a node's superstep, what it started with is defined, plus the required outputs
  of every node sure to run in that superstep (itself, and what follows the companions
  of the node that activated it);
- a node activated in several ways gets only what every way guarantees (intersection);
- optional inputs (with defaults) and `Context` parameters are never required; an
  `each` worker's item parameter comes from the element, and its items key is read
  from the state, so that key is required. A map over an empty list runs nothing and
  activates nothing: its companions cannot count on its writes, nor on its successors
  running, while its successors (which run only after it ran) see all its outputs;
- entries behind `START >> route(...)` or `START >> b.when(p)` start from the initial
  state like every entry, but are not sure to run with the others.

State keys are never removed, so "defined" only grows along a run. When every edge goes
forward in declaration order, one sweep in that order solves the equations exactly;
otherwise sweeps in reverse postorder repeat until nothing changes. Key and node sets
are Python integers used as bit sets: a 2,000-node chain costs a few thousand big-int
operations.

Per-node equations cannot tell when a join's parents arrive relative to each other (a
deep parent always arrives last; a join inside a loop may collect one parent's arrival
in one round and another's in the next), nor that a route always takes at least one of
its keys. So for flows with joins or routes the runs themselves are followed (`_Runs`):
a superstep is a configuration (active nodes, join arrivals so far), each `.when` and
`route` decision may go either way, and what is defined at a configuration is what every
way of reaching it defines. That graph is finite and, for flows as people write them,
small; past `_Runs.LIMIT` configurations the equations (sound, but they may warn about
a join that cannot miss) are used instead.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator
from itertools import product

import networkx as nx

from ..core.diagnostics import Phrase
from ..definitions.spec import NodeSpec
from ..definitions.wiring import EdgeDecl
from .build import CompileContext, suggestion

__all__ = ["check_dataflow", "guaranteed_keys"]

_ENTRY = -1  # an activation by START (the initial state only)


class _Problem:
    """The equations of one flow: key bits and, per node, what it needs and what it adds."""

    def __init__(self, ctx: CompileContext) -> None:
        self.ctx = ctx
        self.order = [n for n in ctx.specs if n in ctx.reached]
        self.index = {name: i for i, name in enumerate(self.order)}
        keys: dict[str, int] = {}  # key → its bit
        self.keys = keys
        # Only keys somebody requires matter; the universe stays small.
        specs = [ctx.specs[name] for name in self.order]
        self.need: list[int] = []
        for spec in specs:
            mask = 0
            for key in self._required(spec):
                mask |= 1 << keys.setdefault(key, len(keys))
            self.need.append(mask)
        self.all = (1 << len(keys)) - 1
        self.gen = [self._generated(spec) for spec in specs]
        # An `each` worker runs only on a non-empty list, so what follows it sees all its
        # required outputs; an empty one writes nothing and activates nothing.
        self.mapped = 0
        self.mapped_gen = [0] * len(specs)
        for i, spec in enumerate(specs):
            if spec.name in ctx.decl.maps:
                self.mapped |= 1 << i
                self.mapped_gen[i] = self._generated(spec, mapped=False)
        initial = 0
        for inp in ctx.decl.inputs:
            bit = keys.get(inp.name)
            if bit is not None:
                initial |= 1 << bit
        self.initial = initial
        # Whether every edge goes forward in declaration order (a chain, a fan-out and
        # join as written): that order then settles the equations in one sweep.
        self.forward = True
        self.plain_next = [0] * len(self.order)  # node → its plain successors (bits)
        self.next_any = [0] * len(self.order)  # node → all its successors (bits)
        self.joins: list[tuple[int, int]] = []  # (target, parents as bits)
        self.routed = False  # whether some node routes
        self.activators = self._activators()
        self.alone = False  # whether every superstep runs a single node
        # The entries sure to run in the first superstep (not those behind a condition).
        self.entry_mask = self._mask(ctx.sure_entries)
        self.entry_any = self._mask(ctx.entries)
        self.companions = self._companions()
        self.written = self._written()
        self.runs: _Runs | None = None  # set by `settle` when the runs were followed

    def _mask(self, names: Iterable[str]) -> int:
        mask = 0
        for name in names:
            if name in self.index:
                mask |= 1 << self.index[name]
        return mask

    def _required(self, spec: NodeSpec) -> Iterable[str]:
        if spec.problems or spec.takes_state:
            return ()
        mapped = self.ctx.decl.maps.get(spec.name)
        item = mapped[1] if mapped is not None else None
        required = [i.name for i in spec.inputs if i.required and i.name != item]
        if mapped is not None:
            required.append(mapped[0])
        return required

    def _generated(self, spec: NodeSpec, *, mapped: bool | None = None) -> int:
        # A node whose outputs are unknown (builder nodes, broken signatures) may write
        # anything: assuming it does keeps one mistake from cascading into many.
        if spec.open_outputs or spec.problems:
            return self.all
        # An `each` worker may run zero times, writing nothing, beside its companions.
        if mapped if mapped is not None else spec.name in self.ctx.decl.maps:
            return 0
        mask = 0
        for out in spec.outputs:
            if out.required:
                bit = self.keys.get(out.name)
                if bit is not None:
                    mask |= 1 << bit
        return mask

    def _activators(self) -> list[list[tuple[int, ...]]]:
        """Per node, its ways of being activated: (ENTRY,), (parent,) or (join parents...)."""
        index = self.index
        found: list[list[tuple[int, ...]]] = [[] for _ in self.order]
        for name in self.ctx.entries:
            if name in index:
                found[index[name]].append((_ENTRY,))
        joins_seen: set[int] = set()
        for src, dst, way in self.ctx.ways():
            if src not in index or dst not in index:
                continue
            if way.kind == "join":
                if id(way.decl) in joins_seen:
                    continue
                joins_seen.add(id(way.decl))
                parents = tuple(index[s.name] for s in way.decl.sources if s.name in index)
                if parents:
                    found[index[dst]].append(parents)
                    mask = 0
                    for parent in parents:
                        mask |= 1 << parent
                        self.next_any[parent] |= 1 << index[dst]
                    self.joins.append((index[dst], mask))
                    if max(parents) >= index[dst]:
                        self.forward = False
                continue
            if way.kind == "plain":
                self.plain_next[index[src]] |= 1 << index[dst]
            elif way.kind == "route":
                self.routed = True
            self.next_any[index[src]] |= 1 << index[dst]
            step = (index[src],)
            if step not in found[index[dst]]:
                found[index[dst]].append(step)
                if step[0] >= index[dst]:
                    self.forward = False
        return found

    def _companions(self) -> list[int]:
        """Per node, the nodes (bits) that always run in the same superstep as it."""
        count = len(self.order)
        entries = self.entry_any
        if entries & (entries - 1) == 0 and all(n & (n - 1) == 0 for n in self.next_any):
            # No node starts two others at once: every node runs alone (a chain, a loop).
            self.alone = True
            return [1 << i for i in range(count)]
        found: list[int | None] = [None] * count  # None: not known yet (everything)
        order: Iterable[int] = range(count) if self.forward else self._sweep_order()
        changed = True
        while changed:
            changed = False
            for i in order:
                together: int | None = None
                for way in self.activators[i]:
                    step = self._running_with(i, way, found)
                    if step is not None:
                        together = step if together is None else together & step
                if together is not None and together != found[i]:
                    found[i] = together
                    changed = True
        return [1 << i if c is None else c for i, c in enumerate(found)]

    def _running_with(self, i: int, way: tuple[int, ...], companions: list[int | None]
                      ) -> int | None:
        """The nodes sure to run in the superstep where `way` activates node `i` (None
        while a parent's companions are not known)."""
        if way[0] == _ENTRY:
            return self.entry_mask | 1 << i
        step = None
        for parent in way:  # one parent, or a join's (any may be the last to finish)
            known = companions[parent]
            if known is None:
                return None
            after = 1 << i | self._following(known)
            step = after if step is None else step & after
        return step

    def _following(self, together: int) -> int:
        """What runs in the superstep after the nodes `together` all ran (an `each` worker's
        successors may not: its list may be empty)."""
        plain_next = self.plain_next
        found = 0
        rest = together & ~self.mapped
        while rest:
            low = rest & -rest
            found |= plain_next[low.bit_length() - 1]
            rest ^= low
        for target, parents in self.joins:
            if parents & ~together == 0 and not parents & self.mapped:
                found |= 1 << target
        return found

    def _written(self) -> list[list[int]]:
        """Per node and way: the keys written in the superstep where the way activates it."""
        gen = self.gen
        if self.alone:  # each superstep runs one node: it writes its own outputs
            return [[gen[i]] * len(ways) for i, ways in enumerate(self.activators)]
        companions: list[int | None] = list(self.companions)
        written = []
        for i, ways in enumerate(self.activators):
            per_way = []
            for way in ways:
                running = self._running_with(i, way, companions) or 1 << i
                mask = 0
                while running:
                    low = running & -running
                    mask |= gen[low.bit_length() - 1]
                    running ^= low
                per_way.append(mask)
            written.append(per_way)
        return written

    def settle(self) -> tuple[list[int], list[int]]:
        """What is defined when each node starts, and after its superstep.

        The equations first (`solve`): they are sound, so when they find every required
        input defined, nothing is missing. Otherwise, in a flow with joins or routes, the
        runs are followed (`_Runs`) to tell the real misses from the equations' caution.
        """
        self.runs = None
        ins, outs = self.solve()
        if (self.joins or self.routed or self.mapped or self.ctx.entry_ways) and any(
                need & ~got for need, got in zip(self.need, ins, strict=True)):
            runs = _Runs(self)
            if runs.explore():
                self.runs = runs
                return runs.per_node()
        return ins, outs

    def solve(self) -> tuple[list[int], list[int]]:
        """What is defined when each node starts, and after its superstep: the greatest
        fixpoint of the equations."""
        count = len(self.order)
        full = self.all
        ins = [full] * count
        outs = [full] * count
        initial = self.initial
        activators = self.activators
        written = self.written
        mapped_gen = self.mapped_gen
        forward = self.forward
        order: Iterable[int] = range(count) if forward else self._sweep_order()
        changed = True
        while changed:
            changed = False
            for i in order:
                start = full
                after = full
                for way, writes in zip(activators[i], written[i], strict=True):
                    if way[0] == _ENTRY:
                        begins = 0
                    elif len(way) == 1:
                        begins = outs[way[0]]
                    else:
                        begins = 0
                        for parent in way:
                            begins |= outs[parent]
                    start &= begins
                    after &= begins | writes
                start |= initial
                after |= initial | mapped_gen[i]
                if start != ins[i] or after != outs[i]:
                    ins[i] = start
                    outs[i] = after
                    changed = True
            if forward:
                break  # every parent came before its child: settled
        return ins, outs

    def _sweep_order(self) -> list[int]:
        """Reverse postorder from the entries: one sweep settles an acyclic flow."""
        index = self.index
        graph = self.ctx.graph
        post: list[int] = []
        seen: set[str] = set()
        for entry in self.ctx.entries:
            if entry in seen or entry not in index:
                continue
            # What an earlier entry reached is skipped: the order of one DFS from all.
            for name in nx.dfs_postorder_nodes(graph, entry):
                if name not in seen and name in index:
                    seen.add(name)
                    post.append(index[name])
        post.reverse()
        return post

    def witness(self, node: int, bit: int, outs: list[int]) -> list[str]:
        """A shortest activation path from START to `node` on which the key stays undefined."""
        if self.runs is not None:
            return self.runs.witness(node, bit)
        mask = 1 << bit
        previous: dict[int, int] = {node: node}
        queue = deque([node])
        while queue:
            current = queue.popleft()
            for way in self.activators[current]:
                if way[0] == _ENTRY:
                    path = [current]
                    while path[-1] != node:
                        path.append(previous[path[-1]])
                    return ["START", *(self.order[i] for i in path)]
                if any(outs[parent] & mask for parent in way):
                    continue  # this way guarantees the key (a join needs one parent)
                for parent in way:
                    if parent not in previous:
                        previous[parent] = current
                        queue.append(parent)
        return ["START", self.order[node]]


def _bits(mask: int) -> Iterator[int]:
    """The set bits of `mask`, lowest first."""
    while mask:
        low = mask & -mask
        yield low.bit_length() - 1
        mask ^= low


class _Runs:
    """Every run of the flow as a graph of supersteps, each one a configuration: the
    active nodes and the join arrivals collected so far (both bit sets). It mirrors the
    runner's `next_active`: the nodes of a superstep deliver their messages in node
    order; a join fires once every parent has arrived since it last fired, and its
    arrivals start again from none; conditions and routes may decide anything (a route
    at least one key). What is defined at a configuration is the intersection over the
    ways of reaching it of what they defined; writes only add keys, so this fixpoint is
    exactly what every run guarantees."""

    LIMIT = 5_000  # configurations (and decision combinations of one superstep)

    def __init__(self, problem: _Problem) -> None:
        self.problem = problem
        index = problem.index
        count = len(problem.order)
        self.plain = [0] * count  # node → targets it always activates
        self.choices: list[list[tuple[int, ...]]] = [[] for _ in range(count)]
        self.arrive: list[list[tuple[int, int, int]]] = [[] for _ in range(count)]
        self.into = [0] * count  # node → the nodes that can activate it (for witnesses)
        slots = 0  # one arrival bit per (join, parent)
        routes: dict[int, tuple[int, EdgeDecl]] = {}
        seen: set[int] = set()
        for src, dst, way in problem.ctx.ways():
            if src not in index or dst not in index:
                continue
            s, d = index[src], index[dst]
            self.into[d] |= 1 << s
            if way.kind == "plain":
                self.plain[s] |= 1 << d
            elif way.kind == "when":
                self.choices[s].append((0, 1 << d))
            elif way.kind == "route":
                routes.setdefault(id(way.decl), (s, way.decl))
            elif id(way.decl) not in seen:  # a join: once, for all its parents
                seen.add(id(way.decl))
                parents = dict.fromkeys(p.name for p in way.decl.sources)
                if not all(p in index for p in parents):
                    continue  # a parent that never runs: the join never fires (LF202)
                full = ((1 << len(parents)) - 1) << slots
                for k, parent in enumerate(parents):
                    self.arrive[index[parent]].append((1 << slots + k, full, 1 << d))
                slots += len(parents)
        for s, decl in routes.values():
            self.choices[s].append(self._route_options(decl))
        # START's own decisions (`START >> route(...)`, `START >> b.when(p)`).
        self.entry_choices: list[tuple[int, ...]] = []
        entry_routes: dict[int, EdgeDecl] = {}
        for name, way in problem.ctx.entry_ways:
            if way.kind == "route":
                entry_routes.setdefault(id(way.decl), way.decl)
            elif name in index:
                self.entry_choices.append((0, 1 << index[name]))
        self.entry_choices.extend(self._route_options(d) for d in entry_routes.values())
        self.active: list[int] = []
        self.pending: list[int] = []
        self.defined: list[int] = []
        self.writes: list[int] = []
        self.next: list[list[int]] = []

    def explore(self) -> bool:
        """Find every reachable configuration and what is defined there; False when there
        are more than `LIMIT`."""
        gen = self.problem.gen
        # A map in a configuration runs (an empty one is left out of it): it writes.
        mapped_gen = self.problem.mapped_gen
        found: dict[tuple[int, int, int], int] = {}
        active, pending, defined, writes, following = (
            self.active, self.pending, self.defined, self.writes, self.next)

        def config(running: int, arrived: int) -> int:
            # The bit length spreads the hashes of one-node sets (2**k and 2**(k+61) collide).
            key = (running.bit_length(), running, arrived)
            at = found.get(key)
            if at is None:
                at = found[key] = len(active)
                active.append(running)
                pending.append(arrived)
                defined.append(-1)  # not reached yet
                written = 0
                for i in _bits(running):
                    written |= gen[i] | mapped_gen[i]
                writes.append(written)
                following.append([])
            return at

        queue: deque[int] = deque()
        starts = self._decide(self.problem.entry_mask, list(self.entry_choices), 0)
        if starts is None:
            return False
        for running, _ in starts:
            start = config(running, 0)
            defined[start] = self.problem.initial
            queue.append(start)
        expanded: set[int] = set()
        while queue:
            at = queue.popleft()
            if at not in expanded:
                expanded.add(at)
                successors = self._successors(active[at], pending[at])
                if successors is None or len(found) + len(successors) > self.LIMIT:
                    return False
                following[at] = [config(running, arrived) for running, arrived in successors]
            after = defined[at] | writes[at]
            for nxt in following[at]:
                known = defined[nxt]
                if known == -1:
                    defined[nxt] = after
                    queue.append(nxt)
                elif known & ~after:
                    defined[nxt] = known & after
                    queue.append(nxt)
        return True

    def _successors(self, running: int, arrived: int) -> set[tuple[int, int]] | None:
        """The configurations that can follow (None: too many decision combinations)."""
        sure = 0
        open_choices: list[tuple[int, ...]] = []
        for i in _bits(running):
            sure |= self.plain[i]
            for bit, full, target in self.arrive[i]:
                arrived |= bit
                if arrived & full == full:
                    sure |= target
                    arrived &= ~full
            open_choices.extend(self.choices[i])
        return self._decide(sure, open_choices, arrived)

    def _decide(self, sure: int, open_choices: list[tuple[int, ...]],
                arrived: int) -> set[tuple[int, int]] | None:
        """Every active set the decisions can give (None: too many combinations). A map
        over an empty list runs nothing and activates nothing, so any activated `each`
        worker may also be absent."""
        combos = 1
        choices: list[set[int]] = []
        for options in open_choices:
            left = {option & ~sure for option in options}
            if len(left) > 1:
                choices.append(left)
                combos *= len(left)
                if combos > self.LIMIT:
                    return None
            else:
                sure |= left.pop()
        mapped = self.problem.mapped
        found: set[tuple[int, int]] = set()
        for picked in product(*choices):
            running = sure
            for option in picked:
                running |= option
            maps = running & mapped
            dropped = maps
            while True:  # every subset of the activated maps may be empty
                if running & ~dropped:  # nothing active: the run ends
                    found.add((running & ~dropped, arrived))
                if not dropped:
                    break
                dropped = (dropped - 1) & maps
            if len(found) > self.LIMIT:
                return None
        return found

    def _route_options(self, decl: EdgeDecl) -> tuple[int, ...]:
        """The target sets a route may activate: any non-empty set of its keys (a key
        mapped to END adds no target)."""
        index = self.problem.index
        options: set[int] = set()
        for _key, targets in decl.route_map:
            chosen = 0
            for target in targets:
                if target.name in index:
                    chosen |= 1 << index[target.name]
            options |= {chosen | before for before in options} | {chosen}
        return tuple(options)

    def per_node(self) -> tuple[list[int], list[int]]:
        """What is defined when each node starts, and after its superstep."""
        full = self.problem.all
        count = len(self.problem.order)
        ins = [full] * count
        outs = [full] * count
        for running, defined, written in zip(self.active, self.defined, self.writes,
                                             strict=True):
            after = defined | written
            for i in _bits(running):
                ins[i] &= defined
                outs[i] &= after
        return ins, outs

    def witness(self, node: int, bit: int) -> list[str]:
        """The nodes of a shortest run in which `node` starts while the key is undefined,
        one per superstep, each activated by the one before."""
        mask = 1 << bit
        previous: dict[int, int] = {0: 0}
        queue = deque([0])
        end = None
        while queue:
            at = queue.popleft()
            if self.active[at] >> node & 1:
                end = at
                break
            if self.writes[at] & mask:
                continue
            for nxt in self.next[at]:
                if nxt not in previous:
                    previous[nxt] = at
                    queue.append(nxt)
        order = self.problem.order
        if end is None:  # pragma: no cover - only for a node the fixpoint found missing
            return ["START", order[node]]
        path = [node]
        while end:
            end = previous[end]
            candidates = self.active[end] & self.into[path[-1]] or self.active[end]
            path.append((candidates & -candidates).bit_length() - 1)
        return ["START", *(order[i] for i in reversed(path))]


def guaranteed_keys(ctx: CompileContext) -> dict[str, set[str]]:
    """node → the required-input keys guaranteed when it runs (for tests and tools)."""
    problem = _Problem(ctx)
    ins, _ = problem.settle()
    names = {bit: key for key, bit in problem.keys.items()}
    return {name: {names[b] for b in names if ins[i] >> b & 1}
            for i, name in enumerate(problem.order)}


def check_dataflow(ctx: CompileContext) -> None:
    """LF101: report every required input that is not defined on some path."""
    problem = _Problem(ctx)
    if not problem.keys:
        return
    ins, outs = problem.settle()
    names = {bit: key for key, bit in problem.keys.items()}
    for i, name in enumerate(problem.order):
        missing = problem.need[i] & ~ins[i]
        if not missing:
            continue
        spec = ctx.specs[name]
        mapped = ctx.decl.maps.get(name)
        bit = 0
        while missing:
            if missing & 1:
                key = names[bit]
                path = " → ".join(problem.witness(i, bit, outs))
                msg = ("check.missing_items" if mapped is not None and key == mapped[0]
                       else "check.missing_input")
                ctx.report("LF101", msg, node=name, key=key, path=path,
                           hint=_hint(ctx, spec, key))
            missing >>= 1
            bit += 1


def _hint(ctx: CompileContext, spec: NodeSpec, key: str) -> Phrase | str:
    producers = ctx.producers.get(key, [])
    if producers:
        names = ", ".join(p.name for p, _ in producers)
        if all(not out.required for _, out in producers):
            return Phrase("check.hint_not_required", {"producers": names})
        if all(p.name in ctx.decl.maps for p, _ in producers):
            return Phrase("check.hint_each_zero", {"producers": names})
        return Phrase("check.hint_elsewhere", {"producers": names})
    known = [*ctx.producers, *(i.name for i in ctx.decl.inputs)]
    found = suggestion(key, known)
    if found:
        return found
    return Phrase("check.hint_add_input", {"node": spec.name})
