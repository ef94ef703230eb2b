"""The pure parts of preflight.checkov_runner, without running checkov: where checkov is found, which
config file and custom-check directories a program gets, the command line, and checkov's JSON report
read back into findings on Pulumi resources (the mapping every checkov finding in a report goes through)."""
# ruff: noqa: E501  (one case per line reads as a table)

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from preflight.cfn.convert import CfnTemplate
from preflight.checkov_config import CheckovConfig, Skip
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
    scratch = tmp_path / "scratch"
    assert checks_dirs_for(tmp_path, scratch) == [pack]
    (tmp_path / EXTERNAL_CHECKS_DIR).mkdir(parents=True)
    own = "metadata: {id: OWN_1, name: n, category: LOGGING}\ndefinition: {resource_types: [aws_s3_bucket]}\n"
    (tmp_path / EXTERNAL_CHECKS_DIR / "own.yaml").write_text(own, encoding="utf-8")  # a check checkov loads
    assert checks_dirs_for(tmp_path, scratch) == [pack, scratch / "program-checks"]
    assert checks_dirs_for(REPO_ROOT, scratch) == [pack]


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


# ------------------------------------- an exported aws-native resource is seen only when checkov's report names it

NATIVE_URN = "urn:pulumi:dev::p::aws-native:s3:Bucket::data"
QUEUE_URN = NATIVE_URN.replace("s3:Bucket::data", "sqs:Queue::jobs")
#: A type checkov's graph checks only connect (CKV2_AWS_33's WAF association): it has no checks of its own.
WAF_URN = NATIVE_URN.replace("s3:Bucket::data", "wafv2:WebAclAssociation::waf")
POLICY_URN = NATIVE_URN.replace("s3:Bucket::data", "s3:BucketPolicy::policy")  # not exported: no checkov check
UNMAPPED_URN = "urn:pulumi:dev::p::aws:madeup/x:X::x"


def _template() -> CfnTemplate:
    entries = [
        AddressEntry("AWS::S3::Bucket.data", NATIVE_URN, "data", "aws-native:s3:Bucket"),
        AddressEntry("AWS::SQS::Queue.jobs", QUEUE_URN, "jobs", "aws-native:sqs:Queue"),
        AddressEntry("AWS::WAFv2::WebACLAssociation.waf", WAF_URN, "waf", "aws-native:wafv2:WebAclAssociation"),
    ]
    return CfnTemplate(
        template={"Resources": {"data": {}, "jobs": {}, "waf": {}}},
        addresses={e.address: e for e in entries},
        exported_types={e.type for e in entries},
        unchecked=[POLICY_URN],  # an aws-native type no CloudFormation check reads: not exported
    )


def _native_plan() -> TfPlan:
    plan = _plan()
    return TfPlan(
        plan={},
        addresses=plan.addresses,
        not_scanned=[
            *plan.not_scanned,
            "aws-native:s3:Bucket",
            "aws-native:s3:BucketPolicy",
            "aws-native:sqs:Queue",
            "aws-native:wafv2:WebAclAssociation",
        ],
        not_scanned_resources=[UNMAPPED_URN, NATIVE_URN, QUEUE_URN, WAF_URN, POLICY_URN],
    )


def _check(resource: str, file_path: str = "/template.json") -> dict[str, object]:
    return {**_failed("CKV_AWS_X", resource), "file_path": file_path}


BUCKET, QUEUE, WAF, POLICY = (
    "aws-native:s3:Bucket",
    "aws-native:sqs:Queue",
    "aws-native:wafv2:WebAclAssociation",
    "aws-native:s3:BucketPolicy",
)
NOTHING_SEEN = (
    [BUCKET, POLICY, QUEUE, WAF, "aws:madeup/x:X"],
    [NATIVE_URN, QUEUE_URN],
)


