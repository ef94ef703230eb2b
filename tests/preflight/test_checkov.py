"""The real checkov on bridged plans: its own checks, the custom CKV_AGP_* checks, and the mapping back to Pulumi.

checkov runs from /work/main/.venv-checkov (made by `make install`) or a checkov on PATH-less
fallback; the tests are skipped, saying why, only when no checkov executable exists, and fail
instead under CI (tests/preflight/checkov_required.py).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from preflight.checkov_runner import (
    CHECKOV_ENV_VAR,
    REPO_ROOT,
    find_checkov,
    parse_report,
    run_checkov,
    skipped_checks,
)
from preflight.engine import synthesize
from preflight.errors import PreflightError
from preflight.findings import CheckovResult
from preflight.graph import ResourceGraph
from preflight.sources import graph_from_preview
from preflight.tfplan import graph_to_tfplan
from tests.preflight.programs import write_program

_CANDIDATES = (REPO_ROOT / ".venv-checkov" / "bin" / "checkov", Path("/tmp/venvck/bin/checkov"))
CHECKOV = next((p for p in _CANDIDATES if p.is_file() and os.access(p, os.X_OK)), None)
needs_checkov = pytest.mark.usefixtures("checkov_present")

PROGRAM = """
import json
import pulumi
import pulumi_aws as aws

key = aws.kms.Key("data-key", enable_key_rotation=True)
logs = aws.s3.Bucket("access-logs")

# Hardened bucket: public access block, versioning, SSE with KMS, access logging.
hardened = aws.s3.Bucket("hardened")
aws.s3.BucketPublicAccessBlock("hardened-pab", bucket=hardened.id, block_public_acls=True, block_public_policy=True,
                               ignore_public_acls=True, restrict_public_buckets=True)
aws.s3.BucketVersioning("hardened-versioning", bucket=hardened.id, versioning_configuration={"status": "Enabled"})
aws.s3.BucketServerSideEncryptionConfiguration("hardened-sse", bucket=hardened.id, rules=[{
    "apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms", "kms_master_key_id": key.arn}}])
aws.s3.BucketLogging("hardened-logging", bucket=hardened.id, target_bucket=logs.id, target_prefix="hardened/")
bare = aws.s3.Bucket("bare")

role = aws.iam.Role("fn-role", assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}))
code = pulumi.AssetArchive({"app.py": pulumi.StringAsset("def handler(e, c): return 1")})
dlq = aws.sqs.Queue("fn-dlq", sqs_managed_sse_enabled=True)
aws.lambda_.Function("insecure", role=role.arn, runtime="python3.12", handler="app.handler", code=code)
aws.lambda_.Function("traced", role=role.arn, runtime="python3.12", handler="app.handler", code=code,
                     tracing_config={"mode": "Active"}, dead_letter_config={"target_arn": dlq.arn})

# Custom checks: one passing and one failing resource each.
good_guardrail = aws.bedrock.Guardrail("good-guardrail", name="good", blocked_input_messaging="no",
    blocked_outputs_messaging="no", content_policy_config={"filters_configs": [
        {"type": "PROMPT_ATTACK", "input_strength": "HIGH", "output_strength": "NONE"}]})
aws.bedrock.Guardrail("weak-guardrail", name="weak", blocked_input_messaging="no", blocked_outputs_messaging="no",
    content_policy_config={"filters_configs": [{"type": "HATE", "input_strength": "HIGH", "output_strength": "HIGH"}]})
aws.bedrock.AgentAgent("guarded-agent", agent_name="guarded", agent_resource_role_arn=role.arn,
    foundation_model="amazon.nova-micro-v1:0",
    guardrail_configurations=[{"guardrail_identifier": good_guardrail.guardrail_id, "guardrail_version": "1"}])
aws.bedrock.AgentAgent("open-agent", agent_name="open", agent_resource_role_arn=role.arn,
    foundation_model="amazon.nova-micro-v1:0")
