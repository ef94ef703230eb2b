"""iam-no-data-read-on-wildcard and iam-reads-scoped called directly (review finding F18): a read on '*' is
allowed only for actions the Service Authorization Reference lists without a resource type; exact messages."""
# ruff: noqa: E501  (one case per line reads as a table)

from __future__ import annotations

import json
from typing import Any

import pytest

from policies import iam_reference
from policies.rules import iam
from tests.policies.rules.calls import run_resource

ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"


def _doc(actions: Any, resources: Any = "*", **extra: Any) -> dict[str, str]:
    statement = {"Effect": "Allow", "Action": actions, "Resource": resources, **extra}
    return {"policy": json.dumps({"Version": "2012-10-17", "Statement": [statement]})}


def _data(actions: str, on: str = "*") -> str:
    return f"r: policy reads data with {actions} on {on}; these actions take resource ARNs."


def _read(actions: str, on: str = "*") -> str:
    return f"r: policy reads with {actions} on {on}; these actions take resource ARNs."


@pytest.mark.parametrize(
    ("props", "data", "other"),
    [
        (_doc(["ec2:DescribeInstances", "xray:PutTraceSegments", "s3:ListAllMyBuckets", "dynamodb:ListTables"]), [], []),
        (_doc("ec2:Describe*"), [], []),
        (_doc(["s3:GetObject", "dynamodb:Query"], ["arn:aws:s3:::b/*", "arn:aws:dynamodb:us-east-1:123456789012:table/t"]), [], []),
        (_doc("secretsmanager:GetSecretValue", Effect="Deny"), [], []),
        (_doc("bedrock:InvokeModel"), [], []),  # iam-bedrock-invoke-scoped judges it
        (_doc("sqs:SendMessage"), [], []),  # a write: iam-no-wildcard-resource-for-writes judges it
        (_doc("kms:Decrypt"), [], []),  # Write in the SAR: the write rule's
        (_doc("s3:GetObject"), [_data("s3:GetObject")], []),
        (_doc(["dynamodb:Query", "dynamodb:Scan"]), [_data("dynamodb:Query, dynamodb:Scan")], []),
        (_doc("secretsmanager:GetSecretValue"), [_data("secretsmanager:GetSecretValue")], []),
        (_doc("kms:DescribeKey"), [], [_read("kms:DescribeKey")]),  # key metadata, not data
        (_doc("ssm:GetParameter"), [_data("ssm:GetParameter")], []),
        (_doc("sqs:ReceiveMessage"), [_data("sqs:ReceiveMessage")], []),
        (_doc("s3:Get*"), [_data("s3:Get*")], []),
        (_doc("s3:getobject", "arn:aws:s3:::*"), [_data("s3:getobject", "arn:aws:s3:::*")], []),
        (_doc(["lambda:Get*", "logs:Describe*"]), [], []),  # families holding unscopable actions need '*'
        (_doc("lambda:GetFunction*"), [], [_read("lambda:GetFunction*")]),
        (_doc("s3:List*"), [_data("s3:List*")], []),  # s3:ListBucket lists every key of every bucket
        (_doc(["lambda:GetFunction", "logs:DescribeLogStreams"]), [], [_read("lambda:GetFunction, logs:DescribeLogStreams")]),
        (_doc(["s3:GetObject", "states:DescribeExecution", "ec2:DescribeInstances"]), [_data("s3:GetObject")], [_read("states:DescribeExecution")]),
    ],
    ids=["ok_unscopable", "ok_unscopable_family", "ok_scoped", "ok_deny", "ok_bedrock_elsewhere", "ok_write_elsewhere", "ok_decrypt_elsewhere",
         "bad1_object", "bad2_table", "bad3_secret", "bad4_key_metadata", "bad5_parameter", "bad6_messages", "bad7_family", "bad8_arn_wildcard_any_case",
         "ok_mixed_families", "bad9_scopable_family", "bad10_data_family_with_unscopable", "bad11_metadata", "bad12_both"],
)  # fmt: skip
def test_wildcard_reads(props: dict[str, str], data: list[str], other: list[str]) -> None:
    assert run_resource(iam.NO_DATA_READ_ON_STAR, ROLE_POLICY, props) == [(m, None) for m in data]
    assert run_resource(iam.READS_SCOPED, ROLE_POLICY, props) == [(m, None) for m in other]


