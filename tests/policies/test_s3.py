"""S3 bucket policies (joined through the separate pulumi-aws 7 bucket resources): good and bad cases."""
# ruff: noqa: E501  (the embedded Pulumi programs keep one resource per line)

from __future__ import annotations

import pytest

from preflight.graph import ResourceGraph
from tests.policies.conftest import flagged, synth

PROGRAM = """
key = aws.kms.Key("key", enable_key_rotation=True)

def tls_policy(bucket):
    return aws.s3.BucketPolicy(f"{bucket._name}_policy", bucket=bucket.id, policy=bucket.arn.apply(lambda arn: json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": [arn, arn + "/*"],
                       "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]})))

def secure(bucket, versioned=True):
    aws.s3.BucketPublicAccessBlock(f"{bucket._name}_pab", bucket=bucket.id, block_public_acls=True,
        block_public_policy=True, ignore_public_acls=True, restrict_public_buckets=True)
    aws.s3.BucketServerSideEncryptionConfiguration(f"{bucket._name}_sse", bucket=bucket.id, rules=[{
        "apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms", "kms_master_key_id": key.arn},
        "bucket_key_enabled": True}])
    if versioned:
        aws.s3.BucketVersioning(f"{bucket._name}_versioning", bucket=bucket.id,
            versioning_configuration={"status": "Enabled"})
    tls_policy(bucket)

good = aws.s3.Bucket("good_data")
secure(good)
logs = aws.s3.Bucket("trail-logs")
secure(logs, versioned=False)
aws.s3.BucketLifecycleConfiguration("trail_logs_lifecycle", bucket=logs.id,
    rules=[{"id": "expire", "status": "Enabled", "expiration": {"days": 90}}])
aws.cloudtrail.Trail("trail", s3_bucket_name=logs.bucket, enable_log_file_validation=True,
    is_multi_region_trail=True, kms_key_id=key.arn)

bare = aws.s3.Bucket("bad_bare")

partial = aws.s3.Bucket("bad_partial")
aws.s3.BucketPublicAccessBlock("bad_partial_pab", bucket=partial.id, block_public_acls=True,
    block_public_policy=False, ignore_public_acls=True, restrict_public_buckets=True)
aws.s3.BucketServerSideEncryptionConfiguration("bad_partial_sse", bucket=partial.id, rules=[{
    "apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}}])
aws.s3.BucketVersioning("bad_partial_versioning", bucket=partial.id, versioning_configuration={"status": "Suspended"})
aws.s3.BucketPolicy("bad_partial_policy", bucket=partial.id, policy=json.dumps({"Statement": [
    {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::bad-partial/*"}]}))

old_style = aws.s3.BucketV2("bad_v2_public_acl", acl="public-read")
aws.s3.BucketAcl("bad_acl_grant", bucket=good.id, access_control_policy={
    "owner": {"id": "owner"},
    "grants": [{"permission": "READ", "grantee": {"type": "Group",
                                                   "uri": "http://acs.amazonaws.com/groups/global/AllUsers"}}]})
aws.s3.BucketAcl("good_acl_private", bucket=good.id, acl="private")
"""

CASES = [
    ("s3-public-access-blocked", {"bad_bare", "bad_partial", "bad_v2_public_acl"}, {"good_data", "trail-logs"}),
    ("s3-no-public-acl", {"bad_v2_public_acl", "bad_acl_grant"}, {"good_data", "good_acl_private"}),
    ("s3-no-public-policy", {"bad_partial_policy"}, {"good_data_policy", "trail-logs_policy"}),
    ("s3-tls-only", {"bad_bare", "bad_partial", "bad_v2_public_acl"}, {"good_data", "trail-logs"}),
    ("s3-bucket-kms-encryption", {"bad_bare", "bad_partial", "bad_v2_public_acl"}, {"good_data", "trail-logs"}),
    ("s3-data-bucket-versioning", {"bad_bare", "bad_partial", "bad_v2_public_acl"}, {"good_data", "trail-logs"}),
    ("log-bucket-lifecycle", set(), {"trail-logs", "good_data", "bad_bare"}),
]


