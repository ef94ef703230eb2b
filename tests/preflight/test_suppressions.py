"""Suppressions: applied with their reason, expired/short/malformed entries are mandatory violations."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from preflight.errors import ConfigError
from preflight.findings import Finding, Level, Source
from preflight.suppressions import (
    Suppression,
    apply_suppressions,
    load_suppressions,
    unused_note,
    unused_suppressions,
)

TODAY = dt.date(2026, 1, 15)
KNOWN = ["sqs-queue-kms-encryption", "cloudtrail-enabled"]


def finding(policy: str, resource: str, urn: str = "") -> Finding:
    return Finding(
        policy,
        Source.CROSSGUARD,
        Level.MANDATORY,
        resource,
        "aws:sqs/queue:Queue",
        urn or f"urn:pulumi:dev::p::platform$aws:sqs/queue:Queue::{resource}",
        (),
        "m",
    )


def load(tmp_path: Path, text: str) -> tuple[list, list]:
    path = tmp_path / "suppressions.yaml"
    path.write_text(text)
    return load_suppressions(path, KNOWN, today=TODAY)


def test_applied_by_name_and_urn_glob(tmp_path: Path) -> None:
    valid, problems = load(
        tmp_path,
        """
- id: sqs-queue-kms-encryption
  resource: legacy-queue
  reason: migrating to the platform key in ticket PLAT-42
  expires: 2026-03-01
- id: sqs-queue-kms-encryption
  resource: "urn:pulumi:dev::p::platform$aws:sqs/queue:Queue::imported-*"
  reason: imported queues keep their AWS-managed key until re-creation
  expires: 2026-02-01
- id: CKV_AWS_27
  resource: "urn:pulumi:dev::*::*aws:sqs/queue:Queue::*"
  reason: covered by the crossguard policy sqs-queue-kms-encryption
  expires: 2026-02-01
""",
    )
    assert problems == []
    findings = [
        finding("sqs-queue-kms-encryption", "legacy-queue"),
        finding("sqs-queue-kms-encryption", "imported-orders"),
        finding("sqs-queue-kms-encryption", "other"),
    ]
    kept, waived = apply_suppressions(findings, valid)
    assert [f.resource for f in kept] == ["other"]
    assert [(s.finding.resource, s.expires) for s in waived] == [
        ("legacy-queue", "2026-03-01"),
        ("imported-orders", "2026-02-01"),
    ]
    assert waived[0].to_dict()["reason"].startswith("migrating")


def test_stack_wide_findings_match_star(tmp_path: Path) -> None:
    valid, _ = load(
        tmp_path,
        """
- {id: cloudtrail-enabled, resource: "*", reason: the organisation trail covers this account, expires: 2026-12-31}
""",
    )
    kept, waived = apply_suppressions([finding("cloudtrail-enabled", "", urn="")], valid)
    assert kept == [] and len(waived) == 1


@pytest.mark.parametrize(
    ("entry", "policy", "text"),
    [
        (
            "{id: sqs-queue-kms-encryption, resource: q, reason: a reason long enough here, expires: 2025-12-31}",
            "suppression-expired",
            "expired on 2025-12-31",
        ),
        (
            "{id: sqs-queue-kms-encryption, resource: q, reason: too short, expires: 2026-12-31}",
            "suppression-invalid",
            "reason shorter than 20",
        ),
        ("{id: sqs-queue-kms-encryption, resource: q, expires: 2026-12-31}", "suppression-invalid", "missing reason"),
        (
            "{id: sqs-queue-kms-encryption, resource: q, reason: a reason long enough here, expires: soon}",
            "suppression-invalid",
            "not YYYY-MM-DD",
        ),
        (
            "{id: no-such-policy, resource: q, reason: a reason long enough here, expires: 2026-12-31}",
            "suppression-invalid",
            "neither a policy nor a checkov id",
        ),
        (
            "{id: sqs-queue-kms-encryption, resource: q, reason: a reason long enough here, expires: 2026-12-31, "
            "owner: me}",
            "suppression-invalid",
            "unknown keys owner",
        ),
        ("just text", "suppression-invalid", "not a mapping"),
    ],
)
def test_bad_entries_are_mandatory_violations(tmp_path: Path, entry: str, policy: str, text: str) -> None:
    valid, problems = load(tmp_path, f"- {entry}\n")
    assert valid == []
    assert [p.policy for p in problems] == [policy]
    assert problems[0].level is Level.MANDATORY
    assert text in problems[0].message
    assert "entry 1" in problems[0].message


def test_malformed_yaml_is_one_line_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"malformed YAML") as info:
        load(tmp_path, "- id: [unclosed\n")
    assert "\n" not in str(info.value)
    with pytest.raises(ConfigError, match="expected a list"):
        load(tmp_path, "id: x\n")


def test_missing_or_empty_file_means_no_suppressions(tmp_path: Path) -> None:
    assert load_suppressions(tmp_path / "absent.yaml", KNOWN) == ([], [])
    assert load(tmp_path, "") == ([], [])


@pytest.mark.parametrize("expires", ["2027-02-30", "2027-W22-1", "20270531", "'2027-5-31'", "2027-05-31T10:00:00"])
def test_impossible_or_non_iso_dates_are_invalid_entries_not_crashes(tmp_path: Path, expires: str) -> None:
    valid, problems = load(
        tmp_path,
        f"- {{id: sqs-queue-kms-encryption, resource: q, reason: a reason long enough here, expires: {expires}}}\n",
    )
    assert valid == []
    assert [p.policy for p in problems] == ["suppression-invalid"]
    assert "not YYYY-MM-DD" in problems[0].message


def test_quoted_and_unquoted_dates_both_load(tmp_path: Path) -> None:
    valid, problems = load(
        tmp_path,
        """
