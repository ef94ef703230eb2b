"""Encryption rules called directly: each customer-managed-key policy with its Compliance case and numbered
Noncompliance cases, KMS rotation and public key policies, asserting the exact message and description."""

from __future__ import annotations

from typing import Any

import pytest

from policies.rules import encryption as enc
from policies.spec import PolicySpec
from tests.policies.rules.calls import run_resource

KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"

# (policy, resource type, compliant inputs, non-compliant inputs...)
CASES: list[tuple[PolicySpec, str, dict[str, Any], list[dict[str, Any]]]] = [
    (
        enc.DYNAMODB,
        "aws:dynamodb/table:Table",
        {"serverSideEncryption": {"enabled": True, "kmsKeyArn": KEY}},
        [
            {},
            {"serverSideEncryption": {"enabled": True}},
            {"serverSideEncryption": {"enabled": False, "kmsKeyArn": KEY}},
            {"serverSideEncryption": {"enabled": "false", "kmsKeyArn": KEY}},
        ],
    ),
    (enc.SQS, "aws:sqs/queue:Queue", {"kmsMasterKeyId": KEY}, [{}, {"kmsMasterKeyId": "alias/aws/sqs"}]),
    (enc.SNS, "aws:sns/topic:Topic", {"kmsMasterKeyId": "alias/platform"}, [{}, {"kmsMasterKeyId": "alias/aws/sns"}]),
    (enc.LOG_GROUP, "aws:cloudwatch/logGroup:LogGroup", {"kmsKeyId": KEY}, [{}]),
    (
        enc.STATE_MACHINE,
        "aws:sfn/stateMachine:StateMachine",
        {"encryptionConfiguration": {"type": "CUSTOMER_MANAGED_KMS_KEY", "kmsKeyId": KEY}},
        [
            {},
            {"encryptionConfiguration": {"type": "AWS_OWNED_KEY", "kmsKeyId": KEY}},
            {"encryptionConfiguration": {"type": "CUSTOMER_MANAGED_KMS_KEY"}},
        ],
    ),
    (
        enc.LAMBDA_ENVIRONMENT,
        "aws:lambda/function:Function",
        {"environment": {"variables": {"A": "1"}}, "kmsKeyArn": KEY},
        [{"environment": {"variables": {"A": "1"}}}],
    ),
    (enc.EVENT_BUS, "aws:cloudwatch/eventBus:EventBus", {"kmsKeyIdentifier": KEY}, [{}]),
    (enc.AGENT, "aws:bedrock/agentAgent:AgentAgent", {"customerEncryptionKeyArn": KEY}, [{}]),
    (enc.GUARDRAIL, "aws:bedrock/guardrail:Guardrail", {"kmsKeyArn": KEY}, [{}]),
    (
        enc.KNOWLEDGE_BASE,
        "aws:bedrock/agentDataSource:AgentDataSource",
        {"serverSideEncryptionConfiguration": {"kmsKeyArn": KEY}},
        [{}],
    ),
]

WHAT = {
    enc.DYNAMODB: ("the DynamoDB table", "set serverSideEncryption={enabled: true, kmsKeyArn: <key ARN>}."),
    enc.SQS: (
        "the SQS queue",
        "set kmsMasterKeyId to a customer-managed key (not alias/aws/sqs; SQS-managed SSE is not a CMK).",
    ),
    # Generic: a foreign program has no "platform key" (issue 11 §2, pulumi/examples aws-py-resources).
    enc.SNS: ("the SNS topic", "set kmsMasterKeyId to a customer-managed key (not alias/aws/sns)."),
    enc.LAMBDA_ENVIRONMENT: (
        "the Lambda function's environment",
        "set kmsKeyArn on functions that have environment variables.",
    ),
}


@pytest.mark.parametrize(("spec", "type_", "ok", "bad"), CASES, ids=[c[0].name for c in CASES])
def test_customer_managed_keys(spec: PolicySpec, type_: str, ok: dict[str, Any], bad: list[dict[str, Any]]) -> None:
    assert run_resource(spec, type_, ok, name="ok") == []
    for number, props in enumerate(bad, 1):
        reports = run_resource(spec, type_, props, name=f"bad{number}")
        assert len(reports) == 1, (number, reports)
        message, urn = reports[0]
        assert urn is None
        assert message.startswith(f"bad{number}: ") and " is not encrypted with a customer-managed KMS key. " in message


