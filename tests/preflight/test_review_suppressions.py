"""F5 of the s2 review: exceptions that waive everything, forever, are refused (P188, P147)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from preflight.checkov_config import load_checkov_config
from preflight.errors import ConfigError
from preflight.suppressions import load_suppressions

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
