"""Storage: hardened output bucket and encrypted on-demand tables; the audit table is append-only."""

from __future__ import annotations

from components import platform, storage
from functions.shared import constants as c
from tests.components.conftest import RunProgram, only, policy_of

PROGRAM = """
from components.kms import StackKey
from components.storage import Storage
key = StackKey("key", settings)
storage = Storage("storage", settings, key=key)
role = aws.iam.Role("worker", assume_role_policy="{}")
storage.sessions.grant_read_write(role)
storage.cache.grant_read(role)
storage.audit.grant_write(role)
"""


def test_tables_dev(run_program: RunProgram) -> None:
    graph = run_program(PROGRAM)
    key_arn = only(graph, "aws:kms/key:Key").outputs["arn"]
    tables = {n.inputs["name"]: n for n in graph.of_type("aws:dynamodb/table:Table")}
    assert set(tables) == {
        "agentic-platform-dev-sessions",
        "agentic-platform-dev-response-cache",
        "agentic-platform-dev-audit",
    }
    for table in tables.values():
        assert table.inputs["billingMode"] == "PAY_PER_REQUEST"
        assert table.inputs["serverSideEncryption"] == {"enabled": True, "kmsKeyArn": key_arn}
        assert table.inputs["pointInTimeRecovery"] == {"enabled": False}
        assert table.inputs["deletionProtectionEnabled"] is False
    assert tables["agentic-platform-dev-sessions"].inputs["ttl"] == {"attributeName": "expires_at", "enabled": True}
    assert tables["agentic-platform-dev-response-cache"].inputs["ttl"] == {
        "attributeName": "expires_at",
        "enabled": True,
    }
    # Audit records expire after the retention the runtime writes into them (functions/shared/audit.py append_once).
    assert tables["agentic-platform-dev-audit"].inputs["ttl"] == {"attributeName": "expires_at", "enabled": True}


def test_default_tables_are_keyed_as_the_runtime_writes(run_program: RunProgram) -> None:
    """The default audit and cache tables have the keys functions/ read and write (functions/shared/constants.py).

    Audit finding (issue 9 §4): the default audit table was keyed `requestId`/`recordedAt` while decide writes
    `request_id`/`record`, so a `Storage(...)` without `tables` deployed a table every write to would fail.
    """
    graph = run_program(PROGRAM)
    tables = {n.inputs["name"]: n.inputs for n in graph.of_type("aws:dynamodb/table:Table")}
    audit = tables["agentic-platform-dev-audit"]
    assert (audit["hashKey"], audit["rangeKey"]) == (c.AUDIT_KEY_ATTR, c.AUDIT_SORT_ATTR)
    assert {a["name"] for a in audit["attributes"]} == {c.AUDIT_KEY_ATTR, c.AUDIT_SORT_ATTR}
    cache = tables["agentic-platform-dev-response-cache"]
    assert cache["hashKey"] == c.CACHE_KEY_ATTR
    assert "rangeKey" not in cache


def test_the_platform_deploys_the_storage_defaults() -> None:
    """One place decides the key names: the platform's audit and cache tables are the storage layer's defaults."""
    assert platform.AUDIT_TABLE is storage.AUDIT
    assert platform.CACHE_TABLE is storage.CACHE


def test_tables_prod_protected(run_program: RunProgram) -> None:
    graph = run_program(PROGRAM, stack="prod")
    for table in graph.of_type("aws:dynamodb/table:Table"):
        assert table.inputs["pointInTimeRecovery"] == {"enabled": True}
        assert table.inputs["deletionProtectionEnabled"] is True


def test_output_bucket_is_hardened(run_program: RunProgram) -> None:
    graph = run_program(PROGRAM)
    assert only(graph, "aws:s3/bucket:Bucket").inputs["bucketPrefix"] == "agentic-platform-dev-storage-outputs-"
    assert only(graph, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration")
    assert only(graph, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")


def test_table_grants_are_exact(run_program: RunProgram) -> None:
    graph = run_program(PROGRAM)
    arns = {
        n.inputs["name"].removeprefix("agentic-platform-dev-"): n.outputs["arn"]
        for n in graph.of_type("aws:dynamodb/table:Table")
    }
    key_arn = only(graph, "aws:kms/key:Key").outputs["arn"]
    policies = {n.name: policy_of(n)["Statement"] for n in graph.of_type("aws:iam/rolePolicy:RolePolicy")}
    assert policies["storage-audit-write-worker"] == [
        {"Effect": "Allow", "Action": ["dynamodb:PutItem"], "Resource": [arns["audit"]]},
        {
            "Effect": "Allow",
            "Action": ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey"],
            "Resource": [key_arn],
        },
    ]
    assert policies["storage-response-cache-read-worker"] == [
        {
            "Effect": "Allow",
            "Action": ["dynamodb:BatchGetItem", "dynamodb:ConditionCheckItem", "dynamodb:GetItem", "dynamodb:Query"],
            "Resource": [arns["response-cache"]],
        },
        {"Effect": "Allow", "Action": ["kms:Decrypt", "kms:DescribeKey"], "Resource": [key_arn]},
    ]
    session = policies["storage-sessions-read-write-worker"]
    assert session[1]["Action"] == [
        "dynamodb:BatchWriteItem",
        "dynamodb:DeleteItem",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
    ]
    assert all(s["Resource"] in ([arns["sessions"]], [key_arn]) for s in session)
    assert not any("dynamodb:Scan" in s["Action"] for p in policies.values() for s in p)
