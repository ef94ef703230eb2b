"""The S3 rules called directly: public access blocks, public ACLs and policies, TLS-only, KMS default
encryption, versioning of data buckets and lifecycle ordering; each branch with the exact message."""
# ruff: noqa: E501  (one case per line reads as a table)

from __future__ import annotations

import json
from typing import Any

import pytest
from pulumi_policy import PolicyResource, ResourceValidationArgs, StackValidationArgs
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, UnknownValueError, unknown_checking_proxy

from policies.rules import s3
from tests.policies.rules.calls import Reports, resource, run_resource, run_stack, urn

BUCKET = "aws:s3/bucketV2:BucketV2"
B_URN = urn(BUCKET, "data")
PAB = s3.PUBLIC_ACCESS_BLOCK[0]
ALL_FLAGS = {
    "blockPublicAcls": True,
    "blockPublicPolicy": True,
    "ignorePublicAcls": True,
    "restrictPublicBuckets": True,
}


def _bucket(**props: Any) -> PolicyResource:
    return resource(BUCKET, "data", {"bucket": "data-bkt", **props})


def _on(type_: str, bucket: PolicyResource, name: str = "cfg", **props: Any) -> PolicyResource:
    return resource(type_, name, {"bucket": "data-bkt", **props}, {"bucket": [bucket]})


def _pab_case(*blocks: dict[str, Any]) -> Reports:
    bucket = _bucket()
    return run_stack(
        s3.PUBLIC_ACCESS, [bucket, *(_on(PAB, bucket, f"pab{i}", **b) for i, b in enumerate(blocks))], None
    )


@pytest.mark.parametrize(
    ("blocks", "message"),
    [
        ([ALL_FLAGS], None),
        ([{**ALL_FLAGS, "blockPublicAcls": "true"}], None),
        ([], "no BucketPublicAccessBlock."),
        ([{**ALL_FLAGS, "ignorePublicAcls": False}], "public access block leaves ignorePublicAcls off."),
        ([{"blockPublicPolicy": True}], "public access block leaves blockPublicAcls, ignorePublicAcls, restrictPublicBuckets off."),
        ([{**ALL_FLAGS, "blockPublicAcls": "false", "restrictPublicBuckets": None}], "public access block leaves blockPublicAcls, restrictPublicBuckets off."),
        # Two blocks on one bucket: each PutPublicAccessBlock sends the whole configuration, so the one applied last
        # wins and each leaves two flags off; the weakest is judged (review 6 F10), its off flags together.
        ([{"blockPublicAcls": True, "blockPublicPolicy": True}, {"ignorePublicAcls": True, "restrictPublicBuckets": True}], "public access block leaves blockPublicAcls, blockPublicPolicy, ignorePublicAcls, restrictPublicBuckets off."),
    ],
    ids=["ok_all_four", "ok_string_true", "bad1_none", "bad2_one_off", "bad3_three_off_in_order", "bad4_false_text_and_none", "bad5_split_over_two"],
)  # fmt: skip
def test_public_access_block(blocks: list[dict[str, Any]], message: str | None) -> None:
    assert _pab_case(*blocks) == ([] if message is None else [(f"data: {message}", B_URN)])


def test_a_block_on_another_bucket_does_not_count() -> None:
    other = resource(BUCKET, "other", {"bucket": "other-bkt"})
    block = resource(PAB, "pab", {"bucket": "other-bkt", **ALL_FLAGS}, {"bucket": [other]})
    assert run_stack(s3.PUBLIC_ACCESS, [_bucket(), other, block], None) == [
        ("data: no BucketPublicAccessBlock.", B_URN)
    ]


ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"
AUTHENTICATED = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"


