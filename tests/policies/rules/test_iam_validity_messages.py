"""iam-action-exists, iam-unscopable-action-on-star and iam-resource-matches-action called directly: which
statements each judges and the exact message it gives (the suggestion, the types, the resources named).

The facts (which actions exist and which resource types they take) are those of the pinned Service
Authorization Reference in `policies.iam_reference`: s3:ListAllMyBuckets takes no resource type,
cloudwatch:PutMetricData only an optional `dataset`, logs:CreateLogGroup a required `log-group`.
"""
# ruff: noqa: E501  (one case per line reads as a table)

from __future__ import annotations

import json
from typing import Any

import pytest

from policies.rules import iam_validity as v
from tests.policies.rules.calls import run_resource

POLICY = "aws:iam/policy:Policy"
BUCKET = "arn:aws:s3:::b"
ROLE = "arn:aws:iam::111122223333:role/r"
WHERE = "p: identity policy statement 1 (Allow)"


def _doc(*statements: dict[str, Any]) -> dict[str, str]:
    return {"policy": json.dumps({"Version": "2012-10-17", "Statement": list(statements)})}


def _allow(action: Any, resource: Any, **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


@pytest.mark.parametrize(
    ("statement", "messages"),
    [
        (_allow("S3:getobject", BUCKET + "/*"), []),
        (_allow("s3:Get*", BUCKET + "/*"), []),
        (_allow("*", "*"), []),
        (_allow("s3:GetObjekt", BUCKET + "/*"), [f"{WHERE}: 's3:GetObjekt' is not an AWS action (did you mean s3:GetObject?)."]),
        (_allow("s3GetObject", "*"), [f"{WHERE}: 's3GetObject' is not an AWS action (an action is written service:Action)."]),
        (_allow("sss:GetObject", "*"), [f"{WHERE}: 'sss:GetObject' is not an AWS action (no service prefix 'sss'; did you mean 'sts'?)."]),
        (_allow("zzzzqqq:Foo", "*"), [f"{WHERE}: 'zzzzqqq:Foo' is not an AWS action (no service prefix 'zzzzqqq')."]),
        (_allow("s3:Zzzzqqqq", "*"), [f"{WHERE}: 's3:Zzzzqqqq' is not an AWS action."]),
        (_allow("s3:Zzz*", "*"), [f"{WHERE}: 's3:Zzz*' is not an AWS action."]),
        ({"Effect": "Deny", "NotAction": "s3:GetObjekt", "Resource": "*"}, ["p: identity policy statement 1 (Deny): 's3:GetObjekt' is not an AWS action (did you mean s3:GetObject?)."]),
        (_allow(["s3:GetObject", "s3:Zzzzqqqq", "sss:GetObject"], "*"), [f"{WHERE}: 's3:Zzzzqqqq' is not an AWS action.", f"{WHERE}: 'sss:GetObject' is not an AWS action (no service prefix 'sss'; did you mean 'sts'?)."]),
    ],
    ids=["ok_any_case", "ok_wildcard", "ok_star", "bad1_close_action", "bad2_no_colon", "bad3_close_prefix", "bad4_unknown_prefix",
         "bad5_no_close_action", "bad6_wildcard_matching_nothing", "bad7_not_action", "bad8_each_action"],
)  # fmt: skip
def test_action_exists(statement: dict[str, Any], messages: list[str]) -> None:
    assert run_resource(v.ACTION_EXISTS, POLICY, _doc(statement), name="p") == [(m, None) for m in messages]


def test_statements_are_numbered_from_one() -> None:
    document = _doc(_allow("s3:GetObject", BUCKET + "/*"), _allow("s3:GetObjekt", BUCKET + "/*"))
    assert run_resource(v.ACTION_EXISTS, POLICY, document, name="p") == [
        (
            "p: identity policy statement 2 (Allow): 's3:GetObjekt' is not an AWS action (did you mean s3:GetObject?).",
            None,
        )
    ]


@pytest.mark.parametrize(
    ("statement", "messages"),
    [
        (_allow("s3:ListAllMyBuckets", "*"), []),
        (_allow("s3:ListAllMyBuckets", [BUCKET, "*"]), []),
        ({"Effect": "Allow", "Action": "s3:ListAllMyBuckets", "NotResource": BUCKET}, []),
        (_allow("s3:Get*", BUCKET), []),
        (_allow("sts:AssumeRole", BUCKET), []),
        (_allow("s3:GetObject", BUCKET + "/*"), []),
        (_allow("s3:Zzzzqqqq", BUCKET), []),
        (_allow("cloudwatch:PutMetricData", "arn:aws:cloudwatch:us-east-1:111122223333:dataset/d"), []),
        (_allow("s3:ListAllMyBuckets", [BUCKET, BUCKET + "/*"]), [f"{WHERE}: s3:ListAllMyBuckets takes no resource type, so only Resource '*' can match it; here it is scoped to arn:aws:s3:::b, arn:aws:s3:::b/*."]),
        (_allow("cloudwatch:PutMetricData", BUCKET), [f"{WHERE}: cloudwatch:PutMetricData can be scoped only to dataset (all optional), which arn:aws:s3:::b are not; without Resource '*' it never matches."]),
        (_allow("s3:GetObject", BUCKET), [f"{WHERE}: s3:GetObject can be scoped only to accesspointobject, object (all optional), which arn:aws:s3:::b are not; without Resource '*' it never matches."]),
        (_allow(["sts:AssumeRole", "s3:ListAllMyBuckets", "cloudwatch:PutMetricData"], ROLE),
         [f"{WHERE}: s3:ListAllMyBuckets takes no resource type, so only Resource '*' can match it; here it is scoped to {ROLE}.",
          f"{WHERE}: cloudwatch:PutMetricData can be scoped only to dataset (all optional), which {ROLE} are not; without Resource '*' it never matches."]),
    ],
    ids=["ok_star", "ok_star_among_others", "ok_not_resource", "ok_wildcard_action", "ok_required_type", "ok_optional_type_named",
         "ok_unknown_action", "ok_dataset", "bad1_unscopable_scoped", "bad2_optional_only", "bad3_bucket_for_object", "bad4_each_action"],
)  # fmt: skip
def test_unscopable_action_on_star(statement: dict[str, Any], messages: list[str]) -> None:
    assert run_resource(v.UNSCOPABLE_ON_STAR, POLICY, _doc(statement), name="p") == [(m, None) for m in messages]


def test_a_trust_policy_has_no_resource_to_judge() -> None:
    trust = {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "s3:ListAllMyBuckets"}
    assert run_resource(v.UNSCOPABLE_ON_STAR, POLICY, _doc(trust), name="p") == []


LOG_GROUP = "log-group: arn:${Partition}:logs:${Region}:${Account}:log-group:${LogGroupName}"


@pytest.mark.parametrize(
    ("statement", "messages"),
    [
        (_allow("iam:PassRole", ROLE), []),
        (_allow("iam:PassRole", [ROLE, "*"]), []),
        (_allow("*", BUCKET), []),
        (_allow(" * ", BUCKET), []),
        (_allow("s3:ListAllMyBuckets", BUCKET), []),
        (_allow(["iam:PassRole", "s3:Zzzzqqqq"], BUCKET), [f"{WHERE}: no resource in arn:aws:s3:::b is of a type iam:PassRole acts on (role: arn:${{Partition}}:iam::${{Account}}:role/${{RoleNameWithPath}}), so the statement never matches it."]),
        ({"Effect": "Allow", "NotAction": "iam:PassRole", "Resource": BUCKET}, []),
        ({"Effect": "Allow", "Action": "iam:PassRole", "NotResource": BUCKET}, []),
        (_allow("logs:CreateLogGroup", BUCKET), [f"{WHERE}: no resource in arn:aws:s3:::b is of a type logs:CreateLogGroup acts on ({LOG_GROUP}), so the statement never matches it.",
                                                 f"{WHERE}: arn:aws:s3:::b is not of any resource type the statement's actions act on (logs:CreateLogGroup); it grants nothing."]),
        (_allow("logs:CreateLog*", BUCKET), [f"{WHERE}: no resource in arn:aws:s3:::b is of a type logs:CreateLog* acts on (their resource types), so the statement never matches it.",
                                             f"{WHERE}: arn:aws:s3:::b is not of any resource type the statement's actions act on (logs:CreateLog*); it grants nothing."]),
        (_allow(["iam:PassRole", "logs:CreateLogGroup"], [ROLE, BUCKET]),
         [f"{WHERE}: no resource in {ROLE}, arn:aws:s3:::b is of a type logs:CreateLogGroup acts on ({LOG_GROUP}), so the statement never matches it.",
          f"{WHERE}: arn:aws:s3:::b is not of any resource type the statement's actions act on (iam:PassRole, logs:CreateLogGroup); it grants nothing."]),
    ],
    ids=["ok_role", "ok_star_resource", "ok_star_action", "ok_star_action_spaced", "ok_unscopable_left_to_its_rule", "bad1_unknown_action_stops_the_resource_check",
         "ok_not_action", "ok_not_resource", "bad2_required_type", "bad3_pattern", "bad4_one_resource_of_two"],
)  # fmt: skip
def test_resource_matches_action(statement: dict[str, Any], messages: list[str]) -> None:
    assert run_resource(v.RESOURCE_MATCHES_ACTION, POLICY, _doc(statement), name="p") == [(m, None) for m in messages]


def test_every_required_type_of_the_action_is_named() -> None:
    destination = "destination: arn:${Partition}:logs:${Region}:${Account}:destination:${DestinationName}"
    log_group = "log-group: arn:${Partition}:logs:${Region}:${Account}:log-group:${LogGroupName}"
    found = run_resource(
        v.RESOURCE_MATCHES_ACTION, POLICY, _doc(_allow("logs:PutSubscriptionFilter", BUCKET)), name="p"
    )
    assert found[0] == (
        f"{WHERE}: no resource in {BUCKET} is of a type logs:PutSubscriptionFilter acts on ({destination}; {log_group}), "
        "so the statement never matches it.",
        None,
    )


def test_an_action_after_one_left_to_the_unscopable_rule_is_judged() -> None:
    queue = "arn:aws:sqs:us-east-1:111122223333:q"
    found = run_resource(
        v.RESOURCE_MATCHES_ACTION, POLICY, _doc(_allow(["s3:GetObject", "logs:CreateLogGroup"], queue)), name="p"
    )
    assert found[0] == (
        f"{WHERE}: no resource in {queue} is of a type logs:CreateLogGroup acts on ({LOG_GROUP}), so the statement never matches it.",
        None,
    )


def test_a_star_action_is_not_judged_even_on_a_resource_no_action_takes() -> None:
    statement = _allow("*", "arn:aws:madeup:us-east-1:111122223333:thing/x")
    assert run_resource(v.RESOURCE_MATCHES_ACTION, POLICY, _doc(statement), name="p") == []


def test_a_question_mark_makes_a_pattern_whose_actions_are_judged() -> None:
    queue = "arn:aws:sqs:us-east-1:111122223333:q"
    assert run_resource(v.RESOURCE_MATCHES_ACTION, POLICY, _doc(_allow("s3:GetObjec?", queue)), name="p") == [
        (
            f"{WHERE}: {queue} is not of any resource type the statement's actions act on (s3:GetObjec?); it grants nothing.",
            None,
        )
    ]


def test_condition_keys_are_not_judged_for_not_action_or_a_malformed_block() -> None:
    not_action = {
        "Effect": "Allow",
        "NotAction": "s3:GetObject",
        "Resource": "*",
        "Condition": {"StringEquals": {"s3:NotAKey": "x"}},
    }
    malformed = _allow("s3:GetObject", BUCKET + "/*", Condition={"StringEquals": "s3:NotAKey"})
    assert run_resource(v.CONDITION_KEYS_VALID, POLICY, _doc(not_action, malformed), name="p") == []


def test_a_condition_key_any_action_takes_is_valid() -> None:
    statement = _allow(
        ["s3:ListAllMyBuckets", "kms:Decrypt"],
        "*",
        Condition={
            "StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com", "aws:SourceAccount": "111122223333"}
        },
    )
    assert run_resource(v.CONDITION_KEYS_VALID, POLICY, _doc(statement), name="p") == []


