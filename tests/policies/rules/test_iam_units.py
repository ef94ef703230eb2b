"""The IAM rules called directly (bench/MUTATION.md run J, the first whole run of policies.rules.iam): each rule's
message word for word with two items to join, statements after one already reported (every statement is judged),
unknown managed policy ARNs and trust documents (the known rest judged first, then "cannot tell yet"), and
`_policy`'s defaults (the rule specs are built at import, so only a direct call shows a change to it)."""
# ruff: noqa: E501  (one case per line reads as a table)

from __future__ import annotations

import json
from typing import Any

import pytest
from pulumi_policy import ResourceValidationArgs, Severity
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, UnknownValueError, unknown_checking_proxy

from policies.rules import iam
from policies.spec import Category, Kind, PolicySpec
from tests.policies.rules.calls import Reports, urn

ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
MODEL = "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0"


def run(spec: PolicySpec, type_: str, props: dict[str, Any], reports: Reports | None = None) -> Reports:
    """What the rule reports, the inputs behind the pack's unknown-checking proxy (as under the CLI); pass
    `reports` to see what was reported before an unknown raised UnknownValueError."""
    reports = [] if reports is None else reports
    args = ResourceValidationArgs(type_, unknown_checking_proxy(props), urn(type_, "r"), "r", None, None, {})  # type: ignore[arg-type]
    spec.validate(args, lambda message, urn=None: reports.append((message, urn)))
    return reports


def policy(*statements: dict[str, Any]) -> dict[str, str]:
    return {"policy": json.dumps({"Version": "2012-10-17", "Statement": list(statements)})}