#: Review R7: reads that return stored data, each a data read on '*' (numbered Noncompliance cases).
R7_DATA_READS = (
    "bedrock:Retrieve",  # 1: every knowledge base's chunks
    "bedrock:GetAgentMemory",  # 2
    "bedrock-agentcore:GetMemoryRecord",  # 3
    "bedrock-agentcore:RetrieveMemoryRecords",  # 4
    "bedrock-agentcore:GetEvent",  # 5
    "bedrock-agentcore:ListEvents",  # 6
    "s3vectors:GetVectors",  # 7
    "s3vectors:QueryVectors",  # 8
    "logs:GetLogEvents",  # 9: the log lines of every group
    "logs:FilterLogEvents",  # 10
    "logs:GetLogRecord",  # 11
    "logs:StartLiveTail",  # 12
    "logs:StartQuery",  # 13
    "logs:GetQueryResults",  # 14
    "kinesis:GetRecords",  # 15
    "kinesis:SubscribeToShard",  # 16
    "kinesisvideo:GetMedia",  # 17
    "athena:GetQueryResults",  # 18
    "athena:GetQueryResultsStream",  # 19
    "glacier:GetJobOutput",  # 20
    "timestream:Select",  # 21
    "es:ESHttpGet",  # 22
)


@pytest.mark.parametrize("action", R7_DATA_READS)
def test_reads_of_stored_data_on_star_are_data_reads(action: str) -> None:
    assert run_resource(iam.NO_DATA_READ_ON_STAR, ROLE_POLICY, _doc(action)) == [(_data(action), None)]
    assert run_resource(iam.READS_SCOPED, ROLE_POLICY, _doc(action)) == []


def test_a_scoped_stored_data_read_passes() -> None:
    """Compliance: the knowledge base named."""
    kb = "arn:aws:bedrock:us-east-1:123456789012:knowledge-base/ABCDEFGHIJ"
    assert run_resource(iam.NO_DATA_READ_ON_STAR, ROLE_POLICY, _doc("bedrock:Retrieve", kb)) == []


def test_retrieve_and_generate_is_a_write_in_the_reference() -> None:
    """Not a data read: the SAR lists it as Write, so iam-no-wildcard-resource-for-writes judges it."""
    found = iam_reference.action("bedrock:RetrieveAndGenerate")
    assert found is not None and found.access_level == "Write"


def test_not_resource_reads_are_data_reads() -> None:
    """Noncompliance 13: NotResource reaches every resource but the ones named."""
    statement = {
        "Effect": "Allow",
        "Action": "secretsmanager:GetSecretValue",
        "NotResource": "arn:aws:secretsmanager:us-east-1:123456789012:secret:x",
    }
    props = {"policy": json.dumps({"Version": "2012-10-17", "Statement": [statement]})}
    assert run_resource(iam.NO_DATA_READ_ON_STAR, ROLE_POLICY, props) == [
        (_data("secretsmanager:GetSecretValue", "NotResource"), None)
    ]


def test_an_unscopable_action_is_decided_by_the_reference() -> None:
    assert iam.scopable_reads("ec2:DescribeInstances") == []
    assert iam.scopable_reads("s3:GetObject") == ["s3:GetObject"]
    assert iam.scopable_reads("s3:PutObject") == []  # a write
    assert iam.scopable_reads("nosuch:GetThing") == []


@pytest.mark.parametrize("pattern", iam.DATA_READS)
def test_every_data_read_is_a_scopable_read_in_the_reference(pattern: str) -> None:
    expanded = iam_reference.expand(pattern)
    assert expanded and all(a.is_read_only and a.scopable for a in expanded), pattern
