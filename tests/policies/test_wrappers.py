"""Cloud Control and CloudFormation wrappers are judged as the resources they declare (review5 #2)."""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml

from policies import native, wrappers
from policies.sdk import output_names
from preflight.cfn.convert import graph_to_cfn
from preflight.graph import ResourceGraph, ResourceNode
from tests.policies.conftest import custom_node
from tests.policies.test_native import (
    ADMIN,
    LAMBDA_TRUST,
    PUBLIC_TRUST,
    UNKNOWN,
    _flagged,
)

AWS_PROVIDER = "urn:pulumi:dev::p::pulumi:providers:aws::default"
ADMIN_ARN = "arn:aws:iam::aws:policy/AdministratorAccess"
OPEN_PAB = {
    "BlockPublicAcls": False,
    "BlockPublicPolicy": False,
    "IgnorePublicAcls": False,
    "RestrictPublicBuckets": False,
}


def _node(name: str, type_: str, inputs: dict[str, Any]) -> ResourceNode:
    return custom_node(type_, name, inputs, stack="dev", provider=AWS_PROVIDER)


def _cc(name: str, type_name: str, state: Any) -> ResourceNode:
    body = state if isinstance(state, str) else json.dumps(state)
    return _node(name, wrappers.CLOUDCONTROL, {"typeName": type_name, "desiredState": body})


def _stack(name: str, resources: dict[str, Any], *, kind: str = wrappers.STACK, as_yaml: bool = False) -> ResourceNode:
    template = {"Resources": resources}
    body = yaml.safe_dump(template) if as_yaml else json.dumps(template)
    return _node(name, kind, {"templateBody": body})


def _role(trust: dict[str, Any], *managed: str) -> dict[str, Any]:
    return {
        "Type": "AWS::IAM::Role",
        "Properties": {"AssumeRolePolicyDocument": trust, "ManagedPolicyArns": list(managed)},
    }


# (case, policy, the wrapper node): each must be flagged by the policy.
BAD: list[tuple[int, str, ResourceNode]] = [
    (1, "iam-trust-not-public", _cc("bad1", "AWS::IAM::Role", {"AssumeRolePolicyDocument": PUBLIC_TRUST})),
    (2, "iam-no-admin-managed-policies", _cc("bad2", "AWS::IAM::Role", _role(LAMBDA_TRUST, ADMIN_ARN)["Properties"])),
    (3, "iam-trust-not-public", _stack("bad3", {"Admin": _role(PUBLIC_TRUST)})),
    (
        4,
        "s3-public-access-blocked",
        _stack(
            "bad4", {"Data": {"Type": "AWS::S3::Bucket", "Properties": {"PublicAccessBlockConfiguration": OPEN_PAB}}}
        ),
    ),
    (5, "iam-trust-not-public", _stack("bad5", {"Admin": _role(PUBLIC_TRUST)}, as_yaml=True)),
    (6, "iam-trust-not-public", _stack("bad6", {"Admin": _role(PUBLIC_TRUST)}, kind=wrappers.STACK_SET)),
    (
        7,
        "iam-no-wildcard-action",
        _stack(
            "bad7",
            {
                "R": {
                    "Type": "AWS::IAM::Role",
                    "Properties": {
                        "AssumeRolePolicyDocument": LAMBDA_TRUST,
                        "Policies": [{"PolicyName": "a", "PolicyDocument": ADMIN}],
                    },
                }
            },
        ),
    ),
]

# (case, the wrapper node): resource-not-judged must name each.
UNJUDGED: list[tuple[int, ResourceNode]] = [
    (8, _node("bad8", wrappers.STACK, {"templateUrl": "https://s3.amazonaws.com/b/t.json"})),
    (9, _node("bad9", wrappers.STACK, {"templateBody": UNKNOWN})),
    (10, _node("bad10", wrappers.CLOUDCONTROL, {"typeName": "AWS::IAM::Role", "desiredState": UNKNOWN})),
    (11, _cc("bad11", "AWS::Pipes::Pipe", {"Name": "p"})),  # no view of AWS::Pipes::Pipe
    (12, _stack("bad12", {"P": {"Type": "AWS::Pipes::Pipe", "Properties": {}}})),
    (13, _node("bad13", wrappers.STACK, {"templateBody": "not: [a, template"})),
    (
        14,
        _node("bad14", wrappers.SERVERLESS_APP, {"applicationId": "arn:aws:serverlessrepo:us-east-1:1:applications/x"}),
    ),
    (15, _node("bad15", wrappers.STACK_SET_INSTANCE, {"stackSetName": "elsewhere"})),
    (16, _node("bad16", wrappers.PROVISIONED_PRODUCT, {"productId": "prod-abc"})),
]


