"""The account's Block Public Access and objects' own ACLs (review 5 #9): both passed prod unjudged.

pulumi-aws 7.51.1 inputs: `aws.s3.AccountPublicAccessBlock` (four flags, each defaulting to false),
`BucketObject`/`BucketObjectv2` `acl`, `ObjectCopy` `acl` and `grants` (`uri` of a Group grantee).
"""
# ruff: noqa: E501  (the embedded Pulumi program keeps one resource per line)

from __future__ import annotations

import pytest

from preflight.graph import ResourceGraph
from tests.policies.conftest import flagged, run_one, synth

KEY = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
PROGRAM = f"""
aws.s3.AccountPublicAccessBlock("good_account", block_public_acls=True, block_public_policy=True,
                                ignore_public_acls=True, restrict_public_buckets=True)
aws.s3.AccountPublicAccessBlock("bad1_all_off", block_public_acls=False, block_public_policy=False,
                                ignore_public_acls=False, restrict_public_buckets=False)
aws.s3.AccountPublicAccessBlock("bad2_one_off", block_public_acls=True, block_public_policy=True,
                                ignore_public_acls=True, restrict_public_buckets=False)
aws.s3.AccountPublicAccessBlock("bad3_unset", account_id="111122223333")

aws.s3.BucketObjectv2("good_private_object", bucket="acme-data", key="a.csv", content="x", acl="private", kms_key_id="{KEY}")
aws.s3.BucketObjectv2("good_no_acl_object", bucket="acme-data", key="b.csv", content="x", kms_key_id="{KEY}")
aws.s3.BucketObjectv2("bad4_public_read_object", bucket="acme-data", key="c.csv", content="x", acl="public-read", kms_key_id="{KEY}")
aws.s3.BucketObject("bad5_authenticated_read_object", bucket="acme-data", key="d.csv", content="x", acl="authenticated-read")
aws.s3.ObjectCopy("bad6_copy_granted_to_all_users", bucket="acme-data", key="e.csv", source="acme-src/e.csv",
                  grants=[{{"type": "Group", "permissions": ["READ"], "uri": "http://acs.amazonaws.com/groups/global/AllUsers"}}])
aws.s3.ObjectCopy("good_copy_private", bucket="acme-data", key="f.csv", source="acme-src/f.csv", acl="bucket-owner-full-control")
"""


@pytest.fixture(scope="module")
def graph(tmp_path_factory: pytest.TempPathFactory) -> ResourceGraph:
    return synth(tmp_path_factory.mktemp("s3account"), PROGRAM)


def test_the_account_block_needs_all_four_settings(graph: ResourceGraph) -> None:
    assert flagged(graph, "s3-account-public-access-blocked") == {"bad1_all_off", "bad2_one_off", "bad3_unset"}
    messages = {f.resource: f.message for f in run_one(graph, "s3-account-public-access-blocked")}
    assert messages["bad2_one_off"] == (
        "account-level S3 Block Public Access leaves restrictPublicBuckets off, for every bucket in the account."
    )
    assert "blockPublicAcls, blockPublicPolicy, ignorePublicAcls, restrictPublicBuckets off" in messages["bad3_unset"]


def test_an_object_acl_that_opens_the_object_is_public(graph: ResourceGraph) -> None:
    found = flagged(graph, "s3-no-public-acl")
    assert found == {"bad4_public_read_object", "bad5_authenticated_read_object", "bad6_copy_granted_to_all_users"}
    messages = {f.resource: f.message for f in run_one(graph, "s3-no-public-acl")}
    assert messages["bad4_public_read_object"] == "the object ACL is public (canned ACL public-read)."
    assert messages["bad6_copy_granted_to_all_users"].endswith("(a grant to AllUsers).")
