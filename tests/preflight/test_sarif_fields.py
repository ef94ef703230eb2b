"""SARIF field by field: what GitHub code scanning shows (rule names, descriptions, help, tags, severity),
where an alert points, how alerts are told apart between runs, and suppressions (bench/MUTATION.md)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from policies.registry import by_name
from preflight.findings import CheckovResult, Finding, Level, Source, SuppressedFinding
from preflight.gate import GateReport
from preflight.graph import ResourceGraph, ResourceNode
from preflight.report.sarif import sarif_document
from preflight.suppressions import EXPIRED_POLICY

Q = "urn:pulumi:dev::demo::aws:sqs/queue:Queue::orders"


def _finding(policy: str, source: Source = Source.CROSSGUARD, level: Level = Level.MANDATORY, **kw: str) -> Finding:
    return Finding(
        policy,
        source,
        level,
        kw.get("resource", "orders"),
        kw.get("type", "aws:sqs/queue:Queue"),
        kw.get("urn", Q),
        tuple(kw.get("principles", "P141").split()),
        kw.get("message", "m."),
        kw.get("fix", ""),
        kw.get("severity", ""),
    )


def _report(violations: list[Finding], suppressed: list[SuppressedFinding] | None = None, **kw: object) -> GateReport:
    node = ResourceNode(Q, "aws:sqs/queue:Queue", "orders", True, "", "", {}, {})
    return GateReport(
        stack="dev",
        project="demo",
        graph=ResourceGraph("demo", "dev", [node]),
        resources=1,
        violations=violations,
        suppressed=suppressed or [],
        **kw,  # type: ignore[arg-type]
    )


def _run(report: GateReport) -> dict:  # type: ignore[type-arg]
    return sarif_document(report)["runs"][0]


def test_a_pack_rule_as_code_scanning_shows_it() -> None:
    spec = by_name()["sqs-queue-kms-encryption"]
    rule = _run(_report([_finding("sqs-queue-kms-encryption", principles="P187 P141")]))["tool"]["driver"]["rules"][0]
    assert rule["name"] == "SqsQueueKmsEncryption"
    assert rule["shortDescription"] == rule["fullDescription"] == {"text": spec.description}
    assert rule["help"] == {"text": spec.explanation, "markdown": spec.explanation}
    assert rule["defaultConfiguration"] == {"level": "error"}
    assert rule["properties"]["tags"] == sorted({"security", spec.category.value, "crossguard", "P187", "P141"})
    assert (
        rule["properties"]["security-severity"]
        == {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0"}[spec.severity.name.lower()]
    )


def test_a_checkov_rule_outside_the_pack() -> None:
    finding = _finding(
        "CKV_AWS_27", Source.CHECKOV, Level.ADVISORY, message="Ensure SQS is encrypted", fix="https://docs/27"
    )
    rule = _run(_report([finding]))["tool"]["driver"]["rules"][0]
    assert rule["name"] == "CkvAws27"
    assert rule["shortDescription"] == {"text": "Ensure SQS is encrypted"}
    assert rule["help"]["text"] == "https://docs/27"
    assert rule["defaultConfiguration"] == {"level": "warning"}
    assert rule["properties"]["tags"] == ["P141", "checkov", "security"]
    assert "security-severity" not in rule["properties"]
    high = _run(_report([_finding("CKV_AWS_27", Source.CHECKOV, severity="critical")]))["tool"]["driver"]["rules"][0]
    assert high["properties"]["security-severity"] == "9.5"


def test_rules_outside_the_registry_without_a_message() -> None:
    unknown = _run(_report([_finding("CKV_X_1", Source.CHECKOV, message="")]))["tool"]["driver"]["rules"][0]
    assert unknown["shortDescription"] == {"text": "checkov rule CKV_X_1"}
    assert unknown["help"]["text"] == "checkov rule CKV_X_1"
    expired = _run(_report([_finding(EXPIRED_POLICY, message="entry 3 expired")]))["tool"]["driver"]["rules"][0]
    assert expired["shortDescription"] == {"text": "A policies/suppressions.yaml entry is past its expiry date"}


def test_one_rule_per_id_and_results_point_at_it() -> None:
    findings = [_finding("b-rule"), _finding("a-rule"), _finding("b-rule", resource="other", urn="urn:other")]
    run = _run(_report(findings))
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == ["b-rule", "a-rule"]
    assert [(r["ruleId"], r["ruleIndex"]) for r in run["results"]] == [("b-rule", 0), ("a-rule", 1), ("b-rule", 0)]


def test_a_result_names_the_stack_and_resource_and_points_at_the_stack_file() -> None:
    result = _run(_report([_finding("a-rule", message="not encrypted.")]))["results"][0]
    assert result["message"] == {"text": "[dev] orders: not encrypted."}
    assert result["locations"] == [
        {
            "physicalLocation": {"artifactLocation": {"uri": "Pulumi.dev.yaml"}, "region": {"startLine": 1}},
            "logicalLocations": [{"name": "orders", "fullyQualifiedName": Q, "kind": "resource"}],
        }
    ]
    assert result["properties"] == {"resourceType": "aws:sqs/queue:Queue", "source": "crossguard"}
    assert result["partialFingerprints"] == {
        "preflightFinding/v1": hashlib.sha256(f"dev\0a-rule\0{Q}".encode()).hexdigest()[:32]
    }


def test_a_stack_finding_is_identified_by_its_message() -> None:
    finding = _finding("a-rule", resource="", type="", urn="", message="no trail.")
    result = _run(_report([finding]))["results"][0]
    assert result["message"] == {"text": "[dev] (stack): no trail."}
    assert result["locations"][0]["logicalLocations"] == [
        {"name": "(stack)", "fullyQualifiedName": "(stack)", "kind": "resource"}
    ]
    assert (
        result["partialFingerprints"]["preflightFinding/v1"]
        == (hashlib.sha256(b"dev\0a-rule\0(stack)\0no trail.").hexdigest()[:32])
    )


def test_the_artifact_is_relative_inside_the_working_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "infra").mkdir()
    monkeypatch.chdir(tmp_path)
    inside = _run(_report([_finding("a")], program_dir=str(tmp_path / "infra")))
    assert inside["artifacts"] == [{"location": {"uri": "infra/Pulumi.dev.yaml"}}]
    elsewhere = tmp_path.parent / "elsewhere"
    outside = _run(_report([_finding("a")], program_dir=str(elsewhere)))
    assert outside["artifacts"] == [{"location": {"uri": (elsewhere / "Pulumi.dev.yaml").as_posix()}}]


@pytest.mark.parametrize(
    ("project", "stack_file", "uri"),
    [
        ("name: p\nruntime: python\n", "Pulumi.dev.yaml", "infra/Pulumi.dev.yaml"),
        (
            "name: p\nruntime: python\nstackConfigDir: stacks\n",
            "stacks/Pulumi.dev.yaml",
            "infra/stacks/Pulumi.dev.yaml",
        ),
        ("name: p\nruntime: python\n", None, "infra/Pulumi.yaml"),  # a stack without a file: its project's
    ],
    ids=["beside", "stackConfigDir", "no_stack_file"],
)
def test_the_artifact_is_the_file_the_stack_was_read_from(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, project: str, stack_file: str | None, uri: str
) -> None:
    (tmp_path / "infra" / "stacks").mkdir(parents=True)
    (tmp_path / "infra" / "Pulumi.yaml").write_text(project, encoding="utf-8")
    if stack_file:
        (tmp_path / "infra" / stack_file).write_text("config: {}\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    run = _run(_report([_finding("a")], program_dir=str(tmp_path / "infra")))
    assert run["artifacts"] == [{"location": {"uri": uri}}]


def test_suppressed_findings_carry_their_justification() -> None:
    waived = SuppressedFinding(_finding("a-rule"), "ticket PLAT-42", "2999-01-01")
    run = _run(_report([_finding("b-rule")], [waived]))
    assert "suppressions" not in run["results"][0]
    assert run["results"][1]["suppressions"] == [
        {"kind": "external", "justification": "ticket PLAT-42 (expires 2999-01-01)"}
    ]


def test_the_run_says_what_checkov_skipped_and_did_not_see() -> None:
    skipped = [{"check_id": "CKV_AWS_1", "status": "honoured"}, {"check_id": "CKV*", "status": "refused: a glob"}]
    run = _run(
        _report(
            [],
            checkov=CheckovResult(skipped=skipped, not_seen=[Q]),
            not_scanned=["aws:sqs/queue:Queue"],
            profile="levels: policies/config/dev.json; stack 'dev' judged non-production by its name",
            config_file="policies/config/dev.json",
        )
    )
    assert run["properties"] == {
        "policyProfile": "levels: policies/config/dev.json; stack 'dev' judged non-production by its name",
        "policyConfig": "policies/config/dev.json",
        "checkovSkipped": skipped,
        # The refused glob is listed with its status, and not counted as a skipped check (review s10 #11).
        "checkovSkipCounts": {"skipped": 1, "refused": 1},
        "checkovNotSeen": 1,
        "checkovNoChecks": 0,
        "checkovNotMapped": 0,
        "notScanned": ["aws:sqs/queue:Queue"],
    }
    for kind, key in (("no_checks", "checkovNoChecks"), ("not_mapped", "checkovNotMapped")):
        other = _run(_report([], checkov=CheckovResult(**{kind: [Q]})))["properties"]  # type: ignore[arg-type]
        assert (other[key], other["checkovNotSeen"]) == (1, 0)
    assert run["automationDetails"] == {"id": "preflight/dev/"}
    assert run["tool"]["driver"]["name"] == "preflight"
    empty = {
        "policyProfile": "",
        "policyConfig": "",
        "checkovSkipped": [],
        "checkovSkipCounts": {"skipped": 0, "refused": 0},
        "checkovNotSeen": 0,
        "checkovNoChecks": 0,
        "checkovNotMapped": 0,
        "notScanned": [],
    }
    assert _run(_report([]))["properties"] == empty


def test_the_notes_are_the_invocations_execution_notifications() -> None:
    """SARIF 2.1.0 §3.20.21 `toolExecutionNotifications` ("runtime conditions detected by the tool"); the invocation's
    one required property is `executionSuccessful` (sarif-schema-2.1.0.json): a failing verdict is still a run that
    completed."""
    notes = ["stack file: Pulumi.dev.yaml not found, so ...", "suppressions.yaml entry 2 matched no finding"]
    run = _run(_report([_finding("a-rule")], notes=notes))
    assert run["invocations"] == [
        {
            "executionSuccessful": True,
            "toolExecutionNotifications": [{"level": "note", "message": {"text": note}} for note in notes],
        }
    ]
    assert _run(_report([]))["invocations"] == [{"executionSuccessful": True, "toolExecutionNotifications": []}]
