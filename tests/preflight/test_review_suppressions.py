"""F5 of the s2 review: exceptions that waive everything, forever, are refused (P188, P147)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from preflight.checkov_config import load_checkov_config
from preflight.errors import ConfigError
from preflight.findings import Finding, Level, Source
from preflight.suppressions import apply_suppressions, load_suppressions, names_a_resource

TODAY = dt.date(2026, 12, 1)
REASON = "a reason long enough to be read by an auditor"
ROOT = Path(__file__).resolve().parents[2]


def _suppressions(tmp_path: Path, expires: str) -> Path:
    path = tmp_path / "suppressions.yaml"
    path.write_text(f"- id: CKV_AWS_28\n  resource: table\n  reason: {REASON}\n  expires: {expires}\n")
    return path


def test_an_expiry_within_the_horizon_is_accepted(tmp_path: Path) -> None:
    valid, problems = load_suppressions(_suppressions(tmp_path, "2027-11-30"), [], today=TODAY)
    assert [s.id for s in valid] == ["CKV_AWS_28"] and not problems


@pytest.mark.parametrize("expires", ["9999-12-31", "2027-12-03"])
def test_an_expiry_beyond_the_horizon_is_refused_naming_file_and_entry(tmp_path: Path, expires: str) -> None:
    with pytest.raises(ConfigError, match=r"suppressions\.yaml: suppressions\.yaml entry 1 \(CKV_AWS_28 on table\)"):
        load_suppressions(_suppressions(tmp_path, expires), [], today=TODAY)


def test_the_horizon_is_configurable(tmp_path: Path) -> None:
    with pytest.raises(ConfigError):
        load_suppressions(_suppressions(tmp_path, "2027-01-15"), [], today=TODAY, max_expiry_days=30)


@pytest.mark.parametrize("path", ["policies/suppressions.yaml", "bootstrap/policies/suppressions.yaml"])
def test_the_repositorys_own_entries_are_within_the_horizon(path: str) -> None:
    """Today, with the default horizon: the template's own exceptions still load."""
    load_suppressions(ROOT / path, [])


@pytest.mark.parametrize(
    ("skip", "honoured"),
    [
        ("CKV_AWS_20", True),
        ("CKV*", False),  # Noncompliance 1: every check, the pack's CKV_AGP_* included
        ("CKV_AWS_*", False),  # Noncompliance 2: every AWS check
    ],
)
def test_a_foreign_skip_glob_over_many_checks_is_refused(tmp_path: Path, skip: str, honoured: bool) -> None:
    path = tmp_path / ".checkov.yaml"
    path.write_text(f"skip-check:\n  - {skip}  # until 2027-06-30: {REASON}\n")
    config = load_checkov_config(path, today=TODAY)
    assert [s.refused == "" for s in config.skips] == [honoured]


def test_a_foreign_skip_beyond_the_horizon_is_refused(tmp_path: Path) -> None:
    path = tmp_path / ".checkov.yaml"
    path.write_text(f"skip-check:\n  - CKV_AWS_20  # until 2099-12-31: {REASON}\n")
    (skip,) = load_checkov_config(path, today=TODAY).skips
    assert "days ahead" in skip.refused


def _entry(tmp_path: Path, rule: str, resource: str) -> Path:
    path = tmp_path / "suppressions.yaml"
    path.write_text(f'- id: {rule}\n  resource: "{resource}"\n  reason: {REASON}\n  expires: 2027-06-30\n')
    return path


def _finding(policy: str, resource: str) -> Finding:
    urn = f"urn:pulumi:prod::proj::aws:s3/bucket:Bucket::{resource}" if resource else ""
    return Finding(policy, Source.CROSSGUARD, Level.MANDATORY, resource, "aws:s3/bucket:Bucket", urn, (), "m")


@pytest.mark.parametrize(
    ("glob", "scoped"),
    [
        ("legacy-queue", True),
        ("fn-*", True),
        ("urn:pulumi:dev::*::governance-trail", True),
        ("urn:pulumi:dev::*::*aws:dynamodb/table:Table::*", True),
        ("urn:pulumi:prod::proj::aws:s3/bucket:Bucket::logs-*", True),
        ("*", False),  # Noncompliance 1: everything
        ("**", False),  # Noncompliance 2
        ("?*", False),  # Noncompliance 3
        ("[a-z]*", False),  # Noncompliance 4: a class names no character
        ("urn:pulumi:prod::*", False),  # Noncompliance 5: every resource of prod
        ("urn:pulumi:*::proj::*", False),  # Noncompliance 6: every resource of the project
        ("urn:pulumi:prod::*gov*", False),  # Noncompliance 7: `gov` may be the project's name
        ("urn:pulumi:*::*::*:*-*", False),  # Noncompliance 8: separators only
    ],
)
def test_a_resource_glob_must_name_a_type_or_name(glob: str, scoped: bool) -> None:
    assert names_a_resource(glob) is scoped


def test_a_checkov_entry_naming_no_resource_is_refused_naming_file_and_entry(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"suppressions\.yaml: suppressions\.yaml entry 1 \(CKV_AWS_18 on \*\): the"):
        load_suppressions(_entry(tmp_path, "CKV_AWS_18", "*"), [], today=TODAY)


def test_a_pack_entry_naming_no_resource_waives_only_stack_wide_findings(tmp_path: Path) -> None:
    valid, problems = load_suppressions(
        _entry(tmp_path, "cost-budget-present", "*"), ["cost-budget-present"], today=TODAY
    )
    assert not problems
    kept, waived = apply_suppressions([_finding("cost-budget-present", "")], valid)
    assert kept == [] and [w.finding.policy for w in waived] == ["cost-budget-present"]


@pytest.mark.parametrize("glob", ["*", "urn:pulumi:prod::*"])
def test_a_pack_entry_naming_no_resource_is_refused_on_a_resource_finding(tmp_path: Path, glob: str) -> None:
    """F5: `resource: "*"` on s3-no-public-policy would waive it on every bucket, prod included."""
    valid, _ = load_suppressions(_entry(tmp_path, "s3-no-public-policy", glob), ["s3-no-public-policy"], today=TODAY)
    with pytest.raises(
        ConfigError, match=r"suppressions\.yaml: suppressions\.yaml entry 1 .*it matches public-bucket\)$"
    ):
        apply_suppressions([_finding("s3-no-public-policy", "public-bucket")], valid)


def test_a_scoped_entry_still_waives_its_resource(tmp_path: Path) -> None:
    valid, _ = load_suppressions(
        _entry(tmp_path, "s3-no-public-policy", "public-*"), ["s3-no-public-policy"], today=TODAY
    )
    kept, waived = apply_suppressions([_finding("s3-no-public-policy", "public-bucket")], valid)
    assert kept == [] and len(waived) == 1
