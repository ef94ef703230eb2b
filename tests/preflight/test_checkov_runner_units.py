"""The pure parts of preflight.checkov_runner, without running checkov: where checkov is found, which
config file and custom-check directories a program gets, the command line, and checkov's JSON report
read back into findings on Pulumi resources (the mapping every checkov finding in a report goes through)."""
# ruff: noqa: E501  (one case per line reads as a table)

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from preflight.cfn.convert import CfnTemplate
from preflight.checkov_runner import (
    CHECKOV_ENV_VAR,
    CONFIG_FILE,
    EXTERNAL_CHECKS_DIR,
    REPO_ROOT,
    checkov_command,
    checks_dirs_for,
    config_file_for,
    find_checkov,
    is_template_program,
    parse_report,
    skipped_checks,
)
from preflight.errors import PreflightError
from preflight.tfplan.convert import AddressEntry, TfPlan

BUCKET_URN = "urn:pulumi:dev::p::aws:s3/bucket:Bucket::docs"


def _executable(path: Path) -> Path:
    path.write_text("#!/bin/sh\n", encoding="utf-8")
    path.chmod(0o755)
    return path


def test_find_checkov_takes_the_argument_then_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    given = _executable(tmp_path / "given")
    from_env = _executable(tmp_path / "from-env")
    monkeypatch.setenv(CHECKOV_ENV_VAR, str(from_env))
    assert find_checkov(given) == given
    assert find_checkov(str(given)) == given
    assert find_checkov() == from_env


