"""`preflight export-tfplan --template FILE`: the aws-native resources' CloudFormation template, byte for byte
the file the gate hands to checkov, so a user can run checkov on the plan and the template themselves."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from preflight import cli
from preflight.checkov_runner import TEMPLATE_FILE, start_checkov
from preflight.engine import synthesize
from tests.preflight.programs import write_program

NATIVE = """
import pulumi_aws as aws
import pulumi_aws_native as native
bucket = native.s3.Bucket("data", versioning_configuration={"status": "Enabled"})
native.iam.Role("role", assume_role_policy_document={"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
native.s3.BucketPolicy("policy", bucket=bucket.id, policy_document={"Statement": []})
aws.sqs.Queue("classic")
"""

CLASSIC = """
import pulumi_aws as aws
aws.sqs.Queue("classic")
"""


class _Recorder:
    """Stands in for the warm checkov process: keeps the command and the scratch folder the gate wrote."""

    def __init__(self, scratch: Path) -> None:
        self.checkov = Path("checkov")
        self.scratch = scratch
        self.commands: list[list[str]] = []

    def submit(self, command: list[str]) -> None:
        self.commands.append(command)

    def close(self) -> None:
        pass


@pytest.fixture(scope="module")
def native_program(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_program(tmp_path_factory.mktemp("native"), NATIVE)


def test_the_template_is_the_file_the_gate_scans(
    native_program: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plan, template = tmp_path / "out" / "tfplan.json", tmp_path / "out" / "template.json"
    argv = ["export-tfplan", "--program", str(native_program), "-o", str(plan), "--template", str(template)]
    assert cli.main(argv) == 0
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    recorder = _Recorder(scratch)
    start_checkov(synthesize(native_program, "dev"), native_program, warm=recorder).close()  # type: ignore[arg-type]
    scanned = scratch / TEMPLATE_FILE
    assert str(scanned) in recorder.commands[0]  # the gate gave checkov this file
    assert template.read_bytes() == scanned.read_bytes()
    resources = json.loads(template.read_text(encoding="utf-8"))["Resources"]
    assert {r["Type"] for r in resources.values()} == {"AWS::S3::Bucket", "AWS::IAM::Role"}
    err = capsys.readouterr().err.splitlines()
    assert err[1] == f"wrote {template}: 2 aws-native resources"
    # the bucket policy has no checkov check: it is in neither file, and said so
    assert err[2] == "not scanned (in neither the plan nor the template): aws-native:s3:BucketPolicy"


def test_without_template_the_plan_alone_is_written(
    native_program: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["export-tfplan", "--program", str(native_program), "-o", str(tmp_path / "plan.json")]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.json"]
    err = capsys.readouterr().err.splitlines()
    assert err[1] == (
        "not scanned (no Terraform mapping): aws-native:iam:Role, aws-native:s3:Bucket, aws-native:s3:BucketPolicy"
    )


def test_a_program_without_aws_native_resources_has_no_template(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    program = write_program(tmp_path / "p", CLASSIC)
    template = tmp_path / "template.json"
    argv = ["export-tfplan", "--program", str(program), "-o", str(tmp_path / "plan.json"), "--template", str(template)]
    assert cli.main(argv) == 0
    assert not template.exists()
    assert capsys.readouterr().err.splitlines()[1] == (
        f"{template} not written: no aws-native resource of a type checkov checks"
    )


def test_a_bad_template_path_is_one_line_and_exit_2(
    native_program: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder\n", encoding="utf-8")
    bad = blocker / "template.json"
    argv = [
        "export-tfplan",
        "--program",
        str(native_program),
        "-o",
        str(tmp_path / "plan.json"),
        "--template",
        str(bad),
    ]
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert err.splitlines()[-1] == f"preflight: error: {bad}: cannot write: File exists"
    assert "Traceback" not in err
