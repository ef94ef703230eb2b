"""CloudFront's edge functions found through ordered behaviours, an association without an ARN, an empty VPC
block, and bucket-policy conditions with other tests beside AWS:SourceArn: the cases run F's survivors of
`policies.rules.edge` got wrong (bench/MUTATION.md), through the rules themselves."""
# ruff: noqa: E501  (one case per line reads as a table)

from __future__ import annotations

import json
from typing import Any

import pytest
from pulumi_policy import PolicyResource
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, unknown_checking_proxy

from policies.rules import edge
from tests.policies.rules.calls import Reports, resource, run_stack, urn

THIS = "arn:aws:cloudfront::111122223333:distribution/E1THIS"
DOMAIN = "site.s3.us-east-1.amazonaws.com"
VERSION = "arn:aws:lambda:us-east-1:111122223333:function:auth:3"
FN_URN = urn(edge.FUNCTION, "auth")


def _distribution(function: PolicyResource, key: str, lambda_arn: str) -> PolicyResource:
    """A distribution whose `key` behaviour carries the association and depends on the function (its ARN unknown)."""
    behaviour = {
        "pathPattern": "/api/*",
        "lambdaFunctionAssociations": [{"eventType": "viewer-request", "lambdaArn": lambda_arn}],
    }
    value: Any = [behaviour] if key == "orderedCacheBehaviors" else behaviour
    return resource(edge.DISTRIBUTION, "cdn", {key: value}, {key: [function]})


def _edge(key: str = "defaultCacheBehavior", lambda_arn: str = VERSION, **props: Any) -> Reports:
    function = resource(edge.FUNCTION, "auth", {"region": "us-east-1", **props})
    return run_stack(edge.EDGE_FUNCTIONS, [function, _distribution(function, key, lambda_arn)], None)


def _problem(*problems: str) -> Reports:
    return [("auth: as Lambda@Edge (viewer-request): " + "; ".join(problems) + ".", FN_URN)]


@pytest.mark.parametrize(
    ("reports", "expected"),
    [
        (_edge(), []),
        (_edge(vpcConfig={"subnetIds": [], "securityGroupIds": []}), []),
        (_edge("orderedCacheBehaviors", region="eu-west-1"), _problem("the function is in eu-west-1; Lambda@Edge functions must be in us-east-1")),
        (_edge(lambda_arn=""), _problem("CloudFront is given (no ARN), not a numbered version (publish=True, qualified_arn)")),
    ],
    ids=["ok_dependency", "ok_empty_vpc_block", "bad1_ordered_behaviour_dependency", "bad2_no_arn"],
)  # fmt: skip
def test_edge_function_found_by_dependency(reports: Reports, expected: Reports) -> None:
    assert reports == expected


def _limited(condition: dict[str, Any]) -> Reports:
    bucket = resource(
        "aws:s3/bucket:Bucket", "site", {"id": "site", "bucket": "site", "bucketRegionalDomainName": DOMAIN}
    )
    statement = {
        "Effect": "Allow",
        "Principal": {"Service": "cloudfront.amazonaws.com"},
        "Action": "s3:GetObject",
        "Resource": "arn:aws:s3:::site/*",
        "Condition": condition,
    }
    policy = resource(
        edge.BUCKET_POLICY,
        "pol",
        {"bucket": "site", "policy": json.dumps({"Statement": [statement]})},
        {"bucket": [bucket]},
    )
    origins = [{"originId": "s3", "domainName": DOMAIN, "originAccessControlId": "oac"}]
    distribution = resource(edge.DISTRIBUTION, "cdn", {"arn": THIS, "origins": origins})
    return run_stack(edge.S3_ORIGIN_ACCESS, [bucket, policy, distribution], None)


NOT_LIMITED = [
    (
        "cdn: the policy of bucket site does not limit CloudFront to this distribution (AWS:SourceArn).",
        urn(edge.DISTRIBUTION, "cdn"),
    )
]


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ({"Bool": {"aws:SecureTransport": "true"}, "StringEquals": {"AWS:SourceArn": THIS}}, []),
        ({"StringEquals": {"AWS:SourceAccount": "111122223333", "AWS:SourceArn": THIS}}, []),
        ({"Bool": {"aws:SecureTransport": "true"}, "StringEquals": {"AWS:SourceAccount": "111122223333"}}, NOT_LIMITED),
    ],
    ids=["ok_source_arn_after_another_operator", "ok_source_arn_after_another_key", "bad1_no_source_arn"],
)  # fmt: skip
def test_source_arn_beside_other_tests(condition: dict[str, Any], expected: Reports) -> None:
    assert _limited(condition) == expected


