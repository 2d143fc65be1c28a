"""Runs the Ray tests in their own pytest process inside a loopback-only network namespace."""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys

from executor_support import HERE, RAY_FILES, unavailable

LAUNCH = 'ip link set lo up && exec "$0" "$@"'


def _namespace_prefix() -> list[str] | None:
    """`unshare -n` as root, else `unshare -rn` (an unprivileged user namespace), if either
    works here."""
    for prefix in (["unshare", "-n"], ["unshare", "-rn"]):
        try:
            done = subprocess.run([*prefix, "sh", "-c", LAUNCH, "true"], capture_output=True,
                                  timeout=30)
        except (OSError, subprocess.TimeoutExpired):
            continue
        if done.returncode == 0:
            return prefix
    return None


def test_ray_tests_pass_inside_a_loopback_only_namespace() -> None:
    if importlib.util.find_spec("ray") is None:
        unavailable("Ray is not installed (pip install 'liteflow[ray]')")
    prefix = _namespace_prefix()
    if prefix is None:
        unavailable("cannot make a loopback-only network namespace (unshare -n needs root "
                    "or unprivileged user namespaces)")
    assert prefix is not None
    env = {**os.environ, "RAY_AUTH_MODE": "disabled", "RAY_USAGE_STATS_ENABLED": "0"}
    files = [str(HERE / name) for name in RAY_FILES]
    done = subprocess.run([*prefix, "sh", "-c", LAUNCH, sys.executable, "-m", "pytest", "-q",
                           "-p", "no:cacheprovider", *files], capture_output=True, text=True,
                          env=env, timeout=600, cwd=HERE.parents[1])
    tail = (done.stdout + done.stderr)[-6000:]
    assert done.returncode == 0, tail
    summary = re.search(r"(\d+) passed", done.stdout)
    assert summary is not None and int(summary.group(1)) >= 10, tail
    assert re.search(r"\d+ (failed|errors?)\b", done.stdout) is None, tail