@pytest.mark.parametrize(("case", "policy", "node"), BAD, ids=[f"bad{c}" for c, _, _ in BAD])
def test_what_a_wrapper_declares_is_judged(case: int, policy: str, node: ResourceNode) -> None:
    assert _flagged(policy, [node]) == {node.name}, case


@pytest.mark.parametrize(("case", "node"), UNJUDGED, ids=[f"bad{c}" for c, _ in UNJUDGED])
def test_what_cannot_be_read_is_not_judged(case: int, node: ResourceNode) -> None:
    assert _flagged("resource-not-judged", [node]) == {node.name}, case


def test_good_wrappers_pass() -> None:
    good = [
        _cc("good1", "AWS::IAM::Role", {"AssumeRolePolicyDocument": LAMBDA_TRUST}),
        _stack("good2", {"Fn": _role(LAMBDA_TRUST)}, as_yaml=True),
        _node(
            "set",
            wrappers.STACK_SET,
            {"name": "shared", "templateBody": json.dumps({"Resources": {"Fn": _role(LAMBDA_TRUST)}})},
        ),
        _node("good3", wrappers.STACK_SET_INSTANCE, {"stackSetName": "shared"}),
    ]
    for policy in ("iam-trust-not-public", "iam-no-admin-managed-policies", "resource-not-judged"):
        assert _flagged(policy, good) == set(), policy


def test_yaml_short_forms_and_intrinsics_read_as_unknown() -> None:
    body = (
        "Resources:\n  R:\n    Type: AWS::IAM::Role\n    Properties:\n"
        "      RoleName: !Ref Name\n      Path: !Sub '/${X}/'\n"
    )
    (item,) = native.expansion(wrappers.STACK, {"templateBody": body}).declared
    assert item.native_props() == {"roleName": UNKNOWN, "path": UNKNOWN}


@pytest.mark.parametrize(
    ("cfn", "native_name"),
    [
        ("AssumeRolePolicyDocument", "assumeRolePolicyDocument"),
        ("SSESpecification", "sseSpecification"),
        ("KMSMasterKeyId", "kmsMasterKeyId"),
        ("ARN", "arn"),
        ("PublicAccessBlockConfiguration", "publicAccessBlockConfiguration"),
    ],
)
def test_camel_case_follows_aws_native(cfn: str, native_name: str) -> None:
    assert wrappers.camel(cfn) == native_name


def test_checkov_gets_the_declared_cloudformation() -> None:
    graph = ResourceGraph(
        "p",
        "dev",
        [
            _stack(
                "cfn", {"Data": {"Type": "AWS::S3::Bucket", "Properties": {"PublicAccessBlockConfiguration": OPEN_PAB}}}
            ),
            _cc("cc", "AWS::IAM::Role", {"AssumeRolePolicyDocument": PUBLIC_TRUST}),
        ],
    )
    template = graph_to_cfn(graph)
    assert template.template["Resources"]["cfnData"]["Properties"]["PublicAccessBlockConfiguration"] == OPEN_PAB
    assert template.template["Resources"]["ccdesiredState"]["Type"] == "AWS::IAM::Role"
    assert {entry.name for entry in template.addresses.values()} == {"cfn", "cc"}


@pytest.mark.parametrize(
    ("type_token", "names"),
    [
        (wrappers.CLOUDCONTROL, {"typeName", "desiredState"}),
        (wrappers.STACK, {"templateBody", "templateUrl"}),
        (wrappers.STACK_SET, {"templateBody", "templateUrl", "name"}),
        (wrappers.STACK_SET_INSTANCE, {"stackSetName"}),
        (wrappers.SERVERLESS_APP, {"applicationId"}),
        (wrappers.PROVISIONED_PRODUCT, {"productId"}),
    ],
)
def test_input_names_are_the_sdks(type_token: str, names: set[str]) -> None:
    assert names <= set(output_names(type_token)), type_token
