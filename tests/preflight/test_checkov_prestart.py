"""checkov started before the gate's own imports: handed to the gate once, never left running."""

from __future__ import annotations

import subprocess
import sys

import pytest

from preflight import checkov_runner

ROOT = checkov_runner.REPO_ROOT


@pytest.mark.usefixtures("checkov_present")
def test_prestarted_checkov_is_handed_over_once() -> None:
    checkov_runner.prestart()
    warm = checkov_runner.take_prestarted()
    try:
        assert warm is not None
        assert checkov_runner.take_prestarted() is None
    finally:
        if warm is not None:
            warm.close()


@pytest.mark.usefixtures("checkov_present")
def test_an_untaken_prestart_is_stopped() -> None:
    checkov_runner.prestart()
    process = checkov_runner._PRESTARTED[0]._process
    checkov_runner.discard_prestarted()
    assert checkov_runner.take_prestarted() is None
    assert process is None or process.poll() is not None


@pytest.mark.usefixtures("checkov_present")
def test_a_warm_checkov_given_no_plan_exits_without_scanning() -> None:
    warm = checkov_runner.WarmCheckov()
    try:
        assert warm._process is not None
        stdout, _ = warm._process.communicate("\n", timeout=300)
        assert warm._process.returncode == 0 and stdout == ""
    finally:
        warm.close()


def test_a_missing_checkov_is_left_for_the_gate_to_report(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(checkov_runner.CHECKOV_ENV_VAR, "/nonexistent/checkov")
    checkov_runner.prestart()
    assert checkov_runner.take_prestarted() is None


def test_checkov_is_started_before_the_pulumi_sdk_is_imported() -> None:
    """`python -m preflight` reaches `prestart` with only the CLI loaded: the SDK's import overlaps checkov's."""
    probe = "import sys, preflight.cli; print(sorted(m for m in ('pulumi', 'pulumi_aws') if m in sys.modules))"
    completed = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=ROOT)
    assert completed.stdout.strip() == "[]"
