"""`policies/suppressions.yaml` read word for word, where run G's mutants of `preflight.suppressions` showed the
tests silent (bench/MUTATION.md, run G): a resource name holding `::`, a URN that is not Pulumi's, every one-line
error exactly, the expiry horizon's boundary and the file an entry came from. A broken file is exit 2 with one
line naming it (P147, P188: an exception must be readable by whoever audits it)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from preflight.errors import ConfigError
from preflight.suppressions import MAX_EXPIRY_DAYS, Suppression, load_suppressions

TODAY = dt.date(2026, 12, 1)
REASON = "a reason long enough to be read by an auditor"
TYPE = "aws:s3/bucket:Bucket"


def _entry(resource: str) -> Suppression:
    return Suppression("s3-bucket-versioning", resource, REASON, dt.date(2027, 1, 31), 0)


# Pulumi reads a URN's name as everything after the third `::` (pulumi/pulumi sdk/go/common/resource/urn.go,
# `URN.Name`: `strings.SplitN(urn.URNName(), URNNameDelimiter, 4)[3]`), so a name may itself hold `::`.
@pytest.mark.parametrize(
    ("glob", "urn", "covered"),
    [
        (f"urn:pulumi:prod::proj::{TYPE}::site::*", f"urn:pulumi:prod::proj::{TYPE}::site::logs", True),
        (f"urn:pulumi:prod::proj::{TYPE}::site::*", f"urn:pulumi:prod::proj::{TYPE}::site", False),
        (f"urn:pulumi:*::proj::{TYPE}::site", f"urn:other:prod::proj::{TYPE}::site", False),
    ],
    ids=["ok_a_name_holding_the_separator", "bad1_the_shorter_name", "bad2_not_a_pulumi_urn"],
)
def test_urn_parts_are_read_as_pulumi_reads_them(glob: str, urn: str, covered: bool) -> None:
    assert _entry(glob).covers("site", urn) is covered


def _write(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "suppressions.yaml"
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    ("data", "message"),
    [
        # the problem, not str(exc)'s first line ("while parsing a flow sequence"), and the line it is on
        (b"- [a,\n b: 2\n", "line 3: malformed YAML: expected ',' or ']', but got '<stream end>'"),
        # PyYAML's ReaderError has no problem_mark and no problem: its message's first line
        (b"- id: \x07\n", "malformed YAML: unacceptable character #x0007: special characters are not allowed"),
        (b"- id: \xff\n", "malformed YAML: 'utf-8' codec can't decode byte 0xff in position 6: invalid start byte"),
        (b"id: x\n", "expected a list of suppressions (id, resource, reason, expires)"),
    ],
    ids=["bad1_flow_sequence", "bad2_control_character", "bad3_not_utf_8", "bad4_not_a_list"],
)
def test_a_broken_file_is_exactly_one_line_naming_it(tmp_path: Path, data: bytes, message: str) -> None:
    path = _write(tmp_path, data)
    with pytest.raises(ConfigError) as caught:
        load_suppressions(path, [], today=TODAY)
    assert str(caught.value) == f"{path}: {message}"


def test_a_value_error_without_text_is_still_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _write(tmp_path, b"[]\n")

    def fail(*_args: object, **_kwargs: object) -> None:
        raise ValueError

    monkeypatch.setattr(yaml, "load", fail)
    with pytest.raises(ConfigError) as caught:
        load_suppressions(path, [], today=TODAY)
    assert str(caught.value) == f"{path}: malformed YAML: ValueError()"


def test_an_unreadable_file_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _write(tmp_path, b"[]\n")

    def fail(*_args: object, **_kwargs: object) -> str:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "read_text", fail)
    with pytest.raises(ConfigError) as caught:
        load_suppressions(path, [], today=TODAY)
    assert str(caught.value) == f"{path}: cannot read: Permission denied"


def _expiring(tmp_path: Path, days: int) -> Path:
    expires = (TODAY + dt.timedelta(days=days)).isoformat()
    return _write(tmp_path, f"- {{id: CKV_AWS_18, resource: site, reason: {REASON}, expires: {expires}}}\n".encode())


def test_an_expiry_exactly_at_the_horizon_is_accepted_and_records_its_file(tmp_path: Path) -> None:
    path = _expiring(tmp_path, MAX_EXPIRY_DAYS)
    valid, problems = load_suppressions(path, [], today=TODAY)
    expires = TODAY + dt.timedelta(days=MAX_EXPIRY_DAYS)
    assert (valid, problems) == ([Suppression("CKV_AWS_18", "site", REASON, expires, 0, str(path))], [])


def test_an_expiry_one_day_past_the_horizon_is_one_line(tmp_path: Path) -> None:
    path = _expiring(tmp_path, MAX_EXPIRY_DAYS + 1)
    expires = (TODAY + dt.timedelta(days=MAX_EXPIRY_DAYS + 1)).isoformat()
    with pytest.raises(ConfigError) as caught:
        load_suppressions(path, [], today=TODAY)
    assert str(caught.value) == (
        f"{path}: suppressions.yaml entry 1 (CKV_AWS_18 on site): expires {expires}, more than {MAX_EXPIRY_DAYS} "
        "days ahead: set a review date within that horizon"
    )


def test_without_today_the_date_is_utcs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Expiry is judged on UTC's date, so a gate run at 23:30 in UTC-1 and one in UTC agree (the CI's clock)."""

    class Clock(dt.datetime):
        @classmethod
        def now(cls, tz: dt.tzinfo | None = None) -> Clock:  # type: ignore[override]
            # 23:30 on 1 December in UTC-1 is 00:30 on 2 December in UTC
            return cls(2026, 12, 2, 0, 30, tzinfo=dt.UTC) if tz is dt.UTC else cls(2026, 12, 1, 23, 30)

    path = _write(tmp_path, f"- {{id: CKV_AWS_18, resource: site, reason: {REASON}, expires: 2026-12-01}}\n".encode())
    monkeypatch.setattr(dt, "datetime", Clock)
    valid, problems = load_suppressions(path, [])
    assert (valid, [p.policy for p in problems]) == ([], ["suppression-expired"])
