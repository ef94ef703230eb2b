"""The model-release role (bootstrap/model_release_role.py): it signs and uploads prod's fleet models, and no more.

Its policy is taken from the bootstrap's own graph and judged by iam_eval; the names it relies on (the
signing alias, the stack key's alias, the fleet bucket's prefix) are checked against the prod platform
graph, so a rename on either side fails here instead of as AccessDenied in the release workflow.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from policies.iam_reference import action, condition_key_valid

from .iam_eval import Decision, Request, evaluate, statements
from .test_deploy_roles import graph, role_documents

ROLE = "agentic-platform-github-model-release-prod"
KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
SIGNING_ALIAS = "alias/agentic-platform-prod-fleet-signing"
STACK_KEY_ALIAS = "alias/agentic-platform-prod-key"
BUCKET = "agentic-platform-prod-devices-models-20261201a1b2c3"
SIGN = {"kms:ResourceAliases": [SIGNING_ALIAS], "kms:SigningAlgorithm": "ECDSA_SHA_256", "kms:MessageType": "DIGEST"}


def role_policy() -> tuple[Any, ...]:
    return role_documents(ROLE)


def decide(name: str, resource: str, **context: Any) -> Decision:
    return evaluate(role_policy(), Request(name, resource, context))


def test_it_carries_the_bootstrap_protection_of_every_ci_role() -> None:
    denies = {st["Sid"] for doc in role_policy() for st in statements(doc) if st["Effect"] == "Deny"}
    assert {"ProtectBootstrapBuckets", "ProtectBootstrapKeys", "ProtectBootstrapRoles"} <= denies


def test_only_the_release_environment_of_prod_can_assume_it() -> None:
    roles = [n for n in graph("shared").custom_resources if n.type == "aws:iam/role:Role"]
    assert [r.inputs["name"] for r in roles if "model-release" in r.inputs["name"]] == [ROLE]  # dev names none
    (role,) = [r for r in roles if r.inputs["name"] == ROLE]
    (trust,) = json.loads(role.inputs["assumeRolePolicy"])["Statement"]
    assert trust["Condition"]["StringEquals"]["token.actions.githubusercontent.com:sub"] == [
        "repo:example-org/agentic-platform:environment:model-release-prod"
    ]


@pytest.mark.parametrize(
    ("name", "resource", "context"),
    [
        ("kms:Sign", KEY, SIGN),
        ("kms:GetPublicKey", KEY, {"kms:ResourceAliases": [SIGNING_ALIAS]}),
        ("kms:DescribeKey", KEY, {"kms:ResourceAliases": ["alias/other", SIGNING_ALIAS]}),
        ("s3:PutObject", f"arn:aws:s3:::{BUCKET}/models/1.2.0/model.json", {"s3:if-none-match": "*"}),
        (
            "kms:GenerateDataKey",
            KEY,
            {"kms:ResourceAliases": [STACK_KEY_ALIAS], "kms:ViaService": "s3.us-east-1.amazonaws.com"},
        ),
    ],
)
def test_a_release_is_allowed(name: str, resource: str, context: dict[str, Any]) -> None:
    assert decide(name, resource, **context) is Decision.ALLOWED


@pytest.mark.parametrize(
    ("case", "name", "resource", "context"),
    [
        ("1 raw message", "kms:Sign", KEY, {**SIGN, "kms:MessageType": "RAW"}),
        ("2 other algorithm", "kms:Sign", KEY, {**SIGN, "kms:SigningAlgorithm": "RSASSA_PSS_SHA_256"}),
        ("3 dev's key", "kms:Sign", KEY, {**SIGN, "kms:ResourceAliases": ["alias/agentic-platform-dev-fleet-signing"]}),
        ("4 a key without aliases", "kms:Sign", KEY, {k: v for k, v in SIGN.items() if k != "kms:ResourceAliases"}),
        ("5 sign with the stack key", "kms:Sign", KEY, {**SIGN, "kms:ResourceAliases": [STACK_KEY_ALIAS]}),
        ("6 overwrite a release", "s3:PutObject", f"arn:aws:s3:::{BUCKET}/models/1.2.0/model.json", {}),
        (
            "7 the component artifact",
            "s3:PutObject",
            f"arn:aws:s3:::{BUCKET}/components/a.zip",
            {"s3:if-none-match": "*"},
        ),
        (
            "8 dev's bucket",
            "s3:PutObject",
            "arn:aws:s3:::agentic-platform-dev-devices-models-1/models/1/model.json",
            {"s3:if-none-match": "*"},
        ),
        ("9 delete a release", "s3:DeleteObject", f"arn:aws:s3:::{BUCKET}/models/1.2.0/model.json", {}),
        (
            "10 data key outside S3",
            "kms:GenerateDataKey",
            KEY,
            {"kms:ResourceAliases": [STACK_KEY_ALIAS], "kms:ViaService": "lambda.us-east-1.amazonaws.com"},
        ),
        ("11 decrypt", "kms:Decrypt", KEY, {"kms:ResourceAliases": [STACK_KEY_ALIAS]}),
        ("12 read the state", "s3:GetObject", "arn:aws:s3:::agentic-platform-state-1/.pulumi/stacks/prod.json", {}),
    ],
)
def test_anything_else_is_denied(case: str, name: str, resource: str, context: dict[str, Any]) -> None:
    assert decide(name, resource, **context) is not Decision.ALLOWED, case


def test_every_action_condition_and_resource_is_in_the_sar() -> None:
    for document in role_policy():
        for statement in statements(document):
            if statement["Effect"] != "Allow":  # the shared bootstrap denies are checked with the deploy roles
                continue
            for name in statement["Action"]:
                found = action(name)
                assert found is not None, name
                for resource in statement["Resource"]:
                    assert found.matches_resource(resource), (name, resource)
                for keys in statement.get("Condition", {}).values():
                    for key in keys:
                        assert condition_key_valid(name, key), (name, key)


def test_the_names_it_trusts_are_the_prod_stack_s_names() -> None:
    prod = graph("prod").custom_resources
    aliases = {n.inputs["name"] for n in prod if n.type == "aws:kms/alias:Alias"}
    assert {SIGNING_ALIAS, STACK_KEY_ALIAS} <= aliases
    prefixes = [n.inputs.get("bucketPrefix", "") for n in prod if n.type == "aws:s3/bucket:Bucket"]
    assert "agentic-platform-prod-devices-models-" in prefixes
    assert (
        decide(
            "s3:PutObject",
            "arn:aws:s3:::agentic-platform-prod-devices-models-x/models/v/model.json",
            **{"s3:if-none-match": "*"},
        )
        is Decision.ALLOWED
    )
