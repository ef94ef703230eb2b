"""One line per checkov skip, the same in every report."""

from __future__ import annotations

import pytest

from preflight.report.skips import skip_line, skip_reason, skip_where


@pytest.mark.parametrize(
    ("skip", "where"),
    [
        ({"origin": ".checkov.yaml:12", "expires": "2026-12-31"}, ".checkov.yaml:12, until 2026-12-31"),
        ({"origin": ".checkov.yaml:12"}, ".checkov.yaml:12"),
        ({"origin": ".checkov.yaml:12", "expires": ""}, ".checkov.yaml:12"),
        ({"expires": "2026-12-31"}, "until 2026-12-31"),
        ({}, "origin unknown"),
    ],
)
def test_where(skip: dict[str, str], where: str) -> None:
    assert skip_where(skip) == where


@pytest.mark.parametrize(
    ("skip", "reason"),
    [
        ({"reason": "public site"}, "public site"),
        ({"reason": "public site", "status": "honoured"}, "public site"),
        ({"reason": "", "status": "refused: no expiry"}, "(no reason) [refused: no expiry]"),
        ({"status": "refusedX"}, "(no reason) [refusedX]"),
        ({"reason": "r", "status": "expired"}, "r"),
    ],
)
def test_reason(skip: dict[str, str], reason: str) -> None:
    assert skip_reason(skip) == reason


def test_line() -> None:
    skip = {"check_id": "CKV_AWS_20", "origin": ".checkov.yaml:3", "expires": "2027-01-01", "reason": "why"}
    assert skip_line(skip) == "CKV_AWS_20 (.checkov.yaml:3, until 2027-01-01): why"
    assert skip_line({}) == " (origin unknown): (no reason)"
