"""aws-native S3 buckets (AWS::S3::Bucket, settings inline) judged by the S3 stack rules through their views.

One native bucket reads as a BucketV2 and a companion view per inline configuration (policies.native._bucket);
the companions point at the bucket as pulumi-aws ones do, so every S3 rule (policies/rules/s3.py) and the
log-bucket lifecycle rule judge it. Good case: a fully configured native bucket passes every rule; numbered bad
cases: one setting missing or wrong each.
"""
# ruff: noqa: E501  (the embedded Pulumi program keeps one resource per line)

from __future__ import annotations

import pytest

from preflight.graph import ResourceGraph
from tests.policies.conftest import flagged, synth

PROGRAM = """
import pulumi_aws_native as native

key = aws.kms.Key("key", enable_key_rotation=True)
FLAGS = {"block_public_acls": True, "block_public_policy": True, "ignore_public_acls": True, "restrict_public_buckets": True}

def bucket(name, pab=FLAGS, versioning="Enabled", sse="aws:kms", tls=True, named=True, **kw):
    physical = name.replace("_", "-")
    default = {"sse_algorithm": sse, **({"kms_master_key_id": key.arn} if sse == "aws:kms" else {})}
    extra = {"public_access_block_configuration": pab} if pab is not None else {}
    if versioning:
        extra["versioning_configuration"] = {"status": versioning}
    if named:
        kw["bucket_name"] = physical
    b = native.s3.Bucket(name, bucket_encryption={"server_side_encryption_configuration": [
        {"server_side_encryption_by_default": default, "bucket_key_enabled": True}]}, **extra, **kw)
    if tls:  # unnamed: the ARN the provider gives it (fabricated offline, issue 11), as a real program writes it
        arn = pulumi.Output.from_input(f"arn:aws:s3:::{physical}" if named else b.arn)
        native.s3.BucketPolicy(f"{name}_policy", bucket=b.id, policy_document={"Version": "2012-10-17", "Statement": [
            {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": [arn, arn.apply(lambda a: a + "/*")],
             "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]})
    return b

EXPIRE = {"rules": [{"id": "expire", "status": "Enabled", "expiration_in_days": 90,
                     "transitions": [{"storage_class": "STANDARD_IA", "transition_in_days": 30}]}]}
sink = bucket("ok_sink", versioning=None, lifecycle_configuration=EXPIRE)
bucket("ok_data", logging_configuration={"destination_bucket_name": sink.bucket_name, "log_file_prefix": "ok-data/"},
       lifecycle_configuration=EXPIRE, tags=[{"key": "team", "value": "ai"}])
bucket("bad1_no_public_access_block", pab=None)
bucket("bad2_public_policy_unrestricted", pab={**FLAGS, "restrict_public_buckets": False})
bucket("bad3_unversioned", versioning=None)
bucket("bad4_versioning_suspended", versioning="Suspended")
bucket("bad5_s3_managed_keys", sse="AES256")
bucket("bad6_no_tls_policy", tls=False)
bucket("bad7_public_read_acl", access_control="PublicRead")
bucket("bad8_expires_before_transition", lifecycle_configuration={"rules": [{"id": "early", "status": "Enabled",
       "expiration_in_days": 30, "transitions": [{"storage_class": "GLACIER", "transition_in_days": 60}]}]})
# bad 10: by date (ExpirationDate on the transition's TransitionDate): the native view carries dates too
bucket("bad10_expires_on_transition_date", lifecycle_configuration={"rules": [{"id": "dated", "status": "Enabled",
       "expiration_date": "2027-06-01T00:00:00Z",
       "transitions": [{"storage_class": "GLACIER", "transition_date": "2027-06-01T00:00:00Z"}]}]})
unexpired = bucket("bad9_sink_without_expiry", versioning=None)
bucket("ok_logged", logging_configuration={"destination_bucket_name": unexpired.bucket_name})
# without a bucket_name the provider names it (fabricated offline, issue 11); the views also find each other by the
# resource's URN (policies.native._linked)
unnamed_sink = bucket("ok_unnamed_sink", named=False, versioning=None, lifecycle_configuration=EXPIRE)
bucket("ok_unnamed", named=False, logging_configuration={"destination_bucket_name": unnamed_sink.bucket_name})
"""

CASES = {
    "s3-public-access-blocked": {"bad1_no_public_access_block", "bad2_public_policy_unrestricted"},
    "s3-data-bucket-versioning": {"bad3_unversioned", "bad4_versioning_suspended"},
    "s3-bucket-kms-encryption": {"bad5_s3_managed_keys"},
    "s3-tls-only": {"bad6_no_tls_policy"},
    "s3-no-public-acl": {"bad7_public_read_acl"},
    "s3-lifecycle-expiration-after-transitions": {"bad8_expires_before_transition", "bad10_expires_on_transition_date"},
    "log-bucket-lifecycle": {"bad9_sink_without_expiry"},
    "resource-not-judged": set(),
}


@pytest.fixture(scope="module")
def graph(tmp_path_factory: pytest.TempPathFactory) -> ResourceGraph:
    return synth(tmp_path_factory.mktemp("native-s3"), PROGRAM)


@pytest.mark.parametrize("policy", sorted(CASES))
def test_s3_rules_judge_aws_native_buckets(graph: ResourceGraph, policy: str) -> None:
    found = flagged(graph, policy)
    assert found == CASES[policy], f"{policy}: flagged {sorted(found)}, expected {sorted(CASES[policy])}"