@pytest.mark.parametrize("kind", ["missing", "not_executable", "directory"])
def test_find_checkov_says_how_to_install_it(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "checkov"
    if kind == "not_executable":
        path.write_text("", encoding="utf-8")
        path.chmod(0o644)
    elif kind == "directory":
        path.mkdir()
    if kind == "not_executable" and os.access(path, os.X_OK):
        pytest.skip("running as a user for whom every file is executable")
    with pytest.raises(PreflightError) as caught:
        find_checkov(path)
    assert str(caught.value) == (
        f"checkov not found at {path}: run `make install` (it builds .venv-checkov), "
        f"or set {CHECKOV_ENV_VAR} to a checkov executable"
    )


def test_the_repository_default_is_its_own_checkov_venv(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(CHECKOV_ENV_VAR, raising=False)
    default = REPO_ROOT / ".venv-checkov" / "bin" / "checkov"
    try:
        assert find_checkov() == default
    except PreflightError as error:
        assert str(default) in str(error)


def test_template_programs_and_their_config(tmp_path: Path) -> None:
    assert is_template_program(REPO_ROOT)
    assert is_template_program(REPO_ROOT / "bootstrap")
    assert not is_template_program(tmp_path)
    assert config_file_for(REPO_ROOT / "bootstrap") == REPO_ROOT / CONFIG_FILE
    assert config_file_for(tmp_path) is None
    (tmp_path / CONFIG_FILE).write_text("skip-check: []\n", encoding="utf-8")
    assert config_file_for(tmp_path) == (tmp_path / CONFIG_FILE).resolve()


def test_a_programs_own_checks_are_added_to_the_packs(tmp_path: Path) -> None:
    pack = (REPO_ROOT / EXTERNAL_CHECKS_DIR).resolve()
    assert checks_dirs_for(tmp_path) == [pack]
    (tmp_path / EXTERNAL_CHECKS_DIR).mkdir(parents=True)
    assert checks_dirs_for(tmp_path) == [pack, (tmp_path / EXTERNAL_CHECKS_DIR).resolve()]
    assert checks_dirs_for(REPO_ROOT) == [pack]


def test_checkov_command() -> None:
    base = [
        "/c",
        "-f",
        "/p.json",
        "--framework",
        "terraform_plan",
        "-o",
        "json",
        "--skip-download",
        "--compact",
        "--quiet",
    ]
    assert checkov_command(Path("/c"), Path("/p.json"), None) == base
    assert checkov_command(Path("/c"), Path("/p.json"), Path("/cfg.yaml"), [Path("/a"), Path("/b")]) == [
        *base,
        "--config-file",
        "/cfg.yaml",
        "--external-checks-dir",
        "/a",
        "--external-checks-dir",
        "/b",
    ]


def test_no_config_file_skips_only_the_checks_a_policy_owns() -> None:
    skips = skipped_checks(None)
    assert skips and all(s["origin"].startswith("policies/checkov_principles.yaml:") for s in skips)
    assert all(s["status"] == "honoured" for s in skips)


def _plan() -> TfPlan:
    entry = AddressEntry("aws_s3_bucket.docs", BUCKET_URN, "docs", "aws:s3/bucket:Bucket")
    return TfPlan(plan={}, addresses={entry.address: entry}, not_scanned=["aws:madeup/x:X"])


def _failed(check_id: str, resource: str, **extra: object) -> dict[str, object]:
    return {"check_id": check_id, "check_name": f"name of {check_id}", "resource": resource, **extra}


def test_a_report_maps_failed_checks_back_to_pulumi_resources() -> None:
    report = {
        "summary": {"passed": 7, "failed": 3},
        "results": {
            "failed_checks": [
                _failed("CKV_AWS_2", "aws_s3_bucket.docs", guideline="https://docs.example/2"),
                _failed("CKV_AWS_1", "aws_sqs_queue.unmapped"),
                _failed("CKV_AWS_1", "aws_s3_bucket.docs", guideline=None),
            ]
        },
    }
    result = parse_report("checkov banner line\n" + json.dumps(report), _plan())
    assert result.passed_count == 7
    assert result.not_scanned == ["aws:madeup/x:X"]
    assert [(f.check_id, f.address, f.urn, f.name, f.type, f.guideline) for f in result.failed] == [
        ("CKV_AWS_1", "aws_s3_bucket.docs", BUCKET_URN, "docs", "aws:s3/bucket:Bucket", ""),
        ("CKV_AWS_1", "aws_sqs_queue.unmapped", "", "unmapped", "", ""),
        ("CKV_AWS_2", "aws_s3_bucket.docs", BUCKET_URN, "docs", "aws:s3/bucket:Bucket", "https://docs.example/2"),
    ]
    assert result.failed[0].check_name == "name of CKV_AWS_1"


def test_several_reports_add_up_and_empty_parts_count_nothing() -> None:
    reports = [
        {"summary": {"passed": 2}, "results": {"failed_checks": [_failed("CKV_AWS_3", "aws_s3_bucket.docs")]}},
        {"summary": {"passed": None}, "results": {"failed_checks": None}},
        {"summary": None, "results": None},
        "not a report",
    ]
    result = parse_report(json.dumps(reports), _plan())
    assert result.passed_count == 2
    assert [f.check_id for f in result.failed] == ["CKV_AWS_3"]
    empty = parse_report("  \n", _plan())
    assert (empty.failed, empty.passed_count, empty.not_scanned) == ([], 0, ["aws:madeup/x:X"])


@pytest.mark.parametrize(
    ("stdout", "first"),
    [("checkov crashed\nTraceback ...", "checkov crashed"), ("{not json", "{not json"), ("x" * 300, "x" * 200)],
    ids=["bad1_no_json", "bad2_broken_json", "bad3_long_line_cut"],
)
def test_output_without_a_report_is_one_line(stdout: str, first: str) -> None:
    with pytest.raises(PreflightError) as caught:
        parse_report(stdout, _plan())
    assert str(caught.value) == f"checkov printed no JSON report: {first}"


# ------------------------------------------- an exported aws-native resource is scanned only when checkov lists it

NATIVE_URN = "urn:pulumi:dev::p::aws-native:s3:Bucket::data"


def _template() -> CfnTemplate:
    data = AddressEntry("AWS::S3::Bucket.data", NATIVE_URN, "data", "aws-native:s3:Bucket")
    queue = AddressEntry(
        "AWS::SQS::Queue.jobs", NATIVE_URN.replace("s3:Bucket::data", "sqs:Queue::jobs"), "jobs", "aws-native:sqs:Queue"
    )
    return CfnTemplate(
        template={"Resources": {"data": {}, "jobs": {}}},
        addresses={data.address: data, queue.address: queue},
        exported_types={"aws-native:s3:Bucket", "aws-native:sqs:Queue"},
    )


def _native_plan() -> TfPlan:
    plan = _plan()
    return TfPlan(
        plan={},
        addresses=plan.addresses,
        not_scanned=[*plan.not_scanned, "aws-native:s3:Bucket", "aws-native:sqs:Queue"],
    )


def _check(resource: str, file_path: str = "/template.json") -> dict[str, object]:
    return {**_failed("CKV_AWS_X", resource), "file_path": file_path}


@pytest.mark.parametrize(
    ("results", "not_scanned"),
    [
        # bad 1: checkov's report has no CloudFormation part at all (it failed to parse the template)
        ({"passed_checks": [_check("aws_s3_bucket.docs", "/tfplan.json")]}, ["aws-native:s3:Bucket", "aws-native:sqs:Queue", "aws:madeup/x:X"]),
        # bad 2: the template's addresses are listed, but under another file than the template's
        ({"failed_checks": [_check("AWS::S3::Bucket.data", "/other.json"), _check("AWS::SQS::Queue.jobs", "/tfplan.json")]}, ["aws-native:s3:Bucket", "aws-native:sqs:Queue", "aws:madeup/x:X"]),
        # bad 3: only addresses that are not the template's are listed under its file
        ({"passed_checks": [_check("AWS::S3::Bucket.other")]}, ["aws-native:s3:Bucket", "aws-native:sqs:Queue", "aws:madeup/x:X"]),
        # good 1: one listed (a resource only graph checks connect is never listed itself)
        ({"passed_checks": [_check("AWS::S3::Bucket.data")]}, ["aws:madeup/x:X"]),
        # good 2: both listed, as passed, failed or skipped checks, under the template's file
        ({"passed_checks": [_check("AWS::S3::Bucket.data")], "skipped_checks": [_check("AWS::SQS::Queue.jobs")]}, ["aws:madeup/x:X"]),
        ({"failed_checks": [_check("AWS::S3::Bucket.data"), _check("AWS::SQS::Queue.jobs", "template.json")]}, ["aws:madeup/x:X"]),
    ],
    ids=["bad1_no_cloudformation_report", "bad2_other_file", "bad3_not_the_templates", "good1_one_listed", "good2_passed_and_skipped", "good3_failed"],
)  # fmt: skip
def test_an_exported_template_counts_as_scanned_only_when_the_report_lists_it(
    results: dict[str, object], not_scanned: list[str]
) -> None:
    result = parse_report(json.dumps([{"summary": {}, "results": results}]), _native_plan(), _template())
    assert result.not_scanned == not_scanned
