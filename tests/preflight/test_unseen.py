"""What the gate cannot see is said in every report: multi-language components are findings, reads are notes."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from preflight.findings import Finding, Level, Source
from preflight.gate import run_gate
from preflight.graph import ResourceGraph, ResourceNode
from preflight.report import render
from preflight.unseen import REMOTE_POLICY, own_output_gaps, own_sources
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


# ------------------------------------------------- issue 11: an unknown the engine's own gap explains is a note

_UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"


def _node(name: str, type_: str = "aws:sqs/queue:Queue", **kw: object) -> ResourceNode:
    return ResourceNode(
        urn=f"urn:pulumi:prod::p::{type_}::{name}",
        type=type_,
        name=name,
        custom=True,
        parent="",
        provider="",
        inputs=kw.pop("inputs", {}),
        outputs={},
        **kw,  # type: ignore[arg-type]
    )


_KEY = _node("key", "aws-native:kms:ReplicaKey")
_AWS_KEY = _node("awskey", "aws:kms/key:Key")
_VPC = "urn:pulumi:prod::p::awsx:ec2:Vpc::vpc"
_READ = _node("logs", "aws:s3/bucket:Bucket")


def _queue(inputs: dict[str, object], deps: dict[str, tuple[str, ...]]) -> ResourceNode:
    return _node("queue", inputs=inputs, property_dependencies=deps)


@pytest.mark.parametrize(
    ("case", "queue", "sources"),
    [
        ("own", _queue({"kmsMasterKeyId": _UNKNOWN}, {"kmsMasterKeyId": (_KEY.urn,)}), (_KEY.urn,)),
        ("nested unknown", _queue({"p": {"a": [_UNKNOWN]}}, {"p": (_KEY.urn,)}), (_KEY.urn,)),
        ("no dependency recorded", _queue({"kmsMasterKeyId": _UNKNOWN}, {}), None),
        ("own pulumi-aws", _queue({"kmsMasterKeyId": _UNKNOWN}, {"kmsMasterKeyId": (_AWS_KEY.urn,)}), None),
        ("a read", _queue({"kmsMasterKeyId": _UNKNOWN}, {"kmsMasterKeyId": (_READ.urn,)}), None),
        ("a remote component", _queue({"kmsMasterKeyId": _UNKNOWN}, {"kmsMasterKeyId": (_VPC,)}), None),
        (
            "own and a read",
            _queue({"a": _UNKNOWN, "b": _UNKNOWN}, {"a": (_KEY.urn,), "b": (_READ.urn,)}),
            None,
        ),
        (
            "a hidden secret",
            _queue({"kmsMasterKeyId": _UNKNOWN, "policy": "[secret]"}, {"kmsMasterKeyId": (_KEY.urn,)}),
            None,
        ),
        ("nothing unknown", _queue({"kmsMasterKeyId": "k"}, {"kmsMasterKeyId": (_KEY.urn,)}), None),
    ],
)
def test_own_sources_are_only_the_programs_own_custom_resources(
    case: str, queue: ResourceNode, sources: tuple[str, ...] | None
) -> None:
    vpc = ResourceNode(
        urn=_VPC, type="awsx:ec2:Vpc", name="vpc", custom=True, parent="", provider="", inputs={}, outputs={}
    )
    graph = ResourceGraph("p", "prod", [_KEY, _AWS_KEY, vpc, queue], remote_components=[_VPC], reads=[_READ])
    assert own_sources(queue, graph) == sources, case
    finding = Finding(
        "security-value-unknown", Source.CROSSGUARD, Level.MANDATORY, "queue", queue.type, queue.urn, (), "m"
    )
    other = Finding(
        "sqs-queue-kms-encryption", Source.CROSSGUARD, Level.MANDATORY, "queue", queue.type, queue.urn, (), "m"
    )
    notes: list[str] = []
    kept = own_output_gaps(graph, [finding, other], notes)
    assert kept == ([other] if sources else [finding, other])
    assert len(notes) == (1 if sources else 0)