@pytest.fixture(scope="module")
def graph(tmp_path_factory: pytest.TempPathFactory) -> ResourceGraph:
    return synth(tmp_path_factory.mktemp("s3"), PROGRAM)


@pytest.mark.parametrize(("policy", "bad", "good"), CASES, ids=[c[0] for c in CASES])
def test_policy(graph: ResourceGraph, policy: str, bad: set[str], good: set[str]) -> None:
    found = flagged(graph, policy)
    assert found == bad, f"{policy}: flagged {sorted(found)}, expected {sorted(bad)}"
    assert not good & found


def test_log_bucket_without_lifecycle(tmp_path_factory: pytest.TempPathFactory) -> None:
    graph = synth(
        tmp_path_factory.mktemp("s3logs"),
        """
        target = aws.s3.Bucket("bad_access_target")
        aws.s3.BucketLogging("logging", bucket=aws.s3.Bucket("data").id, target_bucket=target.id,
                             target_prefix="x/")
        expiring = aws.s3.Bucket("good_logs")
        aws.s3.BucketLifecycleConfiguration("good_logs_lifecycle", bucket=expiring.id,
            rules=[{"id": "x", "status": "Enabled", "expiration": {"days": 30}}])
        disabled = aws.s3.Bucket("bad_logs_disabled_rule")
        aws.s3.BucketLifecycleConfiguration("disabled_rule", bucket=disabled.id,
            rules=[{"id": "x", "status": "Disabled", "expiration": {"days": 30}}])
        """,
    )
    assert flagged(graph, "log-bucket-lifecycle") == {"bad_access_target", "bad_logs_disabled_rule"}
    # log buckets are exempt from versioning; the data bucket is not
    assert flagged(graph, "s3-data-bucket-versioning") == {"data"}


def test_lifecycle_expiration_comes_after_every_transition(tmp_path_factory: pytest.TempPathFactory) -> None:
    """S3 rejects PutBucketLifecycleConfiguration when a rule expires on or before one of its transitions."""
    graph = synth(
        tmp_path_factory.mktemp("s3order"),
        """
        b = aws.s3.Bucket("b")
        aws.s3.BucketLifecycleConfiguration("good_after", bucket=b.id, rules=[{"id": "r", "status": "Enabled",
            "transitions": [{"days": 30, "storage_class": "STANDARD_IA"}, {"days": 90, "storage_class": "GLACIER"}],
            "expiration": {"days": 91},
            "noncurrent_version_transitions": [{"noncurrent_days": 30, "storage_class": "STANDARD_IA"}],
            "noncurrent_version_expiration": {"noncurrent_days": 60}}])
        aws.s3.BucketLifecycleConfiguration("good_expiration_only", bucket=b.id, rules=[{"id": "r", "status": "Enabled",
            "expiration": {"days": 1}}])
        # bad 1: expiration on the day of the last transition (the dev log buckets before issue 9)
        aws.s3.BucketLifecycleConfiguration("bad_1_same_day", bucket=b.id, rules=[{"id": "r", "status": "Enabled",
            "transitions": [{"days": 30, "storage_class": "STANDARD_IA"}, {"days": 90, "storage_class": "GLACIER"}],
            "expiration": {"days": 90}}])
        # bad 2: expiration before a transition, in the second rule only
        aws.s3.BucketLifecycleConfiguration("bad_2_before", bucket=b.id, rules=[
            {"id": "ok", "status": "Enabled", "expiration": {"days": 10}},
            {"id": "late", "status": "Enabled", "transitions": [{"days": 60, "storage_class": "GLACIER"}],
             "expiration": {"days": 30}}])
        # bad 3: noncurrent versions expire on their transition day
        aws.s3.BucketLifecycleConfiguration("bad_3_noncurrent", bucket=b.id, rules=[{"id": "r", "status": "Enabled",
            "noncurrent_version_transitions": [{"noncurrent_days": 30, "storage_class": "STANDARD_IA"}],
            "noncurrent_version_expiration": {"noncurrent_days": 30}}])
        """,
    )
    assert flagged(graph, "s3-lifecycle-expiration-after-transitions") == {
        "bad_1_same_day",
        "bad_2_before",
        "bad_3_noncurrent",
    }


