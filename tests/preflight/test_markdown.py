"""The pull-request comment: stored expectation, strict Mermaid structure, size limit, determinism.

Regenerate the stored file deliberately, and only then, with
`PREFLIGHT_REGENERATE=1 .venv/bin/pytest tests/preflight/test_markdown.py` (the test then still fails,
so a regeneration is never mistaken for a pass; review the diff and commit it).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from preflight.engine import synthesize
from preflight.findings import CheckovFinding, CheckovResult, Finding, Level, Source, SuppressedFinding
from preflight.graph import ResourceGraph
from preflight.report.markdown import GITHUB_COMMENT_LIMIT, diff_graphs, marker, render_markdown
from tests.preflight.mermaid_support import the_diagram
from tests.preflight.programs import write_program

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "markdown"

HEAD = """
import pulumi
import pulumi_aws as aws


class Api(pulumi.ComponentResource):
    def __init__(self, name, handler, opts=None):
        super().__init__("agentic:api:HttpApi", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        api = aws.apigatewayv2.Api(f"{name}-http", protocol_type="HTTP", opts=child)
        aws.apigatewayv2.Integration(
            f"{name}-integration", api_id=api.id, integration_type="AWS_PROXY", integration_uri=handler.arn, opts=child
        )
        self.register_outputs({})


key = aws.kms.Key("platform-key", enable_key_rotation=True)
table = aws.dynamodb.Table(
    "sessions", billing_mode="PAY_PER_REQUEST", hash_key="id", attributes=[{"name": "id", "type": "S"}],
    server_side_encryption={"enabled": True, "kms_key_arn": key.arn},
)
role = aws.iam.Role("fn-role", assume_role_policy='{"Version": "2012-10-17", "Statement": []}')
fn = aws.lambda_.Function(
    "router", role=role.arn, runtime="python3.12", handler="app.handler", memory_size=256,
    environment={"variables": {"TABLE": table.name}}, kms_key_arn=key.arn,
)
Api("chat", fn)
aws.sqs.Queue("escalations", kms_master_key_id=key.id)
aws.cloudwatch.MetricAlarm(
    "errors", comparison_operator="GreaterThanThreshold", evaluation_periods=1, metric_name="Errors",
    namespace="AWS/Lambda", period=60, statistic="Sum", threshold=1,
)
aws.ec2.NatGateway("nat", subnet_id="subnet-0123456789abcdef0")
"""

BASE = """
import pulumi_aws as aws

key = aws.kms.Key("platform-key", enable_key_rotation=False)
aws.s3.Bucket("old-bucket")
table = aws.dynamodb.Table(
    "sessions", billing_mode="PAY_PER_REQUEST", hash_key="id", attributes=[{"name": "id", "type": "S"}],
    server_side_encryption={"enabled": True, "kms_key_arn": key.arn},
)
"""


@dataclass
class FakeReport:
    """What `preflight.gate.GateReport` carries (the renderer reads only these attributes)."""

    stack: str
    project: str
    graph: ResourceGraph
    resources: int
    violations: list[Finding]
    suppressed: list[SuppressedFinding] = field(default_factory=list)
    not_scanned: list[str] = field(default_factory=list)
    checkov: CheckovResult | None = None
    exit_code: int = 1
    not_seen: int = 0
    no_checks: int = 0
    not_mapped: int = 0
    notes: list[str] = field(default_factory=list)


def finding(policy: str, resource: str, type_: str, level: Level = Level.MANDATORY, **kw: str) -> Finding:
    return Finding(
        policy=policy,
        source=Source(kw.get("source", "crossguard")),
        level=level,
        resource=resource,
        type=type_,
        urn=f"urn:pulumi:dev::sample::{type_}::{resource}" if resource else "",
        principles=tuple(kw.get("principles", "P014").split(",")),
        message=kw.get("message", f"{policy} failed."),
        fix=kw.get("fix", ""),
        severity=kw.get("severity", "medium"),
    )


@pytest.fixture(scope="module")
def graphs(tmp_path_factory: pytest.TempPathFactory) -> tuple[ResourceGraph, ResourceGraph]:
    head = synthesize(write_program(tmp_path_factory.mktemp("head"), HEAD), "dev")
    base = synthesize(write_program(tmp_path_factory.mktemp("base"), BASE), "dev")
    return head, base


@pytest.fixture(scope="module")
def report(graphs: tuple[ResourceGraph, ResourceGraph]) -> FakeReport:
    head, _ = graphs
    violations = [
        finding(
            "cost-no-nat-gateway",
            "nat",
            "aws:ec2/natGateway:NatGateway",
            severity="medium",
            message="nat: the NAT gateway charges $32.85/month while idle.",
            fix="Keep Lambda outside a VPC, or use gateway endpoints.",
        ),
        finding(
            "cost-idle-budget",
            "",
            "",
            severity="high",
            principles="P014,P175,P169",
            message="the stack's idle cost is $33.85/month, over its idle budget of $5.00/month.",
        ),
        finding(
            "lambda-active-tracing",
            "router",
            "aws:lambda/function:Function",
            Level.ADVISORY,
            severity="low",
            principles="P131",
            message="router: X-Ray active tracing is off (tracingConfig.mode).",
            fix="tracing_config={'mode': 'Active'}",
        ),
        finding(
            "CKV_AWS_117",
            "router",
            "aws:lambda/function:Function",
            Level.MANDATORY,
            source="checkov",
            principles="P186",
            message="Ensure that AWS Lambda function is configured inside a VPC",
        ),
    ]
    suppressed = [
        SuppressedFinding(
            finding("sqs-dead-letter-queue", "escalations", "aws:sqs/queue:Queue", severity="low", principles="P179"),
            reason="Escalations are retried by the human-review workflow, not by SQS redrive.",
            expires="2027-03-31",
        )
    ]
    checkov = CheckovResult(
        failed=[
            CheckovFinding(
                "CKV_AWS_117",
                "Ensure that AWS Lambda function is configured inside a VPC",
                "aws_lambda_function.router",
                "urn:x",
                "router",
                "aws:lambda/function:Function",
                "https://docs.prismacloud.io/en/enterprise-edition/policy-reference/aws-policies/",
            )
        ],
        passed_count=41,
        skipped=[
            {
                "check_id": "CKV_AWS_116",
                "address": "*",
                "reason": "judged by the CrossGuard policy lambda-failure-destination: DLQs receive only async calls",
                "origin": "policies/checkov_principles.yaml:53",
                "expires": "",
                "status": "honoured",
            }
        ],
        not_scanned=["aws:apigatewayv2/integration:Integration"],
        duration_seconds=3.25,
    )
    return FakeReport(
        "dev",
        head.project,
        head,
        len(head.custom_resources),
        violations,
        suppressed,
        ["aws:iam/role:Role"],
        checkov,
        exit_code=1,
        not_seen=2,
        no_checks=3,
        not_mapped=1,
    )


def test_matches_the_stored_expectation(report: FakeReport, graphs: tuple[ResourceGraph, ResourceGraph]) -> None:
    text = render_markdown(report, base=graphs[1])
    expected = FIXTURES / "report_dev.md"
    if os.environ.get("PREFLIGHT_REGENERATE") == "1":
        expected.write_text(text, encoding="utf-8")
        pytest.fail(f"regenerated {expected.name}: review the diff, then run the test again without the variable")
    assert text == expected.read_text(encoding="utf-8")


def test_marker_and_verdict_come_first(report: FakeReport) -> None:
    lines = render_markdown(report).splitlines()
    assert lines[0] == marker("dev") == "<!-- preflight:dev -->"
    assert lines[2].startswith("## ❌ preflight dev: failed")
    assert "3 mandatory" in lines[4] and "1 advisory" in lines[4] and "1 suppressed" in lines[4]


def test_a_passing_report(graphs: tuple[ResourceGraph, ResourceGraph]) -> None:
    head, _ = graphs
    text = render_markdown(FakeReport("dev", "sample", head, 3, [], exit_code=0))
    assert "## ✅ preflight dev: passed" in text
    assert "### Violations\n\nNone." in text
    assert "_Checkov did not run for this report._" in text


def test_rendering_is_deterministic(report: FakeReport, graphs: tuple[ResourceGraph, ResourceGraph]) -> None:
    assert render_markdown(report, base=graphs[1]) == render_markdown(report, base=graphs[1])


def test_changes_against_base(graphs: tuple[ResourceGraph, ResourceGraph]) -> None:
    head, base = graphs
    added, changed, removed = diff_graphs(head, base)
    assert "nat" in [n.name for n in added]
    assert [n.name for n in removed] == ["old-bucket"]
    assert [(n.name, keys) for n, keys in changed] == [("platform-key", ["enableKeyRotation"])]


def test_idle_cost_change_against_base(report: FakeReport, graphs: tuple[ResourceGraph, ResourceGraph]) -> None:
    text = render_markdown(report, base=graphs[1])
    assert "idle $33.85/month (+$32.85 vs base)" in text
    assert "`nat`: $0.00 → $32.85 (+$32.85)" in text


# ------------------------------------------------------------------------------------------ Mermaid
# (the picture's structure in depth: test_diagram.py; rendered by a real Mermaid: test_diagram_render.py)


def test_mermaid_is_structurally_valid(report: FakeReport, graphs: tuple[ResourceGraph, ResourceGraph]) -> None:
    picture = the_diagram(render_markdown(report, base=graphs[1]))
    assert {"Interface", "Processing", "Storage", "Governance"} <= set(picture.subgraphs.values())
    api = picture.node("HttpApi chat")  # a component: one box for its api and integration
    assert picture.layer[api] == "Interface"
    assert picture.classes[api] == {"added"}
    assert picture.edge("HttpApi chat", "lambda").label == "invokes"
    assert picture.classes[picture.node("kms")] == {"changed"}
    assert picture.classes[picture.node("lambda")] == {"added", "mandatory"}  # CKV_AWS_117 on router
    assert "✖ 1 mandatory · ⚠ 1 advisory" in picture.nodes[picture.node("lambda")]


def test_mermaid_stays_valid_with_hostile_names(tmp_path: Path) -> None:
    program = """
import pulumi
import pulumi_aws as aws

class Box(pulumi.ComponentResource):
    def __init__(self, name):
        super().__init__('agentic:storage:Box', name, None, None)
        aws.sqs.Queue(name + '-q', opts=pulumi.ResourceOptions(parent=self))
        self.register_outputs({})

for i in range(30):
    aws.sqs.Queue(f'q"[{i}]<end>|x')
    Box(f'b"[{i}]#;<end>|x')
aws.sqs.Queue("end")
Box("end")
"""
    graph = synthesize(write_program(tmp_path, program), "dev")
    text = render_markdown(FakeReport("dev", "sample", graph, len(graph.custom_resources), [], exit_code=0))
    picture = the_diagram(text)  # parses: ids and labels carry nothing Mermaid would read as syntax
    assert picture.node("sqs") and picture.node("Box end")
    assert len(picture.nodes) == 32


# ----------------------------------------------------------------------------------------- the limit


def test_many_findings_stay_under_the_limit_and_never_fail(report: FakeReport) -> None:
    many = [
        finding(f"policy-{i:04d}", f"resource-{i:04d}", "aws:s3/bucket:Bucket", message="x" * 400, fix="y" * 200)
        for i in range(600)
    ]
    big = FakeReport("dev", "sample", report.graph, 600, many, exit_code=1)
    text = render_markdown(big)
    assert len(text) <= 65_000 < GITHUB_COMMENT_LIMIT
    assert text.startswith("<!-- preflight:dev -->")
    assert "Lists shortened" in text
    the_diagram(text)


@pytest.mark.parametrize("limit", [200, 1_000, 5_000])
def test_a_tiny_limit_cuts_with_a_note_and_closes_blocks(report: FakeReport, limit: int) -> None:
    text = render_markdown(report, limit=limit)
    assert len(text) <= limit
    assert text.count("```") % 2 == 0
    assert text.count("<details") == text.count("</details>")
    assert text.startswith("<!-- preflight:dev -->")


def test_the_comment_names_the_profile_when_the_gate_gives_one(report: FakeReport) -> None:
    """The gate's report says which profile judged the stack (issue 11 §2); the line follows the counts."""
    line = "levels: the pack's default profile; stack 'dev' judged non-production by its name"
    named = type("Named", (), {**{k: getattr(report, k) for k in vars(report)}, "profile": line})()
    lines = render_markdown(named).splitlines()
    assert lines[6] == f"_{line}_"
    assert "_levels:" not in render_markdown(report)
