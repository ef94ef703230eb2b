"""EncryptedLogGroup: the stack key and the stack's retention."""

from __future__ import annotations

import pytest

from preflight.errors import ProgramError
from tests.components.conftest import RunProgram, only

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


def test_log_groups_are_encrypted_with_stack_retention(run_program: RunProgram) -> None:
    graph = run_program(PROGRAM)
    key_arn = only(graph, "aws:kms/key:Key").outputs["arn"]
    groups = {n.name: n for n in graph.of_type("aws:cloudwatch/logGroup:LogGroup")}
    assert groups["ingest"].inputs["name"] == "/agentic-platform/dev/ingest"
    assert groups["ingest"].inputs["retentionInDays"] == 14  # Pulumi.dev.yaml logRetentionDays
    assert groups["fn"].inputs["name"] == "/aws/lambda/agentic-platform-dev-fn"
    assert groups["fn"].inputs["retentionInDays"] == 30
    assert all(g.inputs["kmsKeyId"] == key_arn for g in groups.values())


def test_prod_log_retention(run_program: RunProgram) -> None:
    graph = run_program(PROGRAM, stack="prod")
    assert {n.inputs["retentionInDays"] for n in graph.of_type("aws:cloudwatch/logGroup:LogGroup")} == {365, 30}


def test_invalid_retention_rejected(run_program: RunProgram) -> None:
    with pytest.raises(ProgramError, match="retention"):
        run_program(
            """
            from components.kms import StackKey
            from components.logs import EncryptedLogGroup
            EncryptedLogGroup("x", settings, key=StackKey("key", settings), retention_days=13)
            """
        )
