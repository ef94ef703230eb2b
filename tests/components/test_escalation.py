"""Escalation: encrypted topic to a human-review queue (raw delivery, own DLQ, topic-only policy)."""

from __future__ import annotations

import json

from tests.components.conftest import RunProgram, only, policy_of

PROGRAM = """
from components.kms import StackKey
from components.escalation import Escalation
key = StackKey("key", settings)
escalation = Escalation("escalation", settings, key=key)
role = aws.iam.Role("decider", assume_role_policy="{}")
escalation.grant_publish(role)
"""


def test_topic_queue_subscription(run_program: RunProgram) -> None:
    graph = run_program(PROGRAM)
    key_arn = only(graph, "aws:kms/key:Key").outputs["arn"]
    topic = only(graph, "aws:sns/topic:Topic")
    assert topic.inputs["kmsMasterKeyId"] == key_arn
    queues = {n.inputs["name"]: n for n in graph.of_type("aws:sqs/queue:Queue")}
    review = queues["agentic-platform-dev-escalation-review"]
    dlq = queues["agentic-platform-dev-escalation-review-dlq"]
    assert all(q.inputs["kmsMasterKeyId"] == key_arn for q in queues.values())
    assert json.loads(review.inputs["redrivePolicy"]) == {
        "deadLetterTargetArn": dlq.outputs["arn"],
        "maxReceiveCount": 5,
    }
    subscription = only(graph, "aws:sns/topicSubscription:TopicSubscription")
    assert subscription.inputs["protocol"] == "sqs"
    assert subscription.inputs["rawMessageDelivery"] is True
    assert subscription.inputs["endpoint"] == review.outputs["arn"]
    assert subscription.inputs["topic"] == topic.outputs["arn"]


def test_review_queue_accepts_only_this_topic_over_tls(run_program: RunProgram) -> None:
    graph = run_program(PROGRAM)
    topic_arn = only(graph, "aws:sns/topic:Topic").outputs["arn"]
    policy = next(n for n in graph.of_type("aws:sqs/queuePolicy:QueuePolicy") if n.name == "escalation-review-policy")
    statements = {s["Sid"]: s for s in policy_of(policy)["Statement"]}
    assert statements["DenyInsecureTransport"]["Effect"] == "Deny"
    deliver = statements["EscalationTopicDelivers"]
    assert deliver["Principal"] == {"Service": "sns.amazonaws.com"}
    assert deliver["Action"] == "sqs:SendMessage"
    assert deliver["Condition"] == {"ArnEquals": {"aws:SourceArn": topic_arn}}


def test_topic_policy_admits_no_service(run_program: RunProgram) -> None:
    """The topic carries only reviewers' notices: no AWS service (CloudWatch alarms included) may publish to it,
    only the roles given `grant_publish` (issue 12)."""
    graph = run_program(PROGRAM)
    topic_arn = only(graph, "aws:sns/topic:Topic").outputs["arn"]
    policy = only(graph, "aws:sns/topicPolicy:TopicPolicy")
    assert policy.inputs["arn"] == topic_arn
    [statement] = policy_of(policy)["Statement"]
    assert (statement["Sid"], statement["Effect"]) == ("DenyInsecureTransport", "Deny")


def test_grant_publish_is_exact(run_program: RunProgram) -> None:
    graph = run_program(PROGRAM)
    topic_arn = only(graph, "aws:sns/topic:Topic").outputs["arn"]
    key_arn = only(graph, "aws:kms/key:Key").outputs["arn"]
    grant = only(graph, "aws:iam/rolePolicy:RolePolicy")
    assert policy_of(grant)["Statement"] == [
        {"Effect": "Allow", "Action": ["sns:Publish"], "Resource": [topic_arn]},
        {"Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Resource": [key_arn]},
    ]


def test_layer_is_decisioning(run_program: RunProgram) -> None:
    from preflight.layers import layer_of  # noqa: PLC0415

    graph = run_program(PROGRAM)
    review = next(n for n in graph.of_type("aws:sqs/queue:Queue") if n.inputs["name"].endswith("-review"))
    assert layer_of(review, graph) == "Decisioning"
