"""The template's own stacks pass its own gate: policies and the real checkov, nothing left unexplained."""

from __future__ import annotations

from pathlib import Path

import pytest

from preflight.findings import Source
from preflight.gate import run_gate

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.usefixtures("checkov_present")
@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_template_stack_passes_with_nothing_unsuppressed(stack: str) -> None:
    report = run_gate(ROOT, stack)
    assert report.checkov is not None and report.checkov.ran
    # Zero violations of any level: every checkov failure is either fixed or a justified suppression.
    assert [f"{f.policy} {f.resource}: {f.message}" for f in report.violations] == []
    assert report.exit_code == 0
    # Every pulumi-aws type the template deploys is mapped for checkov; aws-native types (Greengrass v2) have no
    # Terraform counterpart and are judged by the CrossGuard device policies alone.
    assert [t for t in report.not_scanned if not t.startswith("aws-native:")] == []
    assert set(report.not_scanned) <= {"aws-native:greengrassv2:ComponentVersion", "aws-native:greengrassv2:Deployment"}
    waived_checkov = {
        (s.finding.policy, s.finding.urn) for s in report.suppressed if s.finding.source is Source.CHECKOV
    }
    assert waived_checkov == {(f.check_id, f.urn) for f in report.checkov.failed}
    assert all(len(s.reason) >= 20 for s in report.suppressed)
    assert report.resources > 150