def test_a_single_character_wildcard_is_a_resource_star_can_match() -> None:
    # IAM compares the statement's Resource with "*" for these actions: the pattern "?" matches that one character.
    assert run_resource(v.UNSCOPABLE_ON_STAR, POLICY, _doc(_allow("s3:ListAllMyBuckets", "?")), name="p") == []


def test_each_resource_after_a_star_is_judged() -> None:
    found = run_resource(
        v.RESOURCE_MATCHES_ACTION, POLICY, _doc(_allow("logs:CreateLogGroup", ["*", BUCKET])), name="p"
    )
    assert found == [
        (
            f"{WHERE}: {BUCKET} is not of any resource type the statement's actions act on (logs:CreateLogGroup); it grants nothing.",
            None,
        )
    ]


BAD_KEY = {"StringEquals": {"s3:NotAKey": "x"}}


def _bad_key_message(statement: int) -> tuple[str, None]:
    return (
        f"p: identity policy statement {statement} (Allow): condition key 's3:NotAKey' (StringEquals) is neither global "
        "nor one that s3:GetObject take, so the condition is never true.",
        None,
    )


def test_condition_keys_of_a_statement_after_one_that_is_skipped() -> None:
    no_action = {"Effect": "Allow", "Resource": "*", "Condition": BAD_KEY}
    not_action = {"Effect": "Allow", "NotAction": "s3:GetObject", "Resource": "*", "Condition": BAD_KEY}
    judged = _allow("s3:GetObject", BUCKET + "/*", Condition=BAD_KEY)
    assert run_resource(v.CONDITION_KEYS_VALID, POLICY, _doc(no_action), name="p") == []
    assert run_resource(v.CONDITION_KEYS_VALID, POLICY, _doc(not_action, judged), name="p") == [_bad_key_message(2)]


def test_an_operator_after_one_that_tolerates_a_missing_key_is_judged() -> None:
    condition = {"StringEqualsIfExists": {"s3:AlsoNotAKey": "y"}, **BAD_KEY}
    statement = _allow("s3:GetObject", BUCKET + "/*", Condition=condition)
    assert run_resource(v.CONDITION_KEYS_VALID, POLICY, _doc(statement), name="p") == [_bad_key_message(1)]
