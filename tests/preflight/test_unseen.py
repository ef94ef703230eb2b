"""What the gate cannot see is said in every report: multi-language components are findings, reads are notes."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from preflight.findings import Level
from preflight.gate import run_gate
from preflight.report import render
from preflight.unseen import REMOTE_POLICY
from tests.preflight.programs import write_program

#: A stand-in for `awsx.ec2.Vpc` (pulumi/examples aws-py-hub-and-spoke-network): what makes it a multi-language
#: component is `remote=True`, which sends the registration to its provider plugin (pulumi/resource.py).
REMOTE = """
import pulumi
import pulumi_aws as aws


class Vpc(pulumi.ComponentResource):
    def __init__(self, name):
        super().__init__("awsx:ec2:Vpc", name, {"cidrBlock": "10.0.0.0/16"}, None, remote=True)


vpc = Vpc("spoke-vpc")
aws.s3.Bucket.get("logs", "central-logs-bucket")
aws.sqs.Queue("queue", opts=pulumi.ResourceOptions(depends_on=[vpc]))
"""


def _gate(tmp_path: Path, stack: str, suppressions: str = "") -> tuple[object, Path]:
    directory = write_program(tmp_path, REMOTE, stack=stack)
    if suppressions:
        (directory / "policies").mkdir()
        (directory / "policies" / "suppressions.yaml").write_text(suppressions, encoding="utf-8")
    return run_gate(directory, stack, checkov=False), directory


@pytest.mark.parametrize(("stack", "level"), [("dev", Level.ADVISORY), ("prod", Level.MANDATORY)])
def test_a_remote_component_is_a_finding_mandatory_in_production(tmp_path: Path, stack: str, level: Level) -> None:
    """Bad case 1 (before): the program failed with exit 2 and no report. Bad case 2 (a naive fix): the component
    registered as an empty grouping and the gate passed a program whose VPC it never saw."""
    report, _ = _gate(tmp_path, stack)
    found = [f for f in report.violations if f.policy == REMOTE_POLICY]  # type: ignore[attr-defined]
    assert [(f.resource, f.type, f.level) for f in found] == [("spoke-vpc", "awsx:ec2:Vpc", level)]
    assert "pulumi-awsx" in found[0].message and "none of them was judged" in found[0].message
    if level is Level.MANDATORY:
        assert report.exit_code == 1  # type: ignore[attr-defined]


def test_every_report_format_names_the_component_and_the_read(tmp_path: Path) -> None:
    report, _ = _gate(tmp_path, "prod")
    for fmt in ("text", "json", "sarif", "markdown"):
        rendered = render(report, fmt)  # type: ignore[arg-type]
        assert REMOTE_POLICY in rendered and "awsx:ec2:Vpc" in rendered, fmt
    data = json.loads(render(report, "json"))  # type: ignore[arg-type]
    assert data["resources"] == 1 and data["passed"] is False  # the queue; neither the component nor the read
    read = "aws:s3/bucket:Bucket 'logs' (id central-logs-bucket) is read, not deployed by this stack"
    assert any(note.startswith(read) for note in data["notes"])
    assert read in render(report, "text")  # type: ignore[arg-type]


def test_a_read_is_neither_judged_nor_priced(tmp_path: Path) -> None:
    """Bad case 1: a read bucket judged as if the program created it (no encryption, no versioning findings)."""
    report, _ = _gate(tmp_path, "dev")
    assert not [f for f in report.violations if f.resource == "logs"]  # type: ignore[attr-defined]


def test_a_reviewed_component_can_be_waived_with_a_reason(tmp_path: Path) -> None:
    waiver = (
        "suppressions:\n"
        f"  - id: {REMOTE_POLICY}\n    resource: spoke-vpc\n    reason: reviewed the awsx VPC preview in change 42\n"
        f"    expires: {(dt.date.today() + dt.timedelta(days=90)).isoformat()}\n"
    )
    report, _ = _gate(tmp_path, "prod", waiver)
    assert [s.finding.policy for s in report.suppressed] == [REMOTE_POLICY]  # type: ignore[attr-defined]
