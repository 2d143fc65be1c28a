"""What field-by-field TypedDict checks cost, measured in one process, interleaved.

Two parts:

- one check of one value, in nanoseconds: plain hints (unchanged, O(1)), a TypedDict checked
  as a plain mapping (beartype's view, what liteflow did before) and field by field, nested
  TypedDicts, and lists of TypedDicts of growing length (checked in full up to
  `DEEP_ITEMS` items, then by their last `DEEP_ITEMS`);
- a chain of nodes passing one value along, per node call: the value declared as `dict`
  (plain hint), as a nested TypedDict (deep checks at every input and output), and with
  `check_types=False`.

```sh
python benchmarks/deep_checks.py              # prints a Markdown report
python benchmarks/deep_checks.py --quick      # tiny sizes, correctness only
python benchmarks/deep_checks.py --json out.json
```
"""

# No ``from __future__ import annotations``: the nodes' hints must stay real objects.

import argparse
import json
import sys
import time
from collections.abc import Callable
from itertools import pairwise
from pathlib import Path
from typing import Any, NotRequired, TypedDict

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from liteflow import START, flow, node
from liteflow.core.deep_typecheck import DEEP_ITEMS
from liteflow.core.typecheck import make_checker, shallow_checker


class Author(TypedDict):
    name: str
    email: NotRequired[str]


class Paper(TypedDict):
    title: str
    year: int | None
    authors: list[Author]


class Flat(TypedDict):
    title: str
    year: int
    pages: int


def _paper(i: int) -> dict[str, Any]:
    return {"title": f"t{i}", "year": 2024, "authors": [{"name": "a"}, {"name": "b"},
                                                        {"name": "c", "email": "c@x"}]}


def _ns_per_call(fn: Callable[[Any], bool], value: Any, budget_s: float) -> float:
    """Best of 5 batches of about `budget_s` / 5 seconds each, in ns per call."""
    rounds = 1
    while True:  # calibrate: enough calls for a batch to last a fifth of the budget
        start = time.perf_counter()
        for _ in range(rounds):
            fn(value)
        if time.perf_counter() - start > budget_s / 25 or rounds > 10**6:
            break
        rounds *= 4
    best = float("inf")
    for _ in range(5):
        start_ns = time.perf_counter_ns()
        for _ in range(rounds):
            fn(value)
        best = min(best, (time.perf_counter_ns() - start_ns) / rounds)
    return best


def checks(quick: bool) -> list[dict[str, Any]]:
    """One check of one value, per hint; each row also says whether the answer was right."""
    budget = 0.01 if quick else 0.5
    flat = {"title": "t", "year": 1, "pages": 3}
    rows: list[tuple[str, Any, Any, bool, bool]] = [
        # (label, hint, value, deep, expected answer)
        ("int (plain)", int, 3, False, True),
        ("list[int], 10^5 items (plain)", list[int], list(range(100_000)), False, True),
        ("Flat as a mapping (beartype)", Flat, flat, False, True),
        ("Flat, 3 fields", Flat, flat, True, True),
        ("Flat, wrong field", Flat, {**flat, "pages": "3"}, True, False),
        ("Paper, nested (3 authors)", Paper, _paper(0), True, True),
        ("Paper as a mapping (beartype)", Paper, _paper(0), False, True),
    ]
    sizes = (10, 100) if quick else (10, 100, 1_000, 10_000, 100_000)
    for n in sizes:
        papers = [_paper(i) for i in range(n)]
        rows.append((f"list[Paper], {n} items", list[Paper], papers, True, True))
    bad = [_paper(i) for i in range(DEEP_ITEMS)]
    bad[-1] = {**bad[-1], "year": "x"}
    rows.append((f"list[Paper], {DEEP_ITEMS} items, the last wrong", list[Paper], bad, True,
                 False))
    results = []
    for label, hint, value, deep, expected in rows:
        check = make_checker(hint) if deep else shallow_checker(hint)
        if hint is int:
            check = make_checker(int)
        assert check is not None
        results.append({"check": label, "ns": round(_ns_per_call(check, value, budget)),
                        "correct": check(value) is expected})
    return results


class PlainOut(TypedDict):
    paper: dict[str, Any]


class DeepOut(TypedDict):
    paper: Paper


def _chain(n: int, out: Any, hint: Any, check_types: bool) -> Any:
    nodes = []
    for i in range(n):
        def step(paper: Any) -> Any:
            return {"paper": paper}

        step.__annotations__ = {"paper": hint, "return": out}
        step.__name__ = step.__qualname__ = f"step_{i}"
        nodes.append(node(check_types=check_types)(step))

    def body(paper: Any) -> None:
        START >> nodes[0]
        for a, b in pairwise(nodes):
            a >> b

    body.__annotations__ = {"paper": hint, "return": None}
    return flow(name=f"chain_{hint!r}_{check_types}", max_supersteps=n + 1)(body)


def chains(quick: bool) -> list[dict[str, Any]]:
    """µs per node call of a chain passing one value along, the variants interleaved."""
    n = 20 if quick else 200
    runs = 2 if quick else 15
    variants = {
        "dict[str, Any] (plain hint)": _chain(n, PlainOut, dict[str, Any], True),
        "Paper (deep checks)": _chain(n, DeepOut, Paper, True),
        "Paper, check_types=False": _chain(n, DeepOut, Paper, False),
    }
    best = dict.fromkeys(variants, float("inf"))
    value = _paper(0)
    correct = {}
    for _ in range(runs):
        for label, app in variants.items():
            start = time.perf_counter()
            result = app.run(paper=value)
            best[label] = min(best[label], time.perf_counter() - start)
            correct[label] = result.final_state["paper"] == value
    return [{"chain": label, "nodes": n, "us_per_node": round(best[label] / n * 1e6, 2),
             "correct": correct[label]} for label in variants]


def report(check_rows: list[dict[str, Any]], chain_rows: list[dict[str, Any]]) -> str:
    lines = ["## One check of one value", "", "| hint and value | ns per check |", "|---|---:|"]
    lines += [f"| {r['check']} | {r['ns']:,} |" for r in check_rows]
    lines += ["", "## A chain passing one value along", "",
              "| value declared as | µs per node call |", "|---|---:|"]
    lines += [f"| {r['chain']} | {r['us_per_node']} |" for r in chain_rows]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes, correctness only")
    parser.add_argument("--json", type=Path, help="also write the raw results here")
    args = parser.parse_args()
    check_rows = checks(args.quick)
    chain_rows = chains(args.quick)
    print(report(check_rows, chain_rows))
    if args.json is not None:
        args.json.write_text(json.dumps({"checks": check_rows, "chains": chain_rows},
                                        ensure_ascii=False, indent=1), encoding="utf-8")
    return 0 if all(r["correct"] for r in [*check_rows, *chain_rows]) else 1


if __name__ == "__main__":
    sys.exit(main())
