"""Findings serialise to plain JSON values, a suppressed one with its reason and expiry."""

from __future__ import annotations

import json

from preflight.findings import CheckovResult, Finding, Level, Source, SuppressedFinding

FINDING = Finding(
    policy="s3-tls-only",
    source=Source.CROSSGUARD,
    level=Level.MANDATORY,
    resource="data",
    type="aws:s3/bucket:Bucket",
    urn="urn:pulumi:dev::p::aws:s3/bucket:Bucket::data",
    principles=("P010", "P011"),
    message="not TLS-only",
)


def test_a_finding_is_plain_json() -> None:
    data = FINDING.to_dict()
    assert data == {
        "policy": "s3-tls-only",
        "source": "crossguard",
        "level": "mandatory",
        "resource": "data",
        "type": "aws:s3/bucket:Bucket",
        "urn": "urn:pulumi:dev::p::aws:s3/bucket:Bucket::data",
        "principles": ["P010", "P011"],
        "message": "not TLS-only",
        "fix": "",
        "severity": "",
    }
    assert type(data["source"]) is str and type(data["level"]) is str and type(data["principles"]) is list
    assert json.loads(json.dumps(data)) == data


def test_a_suppressed_finding_carries_its_reason_and_expiry() -> None:
    data = SuppressedFinding(FINDING, reason="accepted until the migration", expires="2027-01-31").to_dict()
    assert data == {**FINDING.to_dict(), "reason": "accepted until the migration", "expires": "2027-01-31"}


def test_levels_and_sources_are_the_configs_words() -> None:
    assert [level.value for level in Level] == ["mandatory", "advisory", "disabled"]
    assert [source.value for source in Source] == ["crossguard", "checkov"]


def test_a_checkov_result_starts_empty_and_ran() -> None:
    first, second = CheckovResult(), CheckovResult()
    first.failed.append(None)  # type: ignore[arg-type]
    assert second.failed == [] and second.skipped == [] and second.notes == [] and second.not_scanned == []
    assert second.ran is True and second.passed_count == 0 and second.duration_seconds == 0.0