- {id: sqs-queue-kms-encryption, resource: a, reason: a reason long enough here, expires: 2026-12-31}
- {id: sqs-queue-kms-encryption, resource: b, reason: a reason long enough here, expires: "2026-12-31"}
""",
    )
    assert problems == []
    assert [s.expires for s in valid] == [dt.date(2026, 12, 31)] * 2


def test_reason_must_be_text(tmp_path: Path) -> None:
    valid, problems = load(
        tmp_path,
        "- id: sqs-queue-kms-encryption\n  resource: q\n  expires: 2026-12-31\n"
        "  reason: [a reason long enough here, and more words]\n",
    )
    assert valid == []
    assert [p.policy for p in problems] == ["suppression-invalid"]
    assert "reason" in problems[0].message


def test_glob_metacharacters_in_a_name_match_exactly_itself(tmp_path: Path) -> None:
    valid, problems = load(
        tmp_path,
        '- {id: sqs-queue-kms-encryption, resource: "fn[0]", reason: a reason long enough here, expires: 2026-12-31}\n',
    )
    assert problems == []
    kept, waived = apply_suppressions(
        [finding("sqs-queue-kms-encryption", "fn[0]"), finding("sqs-queue-kms-encryption", "fn1")], valid
    )
    assert [f.resource for f in kept] == ["fn1"]
    assert [s.finding.resource for s in waived] == ["fn[0]"]


def test_unused_entries_are_reported(tmp_path: Path) -> None:
    valid, _ = load(
        tmp_path,
        """
- {id: sqs-queue-kms-encryption, resource: used, reason: a reason long enough here, expires: 2026-12-31}
- {id: sqs-queue-kms-encryption, resource: typo-queue, reason: a reason long enough here, expires: 2026-12-31}
""",
    )
    unused = unused_suppressions([finding("sqs-queue-kms-encryption", "used")], valid)
    assert [s.resource for s in unused] == ["typo-queue"]
    note = unused_note(unused[0])
    assert "entry 2" in note and "matched no finding" in note


def test_entries_scoped_to_another_stack_are_not_reported_unused() -> None:
    fields = {"reason": "x" * 20, "expires": dt.date(2099, 1, 1), "index": 0}
    dev_only = Suppression(id="CKV_AWS_28", resource="urn:pulumi:dev::*", **fields)
    anywhere = Suppression(id="CKV_AWS_28", resource="storage-*", **fields)
    assert unused_suppressions([], [dev_only, anywhere], "prod") == [anywhere]
    assert unused_suppressions([], [dev_only, anywhere], "dev") == [dev_only, anywhere]
