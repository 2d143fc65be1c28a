"""What needs no cluster: the package imports neither Ray nor Dask, executors are instances."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from liteflow import START, flow, node
from liteflow.core.errors import FlowDefinitionError, NodeError
from liteflow.engine.executor import LocalExecutor as EngineLocal
from liteflow.executors import LocalExecutor, RemoteExecutor
from liteflow.executors._remote import _pack, _unpack


@node
def one(n: int) -> None:
    return None


@flow
def tiny(n: int) -> None:
    START >> one


def test_importing_the_package_imports_neither_ray_nor_dask() -> None:
    code = ("import sys, liteflow.executors as e; "
            "assert e.LocalExecutor is not None; "
            "print(sorted(m for m in ('ray', 'distributed', 'dask') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_local_executor_is_the_engines() -> None:
    assert LocalExecutor is EngineLocal


@pytest.mark.parametrize("value", ["ray", "dask", RemoteExecutor, 3])
def test_an_executor_must_be_an_instance(value: object) -> None:
    with pytest.raises(FlowDefinitionError) as caught:
        tiny.with_options(executor=value)  # type: ignore[arg-type]
    assert "Executor" in str(caught.value) and repr(value) in str(caught.value)


def test_an_unknown_name_is_an_attribute_error() -> None:
    import liteflow.executors as executors

    with pytest.raises(AttributeError):
        executors.SparkExecutor  # noqa: B018


FINGERPRINT = '''
import sys
sys.path.insert(0, sys.argv[1])
import fp_mod
print(fp_mod.spread.plan.fingerprint)
'''

MODULE = '''
from typing import TypedDict
from liteflow import START, flow, node

class Out(TypedDict):
    ys: list[int]

@node
def spread(xs: list[int]) -> Out:
    return {"ys": [x + 1 for x in xs if x not in {"a", "b", "c"}]}

@flow(output=Out)
def spread_flow(xs: list[int]) -> None:
    START >> spread
'''


def test_a_plan_fingerprint_is_the_same_in_every_process(tmp_path: Path) -> None:
    # A comprehension is a nested code object and a set literal a frozenset constant: their
    # repr holds an address or follows string hashing, which differ between processes.
    (tmp_path / "fp_mod.py").write_text(MODULE, encoding="utf-8")
    script = FINGERPRINT.replace("fp_mod.spread.plan", "fp_mod.spread_flow.plan")
    found = set()
    for seed in ("1", "2", "3"):
        done = subprocess.run([sys.executable, "-c", script, str(tmp_path)], capture_output=True,
                              text=True, timeout=60, env={**os.environ, "PYTHONHASHSEED": seed})
        assert done.returncode == 0, done.stderr
        found.add(done.stdout.strip())
    assert len(found) == 1 and len(found.pop()) == 16


def test_nodes_of_main_travel_by_value(tmp_path: Path) -> None:
    # A script's own nodes: another process cannot import `__main__`, so they are pickled
    # by value (cloudpickle), and the copy runs to the same result.
    pytest.importorskip("cloudpickle")
    script = MODULE + '''
import cloudpickle, subprocess, sys
data = cloudpickle.dumps(spread_flow.plan)
child = "import pickle, sys, asyncio; from liteflow.engine import PregelRunner; " \\
        "plan = pickle.loads(sys.stdin.buffer.read()); " \\
        "print(asyncio.run(PregelRunner(plan).run({'xs': [1, 2]})).output)"
done = subprocess.run([sys.executable, "-c", child], input=data, capture_output=True)
sys.stdout.write(done.stdout.decode() + done.stderr.decode())
'''
    path = tmp_path / "script.py"
    path.write_text(script, encoding="utf-8")
    done = subprocess.run([sys.executable, str(path)], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "{'ys': [2, 3]}", done.stdout


def test_errors_travel_with_their_class_fields_cause_and_worker_traceback() -> None:
    try:
        try:
            raise ConnectionError("refused")
        except ConnectionError as inner:
            raise NodeError(flow="流程", node="节点", superstep=3, attempts=2,
                            error="ConnectionError: refused") from inner
    except NodeError as exc:
        sent = exc
        back = _unpack(_pack(exc))
    assert type(back) is NodeError
    assert (back.node, back.flow, back.superstep, back.attempts) == ("节点", "流程", 3, 2)
    assert str(back) == str(sent) and "节点" in back.render("zh")
    assert type(back.__cause__) is ConnectionError and back.__cause__.args == ("refused",)
    assert "worker traceback" in back.__cause__.__notes__[0]
    assert "raise ConnectionError" in back.__cause__.__notes__[0]


def test_an_error_that_cannot_travel_keeps_its_text() -> None:
    class Holding(Exception):
        def __init__(self) -> None:
            super().__init__("holds a lock")
            self.lock = threading.Lock()

    try:
        raise Holding()
    except Holding as exc:
        back = _unpack(_pack(exc))
    assert type(back) is RuntimeError
    assert "holds a lock" in str(back)
