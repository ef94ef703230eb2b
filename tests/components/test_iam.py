"""Policy-document helpers: exact actions and resources, wildcards rejected at construction."""

from __future__ import annotations

import json

import pytest

from components import iam
from tests.components.conftest import RunProgram, policy_of


def test_statement_is_exact_and_sorted() -> None:
    st = iam.statement(["sqs:SendMessage", "sqs:GetQueueUrl"], ["arn:aws:sqs:us-east-1:123456789012:q"])
    assert st == {
        "Effect": "Allow",
        "Action": ["sqs:GetQueueUrl", "sqs:SendMessage"],
        "Resource": ["arn:aws:sqs:us-east-1:123456789012:q"],
    }


def test_statement_with_conditions_and_sid() -> None:
    st = iam.statement(["s3:GetObject"], ["arn:aws:s3:::b/*"], {"Bool": {"aws:SecureTransport": "true"}}, sid="Read")
    assert st["Sid"] == "Read"
    assert st["Condition"] == {"Bool": {"aws:SecureTransport": "true"}}


@pytest.mark.parametrize("action", ["s3:*", "*", "s3:Get*", "kms:GenerateDataKey*", "s3:Get?bject", "GetObject"])
def test_wildcard_or_malformed_actions_rejected(action: str) -> None:
    with pytest.raises(ValueError, match="action"):
        iam.statement([action], ["arn:aws:s3:::b"])


@pytest.mark.parametrize("resource", ["*", "arn:aws:s3:::*", "arn:aws:logs:us-east-1:123456789012:*", "bucket"])
def test_wildcard_or_non_arn_resources_rejected(resource: str) -> None:
    with pytest.raises(ValueError, match="resource"):
        iam.statement(["s3:GetObject"], [resource])


def test_empty_statement_rejected() -> None:
    with pytest.raises(ValueError):
        iam.statement([], ["arn:aws:s3:::b"])
    with pytest.raises(ValueError):
        iam.statement(["s3:GetObject"], [])
    with pytest.raises(ValueError):
        iam.statement(["s3:GetObject"], ["arn:aws:s3:::b"], effect="Maybe")


def test_service_trust_rejects_non_service_principal() -> None:
    with pytest.raises(ValueError):
        iam.service_trust("*", "123456789012")
    with pytest.raises(ValueError):
        iam.service_trust("arn:aws:iam::123456789012:root", "123456789012")


def test_role_key_requires_name_for_output_roles() -> None:
    class Unknown:  # stands for an Output: neither a Role nor text
        pass

    assert iam.role_key("my-role") == "my-role"
    assert iam.role_key(Unknown(), "given") == "given"  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="name="):
        iam.role_key(Unknown())  # type: ignore[arg-type]


def test_service_trust_and_role_policy_render(run_program: RunProgram) -> None:
    graph = run_program(
        """
        from components import iam
        role = aws.iam.Role("r", assume_role_policy=iam.service_trust(
            "lambda.amazonaws.com", "123456789012", "arn:aws:lambda:us-east-1:123456789012:function:f"))
        iam.role_policy(role, "r-read", [iam.statement(["s3:GetObject"], ["arn:aws:s3:::b/*"])])
        """
    )
    role = graph.of_type("aws:iam/role:Role")[0]
    trust = json.loads(role.inputs["assumeRolePolicy"])
    assert trust["Statement"] == [
        {
            "Effect": "Allow",
            "Principal": {"Service": "lambda.amazonaws.com"},
            "Action": "sts:AssumeRole",
            "Condition": {
                "StringEquals": {"aws:SourceAccount": "123456789012"},
                "ArnEquals": {"aws:SourceArn": "arn:aws:lambda:us-east-1:123456789012:function:f"},
            },
        }
    ]
    policy = graph.of_type("aws:iam/rolePolicy:RolePolicy")[0]
    assert policy.inputs["role"] == role.outputs["name"]
    assert policy_of(policy)["Statement"] == [
        {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": ["arn:aws:s3:::b/*"]}
    ]