@pytest.mark.parametrize(
    ("results", "expected"),
    [
        # bad 1: checkov's report has no CloudFormation part at all (it failed to parse the template)
        ({"passed_checks": [_check("aws_s3_bucket.docs", "/tfplan.json")]}, NOTHING_SEEN),
        # bad 2: the template's addresses are listed, but under another file than the template's
        ({"failed_checks": [_check("AWS::S3::Bucket.data", "/other.json"), _check("AWS::SQS::Queue.jobs", "/tfplan.json")]}, NOTHING_SEEN),
        # bad 3: only addresses that are not the template's are listed under its file
        ({"passed_checks": [_check("AWS::S3::Bucket.other")]}, NOTHING_SEEN),
        # bad 4: the bucket is listed, the queue (a type checkov checks) is not: the queue alone is unseen
        ({"passed_checks": [_check("AWS::S3::Bucket.data")]}, ([POLICY, QUEUE, "aws:madeup/x:X"], [QUEUE_URN])),
        # good 1: both listed, as passed or skipped checks; the WAF association has no checks of its own
        ({"passed_checks": [_check("AWS::S3::Bucket.data")], "skipped_checks": [_check("AWS::SQS::Queue.jobs")]}, ([POLICY, "aws:madeup/x:X"], [])),
        # good 2: both listed as failed checks, one under the bare file name
        ({"failed_checks": [_check("AWS::S3::Bucket.data"), _check("AWS::SQS::Queue.jobs", "template.json")]}, ([POLICY, "aws:madeup/x:X"], [])),
    ],
    ids=["bad1_no_cloudformation_report", "bad2_other_file", "bad3_not_the_templates", "bad4_one_not_listed", "good1_passed_and_skipped", "good2_failed"],
)  # fmt: skip
def test_an_exported_resource_counts_as_seen_only_when_the_report_lists_it(
    results: dict[str, object], expected: tuple[list[str], list[str]]
) -> None:
    result = parse_report(json.dumps([{"summary": {}, "results": results}]), _native_plan(), _template())
    assert (result.not_scanned, result.not_seen) == expected
    # what checkov has no checks for, and what the bridge cannot map, are never "not seen" (review gate #6)
    assert (result.no_checks, result.not_mapped) == (sorted([WAF_URN, POLICY_URN]), [UNMAPPED_URN])


def _cloudformation(resource_count: int, *listed: str) -> str:
    """checkov's report list under --quiet: the plan's part, and the template's with only failed checks."""
    return json.dumps(
        [
            {"check_type": "terraform_plan", "summary": {"resource_count": 9}, "results": {}},
            {
                "check_type": "cloudformation",
                "summary": {"resource_count": resource_count},
                "results": {"failed_checks": [_check(a) for a in listed]},
            },
        ]
    )


@pytest.mark.parametrize(
    ("stdout", "runs", "expected"),
    [
        # good 1: checkov's graph counted every resource of the template (passed ones are not listed under --quiet)
        (_cloudformation(3), None, ([POLICY, "aws:madeup/x:X"], [])),
        # bad 1: it counted two of three and names only the bucket: the queue is not seen
        (_cloudformation(2, "AWS::S3::Bucket.data"), None, ([POLICY, QUEUE, "aws:madeup/x:X"], [QUEUE_URN])),
        # bad 2: a plan resource count does not stand for the template's
        (_cloudformation(0), None, NOTHING_SEEN),
        # good 2: the queue's every check is skipped (a CrossGuard policy owns it): no checks, not unseen
        (_cloudformation(2, "AWS::S3::Bucket.data"), lambda c: not c.startswith("CKV_AWS"), ([POLICY, "aws:madeup/x:X"], [])),
        # good 3: the same skips and nothing of the template named or counted: no check would have run on any of
        # it, so each resource has no checks rather than "not seen" (review gate #6)
        (_cloudformation(0), lambda c: not c.startswith("CKV_AWS"), (NOTHING_SEEN[0], [])),
    ],
    ids=["good1_all_counted", "bad1_one_left_out", "bad2_plan_count_only", "good2_no_check_ran", "good3_no_check_would_run"],
)  # fmt: skip
def test_seen_per_resource_from_the_count_the_listing_and_the_checks_that_ran(
    stdout: str, runs: Callable[[str], bool] | None, expected: tuple[list[str], list[str]]
) -> None:
    result = parse_report(stdout, _native_plan(), _template(), *([runs] if runs else []))
    assert (result.not_scanned, result.not_seen) == expected
    assert {WAF_URN, POLICY_URN} <= set(result.no_checks) and result.not_mapped == [UNMAPPED_URN]


