"""cloudfront-s3-origin-access-control called directly (review finding F19): every CloudFront statement of an
origin bucket's policy is judged, so one scoped to this distribution does not excuse an open one beside it."""
# ruff: noqa: E501  (one case per line reads as a table)

from __future__ import annotations

import json
from typing import Any

import pytest

from policies.rules import edge
from tests.policies.rules.calls import resource, run_stack

DOMAIN = "origin.s3.us-east-1.amazonaws.com"
THIS = "arn:aws:cloudfront::123456789012:distribution/E1THIS"
OTHER = "arn:aws:cloudfront::123456789012:distribution/E2OTHER"


def _cloudfront(condition: dict[str, Any] | None = None, principal: Any = None) -> dict[str, Any]:
    statement: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": principal or {"Service": "cloudfront.amazonaws.com"},
        "Action": "s3:GetObject",
        "Resource": "arn:aws:s3:::origin/*",
    }
    if condition is not None:
        statement["Condition"] = condition
    return statement


SCOPED = _cloudfront({"StringEquals": {"AWS:SourceArn": THIS}})
NO_CONDITION = _cloudfront()
ANY_OF_ACCOUNT = _cloudfront({"StringLike": {"AWS:SourceArn": "arn:aws:cloudfront::123456789012:distribution/*"}})
ACCOUNT_ONLY = _cloudfront({"StringEquals": {"AWS:SourceAccount": "123456789012"}})
OTHER_DISTRIBUTION = _cloudfront({"ArnEquals": {"aws:sourcearn": [OTHER]}})
NOT_CLOUDFRONT = {**NO_CONDITION, "Principal": {"AWS": "arn:aws:iam::123456789012:role/reader"}}
DENY_CLOUDFRONT = {**NO_CONDITION, "Effect": "Deny"}

NOT_LIMITED = "cdn: the policy of bucket origin does not limit CloudFront to this distribution (AWS:SourceArn)."


def _also(count: int) -> str:
    return (
        "cdn: the policy of bucket origin also lets CloudFront in for any distribution of any account: "
        f"{count} statement(s) for cloudfront.amazonaws.com without AWS:SourceArn naming distributions."
    )


def _run(*statements: dict[str, Any]) -> list[str]:
    bucket = resource(
        "aws:s3/bucket:Bucket",
        "origin",
        {"id": "origin", "bucket": "origin", "arn": "arn:aws:s3:::origin", "bucketRegionalDomainName": DOMAIN},
    )
    origins = [{"originId": "o", "domainName": DOMAIN, "originAccessControlId": "oac-1"}]
    distribution = resource(edge.DISTRIBUTION, "cdn", {"arn": THIS, "origins": origins})
    document = json.dumps({"Version": "2012-10-17", "Statement": list(statements)})
    policy = resource(edge.BUCKET_POLICY, "pol", {"bucket": "origin", "policy": document})
    reports = run_stack(edge.S3_ORIGIN_ACCESS, [bucket, distribution, policy])
    return [message for message, _urn in reports]


@pytest.mark.parametrize(
    ("statements", "messages"),
    [
        ((SCOPED,), []),
        ((SCOPED, OTHER_DISTRIBUTION), []),  # a second distribution of the stack sharing the bucket
        ((SCOPED, NOT_CLOUDFRONT), []),  # s3-no-public-policy judges other principals
        ((SCOPED, DENY_CLOUDFRONT), []),
        ((SCOPED, NO_CONDITION), [_also(1)]),  # the review's repro: two statements, one open
        ((SCOPED, ANY_OF_ACCOUNT), [_also(1)]),
        ((SCOPED, ACCOUNT_ONLY, NO_CONDITION), [_also(2)]),
        ((NO_CONDITION, SCOPED), [_also(1)]),  # the order does not matter
        ((NO_CONDITION,), [NOT_LIMITED]),
        ((OTHER_DISTRIBUTION,), [NOT_LIMITED]),
    ],
    ids=["ok_scoped", "ok_two_distributions", "ok_other_principal", "ok_deny", "bad1_open_beside_scoped", "bad2_any_of_account_beside", "bad3_two_loose", "bad4_open_first", "bad5_open_only", "bad6_another_distribution_only"],
)  # fmt: skip
def test_each_cloudfront_statement_is_judged(statements: tuple[dict[str, Any], ...], messages: list[str]) -> None:
    assert _run(*statements) == messages
