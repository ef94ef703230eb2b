"""Whole resource policies of every pulumi-aws type are read, or reported as not judged (review5 #3)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pulumi_aws
import pytest

from policies.registry import by_name
from policies.rules.coverage import NOT_PERMISSION_POLICIES, READ_POLICY_TYPES, unread_policy
from preflight.findings import Level
from preflight.graph import ResourceGraph
from preflight.policy_runner import PolicySetting, run_policies
from tests.policies.test_native import _flagged
from tests.policies.test_wrappers import _node

ACCOUNT = "123456789012"
NEW_TYPES = [
    "aws:lambda/resourcePolicy:ResourcePolicy",
    "aws:dynamodb/resourcePolicy:ResourcePolicy",
    "aws:kinesis/resourcePolicy:ResourcePolicy",
    "aws:bedrock/agentcoreResourcePolicy:AgentcoreResourcePolicy",
    "aws:s3/vectorsVectorBucketPolicy:VectorsVectorBucketPolicy",
    "aws:efs/fileSystemPolicy:FileSystemPolicy",
    "aws:backup/vaultPolicy:VaultPolicy",
]
ACTIONS = [
    "lambda:*",
    "dynamodb:GetItem",
    "kinesis:*",
    "bedrock-agentcore:*",
    "s3vectors:*",
    "elasticfilesystem:*",
    "backup:*",
]


def _policy(action: str, principal: Any = "*", condition: dict[str, Any] | None = None) -> str:
    statement: dict[str, Any] = {"Effect": "Allow", "Principal": principal, "Action": action, "Resource": "*"}
    if condition:
        statement["Condition"] = condition
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


BAD = [(i + 1, t, a) for i, (t, a) in enumerate(zip(NEW_TYPES, ACTIONS, strict=True))]


@pytest.mark.parametrize(("case", "type_token", "action"), BAD, ids=[f"bad{c}" for c, _, _ in BAD])
def test_public_resource_policies_are_flagged(case: int, type_token: str, action: str) -> None:
    node = _node(f"bad{case}", type_token, {"policy": _policy(action)})
    assert _flagged("resource-policy-not-public", [node]) == {node.name}, case


def test_named_or_conditioned_principals_pass() -> None:
    good = [
        _node("good1", NEW_TYPES[0], {"policy": _policy("lambda:InvokeFunction", {"Service": "events.amazonaws.com"})}),
        _node("good2", NEW_TYPES[1], {"policy": _policy("dynamodb:*", {"AWS": f"arn:aws:iam::{ACCOUNT}:root"})}),
        _node(
            "good3",
            NEW_TYPES[2],
            {"policy": _policy("kinesis:*", "*", {"StringEquals": {"aws:PrincipalOrgID": "o-abc123def4"}})},
        ),
    ]
    assert _flagged("resource-policy-not-public", good) == set()
    assert _flagged("resource-not-judged", good) == set()


def test_a_policy_no_rule_reads_is_not_judged() -> None:
    # case 8: Glue's resource policy is read by no rule, so resource-not-judged names it
    node = _node("bad8", "aws:glue/resourcePolicy:ResourcePolicy", {"policy": _policy("glue:*")})
    assert _flagged("resource-not-judged", [node]) == {"bad8"}


def test_the_finding_says_whether_the_resource_sets_the_policy_it_cannot_read() -> None:
    """An interface VPC endpoint without `policy` (svodwood/pulumi-eks-cilium-demo-webstore@58716cd4
    vpc_endpoints.py) was told "it carries a policy document no rule reads"; it carries none, so nothing is
    reported (review s10 #7), while a Glue resource policy that is set is named by the input it sets."""
    nodes = [
        _node(
            "bare", "aws:ec2/vpcEndpoint:VpcEndpoint", {"vpcId": "vpc-1", "serviceName": "com.amazonaws.us-east-1.ssm"}
        ),
        _node("given", "aws:glue/resourcePolicy:ResourcePolicy", {"policy": _policy("glue:*")}),
    ]
    run = run_policies(
        ResourceGraph("p", "dev", nodes),
        policies=[by_name()["resource-not-judged"]],
        config={"resource-not-judged": PolicySetting(Level.MANDATORY)},
    )
    messages = {f.resource: f.message for f in run.findings}
    assert set(messages) == {"given"}
    assert "sets policy, a permission document no rule of the pack reads" in messages["given"]


_TOKEN = re.compile(r'@pulumi\.type_token\("([^"]+)"\)')
#: An input: `_internal_init` (12 spaces in) assigns it from its argument; an output-only one is set to None there
#: and assigned only in `get` (8 spaces in).
_POLICY_INPUT = re.compile(
    r'^ {12}__props__\.__dict__\["(policy|access_policy|access_policies|policy_document|resource_policy)"\] = \1$', re.M
)


def _sdk_policy_types() -> set[str]:
    found = set()
    for path in Path(pulumi_aws.__file__).parent.glob("*/*.py"):
        text = path.read_text()
        token = _TOKEN.search(text)
        if token and _POLICY_INPUT.search(text):
            found.add(token[1])
    return found


def test_every_sdk_type_with_a_policy_is_read_excluded_or_not_judged() -> None:
    """Derived from the installed SDK: no type carrying a policy document counts as judged unread."""
    sdk = _sdk_policy_types()
    assert len(sdk) > 80, "the SDK scan found too few types"
    for type_token in sorted(sdk):
        read = type_token in READ_POLICY_TYPES
        excluded = type_token in NOT_PERMISSION_POLICIES
        assert read or excluded or unread_policy(type_token), type_token  # reported when set (review s10 #7)
    assert set(NOT_PERMISSION_POLICIES) <= sdk
    assert set(NEW_TYPES) <= READ_POLICY_TYPES
