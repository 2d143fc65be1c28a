"""Without Chromium the browser tests skip with a one-line reason, except under
`LITEFLOW_CI=1`, where they fail: CI must never pass them silently."""

from __future__ import annotations

import pytest

from .conftest import chromium_problem, give_up


def test_a_missing_chromium_is_named() -> None:
    assert chromium_problem("/nonexistent/chromium") == (
        "no Chromium at /nonexistent/chromium (apt-get install chromium)")


def test_browser_tests_skip_with_the_reason_on_a_developer_machine(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LITEFLOW_CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="no Chromium at /x"):
        give_up("no Chromium at /x")


def test_browser_tests_fail_in_ci_without_chromium(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LITEFLOW_CI", "1")
    with pytest.raises(pytest.fail.Exception, match="browser tests must run in CI"):
        give_up("no Chromium at /x")
