"""Report renderers: plain text without colour codes, JSON, SARIF 2.1.0 for code scanning, markdown dispatch."""

from __future__ import annotations

import json

import pytest

from preflight.findings import CheckovResult, Finding, Level, Source, SuppressedFinding
from preflight.gate import GateReport
from preflight.graph import ResourceGraph, ResourceNode
from preflight.report import FORMATS, render

QUEUE_URN = "urn:pulumi:dev::demo::aws:sqs/queue:Queue::orders"


@pytest.fixture
def report() -> GateReport:
    node = ResourceNode(QUEUE_URN, "aws:sqs/queue:Queue", "orders", True, "", "", {}, {})
    graph = ResourceGraph("demo", "dev", [node])
    mandatory = Finding(
        "sqs-queue-kms-encryption",
        Source.CROSSGUARD,
        Level.MANDATORY,
        "orders",
        "aws:sqs/queue:Queue",
        QUEUE_URN,
        ("P141", "P187"),
        "not encrypted with a CMK.",
        "Why. Fix: set kmsMasterKeyId.",
        "high",
    )
    stack_wide = Finding(
        "cloudtrail-enabled",
        Source.CROSSGUARD,
        Level.ADVISORY,
        "",
        "",
        "",
        ("P149",),
        "no CloudTrail trail.",
        "Fix: add a trail.",
        "high",
    )
    checkov = Finding(
        "CKV_AWS_27",
        Source.CHECKOV,
        Level.ADVISORY,
        "orders",
        "aws:sqs/queue:Queue",
        QUEUE_URN,
        ("P141",),
        "Ensure all data stored in the SQS queue is encrypted",
        "https://docs",
        "",
    )
    waived = SuppressedFinding(
        Finding(
            "sqs-queue-kms-encryption",
            Source.CROSSGUARD,
            Level.MANDATORY,
            "legacy",
            "aws:sqs/queue:Queue",
            "urn:x::legacy",
            ("P141",),
            "m",
        ),
        "migrating in ticket PLAT-42, owner platform",
        "2999-01-01",
    )
    return GateReport(
        stack="dev",
        project="demo",
        graph=graph,
        resources=1,
        violations=[mandatory, stack_wide, checkov],
        suppressed=[waived],
        not_scanned=["aws:bedrock/guardrail:Guardrail"],
        checkov=CheckovResult(passed_count=3),
        notes=["stack file: Pulumi.dev.yaml not found, so stack 'dev' is judged with an empty config"],
        profile="levels: policies/config/dev.json; stack 'dev' judged non-production by its name (documented default)",
    )


def test_text_groups_by_resource_with_fix_and_no_ansi(report: GateReport) -> None:
    text = render(report, "text")
    assert "\x1b[" not in text
    assert text.startswith("FAIL demo/dev: 1 resources, 1 mandatory, 2 advisory, 1 suppressed")
    assert "fix: set kmsMasterKeyId." in text
    assert "(stack)" in text and "orders  aws:sqs/queue:Queue" in text
    assert "legacy: sqs-queue-kms-encryption until 2999-01-01: migrating" in text
    assert "not scanned by checkov" in text
    assert "\x1b[" in render(report, "text", color=True)


def test_json(report: GateReport) -> None:
    data = json.loads(render(report, "json"))
    assert data["exit_code"] == 1 and data["summary"] == {"mandatory": 1, "advisory": 2, "suppressed": 1}
    assert data["suppressed"][0]["reason"].startswith("migrating") and data["suppressed"][0]["expires"] == "2999-01-01"
    assert data["not_scanned"] == ["aws:bedrock/guardrail:Guardrail"]
    assert {v["source"] for v in data["violations"]} == {"crossguard", "checkov"}


def test_sarif_is_code_scanning_shaped(report: GateReport) -> None:
    doc = json.loads(render(report, "sarif"))
    assert doc["version"] == "2.1.0" and doc["$schema"].endswith("sarif-2.1.0.json")
    run = doc["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == ["sqs-queue-kms-encryption", "cloudtrail-enabled", "CKV_AWS_27"]
    assert all(r["help"]["text"] and r["shortDescription"]["text"] for r in rules)
    results = run["results"]
    assert [r["level"] for r in results] == ["error", "warning", "warning", "error"]
    for result in results:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        location = result["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uri"].endswith("Pulumi.dev.yaml")
        assert location["region"]["startLine"] == 1
    assert results[-1]["suppressions"][0]["kind"] == "external"
    assert rules[0]["properties"]["security-severity"] == "8.0"
    # The notes as SARIF 2.1.0 carries them (sarif-schema-2.1.0.json: an invocation requires `executionSuccessful`, a
    # notification `message`, its `level` one of none/note/warning/error; an "error" one would mean the run failed,
    # §3.20.21), and the run's property bag (an object) with the profile.
    (invocation,) = run["invocations"]
    assert invocation["executionSuccessful"] is True
    notifications = invocation["toolExecutionNotifications"]
    assert [n["message"]["text"] for n in notifications] == report.notes
    assert all(n["level"] == "note" for n in notifications)
    assert isinstance(run["properties"], dict) and run["properties"]["policyProfile"] == report.profile


def test_every_format_renders(report: GateReport, monkeypatch: pytest.MonkeyPatch) -> None:
    for fmt in FORMATS:
        assert render(report, fmt).strip()
    with pytest.raises(ValueError, match="unknown report format"):
        render(report, "xml")


def _stack_finding(policy: str, message: str) -> Finding:
    return Finding(policy, Source.CROSSGUARD, Level.MANDATORY, "", "", "", ("P147",), message, "Fix it.", "high")


def test_sarif_stack_findings_of_one_policy_get_distinct_fingerprints(report: GateReport) -> None:
    report.violations = [
        _stack_finding("cloudtrail-enabled", "no CloudTrail trail."),
        _stack_finding("cloudtrail-enabled", "the trail does not log data events."),
    ]
    report.suppressed = []
    results = json.loads(render(report, "sarif"))["runs"][0]["results"]
    prints = [r["partialFingerprints"]["preflightFinding/v1"] for r in results]
    assert len(set(prints)) == 2


def test_sarif_rule_outside_the_registry_has_a_fixed_description(report: GateReport) -> None:
    report.violations = [
        _stack_finding("suppression-invalid", "suppressions.yaml: entry 2 (x on y): reason shorter than 20"),
        _stack_finding("suppression-invalid", "suppressions.yaml: entry 5 (a on b): missing expires"),
    ]
    report.suppressed = []
    rules = json.loads(render(report, "sarif"))["runs"][0]["tool"]["driver"]["rules"]
    assert len(rules) == 1
    description = rules[0]["shortDescription"]["text"]
    assert "entry 2" not in description and "suppressions.yaml" in description
