"""Two resources managing one one-per-bucket S3 setting (review 6 F10): the weakest wins, and the pair is a finding.

AWS keeps one public access block, policy, versioning, encryption, ACL, ownership-controls, lifecycle and logging
configuration per bucket and each Put replaces it (policies/rules/s3.py cites the API pages), so a second, weaker
resource may be the one that stays. cdk-nag style: numbered Noncompliance buckets (`badN_*`), Compliance ones
(`good_*`), classic pulumi-aws and aws-native alike.
"""
# ruff: noqa: E501  (the embedded Pulumi programs keep one resource per line)

from __future__ import annotations

import pytest

from preflight.graph import ResourceGraph
from tests.policies.conftest import flagged, run_one, synth

PROGRAM = """
import pulumi_aws_native as aws_native

key = aws.kms.Key("key", enable_key_rotation=True)
FLAGS = ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets")

def tls(arn):
    return json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*",
        "Resource": [arn, arn + "/*"], "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]})

def public(arn):
    return json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*",
        "Action": "s3:GetObject", "Resource": arn + "/*"}]})

def block(name, bucket, on=True):
    aws.s3.BucketPublicAccessBlock(name, bucket=bucket.id, **dict.fromkeys(FLAGS, on))

def sse(name, bucket, cmk=True):
    default = {"sse_algorithm": "aws:kms", "kms_master_key_id": key.arn} if cmk else {"sse_algorithm": "AES256"}
    aws.s3.BucketServerSideEncryptionConfiguration(name, bucket=bucket.id,
        rules=[{"apply_server_side_encryption_by_default": default, "bucket_key_enabled": True}])

def versioning(name, bucket, status="Enabled"):
    aws.s3.BucketVersioning(name, bucket=bucket.id, versioning_configuration={"status": status})

def secure(bucket, *, pab=True, policy=True, sse_=True, versioned=True):
    name = bucket._name
    if pab:
        block(f"{name}_pab", bucket)
    if policy:
        aws.s3.BucketPolicy(f"{name}_tls", bucket=bucket.id, policy=bucket.arn.apply(tls))
    if sse_:
        sse(f"{name}_sse", bucket)
    if versioned:
        versioning(f"{name}_versioning", bucket)

good = aws.s3.Bucket("good_one_of_each")
secure(good)
aws.s3.BucketOwnershipControls("good_ownership", bucket=good.id, rule={"object_ownership": "BucketOwnerEnforced"})

# bad 1: a second public access block, all false (the review's repro)
b1 = aws.s3.Bucket("bad1_two_blocks")
secure(b1)
block("bad1_open_pab", b1, on=False)

# bad 2: a second bucket policy, a public Allow without the TLS Deny
b2 = aws.s3.Bucket("bad2_two_policies")
secure(b2)
aws.s3.BucketPolicy("bad2_public_policy", bucket=b2.id, policy=b2.arn.apply(public))

# bad 3: versioning enabled by one resource, suspended by another
b3 = aws.s3.Bucket("bad3_two_versionings")
secure(b3)
versioning("bad3_suspended", b3, "Suspended")

# bad 4: a second encryption configuration with S3-managed keys
b4 = aws.s3.Bucket("bad4_two_encryptions")
secure(b4)
sse("bad4_aes", b4, cmk=False)

# bad 5: two ownership-controls settings
b5 = aws.s3.Bucket("bad5_two_ownerships")
secure(b5)
aws.s3.BucketOwnershipControls("bad5_enforced", bucket=b5.id, rule={"object_ownership": "BucketOwnerEnforced"})
aws.s3.BucketOwnershipControls("bad5_preferred", bucket=b5.id, rule={"object_ownership": "ObjectWriter"})

# bad 6: an inline policy on the bucket and a BucketPolicy resource
b6 = aws.s3.Bucket("bad6_inline_and_resource_policy", policy=json.dumps({"Version": "2012-10-17", "Statement": []}))
secure(b6)

# bad 7: two ACL resources
b7 = aws.s3.Bucket("bad7_two_acls")
secure(b7)
aws.s3.BucketAcl("bad7_private", bucket=b7.id, acl="private")
aws.s3.BucketAcl("bad7_log_delivery", bucket=b7.id, acl="log-delivery-write")

# aws-native: the bucket's inline configurations are companions too (policies.native)
native_good = aws_native.s3.Bucket("good_native", public_access_block_configuration={
    "block_public_acls": True, "block_public_policy": True, "ignore_public_acls": True, "restrict_public_buckets": True},
    versioning_configuration={"status": "Enabled"},
    bucket_encryption={"server_side_encryption_configuration": [{"server_side_encryption_by_default": {
        "sse_algorithm": "aws:kms", "kms_master_key_id": key.arn}}]})
aws_native.s3.BucketPolicy("good_native_tls", bucket=native_good.id, policy_document=native_good.arn.apply(lambda a: json.loads(tls(a))))

# bad 8: an aws-native bucket's inline block all true, and a pulumi-aws block all false on it
native_b8 = aws_native.s3.Bucket("bad8_native_inline_and_classic_block", public_access_block_configuration={
    "block_public_acls": True, "block_public_policy": True, "ignore_public_acls": True, "restrict_public_buckets": True})
aws.s3.BucketPublicAccessBlock("bad8_classic_open_pab", bucket=native_b8.id, **dict.fromkeys(FLAGS, False))

# bad 9: two aws-native bucket policies, one TLS Deny and one public Allow
native_b9 = aws_native.s3.Bucket("bad9_native_two_policies")
aws_native.s3.BucketPolicy("bad9_native_tls", bucket=native_b9.id, policy_document=native_b9.arn.apply(lambda a: json.loads(tls(a))))
aws_native.s3.BucketPolicy("bad9_native_public", bucket=native_b9.id, policy_document=native_b9.arn.apply(lambda a: json.loads(public(a))))
"""

