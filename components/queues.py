"""Encrypted messaging: SQS dead-letter and work queues (P179), and SNS topics.

Every queue is encrypted with the stack key (P141) with a 300 s data-key reuse period (fewer KMS
calls, so cheaper; SQS allows 60-86400 s, botocore sqs `KmsDataKeyReusePeriodSeconds`), and its policy
denies any request made without TLS. A queue policy is one resource per queue, so statements for
producers (EventBridge rules, SNS topics) are passed in at construction (`extra_policy_statements`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pulumi
import pulumi_aws as aws

from components import iam
from components.kms import StackKey
from components.settings import PlatformSettings

#: 14 days, the SQS maximum (MessageRetentionPeriod 60-1209600 s, botocore sqs SetQueueAttributes doc).
MAX_RETENTION_SECONDS = 1_209_600
DATA_KEY_REUSE_SECONDS = 300

SEND_ACTIONS = ("sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:SendMessage")
CONSUME_ACTIONS = (
    "sqs:ChangeMessageVisibility",
    "sqs:DeleteMessage",
    "sqs:GetQueueAttributes",
    "sqs:GetQueueUrl",
    "sqs:ReceiveMessage",
)
#: Sending to an SSE-KMS queue needs GenerateDataKey and Decrypt; receiving needs Decrypt
#: (docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html).
KMS_SEND_ACTIONS = ("kms:Decrypt", "kms:GenerateDataKey")
KMS_CONSUME_ACTIONS = ("kms:Decrypt",)


def tls_only_queue_statement(queue_arn: pulumi.Input[str]) -> dict[str, Any]:
    """Deny every SQS action on the queue over plain HTTP (P141)."""
    return {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "sqs:*",
        "Resource": queue_arn,
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }


def encrypted_queue(
    name: str,
    settings: PlatformSettings,
    *,
    key: StackKey,
    parent: pulumi.Resource,
    retention_seconds: int = MAX_RETENTION_SECONDS,
    visibility_timeout_seconds: int = 30,
    dead_letter_arn: pulumi.Input[str] | None = None,
    max_receive_count: int = 5,
    extra_policy_statements: Sequence[Mapping[str, Any]] = (),
    extra_policy_statements_for: Callable[[pulumi.Output[str]], Sequence[Mapping[str, Any]]] | None = None,
) -> tuple[aws.sqs.Queue, aws.sqs.QueuePolicy]:
    """An SSE-KMS queue and its TLS-only policy, as children of `parent`.

    `extra_policy_statements_for` receives the queue's ARN, for producer statements naming it.
    """
    if not 60 <= retention_seconds <= MAX_RETENTION_SECONDS:
        raise ValueError("retention_seconds must be between 60 and 1209600 (SQS limits)")
    redrive = (
        pulumi.Output.from_input(dead_letter_arn).apply(
            lambda arn: json.dumps({"deadLetterTargetArn": arn, "maxReceiveCount": max_receive_count})
        )
        if dead_letter_arn is not None
        else None
    )
    queue = aws.sqs.Queue(
        name,
        name=settings.name(name),
        kms_master_key_id=key.arn,
        kms_data_key_reuse_period_seconds=DATA_KEY_REUSE_SECONDS,
        message_retention_seconds=retention_seconds,
        visibility_timeout_seconds=visibility_timeout_seconds,
        redrive_policy=redrive,
        opts=pulumi.ResourceOptions(parent=parent),
    )
    statements: list[Mapping[str, Any]] = [tls_only_queue_statement(queue.arn), *extra_policy_statements]
    if extra_policy_statements_for is not None:
        statements.extend(extra_policy_statements_for(queue.arn))
    policy = aws.sqs.QueuePolicy(
        f"{name}-policy",
        queue_url=queue.url,
        policy=pulumi.Output.json_dumps({"Version": iam.POLICY_VERSION, "Statement": statements}),
        opts=pulumi.ResourceOptions(parent=parent),
    )
    return queue, policy


class _QueueGrants:
    """Grant methods shared by queue components (needs `_name`, `_key`, `arn`)."""

    _name: str
    _key: StackKey
    arn: pulumi.Output[str]

    def send_statements(self) -> list[dict[str, Any]]:
        return [iam.statement(SEND_ACTIONS, [self.arn]), iam.statement(KMS_SEND_ACTIONS, [self._key.arn])]

    def consume_statements(self) -> list[dict[str, Any]]:
        return [iam.statement(CONSUME_ACTIONS, [self.arn]), iam.statement(KMS_CONSUME_ACTIONS, [self._key.arn])]

    def grant_send(self, role: iam.RoleRef, *, name: str | None = None) -> aws.iam.RolePolicy:
        """Let `role` send messages to this queue (and encrypt them with the stack key)."""
        key = iam.role_key(role, name)
        return iam.role_policy(role, f"{self._name}-send-{key}", self.send_statements(), parent=self._parent())

    def grant_consume(self, role: iam.RoleRef, *, name: str | None = None) -> aws.iam.RolePolicy:
        """Let `role` receive and delete messages (an SQS event source mapping needs exactly these)."""
        key = iam.role_key(role, name)
        return iam.role_policy(role, f"{self._name}-consume-{key}", self.consume_statements(), parent=self._parent())

    def _parent(self) -> pulumi.Resource:
        assert isinstance(self, pulumi.Resource)
        return self


class DeadLetterQueue(_QueueGrants, pulumi.ComponentResource):
    """An encrypted dead-letter queue keeping failed messages for 14 days (P179).

    Examples
    --------
    >>> dlq = DeadLetterQueue("ingest-dlq", settings, key=key)
    >>> dlq.grant_send(function_role)
    """

    queue: aws.sqs.Queue
    policy: aws.sqs.QueuePolicy
    arn: pulumi.Output[str]
    url: pulumi.Output[str]
    name: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        settings: PlatformSettings,
        *,
        key: StackKey,
        extra_policy_statements: Sequence[Mapping[str, Any]] = (),
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("agentic:function:DeadLetterQueue", name, None, opts)
        self._name = name
        self._key = key
        self.queue, self.policy = encrypted_queue(
            name, settings, key=key, parent=self, extra_policy_statements=extra_policy_statements
        )
        self.arn = self.queue.arn
        self.url = self.queue.url
        self.name = self.queue.name
        self.register_outputs({"arn": self.arn, "url": self.url})


def tls_only_topic_statement(topic_arn: pulumi.Input[str]) -> dict[str, Any]:
    """Deny publishing to the topic over plain HTTP (P141)."""
    return {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "SNS:Publish",
        "Resource": topic_arn,
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }


def service_publish_statement(
    service: str, topic_arn: pulumi.Input[str], account_id: pulumi.Input[str], source_arn: pulumi.Input[str] | None
) -> dict[str, Any]:
    """Allow an AWS service to publish, only on behalf of this account (and source, when known)."""
    condition: dict[str, Any] = {"StringEquals": {"aws:SourceAccount": account_id}}
    if source_arn is not None:
        condition["ArnLike"] = {"aws:SourceArn": source_arn}
    return {
        "Sid": "Publish" + "".join(p.capitalize() for p in service.split(".", maxsplit=1)[0].split("-")),
        "Effect": "Allow",
        "Principal": {"Service": service},
        "Action": "SNS:Publish",
        "Resource": topic_arn,
        "Condition": condition,
    }


def encrypted_topic(
    name: str,
    settings: PlatformSettings,
    *,
    key: StackKey,
    parent: pulumi.Resource,
    publishers: Sequence[tuple[str, pulumi.Input[str] | None]] = (),
) -> tuple[aws.sns.Topic, aws.sns.TopicPolicy]:
    """An SNS topic encrypted with the stack key, whose policy is TLS-only and names its publishers.

    `publishers` are `(service principal, source ARN or None)` pairs, e.g.
    `("budgets.amazonaws.com", None)` or `("events.amazonaws.com", rule_arn)`.
    """
    topic = aws.sns.Topic(
        name,
        name=settings.name(name),
        kms_master_key_id=key.arn,
        opts=pulumi.ResourceOptions(parent=parent),
    )
    account_id = aws.get_caller_identity_output().account_id
    statements = [tls_only_topic_statement(topic.arn)]
    for index, (service, source_arn) in enumerate(publishers):
        statement = service_publish_statement(service, topic.arn, account_id, source_arn)
        statement["Sid"] += str(index)  # SNS wants unique statement ids
        statements.append(statement)
    policy = aws.sns.TopicPolicy(
        f"{name}-policy",
        arn=topic.arn,
        policy=pulumi.Output.json_dumps({"Version": iam.POLICY_VERSION, "Statement": statements}),
        opts=pulumi.ResourceOptions(parent=parent),
    )
    return topic, policy
