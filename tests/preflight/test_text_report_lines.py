"""The terminal report line by line: verdict line, grouping (stack findings first, mandatory before
advisory), the fix after "Fix: ", suppressions, checkov's summary and skips, notes (bench/MUTATION.md)."""

from __future__ import annotations

from preflight.findings import CheckovFinding, CheckovResult, Finding, Level, Source, SuppressedFinding
from preflight.gate import GateReport
from preflight.graph import ResourceGraph, ResourceNode
from preflight.report.text import render_text

Q = "urn:pulumi:dev::demo::aws:sqs/queue:Queue::orders"
B = "urn:pulumi:dev::demo::aws:s3/bucket:Bucket::a-bucket"


def _finding(policy: str, level: Level, resource: str = "", type_: str = "", urn: str = "", **kw: object) -> Finding:
    return Finding(
        policy,
        kw.get("source", Source.CROSSGUARD),  # type: ignore[arg-type]
        level,
        resource,
        type_,
        urn,
        kw.get("principles", ()),  # type: ignore[arg-type]
        str(kw.get("message", f"{policy} message")),
        str(kw.get("fix", "")),
    )


def _report(**kw: object) -> GateReport:
    nodes = [
        ResourceNode(Q, "aws:sqs/queue:Queue", "orders", True, "", "", {}, {}),
        ResourceNode(B, "aws:s3/bucket:Bucket", "a-bucket", True, "", "", {}, {}),
        ResourceNode("urn:g", "aws:bedrock/guardrail:Guardrail", "g", True, "", "", {}, {}),
    ]
    return GateReport(stack="dev", project="demo", graph=ResourceGraph("demo", "dev", nodes), resources=3, **kw)  # type: ignore[arg-type]


def test_a_clean_stack_is_one_line() -> None:
    assert (
        render_text(_report(duration=1.26))
        == "PASS demo/dev: 3 resources, 0 mandatory, 0 advisory, 0 suppressed (1.3s)"
    )


def test_findings_grouped_and_ordered() -> None:
    violations = [
        _finding("z-advisory", Level.ADVISORY, "orders", "aws:sqs/queue:Queue", Q, principles=("P1", "P2")),
        _finding(
            "b-mandatory", Level.MANDATORY, "orders", "aws:sqs/queue:Queue", Q, fix="Why it matters. Fix: do this."
        ),
        _finding("a-mandatory", Level.MANDATORY, "orders", "aws:sqs/queue:Queue", Q, fix="no marker here"),
        _finding("stack-rule", Level.MANDATORY, message="stack-wide [not markup]"),
        _finding("bucket-rule", Level.ADVISORY, "a-bucket", "", B),
    ]
    lines = render_text(_report(violations=violations)).splitlines()
    assert lines == [
        "FAIL demo/dev: 3 resources, 3 mandatory, 2 advisory, 0 suppressed (0.0s)",
        "",
        "Mandatory violations (block the deployment)",
        "  (stack)",
        "    MANDATORY stack-rule (crossguard)",
        "      stack-wide [not markup]",
        "  orders  aws:sqs/queue:Queue",
        "    MANDATORY a-mandatory (crossguard)",
        "      a-mandatory message",
        "      fix: no marker here",
        "    MANDATORY b-mandatory (crossguard)",
        "      b-mandatory message",
        "      fix: do this.",
        "",
        "Advisory violations",
        "  a-bucket",
        "    ADVISORY  bucket-rule (crossguard)",
        "      bucket-rule message",
        "  orders  aws:sqs/queue:Queue",
        "    ADVISORY  z-advisory (crossguard) [P1, P2]",
        "      z-advisory message",
    ]


def test_suppressed_checkov_and_what_was_not_seen() -> None:
    waived = SuppressedFinding(
        _finding("CKV_AWS_27", Level.ADVISORY, "orders", source=Source.CHECKOV), "ticket PLAT-42", "2999-01-01"
    )
    stack_waived = SuppressedFinding(_finding("cloudtrail-enabled", Level.MANDATORY), "the org trail", "2999-02-02")
    checkov = CheckovResult(
        failed=[CheckovFinding("CKV_AWS_27", "n", "aws_sqs_queue.orders", Q, "orders", "aws:sqs/queue:Queue")],
        passed_count=4,
        skipped=[
            {"check_id": "CKV_AWS_1", "reason": "why", "origin": ".checkov.yaml:3", "expires": "", "status": "honoured"}
        ],
        not_seen=["urn:g"],
        no_checks=[B, "urn:not-in-the-graph"],  # only the graph's resources count
        not_mapped=[Q],
        duration_seconds=2.04,
    )
    report = _report(
        suppressed=[waived, stack_waived],
        checkov=checkov,
        not_scanned=["aws:bedrock/guardrail:Guardrail", "aws:x/y:Z"],
        profile="profile: dev from policies/config/dev.json",
        notes=["first note", "second note"],
    )
    lines = render_text(report).splitlines()
    assert lines[0] == "PASS demo/dev: 3 resources, 0 mandatory, 0 advisory, 2 suppressed (0.0s)"
    assert lines[1:5] == [
        "",
        "Suppressed (policies/suppressions.yaml)",
        "  orders: CKV_AWS_27 until 2999-01-01: ticket PLAT-42",
        "  (stack): cloudtrail-enabled until 2999-02-02: the org trail",
    ]
    assert lines[5:8] == [
        "",
        "checkov ran: 1 failed (1 suppressed), 4 passed, 1 skipped (each listed below with its origin), "
        "1 resources not seen, 1 with no checkov checks, 1 not mapped (2.0s)",
        "  skip CKV_AWS_1 (.checkov.yaml:3): why",
    ]
    assert lines[8:] == [
        "",
        "not scanned by checkov (in neither the Terraform plan nor the aws-native CloudFormation template): "
        "aws:bedrock/guardrail:Guardrail, aws:x/y:Z",
        "profile: dev from policies/config/dev.json",
        "note: first note",
        "note: second note",
    ]


def test_checkov_that_did_not_run_and_nothing_waived() -> None:
    report = _report(checkov=CheckovResult(ran=False))
    assert render_text(report).splitlines()[1:] == [
        "",
        "checkov did not run: 0 failed, 0 passed, 0 skipped (each listed below with its origin), "
        "0 resources not seen, 0 with no checkov checks, 0 not mapped (0.0s)",
    ]


def test_colour_only_when_asked() -> None:
    report = _report(violations=[_finding("a", Level.MANDATORY, "orders")])
    assert "\x1b[" not in render_text(report)
    coloured = render_text(report, color=True)
    assert "\x1b[1;31mFAIL\x1b[0m" in coloured
    assert "\x1b[32m" not in coloured
    assert "\x1b[1;32mPASS\x1b[0m" in render_text(_report(), color=True)
