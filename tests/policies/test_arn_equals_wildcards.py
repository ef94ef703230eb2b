"""Review R5: `ArnEquals` with wildcards is matched by IAM as `ArnLike`, so it narrows no more than `ArnLike`.

IAM User Guide, "IAM JSON policy elements: Condition operators", Amazon Resource Name (ARN) condition
operators: for `ArnEquals, ArnLike` "Each of the six colon-delimited components of the ARN is checked
separately and each can include multi-character match wildcards (*) or single-character match wildcards (?)"
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_ARN).
Each policy must flag exactly its numbered Noncompliance cases (`badN_*`) and none of its `ok_*` cases.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from iamlang.conditions import narrows_caller, value_narrows
from preflight.graph import ResourceGraph, ResourceNode
from tests.policies.conftest import flagged

ACCOUNT = "123456789012"
ANY_PRINCIPAL = {"ArnEquals": {"aws:PrincipalArn": "arn:aws:iam::*:*"}}
ANY_SOURCE = {"ArnEquals": {"aws:SourceArn": "arn:aws:*"}}
ONE_PRINCIPAL = {"ArnEquals": {"aws:PrincipalArn": f"arn:aws:iam::{ACCOUNT}:role/producer"}}
ONE_SOURCE = {"ArnEquals": {"aws:SourceArn": f"arn:aws:sns:us-east-1:{ACCOUNT}:alerts"}}


def _doc(statement: dict[str, Any], condition: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [{**statement, "Condition": condition}]})


def _node(name: str, type_: str, inputs: dict[str, Any]) -> ResourceNode:
    urn = f"urn:pulumi:dev::p::{type_}::{name}"
    return ResourceNode(
        urn=urn, type=type_, name=name, custom=True, parent="", provider="", inputs=inputs, outputs=inputs
    )


def _check(policy: str, cases: dict[str, ResourceNode]) -> None:
    found = flagged(ResourceGraph("p", "dev", list(cases.values())), policy)
    bad = {name for name in cases if name.startswith("bad")}
    assert found == bad, f"{policy}: flagged {sorted(found)}, expected {sorted(bad)}"


@pytest.mark.parametrize(
    ("operator", "key", "value", "narrows"),
    [
        ("ArnEquals", "aws:PrincipalArn", "arn:aws:iam::*:*", False),  # 1: any account's principal
        ("ArnEquals", "aws:SourceArn", "arn:aws:*", False),  # 2: any source
        ("ArnEquals", "aws:SourceArn", "arn:aws:sns:us-east-1:?????????????:alerts", False),  # 3: any account (?)
        ("ArnNotEquals", "aws:SourceArn", "arn:aws:*", False),  # 4: a negated operator never narrows positively
        ("ArnEquals", "aws:SourceArn", f"arn:aws:sns:us-east-1:{ACCOUNT}:alerts", True),  # good: exact ARN
    ],
)
def test_arn_equals_wildcards_narrow_like_arn_like(operator: str, key: str, value: str, narrows: bool) -> None:
    assert narrows_caller({operator: {key: value}}) is narrows
    if operator == "ArnEquals":
        assert value_narrows(operator, key, value) is value_narrows("ArnLike", key, value) is narrows


def test_public_resource_policies_with_a_wildcard_arn_equals() -> None:
    put = {"Effect": "Allow", "Principal": "*", "Action": "events:PutEvents", "Resource": "*"}
    send = {"Effect": "Allow", "Principal": "*", "Action": "sqs:SendMessage", "Resource": "*"}
    publish = {"Effect": "Allow", "Principal": "*", "Action": "sns:Publish", "Resource": "*"}
    bus, queue, topic = (
        "aws:cloudwatch/eventBusPolicy:EventBusPolicy",
        "aws:sqs/queuePolicy:QueuePolicy",
        "aws:sns/topicPolicy:TopicPolicy",
    )
    _check(
        "resource-policy-not-public",
        {
            # Noncompliance 1: a public event bus (the review's prog-arneq3)
            "bad1_bus": _node("bad1_bus", bus, {"eventBusName": "b", "policy": _doc(put, ANY_PRINCIPAL)}),
            # Noncompliance 2: an SQS policy with any source (prog-arneq `qp`)
            "bad2_queue": _node("bad2_queue", queue, {"queueUrl": "q", "policy": _doc(send, ANY_SOURCE)}),
            # Noncompliance 3: an SNS policy with any source (prog-arneq `tp`)
            "bad3_topic": _node("bad3_topic", topic, {"arn": "t", "policy": _doc(publish, ANY_SOURCE)}),
            # Compliance: exact ARNs
            "ok_bus": _node("ok_bus", bus, {"eventBusName": "b", "policy": _doc(put, ONE_PRINCIPAL)}),
            "ok_queue": _node("ok_queue", queue, {"queueUrl": "q", "policy": _doc(send, ONE_SOURCE)}),
        },
    )


def test_public_trust_with_a_wildcard_arn_equals() -> None:
    assume = {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}
    states = {"Effect": "Allow", "Principal": {"Service": "states.amazonaws.com"}, "Action": "sts:AssumeRole"}
    role = "aws:iam/role:Role"
    _check(
        "iam-trust-not-public",
        {
            # Noncompliance 1: anyone, "narrowed" to any principal ARN
            "bad1_trust": _node("bad1_trust", role, {"assumeRolePolicy": _doc(assume, ANY_PRINCIPAL)}),
            # Compliance: one principal ARN
            "ok_trust": _node("ok_trust", role, {"assumeRolePolicy": _doc(assume, ONE_PRINCIPAL)}),
        },
    )
    state_machine = f"arn:aws:states:us-east-1:{ACCOUNT}:stateMachine:flow"
    _check(
        "iam-service-trust-conditioned",
        {
            # Noncompliance 1: a service trust whose source is any ARN
            "bad1_any_source": _node("bad1_any_source", role, {"assumeRolePolicy": _doc(states, ANY_SOURCE)}),
            # Compliance: one state machine
            "ok_source": _node(
                "ok_source",
                role,
                {"assumeRolePolicy": _doc(states, {"ArnEquals": {"aws:SourceArn": state_machine}})},
            ),
        },
    )