def test_lifecycle_order_judges_inline_rules_and_dates(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Audit issue 9 §4: the inline `aws.s3.Bucket(lifecycle_rules=...)` (and BucketV2's) and date-based rules.

    S3 wants the expiration later than each transition, in the same unit (days or dates): the AWS::S3::Bucket
    Rule reference, ExpirationDate/ExpirationInDays; botocore's s3 model: Date is ISO 8601, midnight UTC.
    """
    graph = synth(
        tmp_path_factory.mktemp("s3inline"),
        """
        aws.s3.Bucket("good_inline", lifecycle_rules=[{"id": "r", "enabled": True,
            "transitions": [{"days": 30, "storage_class": "STANDARD_IA"}], "expiration": {"days": 31},
            "noncurrent_version_transitions": [{"days": 30, "storage_class": "GLACIER"}],
            "noncurrent_version_expiration": {"days": 60}}])
        b = aws.s3.Bucket("b")
        aws.s3.BucketLifecycleConfiguration("good_dates", bucket=b.id, rules=[{"id": "d", "status": "Enabled",
            "transitions": [{"date": "2027-01-01T00:00:00Z", "storage_class": "GLACIER"}],
            "expiration": {"date": "2027-06-01T00:00:00Z"}}])
        # bad 4: inline rule (the legacy Bucket input pulumi-aws 7 still takes), expiring on the transition's day
        aws.s3.Bucket("bad_4_inline_same_day", lifecycle_rules=[{"id": "r", "enabled": True,
            "transitions": [{"days": 90, "storage_class": "GLACIER"}], "expiration": {"days": 90}}])
        # bad 5: BucketV2's inline rules (`expirations`, a list)
        aws.s3.BucketV2("bad_5_v2_inline", lifecycle_rules=[{"id": "r", "enabled": True,
            "transitions": [{"days": 60, "storage_class": "GLACIER"}], "expirations": [{"days": 30}]}])
        # bad 6: dates, expiration before the transition
        aws.s3.BucketLifecycleConfiguration("bad_6_date_before", bucket=b.id, rules=[{"id": "d", "status": "Enabled",
            "transitions": [{"date": "2027-06-01T00:00:00Z", "storage_class": "GLACIER"}],
            "expiration": {"date": "2027-01-01T00:00:00Z"}}])
        # bad 7: inline, dates, expiration on the transition's date
        aws.s3.Bucket("bad_7_inline_same_date", lifecycle_rules=[{"id": "d", "enabled": True,
            "transitions": [{"date": "2027-06-01", "storage_class": "GLACIER"}], "expiration": {"date": "2027-06-01"}}])
        # bad 8: transition by date, expiration in days (one unit for both)
        aws.s3.BucketLifecycleConfiguration("bad_8_mixed_units", bucket=b.id, rules=[{"id": "m", "status": "Enabled",
            "transitions": [{"date": "2027-06-01T00:00:00Z", "storage_class": "GLACIER"}], "expiration": {"days": 400}}])
        # bad 9: inline noncurrent versions (counted in `days`) expiring on their transition day
        aws.s3.Bucket("bad_9_inline_noncurrent", lifecycle_rules=[{"id": "n", "enabled": True,
            "noncurrent_version_transitions": [{"days": 30, "storage_class": "GLACIER"}],
            "noncurrent_version_expiration": {"days": 30}}])
        """,
    )
    assert flagged(graph, "s3-lifecycle-expiration-after-transitions") == {
        "bad_4_inline_same_day",
        "bad_5_v2_inline",
        "bad_6_date_before",
        "bad_7_inline_same_date",
        "bad_8_mixed_units",
        "bad_9_inline_noncurrent",
    }
