"""A program is judged by its own settings, and says which (issue 11 §2).

A foreign program without its own `policies/config/<stack>.json` gets the pack's default profile (never
this template's per-stack file), production-ness is a setting with a documented default by name, one
module (policies.profile) decides every level, and the report names the profile and its file.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from policies import profile
from policies.registry import by_name
from preflight.errors import ConfigError
from preflight.findings import CheckovFinding, CheckovResult, Finding, Level
from preflight.gate import checkov_findings, run_gate
from preflight.policy_runner import load_policy_config

QUEUE_PROGRAM = 'import pulumi_aws as aws\naws.sqs.Queue("q")\n'


def _program(directory: Path, stack: str, config: str = "") -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "Pulumi.yaml").write_text("name: foreign\nruntime: python\n")
    (directory / f"Pulumi.{stack}.yaml").write_text(f"config:\n  aws:region: eu-west-1\n{config}")
    (directory / "__main__.py").write_text(QUEUE_PROGRAM)
    return directory


@pytest.mark.parametrize(
    ("stack", "production"),
    [
        ("prod", True),
        ("production", True),
        ("prd", True),
        ("acme/shop/prod", True),
        ("shop/Production", True),
        ("prod-eu", True),
        ("PRD_1", True),
        ("dev", False),
        ("staging", False),
        ("product", False),
        ("acme/prod/dev", False),
    ],
)
def test_production_by_name_is_the_documented_default(stack: str, production: bool) -> None:
    assert profile.is_production(stack) is production


def test_a_declared_setting_beats_the_name() -> None:
    assert profile.is_production("prod", declared=False) is False
    assert profile.is_production("staging", declared=True) is True
    tracing = by_name()["lambda-active-tracing"]  # HIGH only: mandatory in production
    assert profile.level_for(tracing, "staging", production=True) == "mandatory"
    assert profile.level_for(tracing, "production") == "mandatory"
    assert profile.level_for(tracing, "prod", production=False) == "advisory"


def test_a_foreign_prod_stack_gets_the_default_profile_not_the_templates_file(tmp_path: Path) -> None:
    config, source = load_policy_config("prod", tmp_path)
    assert source == ""
    # The template's prod.json says another stack provides the trail; a foreign program is not told so.
    assert config["cloudtrail-enabled"].settings == {}
    assert config["allowed-regions"].settings == {}
    assert config["lambda-active-tracing"].level is Level.MANDATORY


def test_a_program_with_its_own_file_is_judged_by_it(tmp_path: Path) -> None:
    (tmp_path / "policies" / "config").mkdir(parents=True)
    (tmp_path / "policies" / "config" / "prod.json").write_text(json.dumps({"cloudtrail-enabled": "disabled"}))
    config, source = load_policy_config("acme/shop/prod", tmp_path)
    assert source == str(tmp_path / "policies" / "config" / "prod.json")
    assert config["cloudtrail-enabled"].level is Level.DISABLED


def test_checkov_level_follows_the_same_decision() -> None:
    failed = CheckovFinding(
        "CKV_AWS_27", "Ensure SQS encrypted", "aws_sqs_queue.q", "urn:x::q", "q", "aws:sqs/queue:Queue"
    )
    result = CheckovResult(failed=[failed])
    assert checkov_findings(result, "production")[0].level is Level.MANDATORY
    assert checkov_findings(result, "staging")[0].level is Level.ADVISORY
    assert checkov_findings(result, "staging", production=True)[0].level is Level.MANDATORY


def test_the_report_names_the_profile_and_the_file(tmp_path: Path) -> None:
    program = _program(tmp_path / "p", "production")
    report = run_gate(program, "production", checkov=False)
    assert report.config_file == ""
    assert "the pack's default profile" in report.profile
    assert "judged production by its name" in report.profile
    assert report.to_dict()["policy_profile"] == report.profile
    # No per-stack file: the trail is not assumed to be provided elsewhere.
    assert "cloudtrail-enabled" in {f.policy for f in report.mandatory}


def test_the_stack_file_declares_production(tmp_path: Path) -> None:
    program = _program(tmp_path / "p", "live", "  preflight:production: true\n")
    report = run_gate(program, "live", checkov=False)
    assert "judged production preflight:production in the stack file" in report.profile
    assert report.graph.stack == "live"


def test_a_bad_production_value_is_a_config_error(tmp_path: Path) -> None:
    program = _program(tmp_path / "p", "dev", "  preflight:production: maybe\n")
    with pytest.raises(ConfigError, match=r"preflight:production: expected true or false"):
        run_gate(program, "dev", checkov=False)


BASELINE = {"cloudtrail-enabled", "config-recorder-enabled", "cost-budget-present"}
BEDROCK_ROLE = """
import json
aws.iam.Role("caller", assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
    "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}),
    inline_policies=[{"name": "invoke", "policy": json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Action": "bedrock:InvokeModel",
        "Resource": "arn:aws:bedrock:eu-west-1::foundation-model/amazon.nova-micro-v1:0"}]})}])