@pytest.mark.parametrize("spec", list(WHAT), ids=[s.name for s in WHAT])
def test_message_and_metadata_name_what_and_the_fix(spec: PolicySpec) -> None:
    what, fix = WHAT[spec]
    type_ = spec.resource_types[0]
    props = {"environment": {"variables": {"A": "1"}}} if spec is enc.LAMBDA_ENVIRONMENT else {}
    assert run_resource(spec, type_, props, name="r") == [
        (f"r: {what} is not encrypted with a customer-managed KMS key. {fix}", None)
    ]
    assert spec.description == f"{what[0].upper()}{what[1:]} is encrypted at rest with a customer-managed KMS key."
    assert spec.explanation == (
        "Customer-managed keys keep key policy, rotation and audit (CloudTrail key usage) under the "
        f"platform's control and let access be revoked by disabling the key. Fix: {fix}"
    )
    assert spec.principles == ("P141", "P187") and spec.resource_types == (type_,)
    assert spec.severity.name == "HIGH" and spec.category.value == "security" and spec.kind.value == "resource"


@pytest.mark.parametrize("props", [{}, {"environment": {}}, {"environment": {"variables": {}}}])
def test_a_function_without_environment_variables_needs_no_key(props: dict[str, Any]) -> None:
    assert run_resource(enc.LAMBDA_ENVIRONMENT, "aws:lambda/function:Function", props) == []


def test_other_types_are_not_judged() -> None:
    assert run_resource(enc.SQS, "aws:sns/topic:Topic", {}) == []


ROTATES = "k: the KMS key does not rotate (enableKeyRotation is not true)."


@pytest.mark.parametrize(
    ("props", "flagged"),
    [
        ({"enableKeyRotation": True}, False),
        ({"enableKeyRotation": "true"}, False),
        ({"customerMasterKeySpec": "SYMMETRIC_DEFAULT", "enableKeyRotation": True}, False),
        ({"customerMasterKeySpec": "RSA_2048"}, False),
        ({"customerMasterKeySpec": "HMAC_256", "enableKeyRotation": False}, False),
        ({}, True),
        ({"enableKeyRotation": False}, True),
        ({"enableKeyRotation": "false"}, True),
        ({"customerMasterKeySpec": "SYMMETRIC_DEFAULT"}, True),
    ],
    ids=[
        "ok",
        "ok_text",
        "ok_spec",
        "ok_asymmetric",
        "ok_hmac",
        "bad1_unset",
        "bad2_false",
        "bad3_text_false",
        "bad4_symmetric_unset",
    ],
)
def test_rotation(props: dict[str, Any], flagged: bool) -> None:
    assert run_resource(enc.KMS_ROTATION, "aws:kms/key:Key", props, name="k") == ([(ROTATES, None)] if flagged else [])


def _policy(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"policy": {"Version": "2012-10-17", "Statement": list(statements)}}


ROOT = {"AWS": "arn:aws:iam::123456789012:root"}


@pytest.mark.parametrize(
    ("props", "messages"),
    [
        (_policy({"Effect": "Allow", "Principal": ROOT, "Action": "kms:*", "Resource": "*"}), []),
        (
            _policy(
                {
                    "Effect": "Allow",
                    "Principal": "*",
                    "Action": "kms:Decrypt",
                    "Resource": "*",
                    "Condition": {"StringEquals": {"kms:CallerAccount": "123456789012"}},
                }
            ),
            [],
        ),
        (_policy({"Effect": "Deny", "Principal": "*", "Action": "kms:*", "Resource": "*"}), []),
        ({}, []),
        (
            _policy({"Effect": "Allow", "Principal": "*", "Action": ["kms:Decrypt", "kms:Encrypt"], "Resource": "*"}),
            ["kms:Decrypt, kms:Encrypt"],
        ),
        (
            _policy({"Effect": "Allow", "Principal": {"AWS": "*"}, "NotAction": "kms:Delete*", "Resource": "*"}),
            ["NotAction"],
        ),
        (
            _policy(
                {"Effect": "Allow", "Principal": ROOT, "Action": "kms:*", "Resource": "*"},
                {"Effect": "Allow", "Principal": "*", "Action": "kms:Decrypt", "Resource": "*"},
            ),
            ["kms:Decrypt"],
        ),
    ],
    ids=[
        "ok_account",
        "ok_condition",
        "ok_deny",
        "ok_no_policy",
        "bad1_public",
        "bad2_public_not_action",
        "bad3_second_statement",
    ],
)
def test_key_policy(props: dict[str, Any], messages: list[str]) -> None:
    expected = [(f"k: the key policy allows Principal '*' without a condition (actions: {a}).", None) for a in messages]
    assert run_resource(enc.KMS_NO_PUBLIC_PRINCIPAL, "aws:kms/keyPolicy:KeyPolicy", props, name="k") == expected
