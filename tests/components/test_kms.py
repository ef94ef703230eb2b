"""StackKey: one rotated customer-managed key per stack with an explicit least-privilege policy."""

from __future__ import annotations

from typing import Any

from components.kms import DEFAULT_SERVICES, key_policy_statements
from tests.components.conftest import RunProgram, only, policy_of

PROGRAM = """
from components.kms import StackKey
key = StackKey("key", settings)
role = aws.iam.Role("worker", assume_role_policy="{}")
key.grant_encrypt_decrypt(role)
"""


def _by_sid(policy: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {s["Sid"]: s for s in policy["Statement"]}


def test_dev_key_rotates_with_short_deletion_window(run_program: RunProgram) -> None:
    graph = run_program(PROGRAM)
    key = only(graph, "aws:kms/key:Key")
    assert key.inputs["enableKeyRotation"] is True
    assert key.inputs["deletionWindowInDays"] == 7
    assert key.inputs["customerMasterKeySpec"] == "SYMMETRIC_DEFAULT"
    assert only(graph, "aws:kms/alias:Alias").inputs["name"] == "alias/agentic-platform-dev-key"
    assert len(graph.of_type("aws:kms/key:Key")) == 1  # one key per stack (1 USD/month each)


def test_prod_key_has_30_day_deletion_window(run_program: RunProgram) -> None:
    key = only(run_program(PROGRAM, stack="prod"), "aws:kms/key:Key")
    assert key.inputs["deletionWindowInDays"] == 30


def test_key_policy_root_and_conditioned_services(run_program: RunProgram) -> None:
    policy = policy_of(only(run_program(PROGRAM), "aws:kms/key:Key"))
    sids = _by_sid(policy)
    assert sids["AccountRootAdministers"]["Principal"] == {"AWS": "arn:aws:iam::123456789012:root"}
    logs = sids["ServiceLogs"]
    assert logs["Principal"] == {"Service": "logs.us-east-1.amazonaws.com"}
    assert logs["Condition"] == {
        "ArnLike": {"kms:EncryptionContext:aws:logs:arn": "arn:aws:logs:us-east-1:123456789012:log-group:*"}
    }
    trail = sids["ServiceCloudtrailEncrypt"]["Condition"]
    assert trail["StringEquals"] == {
        "aws:SourceArn": "arn:aws:cloudtrail:us-east-1:123456789012:trail/agentic-platform-dev-trail"
    }
    assert trail["StringLike"] == {
        "kms:EncryptionContext:aws:cloudtrail:arn": "arn:aws:cloudtrail:*:123456789012:trail/*"
    }
    for sid, statement in sids.items():
        if sid == "AccountRootAdministers":
            continue
        assert "Condition" in statement, sid  # no service may use the key unconditionally
        actions = statement["Action"]
        assert all("*" not in a for a in actions), sid
        assert not {"kms:PutKeyPolicy", "kms:ScheduleKeyDeletion", "kms:CreateGrant"} & set(actions)
        documented_forms = (
            "ServiceLogs",
            "ServiceIndexingS3vectors",
            "ServiceDeliveryLogs",
            "ServiceDeliveryLogsToS3",
            "ServiceEventsBusAndArchive",
        )
        if sid.startswith("Service") and sid not in documented_forms and "Cloudtrail" not in sid:
            assert statement["Condition"] == {"StringEquals": {"aws:SourceAccount": "123456789012"}}


def test_key_policy_grants_what_each_service_page_lists(run_program: RunProgram) -> None:
    """S3 Vectors indexing, Step Functions log delivery and EventBridge archives (issue 9, section 4)."""
    sids = _by_sid(policy_of(only(run_program(PROGRAM), "aws:kms/key:Key")))
    vectors = sids["ServiceIndexingS3vectors"]
    assert vectors["Principal"] == {"Service": "indexing.s3vectors.amazonaws.com"}
    assert vectors["Action"] == ["kms:Decrypt"]
    assert vectors["Condition"] == {
        "StringEquals": {"aws:SourceAccount": "123456789012"},
        "ArnLike": {"aws:SourceArn": "arn:aws:s3vectors:us-east-1:123456789012:bucket/*"},
        "ForAnyValue:StringEquals": {"kms:EncryptionContextKeys": ["aws:s3vectors:arn", "aws:s3vectors:resource-id"]},
    }
    delivery = sids["ServiceDeliveryLogs"]
    assert delivery["Principal"] == {"Service": "delivery.logs.amazonaws.com"}
    assert set(delivery["Action"]) == {"kms:Decrypt", "kms:GenerateDataKey"}
    assert delivery["Condition"] == {
        "StringLike": {"kms:EncryptionContext:SourceArn": "arn:aws:logs:us-east-1:123456789012:*"}
    }
    # CloudFront standard logging v2 into the SSE-KMS edge log bucket ("Logs sent to Amazon S3", SSE-KMS).
    to_s3 = sids["ServiceDeliveryLogsToS3"]
    assert to_s3["Principal"] == {"Service": "delivery.logs.amazonaws.com"}
    assert {"kms:GenerateDataKey", "kms:Decrypt"} <= set(to_s3["Action"])
    assert to_s3["Condition"] == {
        "StringEquals": {"aws:SourceAccount": "123456789012"},
        "ArnLike": {"aws:SourceArn": "arn:aws:logs:us-east-1:123456789012:delivery-source:*"},
    }
    archive = sids["ServiceEventsBusAndArchive"]
    assert archive["Principal"] == {"Service": "events.amazonaws.com"}
    assert {"kms:ReEncryptFrom", "kms:ReEncryptTo", "kms:Decrypt", "kms:GenerateDataKey"} <= set(archive["Action"])
    assert archive["Condition"] == {
        "ArnLike": {
            "kms:EncryptionContext:aws:events:event-bus:arn": "arn:aws:events:us-east-1:123456789012:event-bus/*"
        }
    }
    assert "kms:DescribeKey" in sids["ServiceEvents"]["Action"]


def test_prod_key_policy_omits_singletons_it_does_not_own(run_program: RunProgram) -> None:
    sids = _by_sid(policy_of(only(run_program(PROGRAM, stack="prod"), "aws:kms/key:Key")))
    assert not any("Cloudtrail" in s or s == "ServiceConfig" for s in sids)
    assert "ServiceLogs" in sids


def test_grant_encrypt_decrypt_is_scoped_to_the_key(run_program: RunProgram) -> None:
    graph = run_program(PROGRAM)
    key = only(graph, "aws:kms/key:Key")
    grant = only(graph, "aws:iam/rolePolicy:RolePolicy")
    assert grant.name == "key-use-worker"
    assert policy_of(grant)["Statement"] == [
        {
            "Effect": "Allow",
            "Action": ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey"],
            "Resource": [key.outputs["arn"]],
        }
    ]


def test_key_policy_statements_pure() -> None:
    statements = key_policy_statements(
        DEFAULT_SERVICES, account_id="111122223333", region="eu-west-1", partition="aws", trail_arn=None
    )
    sids = [s["Sid"] for s in statements]
    assert sids[0] == "AccountRootAdministers"
    assert "ServiceLoggingS3" in sids
    assert not any("Cloudtrail" in s for s in sids)  # no trail ARN, no CloudTrail access
    logs = next(s for s in statements if s["Sid"] == "ServiceLogs")
    assert logs["Principal"] == {"Service": "logs.eu-west-1.amazonaws.com"}
    assert len(sids) == len(set(sids))
