"""The gate hands checkov the plan first and runs the CrossGuard policies while checkov scans (issue 11 §5).

A fake checkov (a shell script, so the gate runs it as a plain command) waits until the policies
have started before it answers: a gate that ran the policies only after checkov would never release
it. Errors still surface as one line, whichever side fails.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from preflight import checkov_runner, gate
from preflight.checkov_runner import CHECKOV_ENV_VAR
from preflight.errors import ConfigError, PreflightError
from tests.preflight.test_gate import GOOD, program

REPORT = json.dumps({"summary": {"passed": 3}, "results": {"failed_checks": []}})


def fake_checkov(tmp_path: Path, release: Path, *, exit_code: int = 0) -> Path:
    """A checkov that answers only once `release` exists (about 30 s at most, then exits 3)."""
    script = tmp_path / "bin" / "checkov"
    script.parent.mkdir()
    script.write_text(
        "#!/bin/sh\n"
        f"i=0; while [ ! -f '{release}' ]; do i=$((i+1)); [ $i -gt 600 ] && exit 3; sleep 0.05; done\n"
        + (f"echo '{REPORT}'\n" if exit_code in (0, 1) else "echo 'boom' >&2\n")
        + f"exit {exit_code}\n",
        encoding="utf-8",
    )
    script.chmod(0o755)
    return script


def _record(monkeypatch: pytest.MonkeyPatch, release: Path, events: list[str]) -> None:
    start, run_policies = checkov_runner.start_checkov, gate.run_policies

    def starting(*args: Any, **kwargs: Any) -> Any:
        scan = start(*args, **kwargs)
        events.append("handed")
        return scan

    def policies(*args: Any, **kwargs: Any) -> Any:
        events.append("policies")
        release.touch()  # checkov may answer now: the policies run while it does
        return run_policies(*args, **kwargs)

    monkeypatch.setattr(checkov_runner, "start_checkov", starting)
    monkeypatch.setattr(gate, "run_policies", policies)


def test_the_policies_run_while_checkov_scans(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    release, events = tmp_path / "release", []
    monkeypatch.setenv(CHECKOV_ENV_VAR, str(fake_checkov(tmp_path, release)))
    _record(monkeypatch, release, events)
    report = gate.run_gate(program(tmp_path / "prog", GOOD), "dev")
    assert events == ["handed", "policies"]
    assert report.checkov is not None and report.checkov.passed_count == 3
    assert report.exit_code == 0, report.violations
    assert set(report.timings) == {"synthesis", "export", "policies", "checkov_wait"}
    assert report.to_dict()["timings"].keys() == report.timings.keys()


def test_a_failing_checkov_is_still_one_line_after_the_policies(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    release, events = tmp_path / "release", []
    monkeypatch.setenv(CHECKOV_ENV_VAR, str(fake_checkov(tmp_path, release, exit_code=2)))
    _record(monkeypatch, release, events)
    with pytest.raises(PreflightError, match=r"^checkov failed \(exit 2\): boom$"):
        gate.run_gate(program(tmp_path / "prog", GOOD), "dev")
    assert events == ["handed", "policies"]


def test_a_config_error_wins_and_stops_checkov(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    release = tmp_path / "release"
    monkeypatch.setenv(CHECKOV_ENV_VAR, str(fake_checkov(tmp_path, release)))
    scans: list[Any] = []
    start = checkov_runner.start_checkov
    monkeypatch.setattr(checkov_runner, "start_checkov", lambda *a, **k: scans.append(start(*a, **k)) or scans[-1])
    prog = program(tmp_path / "prog", GOOD)
    (prog / "Pulumi.dev.yaml").write_text("config:\n  aws:region: us-east-1\n  preflight:production: maybe\n")
    with pytest.raises(ConfigError, match="preflight:production"):
        gate.run_gate(prog, "dev")
    assert len(scans) == 1
    process = scans[0].process._process
    assert process is not None and process.poll() is not None  # not left waiting for a release that never comes