BUCKET = resource("aws:s3/bucket:Bucket", "site", {"id": "site", "bucket": "site", "bucketRegionalDomainName": DOMAIN})
NO_OAC = {"originId": "s3", "domainName": DOMAIN}
NO_OAC_REPORT = "cdn: S3 origin s3 has no origin access control."


def _origins(*origins: dict[str, Any]) -> list[str]:
    distribution = resource(edge.DISTRIBUTION, "cdn", {"arn": THIS, "origins": list(origins)})
    return [m for m, _ in run_stack(edge.S3_ORIGIN_ACCESS, [BUCKET, distribution], None)]


@pytest.mark.parametrize(
    ("first", "reports"),
    [
        ({"originId": "web", "domainName": "site.s3-website-us-east-1.amazonaws.com", "customOriginConfig": {"httpPort": 80}}, []),
        ({"originId": "api", "domainName": "api.example.com"}, []),
        ({"originId": "old", "domainName": DOMAIN, "s3OriginConfig": {"originAccessIdentity": "origin-access-identity/cloudfront/E2"}},
         ["cdn: origin old uses a legacy origin access identity."]),
        ({"originId": "ext", "domainName": "other.s3.eu-west-1.amazonaws.com", "originAccessControlId": "oac"}, []),
    ],
    ids=["custom_origin", "api_origin", "legacy_identity", "bucket_of_another_stack"],
)  # fmt: skip
def test_the_origin_after_a_skipped_or_reported_one_is_judged(first: dict[str, Any], reports: list[str]) -> None:
    assert _origins(first, NO_OAC) == [*reports, NO_OAC_REPORT]


def test_the_bucket_policy_found_by_the_bucket_name() -> None:
    """A bucket known by its name only (no id yet) and a policy naming it, with no dependency recorded."""
    bucket = resource("aws:s3/bucket:Bucket", "site", {"bucket": "site", "bucketRegionalDomainName": DOMAIN})
    statement = {
        "Effect": "Allow",
        "Principal": {"Service": "cloudfront.amazonaws.com"},
        "Action": "s3:GetObject",
        "Resource": "arn:aws:s3:::site/*",
        "Condition": {"StringEquals": {"AWS:SourceArn": THIS}},
    }
    policy = resource(edge.BUCKET_POLICY, "pol", {"bucket": "site", "policy": json.dumps({"Statement": [statement]})})
    origins = [{"originId": "s3", "domainName": DOMAIN, "originAccessControlId": "oac"}]
    distribution = resource(edge.DISTRIBUTION, "cdn", {"arn": THIS, "origins": origins})
    assert run_stack(edge.S3_ORIGIN_ACCESS, [bucket, policy, distribution], None) == []


def _associations(*associations: dict[str, Any]) -> list[str]:
    behaviour = unknown_checking_proxy({"lambdaFunctionAssociations": list(associations)})
    distribution = resource(edge.DISTRIBUTION, "cdn", {"defaultCacheBehavior": behaviour})
    return [m for m, _ in run_stack(edge.EDGE_FUNCTIONS, [distribution], None)]


ELSEWHERE = "arn:aws:lambda:us-east-1:111122223333:function:elsewhere"


@pytest.mark.parametrize(
    ("first", "reports"),
    [
        ({"eventType": "on-connect", "lambdaArn": VERSION}, ["cdn: unknown Lambda@Edge event type 'on-connect'."]),
        ({"eventType": "viewer-request", "lambdaArn": ELSEWHERE + ":3"}, []),
        ({"eventType": "viewer-request", "lambdaArn": UNKNOWN_STRING_VALUE}, []),
    ],
    ids=["unknown_event", "function_of_another_stack", "unknown_arn"],
)  # fmt: skip
def test_the_association_after_a_skipped_or_reported_one_is_judged(first: dict[str, Any], reports: list[str]) -> None:
    second = {"eventType": "viewer-request", "lambdaArn": ELSEWHERE}
    assert _associations(first, second) == [*reports, f"cdn: {ELSEWHERE} is not a numbered version."]
