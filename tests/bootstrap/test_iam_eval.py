"""The IAM evaluator the deploy-role tests rely on: each rule of AWS's evaluation logic it implements."""

from __future__ import annotations

from typing import Any

import pytest

from .iam_eval import Decision, Request, UnsupportedConditionError, evaluate, matches

ARN = "arn:aws:lambda:us-east-1:123456789012:function:agentic-platform-dev-ingest"


def allow(**extra: Any) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", **extra}]}


@pytest.mark.parametrize(
    ("glob", "value", "case_sensitive", "expected"),
    [
        ("lambda:Get*", "lambda:GetFunction", True, True),
        ("lambda:get*", "lambda:GetFunction", False, True),
        ("lambda:get*", "lambda:GetFunction", True, False),
        ("s3:Get?ucket", "s3:GetBucket", True, True),
        ("arn:aws:s3:::a-*", "arn:aws:s3:::b-1", True, False),
        # Regex metacharacters are literal in IAM.
        ("arn:aws:s3:::a.b", "arn:aws:s3:::axb", True, False),
        ("arn:aws:s3:::[ab]", "arn:aws:s3:::a", True, False),
    ],
)
def test_wildcards(glob: str, value: str, case_sensitive: bool, expected: bool) -> None:
    assert matches(glob, value, case_sensitive=case_sensitive) is expected


@pytest.mark.parametrize(
    ("documents", "request_", "expected"),
    [
        # Good: an action and resource that match; actions are case-insensitive.
        ([allow(Action="lambda:GetFunction", Resource=ARN)], Request("lambda:getfunction", ARN), Decision.ALLOWED),
        (
            [allow(Action=["lambda:Get*"], Resource=["arn:aws:lambda:*"])],
            Request("lambda:GetPolicy", ARN),
            Decision.ALLOWED,
        ),
        # Statement as an object, not a list.
        (
            [{"Statement": {"Effect": "Allow", "Action": "lambda:GetFunction", "Resource": "*"}}],
            Request("lambda:GetFunction", ARN),
            Decision.ALLOWED,
        ),
        # Bad 1: nothing allows it (implicit deny).
        (
            [allow(Action="lambda:GetFunction", Resource=ARN)],
            Request("lambda:DeleteFunction", ARN),
            Decision.IMPLICIT_DENY,
        ),
        # Bad 2: resources are case-sensitive.
        (
            [allow(Action="lambda:GetFunction", Resource=ARN.upper())],
            Request("lambda:GetFunction", ARN),
            Decision.IMPLICIT_DENY,
        ),
        # Bad 3: an explicit deny in any policy wins over an allow in another.
        (
            [
                allow(Action="lambda:*", Resource="*"),
                {"Statement": [{"Effect": "Deny", "Action": "lambda:Delete*", "Resource": "*"}]},
            ],
            Request("lambda:DeleteFunction", ARN),
            Decision.EXPLICIT_DENY,
        ),
        # Bad 4: an ARN-scoped allow never matches a call authorised on "*".
        (
            [allow(Action="cognito-idp:CreateUserPool", Resource=ARN)],
            Request("cognito-idp:CreateUserPool", "*"),
            Decision.IMPLICIT_DENY,
        ),
        # NotAction / NotResource.
        ([allow(NotAction="iam:*", Resource="*")], Request("lambda:GetFunction", ARN), Decision.ALLOWED),
        ([allow(NotAction="iam:*", Resource="*")], Request("iam:PassRole", ARN), Decision.IMPLICIT_DENY),
        ([allow(Action="lambda:*", NotResource=ARN)], Request("lambda:GetFunction", ARN), Decision.IMPLICIT_DENY),
    ],
)
def test_evaluation(documents: list[dict[str, Any]], request_: Request, expected: Decision) -> None:
    assert evaluate(documents, request_) is expected


def _with(condition: dict[str, Any]) -> list[dict[str, Any]]:
    return [allow(Action="iam:AttachRolePolicy", Resource="*", Condition=condition)]


X_RAY = "arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess"


