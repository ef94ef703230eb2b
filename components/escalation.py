"""Escalation: hand low-confidence or policy-violating decisions to people (P104, P128, P189).

An encrypted SNS topic fans escalations out; a human-review SQS queue subscribed with raw message
delivery keeps them (14 days) until a reviewer takes them, with its own dead-letter queue for
messages that repeatedly fail processing (P179). The queue accepts messages from this topic only
(`aws:SourceArn`), and only over TLS (P141).

The topic carries one message shape, the reviewers' notice (`functions.shared.review.ReviewNotice`), so its
policy admits no AWS service: only the platform's own roles publish, through identity policies
(`grant_publish`: decide's role; `Workflow.grant_publish`: the state machine's role). CloudWatch alarms go
to the operators' alert topic (components/governance.py `ALERT_PUBLISHERS`), never here (issue 12).
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_aws as aws

from components import iam
from components.kms import StackKey
from components.queues import (
    CONSUME_ACTIONS,
    KMS_CONSUME_ACTIONS,
    KMS_SEND_ACTIONS,
    DeadLetterQueue,
    encrypted_queue,
    encrypted_topic,
)
from components.settings import PlatformSettings

#: Reviewers get 5 minutes per message before it becomes visible again.
REVIEW_VISIBILITY_SECONDS = 300
MAX_REVIEW_ATTEMPTS = 5


def from_topic_statement(queue_arn: pulumi.Input[str], topic_arn: pulumi.Input[str]) -> dict[str, Any]:
    """SNS may deliver into the queue from this one topic only (confused-deputy guard)."""
    return {
        "Sid": "EscalationTopicDelivers",
        "Effect": "Allow",
        "Principal": {"Service": "sns.amazonaws.com"},
        "Action": "sqs:SendMessage",
        "Resource": queue_arn,
        "Condition": {"ArnEquals": {"aws:SourceArn": topic_arn}},
    }


class Escalation(pulumi.ComponentResource):
    """Escalation topic plus the human-review queue subscribed to it.

    Examples
    --------
    >>> escalation = Escalation("escalation", settings, key=key)
    >>> escalation.grant_publish(decision_function.role)
    """

    topic: aws.sns.Topic
    review_queue: aws.sqs.Queue
    dead_letter_queue: DeadLetterQueue

    def __init__(
        self,
        name: str,
        settings: PlatformSettings,
        *,
        key: StackKey,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("agentic:escalation:Escalation", name, None, opts)
        self._name = name
        self._key = key
        # No service publishers (least privilege): a service's message would not be a ReviewNotice.
        self.topic, self.topic_policy = encrypted_topic(f"{name}-topic", settings, key=key, parent=self)
        self.dead_letter_queue = DeadLetterQueue(
            f"{name}-review-dlq", settings, key=key, opts=pulumi.ResourceOptions(parent=self)
        )
        topic_arn = self.topic.arn
        self.review_queue, self.review_queue_policy = encrypted_queue(
            f"{name}-review",
            settings,
            key=key,
            parent=self,
            visibility_timeout_seconds=REVIEW_VISIBILITY_SECONDS,
            dead_letter_arn=self.dead_letter_queue.arn,
            max_receive_count=MAX_REVIEW_ATTEMPTS,
            extra_policy_statements_for=lambda queue_arn: [from_topic_statement(queue_arn, topic_arn)],
        )
        self.subscription = aws.sns.TopicSubscription(
            f"{name}-review-subscription",
            topic=topic_arn,
            protocol="sqs",
            endpoint=self.review_queue.arn,
            raw_message_delivery=True,  # reviewers get the decision JSON as published
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.review_queue_policy]),
        )
        self.topic_arn: pulumi.Output[str] = topic_arn
        self.review_queue_arn: pulumi.Output[str] = self.review_queue.arn
        self.review_queue_url: pulumi.Output[str] = self.review_queue.url
        self.register_outputs(
            {
                "topic_arn": self.topic_arn,
                "review_queue_url": self.review_queue_url,
                "dead_letter_queue_url": self.dead_letter_queue.url,
            }
        )

    def publish_statements(self) -> list[dict[str, Any]]:
        return [iam.statement(["sns:Publish"], [self.topic.arn]), iam.statement(KMS_SEND_ACTIONS, [self._key.arn])]

    def grant_publish(self, role: iam.RoleRef, *, name: str | None = None) -> aws.iam.RolePolicy:
        """Let `role` publish escalations (and encrypt them with the stack key)."""
        token = iam.role_key(role, name)
        return iam.role_policy(role, f"{self._name}-publish-{token}", self.publish_statements(), parent=self)

    def grant_consume(self, role: iam.RoleRef, *, name: str | None = None) -> aws.iam.RolePolicy:
        """Let a reviewer tool receive and delete review messages."""
        token = iam.role_key(role, name)
        statements = [
            iam.statement(CONSUME_ACTIONS, [self.review_queue.arn]),
            iam.statement(KMS_CONSUME_ACTIONS, [self._key.arn]),
        ]
        return iam.role_policy(role, f"{self._name}-consume-{token}", statements, parent=self)