BAD = {
    "bad1_two_blocks",
    "bad2_two_policies",
    "bad3_two_versionings",
    "bad4_two_encryptions",
    "bad5_two_ownerships",
    "bad6_inline_and_resource_policy",
    "bad7_two_acls",
    "bad8_native_inline_and_classic_block",
    "bad9_native_two_policies",
}
GOOD = {"good_one_of_each", "good_native"}

#: What each rule flags among these buckets: the weakest of two companions wins.
WEAKEST = [
    (
        "s3-public-access-blocked",
        {"bad1_two_blocks", "bad8_native_inline_and_classic_block", "bad9_native_two_policies"},
    ),
    # bad 6: the inline policy, without the TLS Deny, may be the one that stays
    (
        "s3-tls-only",
        {
            "bad2_two_policies",
            "bad6_inline_and_resource_policy",
            "bad8_native_inline_and_classic_block",
            "bad9_native_two_policies",
        },
    ),
    ("s3-no-public-policy", {"bad2_public_policy", "bad9_native_public"}),
    (
        "s3-data-bucket-versioning",
        {"bad3_two_versionings", "bad8_native_inline_and_classic_block", "bad9_native_two_policies"},
    ),
]


@pytest.fixture(scope="module")
def graph(tmp_path_factory: pytest.TempPathFactory) -> ResourceGraph:
    return synth(tmp_path_factory.mktemp("s3once"), PROGRAM)


def test_two_resources_managing_one_setting_are_a_finding_naming_both(graph: ResourceGraph) -> None:
    assert flagged(graph, "s3-setting-managed-once") == BAD
    messages = {f.resource: f.message for f in run_one(graph, "s3-setting-managed-once")}
    assert "public access block is managed by 2 resources" in messages["bad1_two_blocks"]
    assert "bad1_open_pab" in messages["bad1_two_blocks"] and "bad1_two_blocks_pab" in messages["bad1_two_blocks"]
    assert (
        "bad2_public_policy" in messages["bad2_two_policies"]
        and "bad2_two_policies_tls" in messages["bad2_two_policies"]
    )
    assert "bad6_inline_and_resource_policy (inline policy)" in messages["bad6_inline_and_resource_policy"]
    assert "bad8_classic_open_pab" in messages["bad8_native_inline_and_classic_block"]
    assert "bad9_native_tls" in messages["bad9_native_two_policies"]


@pytest.mark.parametrize(("policy", "bad"), WEAKEST, ids=[w[0] for w in WEAKEST])
def test_the_weakest_companion_wins(graph: ResourceGraph, policy: str, bad: set[str]) -> None:
    found = flagged(graph, policy)
    assert found & (BAD | GOOD | {"bad2_public_policy", "bad9_native_public"}) == bad
    assert not found & GOOD


def test_two_encryption_configurations_need_a_customer_key_in_each(graph: ResourceGraph) -> None:
    found = flagged(graph, "s3-bucket-kms-encryption")
    assert "bad4_two_encryptions" in found
    assert not found & GOOD
