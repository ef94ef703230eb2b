"""iam-condition-key-valid called directly: which operators tolerate a key the action does not take."""

from __future__ import annotations

import json

import pytest

from policies.rules import iam_validity
from tests.policies.rules.calls import run_resource

POLICY = "aws:iam/policy:Policy"
OBJECTS = "arn:aws:s3:::docs-bucket/*"


def _props(operator: str) -> dict[str, str]:
    statement = {
        "Effect": "Allow",
        "Action": "s3:GetObject",
        "Resource": OBJECTS,
        "Condition": {operator: {"s3:NotAKey": "x"}},
    }
    return {"policy": json.dumps({"Version": "2012-10-17", "Statement": [statement]})}


@pytest.mark.parametrize(
    "operator",
    [
        "StringEqualsIfExists",
        "ForAnyValue:StringLikeIfExists",
        "ForAllValues:StringEqualsIfExists",
        "Null",
        "ForAnyValue:Null",
    ],
)
def test_absent_key_tolerating_operators_are_not_judged(operator: str) -> None:
    assert run_resource(iam_validity.CONDITION_KEYS_VALID, POLICY, _props(operator), name="p") == []


@pytest.mark.parametrize("operator", ["StringEquals", "ForAnyValue:StringEquals", "NullIfNot", "ForAllValues:NotNull"])
def test_other_operators_are_judged(operator: str) -> None:
    assert run_resource(iam_validity.CONDITION_KEYS_VALID, POLICY, _props(operator), name="p") == [
        (
            f"p: identity policy statement 1 (Allow): condition key 's3:NotAKey' ({operator}) is neither global "
            "nor one that s3:GetObject take, so the condition is never true.",
            None,
        )
    ]
