"""The S3 rules where a value is unknown at preview (an output of another resource): the known rest is still
judged and reported, and the unknown is noted after it (UnknownValueError), never read as off or as absent.
Run F's unread survivors of `policies.rules.s3` (bench/MUTATION.md, run G) changed exactly this."""

from __future__ import annotations

from typing import Any

import pytest
from pulumi_policy import PolicyResource, ResourceValidationArgs, StackValidationArgs
from pulumi_policy.proxy import UNKNOWN_BOOLEAN_VALUE, UNKNOWN_STRING_VALUE, UnknownValueError, unknown_checking_proxy

from policies.rules import s3
from tests.policies.rules.calls import Reports, resource, urn

BUCKET = "aws:s3/bucketV2:BucketV2"
ARN = "arn:aws:s3:::data-bkt"
PUBLIC_READ = {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": f"{ARN}/*"}


def _validate(spec: Any, type_: str, props: dict[str, Any], name: str) -> Reports:
    """Run a resource rule on proxied props; the reports made before the unknown value is raised."""
    reports: Reports = []
    args = ResourceValidationArgs(type_, unknown_checking_proxy(props), urn(type_, name), name, None, None, {})  # type: ignore[arg-type]
    with pytest.raises(UnknownValueError):
        spec.validate(args, lambda message, urn=None: reports.append((message, urn)))
    return reports


def test_an_unknown_account_flag_is_noted_not_off() -> None:
    props = {"blockPublicAcls": UNKNOWN_BOOLEAN_VALUE, "blockPublicPolicy": True, "ignorePublicAcls": True}
    assert _validate(s3.ACCOUNT_PUBLIC_ACCESS, s3.ACCOUNT_PUBLIC_ACCESS_BLOCK, props, "acct") == [
        (
            "acct: account-level S3 Block Public Access leaves restrictPublicBuckets off, for every bucket in the "
            "account.",
            None,
        )
    ]


def test_a_public_statement_beside_an_unknown_one_is_still_reported() -> None:
    props = {"policy": {"Statement": [UNKNOWN_STRING_VALUE, PUBLIC_READ]}}
    assert _validate(s3.NO_PUBLIC_POLICY, s3.BUCKET_POLICY[0], props, "p") == [
        ("p: the bucket policy allows Principal '*' without a condition naming the caller.", None)
    ]


def test_a_policy_with_an_unknown_statement_and_no_tls_deny_reports_the_bucket_first() -> None:
    bucket = resource(BUCKET, "data", {"bucket": "data-bkt", "arn": ARN})
    document = {"Statement": [UNKNOWN_STRING_VALUE, PUBLIC_READ]}
    policy = PolicyResource(
        s3.BUCKET_POLICY[0],
        unknown_checking_proxy({"bucket": "data-bkt", "policy": document}),
        urn(s3.BUCKET_POLICY[0], "p"),
        "p",
        None,  # type: ignore[arg-type]
        None,
        None,
        [],
        {"bucket": [bucket]},
    )
    reports: Reports = []
    with pytest.raises(UnknownValueError):
        s3.TLS_ONLY.validate(
            StackValidationArgs([bucket, policy], None), lambda message, urn=None: reports.append((message, urn))
        )
    assert reports == [
        (
            "data: no bucket policy denies every S3 action on the bucket and its objects to everyone without TLS "
            "(aws:SecureTransport false).",
            urn(BUCKET, "data"),
        )
    ]


def test_a_logging_target_after_an_unknown_one_still_makes_a_log_bucket() -> None:
    bucket = resource(BUCKET, "data", {"bucket": "data-bkt"})
    other = resource(BUCKET, "other", {"bucket": "other-bkt"})
    unknown_target = PolicyResource(
        s3.LOGGING[0],
        unknown_checking_proxy({"targetBucket": UNKNOWN_STRING_VALUE}),
        urn(s3.LOGGING[0], "first"),
        "first",
        None,  # type: ignore[arg-type]
        None,
        None,
        [],
        {"targetBucket": [other]},
    )
    named_target = resource(s3.LOGGING[0], "second", {"targetBucket": "data-bkt"})
    args = StackValidationArgs([bucket, other, unknown_target, named_target], None)
    assert s3.is_log_bucket(args, bucket) is True
    assert s3.is_log_bucket(StackValidationArgs([bucket, other, unknown_target], None), bucket) is False