@pytest.mark.parametrize(
    ("skips", "check", "runs"),
    [
        # good 1: nothing skipped, no allow-list: every check runs
        ([], [], {"CKV_AWS_27": True, "CKV_AWS_116": True}),
        # bad 1: an exact skip and a pattern skip (checkov matches with fnmatch)
        (["CKV_AWS_27", "CKV_AWS_11*"], [], {"CKV_AWS_27": False, "CKV_AWS_116": False, "CKV_AWS_2": True}),
        # bad 2: an allow-list runs only what it names, and a skip wins over it
        (["CKV_AWS_27"], ["CKV_AWS_2*"], {"CKV_AWS_27": False, "CKV_AWS_20": True, "CKV_AWS_116": False}),
    ],
    ids=["good1_everything", "bad1_skips", "bad2_allow_list"],
)
def test_which_checks_the_effective_config_runs(skips: list[str], check: list[str], runs: dict[str, bool]) -> None:
    config = CheckovConfig(
        path=Path(".checkov.yaml"), pack=True, skips=[Skip(c, "x:1", "why") for c in skips], check=check
    )
    assert {c: config.runs(c) for c in runs} == runs


# ------------------------------------------------ a plan resource is seen unless checkov's plan report leaves it out

QUEUE_TF_URN = "urn:pulumi:dev::p::aws:sqs/queue:Queue::q"
DASHBOARD_URN = "urn:pulumi:dev::p::aws:cloudwatch/dashboard:Dashboard::d"


def _three_plan() -> TfPlan:
    entries = [
        AddressEntry("aws_s3_bucket.docs", BUCKET_URN, "docs", "aws:s3/bucket:Bucket"),
        AddressEntry("aws_sqs_queue.q", QUEUE_TF_URN, "q", "aws:sqs/queue:Queue"),
        AddressEntry("aws_cloudwatch_dashboard.d", DASHBOARD_URN, "d", "aws:cloudwatch/dashboard:Dashboard"),
    ]
    return TfPlan(plan={}, addresses={e.address: e for e in entries}, no_checks_resources=[DASHBOARD_URN])


def _plan_report(resource_count: int, *listed: str) -> dict[str, object]:
    checks = [_check(a, "/tfplan.json") for a in listed]
    return {
        "check_type": "terraform_plan",
        "summary": {"resource_count": resource_count},
        "results": {"failed_checks": checks},
    }


@pytest.mark.parametrize(
    ("reports", "expected"),
    [
        # good 1: checkov counted every resource of the plan (passed ones are not listed under --quiet)
        ([_plan_report(3)], []),
        # good 2: no plan report at all (a hand-made report): nothing to decide from, the plan counts as seen
        ([{"summary": {}, "results": {}}], []),
        # bad 1: it counted two of three and names the bucket: the queue is not seen; the dashboard has no checks
        ([_plan_report(2, "aws_s3_bucket.docs")], [QUEUE_TF_URN]),
        # bad 2: it parsed nothing of the plan: both checked resources are not seen
        ([_plan_report(0)], [BUCKET_URN, QUEUE_TF_URN]),
        # bad 3: a listing under another file does not stand for the plan's
        ([_plan_report(0), {"results": {"failed_checks": [_check("aws_s3_bucket.docs", "/template.json")]}}], [BUCKET_URN, QUEUE_TF_URN]),
    ],
    ids=["good1_all_counted", "good2_no_plan_report", "bad1_one_left_out", "bad2_nothing_parsed", "bad3_other_file"],
)  # fmt: skip
def test_a_plan_resource_is_seen_unless_the_plan_report_leaves_it_out(
    reports: list[dict[str, object]], expected: list[str]
) -> None:
    result = parse_report(json.dumps(reports), _three_plan())
    assert (result.not_seen, result.no_checks, result.not_mapped) == (expected, [DASHBOARD_URN], [])
