"""resource-policy-not-public called directly: public writes on queues, topics, repositories and secrets,
public reads of secrets, and layers shared with every account; exact messages."""
# ruff: noqa: E501  (one case per line reads as a table)

from __future__ import annotations

import json
from typing import Any

import pytest
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from policies.rules import resource_policies as rp
from tests.policies.rules.calls import run_resource

QUEUE = "aws:sqs/queuePolicy:QueuePolicy"
SECRET = "aws:secretsmanager/secretPolicy:SecretPolicy"
ORG = {"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}}


def _doc(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def _public(action: Any, condition: dict[str, Any] | None = None, key: str = "Action") -> dict[str, Any]:
    statement: dict[str, Any] = {"Effect": "Allow", "Principal": "*", key: action, "Resource": "*"}
    if condition is not None:
        statement["Condition"] = condition
    return statement


def _message(actions: str) -> str:
    return f"r: the resource policy lets anyone (Principal '*') {actions} without a condition naming the caller."


@pytest.mark.parametrize(
    ("type_", "document", "messages"),
    [
        (QUEUE, _doc(_public("sqs:GetQueueAttributes")), []),
        (QUEUE, _doc(_public("sqs:SendMessage", ORG)), []),
        (QUEUE, _doc({**_public("sqs:SendMessage"), "Effect": "Deny"}), []),
        (QUEUE, _doc({**_public("sqs:SendMessage"), "Principal": {"AWS": "arn:aws:iam::123456789012:root"}}), []),
        (QUEUE, _doc(_public(["sqs:SendMessage", "sqs:GetQueueUrl", "sqs:DeleteMessage"])), [_message("sqs:DeleteMessage, sqs:SendMessage")]),
        (QUEUE, _doc(_public("sqs:*")), [_message("sqs:*")]),
        (QUEUE, _doc(_public("sqs:GetQueueUrl", key="NotAction")), [_message("NotAction")]),
        ("aws:sns/topic:Topic", _doc(_public("sns:Subscribe"), _public("sns:Publish")), [_message("sns:Subscribe"), _message("sns:Publish")]),
        (SECRET, _doc(_public("secretsmanager:GetSecretValue")), [_message("secretsmanager:GetSecretValue")]),
        ("aws:secretsmanager/secret:Secret", _doc(_public("secretsmanager:DescribeSecret")), [_message("secretsmanager:DescribeSecret")]),
        (SECRET, _doc(_public("secretsmanager:GetSecretValue", ORG)), []),
        (QUEUE, "", []),
    ],
    ids=["ok_public_read", "ok_org", "ok_deny", "ok_account", "bad1_writes_sorted", "bad2_star", "bad3_not_action", "bad4_each_statement", "bad5_secret_read", "bad6_secret_describe", "ok_secret_org", "ok_empty"],
)  # fmt: skip
def test_resource_policies(type_: str, document: str, messages: list[str]) -> None:
    assert run_resource(rp.NOT_PUBLIC, type_, {"policy": document}) == [(m, None) for m in messages]


LAYER_MESSAGE = "r: the layer version is shared with every AWS account (principal '*')."


@pytest.mark.parametrize(
    ("props", "flagged"),
    [
        ({"principal": "123456789012", "action": "lambda:GetLayerVersion"}, False),
        ({"principal": "*", "organizationId": "o-abc123"}, False),
        ({"principal": "*", "organizationId": UNKNOWN_STRING_VALUE}, False),
        ({"principal": "*"}, True),
        ({"principal": "*", "organizationId": ""}, True),
    ],
    ids=["ok_account", "ok_org", "ok_unknown_org", "bad1_everyone", "bad2_empty_org"],
)
def test_layer_permissions(props: dict[str, Any], flagged: bool) -> None:
    assert run_resource(rp.NOT_PUBLIC, rp.LAYER_PERMISSION, props) == ([(LAYER_MESSAGE, None)] if flagged else [])


def test_a_layer_permission_has_no_policy_document() -> None:
    props = {"principal": "123456789012", "policy": _doc(_public("sqs:SendMessage"))}
    assert run_resource(rp.NOT_PUBLIC, rp.LAYER_PERMISSION, props) == []
