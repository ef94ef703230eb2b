"""What an invalid `policies/suppressions.yaml` entry reports, in full: the finding's every field, the entry's
label and each thing wrong with it, and the limits (a reason of exactly 20 characters, an expiry of today).
Run F's survivors of `preflight.suppressions` (bench/MUTATION.md) changed these and no test saw it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from preflight.findings import Finding, Level, Source
from preflight.suppressions import load_suppressions

TODAY = dt.date(2026, 12, 2)
KNOWN = ["lambda-tracing"]
FIX = (
    "Give every entry id, resource, a reason of at least 20 characters and a future expires date (YYYY-MM-DD); "
    "remove entries whose exception is over, or fix the resource."
)
REASON = "exactly twenty chars"  # 20 characters: the minimum


def _load(tmp_path: Path, text: str) -> tuple[list[str], list[str]]:
    path = tmp_path / "suppressions.yaml"
    path.write_text(text, encoding="utf-8")
    valid, problems = load_suppressions(path, KNOWN, today=TODAY)
    return [s.label() for s in valid], [p.message for p in problems]


def test_a_problem_is_a_mandatory_crossguard_finding_naming_the_entry(tmp_path: Path) -> None:
    path = tmp_path / "suppressions.yaml"
    path.write_text("- just a string\n", encoding="utf-8")
    assert load_suppressions(path, KNOWN, today=TODAY) == (
        [],
        [
            Finding(
                policy="suppression-invalid",
                source=Source.CROSSGUARD,
                level=Level.MANDATORY,
                resource="",
                type="",
                urn="",
                principles=("P147", "P188"),
                message="suppressions.yaml: entry 1: not a mapping",
                fix=FIX,
                severity="high",
            )
        ],
    )


def test_each_thing_wrong_with_an_entry_is_named(tmp_path: Path) -> None:
    text = f"""
- {{}}
- {{id: lambda-tracing, resource: fn, reason: "", expires: "2027-01-01", owner: me}}
- {{id: lambda-tracing, resource: fn, reason: {REASON}, expires: "2027-01-01", owner: me, team: x}}
- {{id: lambda-tracing, resource: fn, expires: "2027-01-01"}}
- {{id: lambda-tracing, resource: fn, reason: 123456789012345678901, expires: "2027-01-01"}}
"""
    assert _load(tmp_path, text) == (
        [],
        [
            "suppressions.yaml: entry 1 (? on ?): missing id, resource, reason, expires",
            "suppressions.yaml: entry 2 (lambda-tracing on fn): missing reason; unknown keys owner",
            "suppressions.yaml: entry 3 (lambda-tracing on fn): unknown keys owner, team",
            "suppressions.yaml: entry 4 (lambda-tracing on fn): missing reason",
            "suppressions.yaml: entry 5 (lambda-tracing on fn): reason is not a text",
        ],
    )


def test_the_limits_themselves_are_valid(tmp_path: Path) -> None:
    text = f"""
- {{id: lambda-tracing, resource: fn, reason: {REASON}, expires: "{TODAY.isoformat()}"}}
- {{id: lambda-tracing, resource: fn2, reason: {REASON[:-1]}, expires: "{TODAY.isoformat()}"}}
- {{id: lambda-tracing, resource: fn3, reason: {REASON}, expires: "2026-12-01"}}
"""
    assert _load(tmp_path, text) == (
        ["suppressions.yaml entry 1 (lambda-tracing on fn)"],
        [
            "suppressions.yaml: entry 2 (lambda-tracing on fn2): reason shorter than 20 characters",
            "suppressions.yaml: entry 3 (lambda-tracing on fn3): expired on 2026-12-01",
        ],
    )