@pytest.mark.parametrize(
    ("condition", "context", "allowed"),
    [
        ({"ArnLike": {"iam:PolicyARN": "arn:aws:iam::aws:policy/service-role/*"}}, {"iam:PolicyARN": X_RAY}, False),
        (
            {"ArnLike": {"iam:PolicyARN": ["arn:aws:iam::aws:policy/service-role/*", X_RAY]}},
            {"iam:PolicyARN": X_RAY},
            True,
        ),
        # ArnEquals takes wildcards like ArnLike ("ARN condition operators", IAM User Guide; iam_eval.arn_matches).
        ({"ArnEquals": {"iam:PolicyARN": "arn:aws:iam::aws:policy/*"}}, {"iam:PolicyARN": X_RAY}, True),
        (
            {"ArnEquals": {"iam:PolicyARN": "arn:aws:iam::aws:policy/AWSXRay?aemonWriteAccess"}},
            {"iam:PolicyARN": X_RAY},
            True,
        ),
        ({"ArnEquals": {"iam:PolicyARN": X_RAY}}, {"iam:PolicyARN": X_RAY}, True),
        ({"ArnEquals": {"iam:PolicyARN": "arn:aws:iam::aws:policy/service-role/*"}}, {"iam:PolicyARN": X_RAY}, False),
        ({"ArnNotEquals": {"iam:PolicyARN": "arn:aws:iam::aws:policy/*"}}, {"iam:PolicyARN": X_RAY}, False),
        # ... each of the six parts separately: a wildcard never spans a colon, nor stands for missing parts.
        ({"ArnLike": {"iam:PolicyARN": "arn:aws:*"}}, {"iam:PolicyARN": X_RAY}, False),
        ({"ArnEquals": {"iam:PolicyARN": "arn:aws:iam:*:policy/*"}}, {"iam:PolicyARN": X_RAY}, False),
        ({"ArnLike": {"iam:PolicyARN": "arn:aws:iam:*:*:policy/*"}}, {"iam:PolicyARN": X_RAY}, True),
        ({"StringEquals": {"aws:ResourceTag/environment": "dev"}}, {"aws:ResourceTag/environment": "dev"}, True),
        ({"StringEquals": {"aws:ResourceTag/environment": "dev"}}, {"aws:ResourceTag/environment": "prod"}, False),
        # A missing key fails a positive operator (the service does not send the tag).
        ({"StringEquals": {"aws:ResourceTag/environment": "dev"}}, {}, False),
        ({"StringEqualsIfExists": {"aws:ResourceTag/environment": "dev"}}, {}, True),
        # ... and passes a negated one.
        ({"StringNotEquals": {"aws:ResourceTag/environment": "prod"}}, {}, True),
        ({"StringNotEquals": {"aws:ResourceTag/environment": "prod"}}, {"aws:ResourceTag/environment": "prod"}, False),
        (
            {"StringLike": {"iam:PassedToService": "*.amazonaws.com"}},
            {"iam:PassedToService": "lambda.amazonaws.com"},
            True,
        ),
        ({"Null": {"aws:RequestTag/environment": "false"}}, {"aws:RequestTag/environment": "dev"}, True),
        ({"Null": {"aws:RequestTag/environment": "false"}}, {}, False),
        # Operators and keys are ANDed.
        (
            {"StringEquals": {"aws:RequestTag/environment": "dev", "aws:RequestTag/team": "a"}},
            {"aws:RequestTag/environment": "dev", "aws:RequestTag/team": "b"},
            False,
        ),
        # Multivalued keys.
        (
            {"ForAllValues:StringEquals": {"aws:TagKeys": ["environment", "team"]}},
            {"aws:TagKeys": ["environment"]},
            True,
        ),
        ({"ForAllValues:StringEquals": {"aws:TagKeys": ["environment"]}}, {"aws:TagKeys": ["environment", "x"]}, False),
        ({"ForAnyValue:StringEquals": {"aws:TagKeys": ["x"]}}, {}, False),
        # Condition key names are case-insensitive.
        (
            {"StringEquals": {"IAM:PassedToService": "lambda.amazonaws.com"}},
            {"iam:PassedToService": "lambda.amazonaws.com"},
            True,
        ),
    ],
)
def test_conditions(condition: dict[str, Any], context: dict[str, Any], allowed: bool) -> None:
    decision = evaluate(_with(condition), Request("iam:AttachRolePolicy", "arn:aws:iam::1:role/r", context))
    assert (decision is Decision.ALLOWED) is allowed
    # A failing condition on an Allow is "not allowed", never an explicit deny (moto's mistake).
    assert decision is not Decision.EXPLICIT_DENY


def test_a_failing_condition_on_a_deny_does_not_deny() -> None:
    docs = [
        allow(Action="kms:Decrypt", Resource="*"),
        {
            "Statement": [
                {
                    "Effect": "Deny",
                    "Action": "kms:Decrypt",
                    "Resource": "*",
                    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                }
            ]
        },
    ]
    assert evaluate(docs, Request("kms:Decrypt", "k", {"aws:SecureTransport": "true"})) is Decision.ALLOWED
    assert evaluate(docs, Request("kms:Decrypt", "k", {"aws:SecureTransport": "false"})) is Decision.EXPLICIT_DENY


def test_unsupported_operators_raise_instead_of_passing() -> None:
    with pytest.raises(UnsupportedConditionError):
        evaluate(
            _with({"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}}),
            Request("iam:AttachRolePolicy", "r", {"aws:MultiFactorAuthAge": "1"}),
        )
