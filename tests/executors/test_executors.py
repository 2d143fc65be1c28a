"""What needs no cluster: the package imports neither Ray nor Dask, executors are instances."""

from __future__ import annotations

import subprocess
import sys

import pytest

from liteflow import START, flow, node
from liteflow.core.errors import FlowDefinitionError
from liteflow.engine.executor import LocalExecutor as EngineLocal
from liteflow.executors import LocalExecutor, RemoteExecutor


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