@pytest.mark.parametrize(
    ("props", "found"),
    [
        ({"acl": "private"}, None),
        ({"acl": "log-delivery-write"}, None),
        ({"accessControlPolicy": {"grants": [{"grantee": {"uri": "http://acs.amazonaws.com/groups/s3/LogDelivery"}}]}}, None),
        ({"grants": [{"type": "CanonicalUser", "id": "abc"}]}, None),
        ({"acl": "public-read"}, "canned ACL public-read"),
        ({"acl": "public-read-write"}, "canned ACL public-read-write"),
        ({"acl": "authenticated-read"}, "canned ACL authenticated-read"),
        ({"accessControlPolicy": {"grants": [{"grantee": {"uri": "x"}}, {"grantee": {"uri": ALL_USERS}}]}}, "a grant to AllUsers"),
        ({"grants": [{"uri": AUTHENTICATED, "permissions": ["READ"]}]}, "a grant to AuthenticatedUsers"),
        ({"acl": "public-read", "grants": [{"uri": ALL_USERS}]}, "canned ACL public-read"),
    ],
    ids=["ok_private", "ok_log_delivery", "ok_log_delivery_grant", "ok_canonical_user", "bad1_public_read", "bad2_public_read_write",
         "bad3_authenticated_read", "bad4_all_users_grant", "bad5_bucket_v1_grants", "bad6_canned_first"],
)  # fmt: skip
def test_no_public_acl(props: dict[str, Any], found: str | None) -> None:
    expected = [] if found is None else [(f"b: the bucket ACL is public ({found}).", None)]
    assert run_resource(s3.NO_PUBLIC_ACL, s3.ACL[0], props, name="b") == expected


