"""DeadLetterQueue: stack key, 14-day retention, TLS-only policy, exact grants."""

from __future__ import annotations

import json

from tests.components.conftest import RunProgram, only, policy_of

PROGRAM = """
from components.kms import StackKey
from components.logs import EncryptedLogGroup
from components.queues import DeadLetterQueue
key = StackKey("key", settings)
EncryptedLogGroup("ingest", settings, key=key)
EncryptedLogGroup("fn", settings, key=key, log_group_name="/aws/lambda/agentic-platform-dev-fn", retention_days=30)
dlq = DeadLetterQueue("ingest-dlq", settings, key=key)
role = aws.iam.Role("worker", assume_role_policy="{}")
dlq.grant_send(role)
dlq.grant_consume(role)
"""


def test_dead_letter_queue(run_program: RunProgram) -> None:
    graph = run_program(PROGRAM)
    key_arn = only(graph, "aws:kms/key:Key").outputs["arn"]
    queue = only(graph, "aws:sqs/queue:Queue")
    assert queue.inputs["name"] == "agentic-platform-dev-ingest-dlq"
    assert queue.inputs["kmsMasterKeyId"] == key_arn
    assert queue.inputs["kmsDataKeyReusePeriodSeconds"] >= 300
    assert queue.inputs["messageRetentionSeconds"] == 14 * 24 * 3600
    assert graph.get(queue.parent).type == "agentic:function:DeadLetterQueue"  # type: ignore[union-attr]
    policy = policy_of(only(graph, "aws:sqs/queuePolicy:QueuePolicy"))
    assert policy["Statement"] == [
        {
            "Sid": "DenyInsecureTransport",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "sqs:*",
            "Resource": queue.outputs["arn"],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        }
    ]


def test_queue_grants_are_exact(run_program: RunProgram) -> None:
    graph = run_program(PROGRAM)
    arn = only(graph, "aws:sqs/queue:Queue").outputs["arn"]
    key_arn = only(graph, "aws:kms/key:Key").outputs["arn"]
    policies = {
        n.name: json.loads(n.inputs["policy"])["Statement"] for n in graph.of_type("aws:iam/rolePolicy:RolePolicy")
    }
    assert policies["ingest-dlq-send-worker"] == [
        {
            "Effect": "Allow",
            "Action": ["sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:SendMessage"],
            "Resource": [arn],
        },
        {"Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Resource": [key_arn]},
    ]
    assert policies["ingest-dlq-consume-worker"] == [
        {
            "Effect": "Allow",
            "Action": [
                "sqs:ChangeMessageVisibility",
                "sqs:DeleteMessage",
                "sqs:GetQueueAttributes",
                "sqs:GetQueueUrl",
                "sqs:ReceiveMessage",
            ],
            "Resource": [arn],
        },
        {"Effect": "Allow", "Action": ["kms:Decrypt"], "Resource": [key_arn]},
    ]