"""


def _policies_of(findings: list[Finding]) -> set[str]:
    return {f.policy for f in findings}


def test_bedrock_invocation_logging_only_for_programs_that_call_models(tmp_path: Path) -> None:
    plain = run_gate(_program(tmp_path / "plain", "dev"), "dev", checkov=False)
    assert "bedrock-invocation-logging" not in _policies_of(plain.violations)
    caller = _program(tmp_path / "caller", "dev")
    (caller / "__main__.py").write_text(QUEUE_PROGRAM + BEDROCK_ROLE)
    report = run_gate(caller, "dev", checkov=False)
    assert "bedrock-invocation-logging" in _policies_of(report.violations)


def test_provided_by_organization_in_the_programs_own_config(tmp_path: Path) -> None:
    program = _program(tmp_path / "p", "dev")
    before = _policies_of(run_gate(program, "dev", checkov=False).violations)
    assert before & BASELINE == BASELINE
    (program / "policies" / "config").mkdir(parents=True)
    own = {name: {"providedBy": "organization"} for name in BASELINE}
    (program / "policies" / "config" / "dev.json").write_text(json.dumps(own))
    assert not BASELINE & _policies_of(run_gate(program, "dev", checkov=False).violations)


def test_account_baseline_stated_once_in_the_stack_file(tmp_path: Path) -> None:
    program = _program(tmp_path / "p", "dev", "  preflight:accountBaseline: organization\n")
    (program / "__main__.py").write_text(QUEUE_PROGRAM + BEDROCK_ROLE)
    found = _policies_of(run_gate(program, "dev", checkov=False).violations)
    assert not (BASELINE | {"bedrock-invocation-logging"}) & found


def test_a_bad_account_baseline_is_a_config_error(tmp_path: Path) -> None:
    program = _program(tmp_path / "p", "dev", "  preflight:accountBaseline: somebody\n")
    with pytest.raises(ConfigError, match=r"preflight:accountBaseline: expected organization or another-stack"):
        run_gate(program, "dev", checkov=False)


def test_a_stack_without_a_file_is_judged_and_the_report_says_how(tmp_path: Path) -> None:
    """Most public programs ship no stack file (the CLI then runs the stack with an empty config: pulumi/pulumi
    sdk/go/common/workspace/loaders.go `LoadProjectStack`): the gate judges it too, and says so, never exit 2."""
    program = _program(tmp_path / "p", "dev")
    (program / "Pulumi.dev.yaml").unlink()
    report = run_gate(program, "dev", checkov=False)
    assert [r.name for r in report.graph.custom_resources] == ["q"]
    assert any(note.startswith("stack file: Pulumi.dev.yaml not found") for note in report.notes)
    with_file = run_gate(_program(tmp_path / "q", "dev"), "dev", checkov=False)
    assert not any(note.startswith("stack file:") for note in with_file.notes)


def test_a_stack_importing_esc_environments_is_judged_and_the_report_says_what_was_not_read(tmp_path: Path) -> None:
    """pulumi/workshops aws-getting-started-py's stack file imports `pulumi-idp/auth`: judged, with a note naming it
    (its pulumiConfig and environment variables are not opened offline), never silently."""
    program = _program(tmp_path / "p", "dev")
    stack_file = program / "Pulumi.dev.yaml"
    stack_file.write_text("environment:\n  - pulumi-idp/auth\n" + stack_file.read_text())
    report = run_gate(program, "dev", checkov=False)
    assert [r.name for r in report.graph.custom_resources] == ["q"]
    notes = [note for note in report.notes if note.startswith("stack environments:")]
    assert notes and "pulumi-idp/auth" in notes[0], report.notes
    without = run_gate(_program(tmp_path / "q", "dev"), "dev", checkov=False)
    assert not any(note.startswith("stack environments:") for note in without.notes)