log_group = aws.cloudwatch.LogGroup("sfn-logs", retention_in_days=14)
aws.cloudwatch.LogGroup("forever-logs")
definition = json.dumps({"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}})
aws.sfn.StateMachine("logged-flow", role_arn=role.arn, definition=definition, logging_configuration={
    "level": "ERROR", "include_execution_data": True, "log_destination": log_group.arn.apply(lambda a: a + ":*")})
aws.sfn.StateMachine("silent-flow", role_arn=role.arn, definition=definition)
rule = aws.cloudwatch.EventRule("rule", event_pattern=json.dumps({"source": ["agentic"]}))
aws.cloudwatch.EventTarget("safe-target", rule=rule.name, arn=dlq.arn, dead_letter_config={"arn": dlq.arn},
                           retry_policy={"maximum_retry_attempts": 3, "maximum_event_age_in_seconds": 3600})
aws.cloudwatch.EventTarget("lossy-target", rule=rule.name, arn=dlq.arn)
aws.dynamodb.Table("agent-sessions", attributes=[{"name": "pk", "type": "S"}], hash_key="pk",
                   billing_mode="PAY_PER_REQUEST", ttl={"enabled": True, "attribute_name": "expires_at"})
aws.dynamodb.Table("chat-sessions", attributes=[{"name": "pk", "type": "S"}], hash_key="pk",
                   billing_mode="PAY_PER_REQUEST")
aws.dynamodb.Table("catalog", attributes=[{"name": "pk", "type": "S"}], hash_key="pk", billing_mode="PAY_PER_REQUEST")
"""


@pytest.fixture(scope="module")
def graph(tmp_path_factory: pytest.TempPathFactory) -> ResourceGraph:
    return synthesize(write_program(tmp_path_factory.mktemp("checkov"), PROGRAM), "dev")


@pytest.fixture(scope="module")
def result(graph: ResourceGraph) -> CheckovResult:
    return run_checkov(graph, REPO_ROOT, checkov_bin=CHECKOV)


def _failed(result: CheckovResult) -> set[tuple[str, str]]:
    return {(f.check_id, f.name) for f in result.failed}


@needs_checkov
@pytest.mark.parametrize("check_id", ["CKV2_AWS_6", "CKV_AWS_145", "CKV_AWS_21", "CKV_AWS_18"])
def test_hardened_bucket_passes_and_bare_bucket_fails(result: CheckovResult, check_id: str) -> None:
    assert (check_id, "bare") in _failed(result)
    assert (check_id, "hardened") not in _failed(result)


@needs_checkov
def test_insecure_lambda_fails_tracing(result: CheckovResult) -> None:
    assert ("CKV_AWS_50", "insecure") in _failed(result)
    assert ("CKV_AWS_50", "traced") not in _failed(result)


@needs_checkov
def test_a_check_a_policy_owns_no_longer_runs(result: CheckovResult) -> None:
    """CKV_AWS_116 (a DLQ on every function) is owned by lambda-failure-destination: never run, shown as a skip."""
    assert not any(f.check_id == "CKV_AWS_116" for f in result.failed)
    (skip,) = [s for s in result.skipped if s["check_id"] == "CKV_AWS_116"]
    assert skip["origin"].startswith("policies/checkov_principles.yaml:")
    assert skip["status"] == "honoured"
    assert "lambda-failure-destination" in skip["reason"]


@needs_checkov
@pytest.mark.parametrize(
    ("check_id", "passing", "failing"),
    [
        ("CKV_AGP_1", "guarded-agent", "open-agent"),
        ("CKV_AGP_2", "good-guardrail", "weak-guardrail"),
        ("CKV_AGP_3", "logged-flow", "silent-flow"),
        ("CKV_AGP_6", "sfn-logs", "forever-logs"),
    ],
)
def test_custom_checks(result: CheckovResult, check_id: str, passing: str, failing: str) -> None:
    assert (check_id, failing) in _failed(result)
    assert (check_id, passing) not in _failed(result)


@needs_checkov
def test_findings_map_back_to_pulumi(result: CheckovResult, graph: ResourceGraph) -> None:
    finding = next(f for f in result.failed if f.check_id == "CKV2_AWS_6" and f.name == "bare")
    assert finding.address == "aws_s3_bucket.bare"
    assert finding.type == "aws:s3/bucket:Bucket"
    node = graph.get(finding.urn)
    assert node is not None
    assert node.name == "bare"
    assert result.passed_count > 0
    assert result.duration_seconds > 0
    assert result.ran


@needs_checkov
def test_skipped_checks_carry_reasons_and_do_not_run(result: CheckovResult) -> None:
    skipped = {s["check_id"]: s["reason"] for s in result.skipped}
    assert "CKV_AWS_117" in skipped
    assert all(len(reason) >= 10 for reason in skipped.values())  # cdk-nag's rule: a reason, not a shrug
    assert not any(f.check_id in skipped for f in result.failed)


@needs_checkov
def test_preview_fixture_through_checkov() -> None:
    graph = graph_from_preview(REPO_ROOT / "tests" / "fixtures" / "pulumi" / "preview-show-sames.json", "dev")
    result = run_checkov(graph, REPO_ROOT, checkov_bin=CHECKOV)
    assert result.not_scanned == ["random:index/randomPet:RandomPet"]
    # The block is linked through its reference although the bucket id is unknown in the preview.
    assert ("CKV2_AWS_6", "outputs-bucket") not in _failed(result)
    assert all(f.urn for f in result.failed)


def test_missing_checkov_is_one_line_saying_how_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CHECKOV_ENV_VAR, str(tmp_path / "no-checkov"))
    with pytest.raises(PreflightError, match="make install") as excinfo:
        find_checkov()
    assert "\n" not in str(excinfo.value)


def test_env_var_overrides_the_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = tmp_path / "checkov"
    fake.write_text("#!/bin/sh\necho '{}'\n", encoding="utf-8")
    fake.chmod(0o755)
    monkeypatch.setenv(CHECKOV_ENV_VAR, str(fake))
    assert find_checkov() == fake


def test_checkov_printing_no_report_is_an_error(tmp_path: Path) -> None:
    fake = tmp_path / "checkov"
    fake.write_text("#!/bin/sh\necho 'Traceback: boom' >&2\nexit 2\n", encoding="utf-8")
    fake.chmod(0o755)
    graph = ResourceGraph(project="p", stack="dev", resources=[])
    with pytest.raises(PreflightError, match="checkov failed \\(exit 2\\): Traceback: boom"):
        run_checkov(graph, tmp_path, checkov_bin=fake)
    with pytest.raises(PreflightError, match="no JSON report"):
        parse_report("garbage", graph_to_tfplan(graph))


def test_config_file_lists_every_skip_with_a_reason() -> None:
    skipped = skipped_checks(REPO_ROOT / ".checkov.yaml")
    assert len(skipped) >= 5
    for entry in skipped:
        assert entry["reason"], f"{entry['check_id']} is skipped without a reason"
        assert "P0" in entry["reason"] or "P1" in entry["reason"], f"{entry['check_id']} names no principle"
