"""Model access granted through AWS managed policies (review 5 #11): judged for scope, and it "uses Bedrock".

`AmazonBedrockLimitedAccess` grants bedrock:InvokeModel* on `*`; attaching it passed prod while the same
statement inline was mandatory-blocked, and the stack was not asked for invocation logging.
"""
# ruff: noqa: E501  (the embedded Pulumi programs keep one resource per line)

from __future__ import annotations

import json

import pytest

from policies import managed_policies
from preflight.graph import ResourceGraph
from tests.policies.conftest import flagged, synth

TRUST = 'json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]})'
POLICY = "arn:aws:iam::aws:policy"
PROGRAM = f"""
role = aws.iam.Role("agent", assume_role_policy={TRUST})
aws.iam.RolePolicyAttachment("bad1_limited", role=role.name, policy_arn="{POLICY}/AmazonBedrockLimitedAccess")
aws.iam.Role("bad2_role_full", assume_role_policy={TRUST}, managed_policy_arns=["{POLICY}/AmazonBedrockFullAccess"])
aws.iam.RolePolicyAttachmentsExclusive("bad3_exclusive", role_name=role.name, policy_arns=["{POLICY}/service-role/AWSLambdaBasicExecutionRole", "{POLICY}/AmazonBedrockLimitedAccess"])
aws.iam.PolicyAttachment("bad4_policy_attachment", roles=[role.name], policy_arn="{POLICY}/AmazonBedrockLimitedAccess")
aws.iam.RolePolicyAttachment("good_basic", role=role.name, policy_arn="{POLICY}/service-role/AWSLambdaBasicExecutionRole")
aws.iam.RolePolicyAttachment("good_customer", role=role.name, policy_arn="arn:aws:iam::111122223333:policy/AmazonBedrockLimitedAccess")
"""
NO_MODEL_ACCESS = f"""
role = aws.iam.Role("fn", assume_role_policy={TRUST})
aws.iam.RolePolicyAttachment("basic", role=role.name, policy_arn="{POLICY}/service-role/AWSLambdaBasicExecutionRole")
aws.iam.RolePolicyAttachment("read", role=role.name, policy_arn="{POLICY}/AmazonBedrockReadOnly")
"""


@pytest.fixture(scope="module")
def graph(tmp_path_factory: pytest.TempPathFactory) -> ResourceGraph:
    return synth(tmp_path_factory.mktemp("managed"), PROGRAM, stack="prod")


def test_managed_model_access_is_judged_like_the_same_statement_inline(graph: ResourceGraph) -> None:
    assert flagged(graph, "iam-bedrock-invoke-scoped") == {
        "bad1_limited",
        "bad2_role_full",
        "bad3_exclusive",
        "bad4_policy_attachment",
    }


def test_managed_model_access_asks_for_invocation_logging(
    graph: ResourceGraph, tmp_path_factory: pytest.TempPathFactory
) -> None:
    assert flagged(graph, "bedrock-invocation-logging") == {""}
    quiet = synth(tmp_path_factory.mktemp("nomodel"), NO_MODEL_ACCESS, stack="prod")
    assert flagged(quiet, "bedrock-invocation-logging") == set()


def test_the_stored_statements_are_what_the_installed_moto_lists() -> None:
    stored = json.loads(managed_policies.TABLE_FILE.read_text(encoding="utf-8"))
    assert stored == managed_policies.table()  # python -m policies.managed_policies --write
    assert "AmazonBedrockLimitedAccess" in stored["policies"]
    assert "AmazonBedrockReadOnly" not in stored["policies"]


@pytest.mark.parametrize(
    ("arn", "name"),
    [
        ("arn:aws:iam::aws:policy/AmazonBedrockLimitedAccess", "AmazonBedrockLimitedAccess"),
        ("arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole", "AWSLambdaBasicExecutionRole"),
        ("arn:aws-us-gov:iam::aws:policy/AmazonBedrockLimitedAccess", "AmazonBedrockLimitedAccess"),
        ("arn:aws:iam::111122223333:policy/AmazonBedrockLimitedAccess", ""),
        ("", ""),
    ],
)
def test_managed_policy_names(arn: str, name: str) -> None:
    assert managed_policies.managed_policy_name(arn) == name
