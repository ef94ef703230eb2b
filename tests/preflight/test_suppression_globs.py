"""R1 of the s3 review: a resource glob names resources; it cannot match every URN or every resource (P188)."""

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
    names_a_resource,
    refuse_catch_alls,
)
from tests.preflight.programs import run_gate_cli

TODAY = dt.date(2026, 12, 1)
REASON = "reviewed by the security team in ticket SEC-1"
POLICY = "s3-no-public-policy"
#: Three unrelated resources of a prod stack (the reviewer's /tmp/review3/globs.py).
RESOURCES = [
    ("openpol", "aws:s3/bucketPolicy:BucketPolicy"),
    ("x1", "aws:sqs/queuePolicy:QueuePolicy"),
    ("q", "aws:kms/key:Key"),
]
URNS = [(name, f"urn:pulumi:prod::shop::{kind}::{name}") for name, kind in RESOURCES]


def _findings() -> list[Finding]:
    return [
        Finding(
            POLICY, Source.CROSSGUARD, Level.MANDATORY, name, kind, f"urn:pulumi:prod::shop::{kind}::{name}", (), "m"
        )
        for name, kind in RESOURCES
    ]


def _suppression(glob: str) -> Suppression:
    return Suppression(POLICY, glob, REASON, dt.date(2027, 6, 1), 0)


def _file(tmp_path: Path, glob: str, policy: str = POLICY) -> Path:
    path = tmp_path / "suppressions.yaml"
    path.write_text(f'- {{id: {policy}, resource: "{glob}", reason: {REASON}, expires: 2027-06-01}}\n')
    return path


@pytest.mark.parametrize(
    "glob",
    [
        "*n*",  # Noncompliance 1: one letter, and every URN holds `urn:`
        "*u*",  # Noncompliance 2
        "*s*",  # Noncompliance 3: `aws`
        "*p*",  # Noncompliance 4: `pulumi`
        "*on*",  # Noncompliance 5: two floating letters
        "n*",  # Noncompliance 6: one anchored letter
        "*-*",  # Noncompliance 7: a separator only
        "[o]*",  # Noncompliance 8: a class is no literal
        "urn:pulumi:*::*::a*",  # Noncompliance 9: one letter of a name
        "urn:pulumi:*::*::aws*::*",  # Noncompliance 10: a package is not a type
        "urn:pulumi:prod::shop::*::*",  # Noncompliance 11: every resource of the project
        "urn:pulumi:*::*::*:*::*",  # Noncompliance 12: separators only
        "urn:pulumi:*::*::aws:*::*",  # Noncompliance 13: no module
    ],
)
def test_a_glob_naming_almost_nothing_names_nothing(tmp_path: Path, glob: str) -> None:
    assert names_a_resource(glob) is False
    valid, _ = load_suppressions(_file(tmp_path, glob), [POLICY], today=TODAY)
    try:
        _, waived = apply_suppressions(_findings(), valid)
    except ConfigError as exc:
        assert "suppressions.yaml entry 1" in str(exc) and "names no resource" in str(exc)
    else:
        assert waived == []


@pytest.mark.parametrize(
    "glob",
    [
        "urn:*::aws*",  # Noncompliance 14: not a Pulumi URN glob
        "urn:*",  # Noncompliance 15
    ],
)
def test_a_urn_glob_that_is_not_a_pulumi_urn_is_refused(tmp_path: Path, glob: str) -> None:
    with pytest.raises(ConfigError, match=r"suppressions\.yaml: suppressions\.yaml entry 1 .*urn:pulumi:"):
        load_suppressions(_file(tmp_path, glob), [POLICY], today=TODAY)


@pytest.mark.parametrize(
    ("glob", "matched"),
    [
        ("*hop*", []),  # Noncompliance 16: a name glob is not matched against the URN (`urn:pulumi:prod::shop::...`)
        ("*pulumi*", []),  # Noncompliance 17
        ("*aws*", []),  # Noncompliance 18: the type is in the URN only
        ("openpol", ["openpol"]),  # Compliant: a logical name
        ("open*", ["openpol"]),  # Compliant
        ("urn:pulumi:prod::shop::aws:s3/bucketPolicy:BucketPolicy::*", ["openpol"]),  # Compliant: a type
        ("urn:pulumi:prod::*::*aws:sqs/*::*", ["x1"]),  # Compliant: a module; `*` does not span `::`
        ("urn:pulumi:*::*::openpol", ["openpol"]),  # Compliant: stack, project, name
    ],
)
def test_globs_match_names_or_urn_parts(glob: str, matched: list[str]) -> None:
    suppression = _suppression(glob)
    assert [f.resource for f in _findings() if suppression.matches(f)] == matched


@pytest.mark.parametrize(
    "glob",
    [
        "*pol",  # Noncompliance 19: it names something, but matches all three below
        "*pol*",  # Noncompliance 20
        "urn:pulumi:prod::shop::*aws:s3/*::*",  # Noncompliance 21: every resource is a bucket here
    ],
)
def test_a_glob_matching_every_resource_of_the_graph_is_refused(glob: str) -> None:
    resources = [
        ("openpol", "urn:pulumi:prod::shop::aws:s3/bucket:Bucket::openpol"),
        ("logpol", "urn:pulumi:prod::shop::aws:s3/bucket:Bucket::logpol"),
        ("sitepol", "urn:pulumi:prod::shop::aws:s3/bucket:Bucket::sitepol"),
    ]
    with pytest.raises(ConfigError, match=r"entry 1 .*matches all 3 resources of the stack"):
        refuse_catch_alls([_suppression(glob)], resources)


def test_a_glob_matching_some_resources_or_an_exact_name_is_accepted() -> None:
    refuse_catch_alls([_suppression("open*"), _suppression("urn:pulumi:*::*::*aws:s3/*::*")], URNS)
    refuse_catch_alls([_suppression("only")], [("only", "urn:pulumi:prod::shop::aws:s3/bucket:Bucket::only")])


def test_the_reviewers_program_is_refused_with_exit_2(tmp_path: Path) -> None:
    program = tmp_path / "prog"
    (program / "policies").mkdir(parents=True)
    (program / "Pulumi.yaml").write_text("name: skiptest\nruntime: python\n")
    (program / "Pulumi.prod.yaml").write_text(
        "config:\n  aws:region: us-east-1\n  preflight:accountBaseline: organization\n"
    )
    (program / "__main__.py").write_text("import pulumi_aws as aws\naws.sqs.Queue('plain')\naws.sqs.Queue('orders')\n")
    (program / "policies" / "suppressions.yaml").write_text(
        f'- {{id: sqs-queue-kms-encryption, resource: "*n*", reason: {REASON}, expires: 2027-06-01}}\n'
    )
    run = run_gate_cli(program, "prod", tmp_path / "out")
    assert run.returncode == 2, run.stdout + run.stderr
    assert "Traceback" not in run.stderr
    assert "suppressions.yaml entry 1 (sqs-queue-kms-encryption on *n*)" in run.stderr