def allow(action: Any, resource: Any = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def trust(*statements: dict[str, Any]) -> dict[str, str]:
    return {"assumeRolePolicy": json.dumps({"Version": "2012-10-17", "Statement": list(statements)})}


def service(name: str | list[str], **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Principal": {"Service": name}, "Action": "sts:AssumeRole", **extra}


@pytest.mark.parametrize(
    ("spec", "type_", "props", "expected"),
    [
        # iam-no-wildcard-action: NotAction, then the wildcards of a later statement too
        (iam.NO_WILDCARD_ACTION, ROLE_POLICY, policy({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}, allow(["s3:*", "sqs:*"], "arn:aws:s3:::b")),
         ["r: policy allows NotAction (every action but a few).", "r: policy allows wildcard actions s3:*, sqs:*."]),
        # iam-no-admin-managed-policies
        (iam.NO_ADMIN, ROLE, {"managedPolicyArns": ["arn:aws:iam::aws:policy/AdministratorAccess", "arn:aws:iam::aws:policy/AmazonS3FullAccess"]},
         ["r: attaches the AWS managed policy AdministratorAccess.", "r: attaches the AWS managed policy AmazonS3FullAccess."]),
        # iam-no-wildcard-resource-for-writes: two writes and two broad resources; NotAction named as such
        (iam.NO_WILDCARD_RESOURCE, ROLE_POLICY, policy(allow(["s3:PutObject", "sqs:SendMessage"], ["*", "arn:aws:s3:::*"])),
         ["r: policy allows s3:PutObject, sqs:SendMessage on *, arn:aws:s3:::*."]),
        (iam.NO_WILDCARD_RESOURCE, ROLE_POLICY, policy({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}),
         ["r: policy allows NotAction on *."]),
        # iam-no-data-read-on-wildcard: after a NotAction statement and past a model invocation, on two resources
        (iam.NO_DATA_READ_ON_STAR, ROLE_POLICY, policy({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}, allow(["bedrock:InvokeModel", "s3:GetObject"], ["*", "arn:aws:s3:::*"])),
         ["r: policy reads data with s3:GetObject on *, arn:aws:s3:::*; these actions take resource ARNs."]),
        # a service's every action (writes too) is the write rule's, not a read rule's
        (iam.NO_DATA_READ_ON_STAR, ROLE_POLICY, policy(allow("s3:*")), []),
        (iam.READS_SCOPED, ROLE_POLICY, policy(allow("s3:*")), []),
        # iam-passrole-scoped
        (iam.PASSROLE, ROLE_POLICY, policy(allow("iam:PassRole", ["*", "arn:aws:iam::*:role/*"])),
         ["r: policy allows iam:PassRole on *, arn:aws:iam::*:role/*."]),
        # iam-bedrock-invoke-scoped: resources that are no model, NotResource, an AWS managed policy's statements
        (iam.BEDROCK_INVOKE, ROLE_POLICY, policy(allow("bedrock:InvokeModel", ["*", "arn:aws:s3:::b", MODEL])),
         ["r: policy allows Bedrock model invocation on *, arn:aws:s3:::b."]),
        (iam.BEDROCK_INVOKE, ROLE_POLICY, policy({"Effect": "Allow", "Action": "bedrock:InvokeModel", "NotResource": MODEL}),
         ["r: policy allows Bedrock model invocation on NotResource."]),
        (iam.BEDROCK_INVOKE, ATTACHMENT, {"role": "x", "policyArn": "arn:aws:iam::aws:policy/AmazonBedrockLimitedAccess"},
         ["r: the AWS managed policy AmazonBedrockLimitedAccess allows Bedrock model invocation on *."]),
        # iam-service-trust-conditioned: two services of one statement
        (iam.TRUST_CONDITIONED, ROLE, trust(service(["bedrock.amazonaws.com", "states.amazonaws.com"])),
         ["r: the trust policy lets bedrock.amazonaws.com, states.amazonaws.com assume the role without an aws:SourceAccount or aws:SourceArn condition that narrows the caller."]),
        # iam-trust-not-public
        (iam.TRUST_NOT_PUBLIC, ROLE, trust({"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"}),
         ["r: the trust policy lets anyone (Principal '*', AWS '*' or NotPrincipal) assume the role."]),
    ],
    ids=["wildcard_action", "admin", "write", "write_not_action", "data_read", "service_star_data", "service_star_reads",
         "passrole", "bedrock", "bedrock_not_resource", "bedrock_managed", "trust", "public_trust"],
)  # fmt: skip
def test_messages(spec: PolicySpec, type_: str, props: dict[str, Any], expected: list[str]) -> None:
    assert run(spec, type_, props) == [(message, None) for message in expected]


@pytest.mark.parametrize("spec", [iam.NO_ADMIN, iam.BEDROCK_INVOKE], ids=["admin", "bedrock"])
def test_unknown_managed_policy_arns_are_cannot_tell(spec: PolicySpec) -> None:
    reports: Reports = []
    with pytest.raises(UnknownValueError):
        run(spec, ROLE, {"managedPolicyArns": UNKNOWN_STRING_VALUE}, reports)
    assert reports == []


def test_an_unknown_trust_statement_after_a_public_one_is_noted_after_reporting() -> None:
    document = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"},
            {"Effect": "Allow", "Principal": {"AWS": UNKNOWN_STRING_VALUE}, "Action": "sts:AssumeRole"},
        ],
    }
    reports: Reports = []
    with pytest.raises(UnknownValueError):
        run(iam.TRUST_NOT_PUBLIC, ROLE, {"assumeRolePolicy": document}, reports)
    assert reports == [
        ("r: the trust policy lets anyone (Principal '*', AWS '*' or NotPrincipal) assume the role.", None)
    ]


def test_policy_defaults_and_overrides() -> None:
    def validate(args: Any, report: Any) -> None:
        return None

    spec = iam._policy("n", "d", "e", validate, (ROLE,))
    assert (spec.name, spec.description, spec.explanation, spec.validate, spec.resource_types) == (
        "n",
        "d",
        "e",
        validate,
        (ROLE,),
    )
    assert (spec.principles, spec.severity, spec.category, spec.kind) == (
        iam.IAM_PRINCIPLES,
        Severity.HIGH,
        Category.SECURITY,
        Kind.RESOURCE,
    )
    spec = iam._policy("n", "d", "e", validate, (ROLE,), principles=("P135",), severity=Severity.CRITICAL)
    assert (spec.principles, spec.severity) == (("P135",), Severity.CRITICAL)