def _doc(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


PUBLIC_READ = {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::data-bkt/*"}
PUBLIC_POLICY = "p: the bucket policy allows Principal '*' without a condition naming the caller."


@pytest.mark.parametrize(
    ("document", "count"),
    [
        (_doc({**PUBLIC_READ, "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}}}), 0),
        (_doc({**PUBLIC_READ, "Effect": "Deny"}), 0),
        ("", 0),
        (_doc(PUBLIC_READ), 1),
        (_doc(PUBLIC_READ, {**PUBLIC_READ, "Condition": {"Bool": {"aws:SecureTransport": "true"}}}), 2),
    ],
    ids=["ok_org", "ok_deny", "ok_no_policy", "bad1_public", "bad2_each_statement"],
)
def test_no_public_policy(document: str, count: int) -> None:
    assert (
        run_resource(s3.NO_PUBLIC_POLICY, s3.BUCKET_POLICY[0], {"policy": document}, name="p")
        == [(PUBLIC_POLICY, None)] * count
    )


def test_an_unknown_bucket_policy_is_undetermined() -> None:
    props = unknown_checking_proxy({"policy": UNKNOWN_STRING_VALUE})
    args = ResourceValidationArgs(s3.BUCKET_POLICY[0], props, urn(s3.BUCKET_POLICY[0], "p"), "p", None, None, {})  # type: ignore[arg-type]
    with pytest.raises(UnknownValueError):
        s3.NO_PUBLIC_POLICY.validate(args, lambda message, urn=None: None)


ARN = "arn:aws:s3:::data-bkt"
TLS = {
    "Effect": "Deny",
    "Principal": "*",
    "Action": "s3:*",
    "Resource": [ARN, ARN + "/*"],
    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
}
NO_TLS = "data: no bucket policy denies every S3 action on the bucket and its objects to everyone without TLS (aws:SecureTransport false)."


@pytest.mark.parametrize(
    ("statement", "ok"),
    [
        (TLS, True),
        ({**TLS, "Action": "*", "Principal": {"AWS": "*"}}, True),
        ({**TLS, "Action": [" S3:* "]}, True),
        ({**TLS, "Resource": "arn:aws:s3:::data-bkt*"}, True),
        ({**TLS, "Condition": {"BoolIfExists": {"aws:securetransport": ["false"]}}}, True),
        ({**TLS, "Condition": {"bool": {"AWS:SecureTransport": False}}}, True),
        ({**TLS, "Condition": {"StringEquals": {"aws:SourceVpce": "v"}, "Bool": {"aws:SecureTransport": "false"}}}, True),
        ({**TLS, "Effect": "Allow"}, False),
        ({**TLS, "Principal": {"AWS": "arn:aws:iam::111122223333:root"}}, False),
        ({**TLS, "Action": "s3:GetObject"}, False),
        ({"Effect": "Deny", "Principal": "*", "NotAction": "s3:GetObject", "Resource": [ARN, ARN + "/*"], "Condition": TLS["Condition"]}, False),
        ({**TLS, "Resource": ARN + "/*"}, False),
        ({**TLS, "Resource": ARN}, False),
        ({"Effect": "Deny", "Principal": "*", "Action": "s3:*", "NotResource": ARN, "Condition": TLS["Condition"]}, False),
        ({**TLS, "Condition": {"Bool": {"aws:SecureTransport": "true"}}}, False),
        ({**TLS, "Condition": {"StringEquals": {"aws:SecureTransport": "false"}}}, False),
        ({**TLS, "Condition": {"Bool": "aws:SecureTransport"}}, False),
        ({**TLS, "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "false"}}}, False),
        ({**TLS, "Condition": {}}, False),
    ],
    ids=["ok_deny_all", "ok_star_action_aws_star", "ok_action_any_case_spaced", "ok_one_pattern_for_both", "ok_if_exists_list",
         "ok_lower_operator_boolean", "ok_with_another_operator", "bad1_allow", "bad2_named_principal", "bad3_one_action",
         "bad4_not_action", "bad5_objects_only", "bad6_bucket_only", "bad7_not_resource", "bad8_secure_true", "bad9_not_bool",
         "bad10_malformed_block", "bad11_other_key", "bad12_no_condition"],
)  # fmt: skip
def test_tls_only(statement: dict[str, Any], ok: bool) -> None:
    bucket = _bucket(arn=ARN)
    reports = run_stack(s3.TLS_ONLY, [bucket, _on(s3.BUCKET_POLICY[0], bucket, policy=_doc(statement))], None)
    assert reports == ([] if ok else [(NO_TLS, B_URN)])


def test_tls_only_reads_the_inline_policy_and_derives_the_arn() -> None:
    assert run_stack(s3.TLS_ONLY, [_bucket(policy=_doc(TLS))], None) == []
    assert run_stack(s3.TLS_ONLY, [_bucket(policy=_doc({**TLS, "Action": "s3:GetObject"}))], None) == [(NO_TLS, B_URN)]
    unnamed = resource(
        BUCKET, "data", {"policy": _doc({**TLS, "Resource": ["arn:aws:s3:::data", "arn:aws:s3:::data/*"]})}
    )
    assert run_stack(s3.TLS_ONLY, [unnamed], None) == []
    assert run_stack(s3.TLS_ONLY, [_bucket()], None) == [(NO_TLS, B_URN)]


def test_an_unknown_policy_is_noted_after_the_bucket_is_reported() -> None:
    bucket = _bucket(arn=ARN)
    policy = PolicyResource(
        s3.BUCKET_POLICY[0],
        unknown_checking_proxy({"bucket": "data-bkt", "policy": UNKNOWN_STRING_VALUE}),
        urn(s3.BUCKET_POLICY[0], "p"),
        "p",
        None,
        None,
        None,
        [],
        {"bucket": [bucket]},
    )  # type: ignore[arg-type]
    reports: Reports = []
    with pytest.raises(UnknownValueError):
        s3.TLS_ONLY.validate(
            StackValidationArgs([bucket, policy], None), lambda message, urn=None: reports.append((message, urn))
        )
    assert reports == [(NO_TLS, B_URN)]


SSE_TYPE = s3.SSE[1]
KEY = "arn:aws:kms:us-east-1:111122223333:key/k"
NOT_KMS = ("data: default encryption is not SSE-KMS with a customer-managed key.", B_URN)


def _by_default(algorithm: str, key: str | None = KEY) -> dict[str, Any]:
    return {"applyServerSideEncryptionByDefault": {"sseAlgorithm": algorithm, "kmsMasterKeyId": key}}


@pytest.mark.parametrize(
    ("rules", "ok"),
    [
        ([_by_default("aws:kms")], True),
        ([_by_default("aws:kms:dsse")], True),
        ([_by_default("AES256", None), _by_default("aws:kms")], True),
        ([_by_default("AES256", None)], False),
        ([_by_default("aws:kms", None)], False),
        ([_by_default("aws:kms", "alias/aws/s3")], False),
        ([{"bucketKeyEnabled": True}], False),
        ([], False),
    ],
    ids=[
        "ok_kms_cmk",
        "ok_dsse",
        "ok_second_rule",
        "bad1_aes",
        "bad2_no_key",
        "bad3_aws_managed_key",
        "bad4_no_default",
        "bad5_no_rule",
    ],
)
def test_bucket_kms(rules: list[dict[str, Any]], ok: bool) -> None:
    bucket = _bucket()
    assert run_stack(s3.BUCKET_KMS, [bucket, _on(SSE_TYPE, bucket, rules=rules)], None) == ([] if ok else [NOT_KMS])


@pytest.mark.parametrize(
    ("props", "ok"),
    [
        ({"serverSideEncryptionConfiguration": {"rule": _by_default("aws:kms")}}, True),
        ({"serverSideEncryptionConfiguration": {"rules": [_by_default("aws:kms")]}}, True),
        ({"serverSideEncryptionConfiguration": {"rule": _by_default("AES256")}}, False),
        ({}, False),
    ],
    ids=["ok_inline_rule", "ok_inline_rules", "bad1_inline_aes", "bad2_nothing"],
)
def test_bucket_kms_inline(props: dict[str, Any], ok: bool) -> None:
    assert run_stack(s3.BUCKET_KMS, [_bucket(**props)], None) == ([] if ok else [NOT_KMS])


def test_sse_config_rule_singular_counts() -> None:
    bucket = _bucket()
    assert run_stack(s3.BUCKET_KMS, [bucket, _on(SSE_TYPE, bucket, rule=_by_default("aws:kms"))], None) == []


NOT_VERSIONED = ("data: versioning is not enabled on this data bucket.", B_URN)
VERSIONING = s3.VERSIONING[0]


@pytest.mark.parametrize(
    ("status", "inline", "ok"),
    [("Enabled", None, True), (None, {"enabled": True}, True), (None, {"enabled": "true"}, True), ("Suspended", None, False),
     ("Disabled", {"enabled": False}, False), (None, None, False)],
    ids=["ok_resource", "ok_inline", "ok_inline_text", "bad1_suspended", "bad2_disabled", "bad3_nothing"],
)  # fmt: skip
def test_versioning(status: str | None, inline: dict[str, Any] | None, ok: bool) -> None:
    bucket = _bucket(versioning=inline)
    others = [] if status is None else [_on(VERSIONING, bucket, versioningConfiguration={"status": status})]
    assert run_stack(s3.VERSIONING_POLICY, [bucket, *others], None) == ([] if ok else [NOT_VERSIONED])


def test_log_buckets_need_no_versioning() -> None:
    logs = resource(BUCKET, "access-logs", {})
    named = resource(BUCKET, "x", {"bucket": "audit"})
    target = resource(BUCKET, "target", {"bucket": "target-bkt"})
    logging = resource(s3.LOGGING[0], "logging", {"bucket": "data-bkt", "targetBucket": "target-bkt"})
    trail_target = resource(BUCKET, "kept", {"bucket": "kept-bkt"})
    trail = resource(s3.TRAIL, "trail", {"s3BucketName": "kept-bkt"})
    by_dependency = resource(BUCKET, "dep", {"bucket": "dep-bkt"})
    trail_dep = resource(s3.TRAIL, "trail2", {"s3BucketName": "x"}, {"s3BucketName": [by_dependency]})
    assert (
        run_stack(
            s3.VERSIONING_POLICY, [logs, named, target, logging, trail_target, trail, by_dependency, trail_dep], None
        )
        == []
    )
    assert run_stack(s3.VERSIONING_POLICY, [resource(BUCKET, "catalogue", {"bucket": "dialogs"})], None) == [
        ("catalogue: versioning is not enabled on this data bucket.", urn(BUCKET, "catalogue"))
    ]


@pytest.mark.parametrize(
    ("rule", "problems"),
    [
        ({"id": "r", "expiration": {"days": 365}, "transitions": [{"days": 30}, {"days": 90}]}, []),
        ({"id": "r", "expiration": {"days": 30}}, []),
        ({"id": "r", "noncurrentVersionExpiration": {"noncurrentDays": 60}, "noncurrentVersionTransitions": [{"noncurrentDays": 30}]}, []),
        ({"id": "r", "expiration": {"days": 30}, "transitions": [{"days": True}, {"days": "90"}, {"date": "not a date"}]}, []),
        ({"id": "d", "expiration": {"date": "2027-06-02T00:00:00Z"}, "transitions": [{"date": "2027-06-01T00:00:00Z"}]}, []),
        ({"id": "r", "expiration": {"days": 30}, "transitions": [{"days": 30}]}, ["expiration at day 30 is not after the transition at day 30"]),
        ({"id": "r", "expiration": {"days": 30}, "transitions": [{"days": 60}, {"days": 90}, {"days": 7}]}, ["expiration at day 30 is not after the transition at day 90"]),
        ({"expiration": {"days": 30.0}, "transitions": [{"days": 45.5}]}, ["expiration at day 30 is not after the transition at day 45"]),
        ({"id": "nc", "noncurrentVersionExpiration": {"noncurrentDays": 30}, "noncurrentVersionTransitions": [{"noncurrentDays": 30}],
          "expiration": {"days": 10}, "transitions": [{"days": 20}]},
         ["expiration at day 10 is not after the transition at day 20", "noncurrent version expiration at day 30 is not after the transition at day 30"]),
        ({"id": "d", "expiration": {"date": "2027-01-01T00:00:00Z"}, "transitions": [{"date": "2027-01-01"}, {"date": "2026-12-01"}]},
         ["expiration at date 2027-01-01 is not after the transition at date 2027-01-01"]),
        ({"id": "m", "expiration": {"days": 30}, "transitions": [{"days": 7}, {"date": "2027-01-01"}]},
         ["expiration and transitions mix days and dates (S3 wants one unit for both)"]),
        ({"id": "v2", "expirations": [{"days": 10}], "noncurrentVersionExpirations": [{"days": 5}],
          "transitions": [{"days": 10}], "noncurrentVersionTransitions": [{"days": 5}]},
         ["expiration at day 10 is not after the transition at day 10", "noncurrent version expiration at day 5 is not after the transition at day 5"]),
    ],
    ids=["ok_after", "ok_no_transition", "ok_noncurrent_after", "ok_not_day_counts", "ok_dates_after", "bad1_same_day",
         "bad2_latest_named", "bad3_no_id_float_days", "bad4_both_kinds", "bad5_date_same_day", "bad6_mixed_units",
         "bad7_inline_v2_lists"],
)  # fmt: skip
def test_lifecycle_order(rule: dict[str, Any], problems: list[str]) -> None:
    rule_id = rule.get("id", "?")
    expected = [(f"lc: lifecycle rule '{rule_id}': {p}.", None) for p in problems]
    assert run_resource(s3.LIFECYCLE_ORDER, s3.LIFECYCLE[0], {"rules": [rule]}, name="lc") == expected
