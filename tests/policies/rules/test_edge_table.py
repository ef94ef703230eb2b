"""The CloudFront and Lambda@Edge rules called directly: HTTPS, minimum TLS, S3 origins, logging, WAF and
what CloudFront refuses of an edge function; each branch with the exact message (bench/MUTATION.md).

Limits are those of "Quotas on Lambda@Edge" (CloudFront Developer Guide), as `policies.rules.edge` cites
them: viewer events 128 MB and 5 s, origin events 10,240 MB and 30 s.
"""
# ruff: noqa: E501  (one case per line reads as a table)

from __future__ import annotations

import json
from typing import Any

import pytest
from pulumi_policy import PolicyResource

from policies.rules import edge
from tests.policies.rules.calls import Reports, provider, resource, run_resource, run_stack, urn

D = "cdn"
D_URN = urn(edge.DISTRIBUTION, D)


def _behaviour(policy: str | None, **extra: Any) -> dict[str, Any]:
    return {"viewerProtocolPolicy": policy, **extra}


@pytest.mark.parametrize(
    ("props", "messages"),
    [
        ({"defaultCacheBehavior": _behaviour("redirect-to-https"), "orderedCacheBehaviors": [_behaviour("https-only", pathPattern="/api/*")]}, []),
        ({}, []),
        ({"defaultCacheBehavior": _behaviour("allow-all")}, ["cdn: the default cache behaviour lets viewers use HTTP (viewerProtocolPolicy 'allow-all')."]),
        ({"defaultCacheBehavior": _behaviour(None)}, ["cdn: the default cache behaviour lets viewers use HTTP (viewerProtocolPolicy '')."]),
        ({"orderedCacheBehaviors": [_behaviour("https-only", pathPattern="/a"), _behaviour("allow-all", pathPattern="/img/*")]},
         ["cdn: cache behaviour /img/* lets viewers use HTTP (viewerProtocolPolicy 'allow-all')."]),
        ({"orderedCacheBehaviors": [_behaviour("https-only"), _behaviour("allow-all")]}, ["cdn: cache behaviour 1 lets viewers use HTTP (viewerProtocolPolicy 'allow-all')."]),
        ({"defaultCacheBehavior": _behaviour("allow-all"), "orderedCacheBehaviors": [_behaviour("allow-all", pathPattern="/x")]},
         ["cdn: the default cache behaviour lets viewers use HTTP (viewerProtocolPolicy 'allow-all').", "cdn: cache behaviour /x lets viewers use HTTP (viewerProtocolPolicy 'allow-all')."]),
    ],
    ids=["ok_https", "ok_no_behaviour", "bad1_default_allow_all", "bad2_unset", "bad3_ordered_by_path", "bad4_ordered_by_index", "bad5_each"],
)  # fmt: skip
def test_https_only(props: dict[str, Any], messages: list[str]) -> None:
    assert run_resource(edge.HTTPS_ONLY, edge.DISTRIBUTION, props, name=D) == [(m, None) for m in messages]


ACM = "arn:aws:acm:us-east-1:111122223333:certificate/c"
DEFAULT_CERT = "cdn: the distribution uses CloudFront's default certificate, whose minimum viewer TLS is TLSv1."
USE_2021 = "use TLSv1.2_2021 or a stricter one (TLSv1.2_2025, TLSv1.3_2025)"


@pytest.mark.parametrize(
    ("certificate", "config", "messages"),
    [
        ({"acmCertificateArn": ACM, "minimumProtocolVersion": "TLSv1.2_2021"}, {}, []),
        ({"acmCertificateArn": ACM, "minimumProtocolVersion": "TLSv1.3_2025"}, {}, []),
        ({"acmCertificateArn": ACM, "minimumProtocolVersion": "TLSv1.2_2025"}, {"minimumSecurityPolicy": "TLSv1.2_2025"}, []),
        ({"acmCertificateArn": ACM, "minimumProtocolVersion": "TLSv1.2_2019"}, {"minimumSecurityPolicy": "TLSv1.2_2019"}, []),
        ({"cloudfrontDefaultCertificate": True}, {}, [DEFAULT_CERT]),
        ({"cloudfrontDefaultCertificate": True, "acmCertificateArn": ACM, "minimumProtocolVersion": "TLSv1.2_2021"}, {}, [DEFAULT_CERT]),
        (None, {}, [DEFAULT_CERT]),
        ({"acmCertificateArn": ACM, "minimumProtocolVersion": "TLSv1.2_2019"}, {}, [f"cdn: minimum viewer TLS TLSv1.2_2019 is weaker than TLSv1.2_2021; {USE_2021}."]),
        ({"acmCertificateArn": ACM}, {}, [f"cdn: minimum viewer TLS is unset (TLSv1); {USE_2021}."]),
        ({"acmCertificateArn": ACM, "minimumProtocolVersion": "TLSv1.2_2021"}, {"minimumSecurityPolicy": "TLSv1.3_2025"}, ["cdn: minimum viewer TLS TLSv1.2_2021 is weaker than TLSv1.3_2025; use TLSv1.3_2025."]),
        ({"cloudfrontDefaultCertificate": False, "acmCertificateArn": ACM, "minimumProtocolVersion": "TLSv1"}, {}, [f"cdn: minimum viewer TLS TLSv1 is weaker than TLSv1.2_2021; {USE_2021}."]),
    ],
    ids=["ok_default_minimum", "ok_stricter_than_the_default", "ok_configured_minimum", "ok_configured_weaker_minimum", "bad1_default_certificate", "bad2_default_wins",
         "bad3_no_certificate", "bad4_old_policy", "bad5_unset_policy", "bad6_below_configured_minimum", "bad7_tls1"],
)  # fmt: skip
def test_minimum_tls(certificate: dict[str, Any] | None, config: dict[str, Any], messages: list[str]) -> None:
    assert run_resource(
        edge.MINIMUM_TLS, edge.DISTRIBUTION, {"viewerCertificate": certificate}, name=D, config=config
    ) == [(m, None) for m in messages]


DOMAIN = "site.s3.us-east-1.amazonaws.com"
BUCKET = resource("aws:s3/bucketV2:BucketV2", "site", {"bucket": "site", "bucketRegionalDomainName": DOMAIN})
THIS = "arn:aws:cloudfront::111122223333:distribution/E1"
SCOPED = {"Effect": "Allow", "Principal": {"Service": "cloudfront.amazonaws.com"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::site/*",
          "Condition": {"StringEquals": {"AWS:SourceArn": THIS}}}  # fmt: skip
POLICY = resource(
    edge.BUCKET_POLICY, "pol", {"bucket": "site", "policy": json.dumps({"Statement": [SCOPED]})}, {"bucket": [BUCKET]}
)


def _origins(*origins: dict[str, Any], deps: list[PolicyResource] | None = None, arn: str = THIS) -> PolicyResource:
    return resource(edge.DISTRIBUTION, D, {"arn": arn, "origins": list(origins)}, {"origins": deps} if deps else None)


@pytest.mark.parametrize(
    ("distribution", "messages"),
    [
        (_origins({"originId": "s3", "domainName": DOMAIN, "originAccessControlId": "oac"}), []),
        (_origins({"originId": "s3", "domainName": "x", "originAccessControlId": "oac"}, deps=[BUCKET]), []),
        (_origins({"originId": "api", "domainName": "api.example.com"}), []),
        (_origins({"originId": "web", "domainName": "site.s3-website-us-east-1.amazonaws.com", "customOriginConfig": {"httpPort": 80}}), []),
        (_origins({"originId": "ext", "domainName": "other.s3.eu-west-1.amazonaws.com", "originAccessControlId": "oac"}), []),
        (_origins({"originId": "s3", "domainName": DOMAIN, "originAccessControlId": "oac"}, arn=""), []),
        (_origins({"originId": "s3", "domainName": DOMAIN, "s3OriginConfig": {"originAccessIdentity": "origin-access-identity/cloudfront/E2"}}),
         ["cdn: origin s3 uses a legacy origin access identity."]),
        (_origins({"originId": "s3", "domainName": DOMAIN}), ["cdn: S3 origin s3 has no origin access control."]),
        (_origins({"domainName": "other.s3.amazonaws.com"}), ["cdn: S3 origin other.s3.amazonaws.com has no origin access control."]),
        (_origins({"originId": "s3", "domainName": DOMAIN, "originAccessControlId": "oac"}, arn="arn:aws:cloudfront::111122223333:distribution/E9"),
         ["cdn: the policy of bucket site does not limit CloudFront to this distribution (AWS:SourceArn)."]),
        (_origins({"originId": "a", "domainName": DOMAIN}, {"originId": "b", "domainName": "b.s3.amazonaws.com"}),
         ["cdn: S3 origin a has no origin access control.", "cdn: S3 origin b has no origin access control."]),
    ],
    ids=["ok_oac_scoped", "ok_bucket_by_dependency", "ok_custom_origin", "ok_website_endpoint", "ok_bucket_of_another_stack",
         "ok_own_arn_unknown", "bad1_oai", "bad2_no_oac", "bad3_no_origin_id", "bad4_other_distribution", "bad5_each_origin"],
)  # fmt: skip
def test_s3_origins(distribution: PolicyResource, messages: list[str]) -> None:
    assert run_stack(edge.S3_ORIGIN_ACCESS, [BUCKET, POLICY, distribution], None) == [(m, D_URN) for m in messages]


def test_the_bucket_domain_name_also_identifies_the_bucket() -> None:
    bucket = resource("aws:s3/bucket:Bucket", "site", {"bucket": "site", "bucketDomainName": "site.s3.amazonaws.com"})
    distribution = _origins({"originId": "s3", "domainName": "site.s3.amazonaws.com", "originAccessControlId": "oac"})
    assert run_stack(edge.S3_ORIGIN_ACCESS, [bucket, distribution], None) == [
        ("cdn: the policy of bucket site does not limit CloudFront to this distribution (AWS:SourceArn).", D_URN)
    ]


@pytest.mark.parametrize(
    ("condition", "limited"),
    [
        ({"ArnEquals": {"aws:SourceArn": [THIS, "arn:aws:cloudfront::111122223333:distribution/E2"]}}, True),
        ({"StringEquals": {"aws:sourcearn": THIS}}, True),
        ({"StringLike": {"AWS:SourceArn": THIS}}, False),
        ({"StringEquals": {"AWS:SourceArn": "arn:aws:cloudfront::111122223333:distribution/*"}}, False),
        ({"StringEquals": {"AWS:SourceArn": [THIS, "arn:aws:s3:::x"]}}, False),
        ({"StringEquals": {"AWS:SourceArn": []}}, False),
        ({"StringEquals": "x"}, False),
        ({"StringEquals": {"AWS:SourceAccount": "111122223333"}}, False),
    ],
    ids=["ok_arn_equals_list", "ok_key_any_case", "bad1_like", "bad2_wildcard", "bad3_not_a_distribution", "bad4_empty", "bad5_malformed", "bad6_account"],
)  # fmt: skip
def test_what_limits_cloudfront_to_distributions(condition: dict[str, Any], limited: bool) -> None:
    statement = {**SCOPED, "Condition": condition}
    policy = resource(
        edge.BUCKET_POLICY,
        "pol",
        {"bucket": "site", "policy": json.dumps({"Statement": [statement]})},
        {"bucket": [BUCKET]},
    )
    distribution = _origins({"originId": "s3", "domainName": DOMAIN, "originAccessControlId": "oac"})
    expected = (
        []
        if limited
        else [("cdn: the policy of bucket site does not limit CloudFront to this distribution (AWS:SourceArn).", D_URN)]
    )
    assert run_stack(edge.S3_ORIGIN_ACCESS, [BUCKET, policy, distribution], None) == expected


NO_LOGS = [("cdn: no access logs (neither standard logging v2 nor legacy).", D_URN)]
DIST = resource(edge.DISTRIBUTION, D, {"arn": THIS})


def _source(log_type: str, target: PolicyResource | None = DIST) -> PolicyResource:
    return resource(
        edge.LOG_DELIVERY_SOURCE,
        "src",
        {"name": "src", "logType": log_type, "resourceArn": "x"},
        {"resourceArn": [target]} if target else None,
    )


def _delivery(source: PolicyResource) -> PolicyResource:
    return resource(edge.LOG_DELIVERY, "delivery", {"deliverySourceName": "src"}, {"deliverySourceName": [source]})


@pytest.mark.parametrize(
    ("resources", "messages"),
    [
        ([resource(edge.DISTRIBUTION, D, {"loggingConfig": {"bucket": "logs.s3.amazonaws.com"}})], []),
        ([DIST, (s := _source("ACCESS_LOGS")), _delivery(s)], []),
        ([DIST], NO_LOGS),
        ([resource(edge.DISTRIBUTION, D, {"loggingConfig": {"bucket": ""}})], NO_LOGS),
        ([DIST, _source("ACCESS_LOGS")], NO_LOGS),
        ([DIST, (s2 := _source("CONNECTION_LOGS")), _delivery(s2)], NO_LOGS),
        ([DIST, (s3 := _source("ACCESS_LOGS", resource(edge.DISTRIBUTION, "other", {}))), _delivery(s3)], NO_LOGS),
    ],
    ids=["ok_legacy", "ok_v2", "bad1_nothing", "bad2_empty_bucket", "bad3_source_not_delivered", "bad4_other_log_type", "bad5_source_of_another"],
)  # fmt: skip
def test_logging(resources: list[PolicyResource], messages: Reports) -> None:
    found = run_stack(edge.LOGGING, resources, None)
    assert [r for r in found if r[1] == D_URN] == messages


@pytest.mark.parametrize(
    ("props", "config", "messages"),
    [
        ({}, {}, []),
        ({}, {"required": False}, []),
        ({"webAclId": "arn:aws:wafv2:us-east-1:111122223333:global/webacl/w/1"}, {"required": True}, []),
        ({}, {"required": True}, ["cdn: the production distribution has no AWS WAF web ACL."]),
        ({"webAclId": ""}, {"required": True}, ["cdn: the production distribution has no AWS WAF web ACL."]),
    ],
    ids=["ok_not_required", "ok_required_false", "ok_web_acl", "bad1_missing", "bad2_empty"],
)
def test_waf(props: dict[str, Any], config: dict[str, Any], messages: list[str]) -> None:
    assert run_resource(edge.WAF, edge.DISTRIBUTION, props, name=D, config=config) == [(m, None) for m in messages]


FN_ARN = "arn:aws:lambda:us-east-1:111122223333:function:auth"
VERSION = FN_ARN + ":7"
EDGE_TRUST = json.dumps(
    {
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": ["lambda.amazonaws.com", "edgelambda.amazonaws.com"]},
                "Action": "sts:AssumeRole",
            }
        ]
    }
)
ROLE = resource(edge.ROLE, "role", {"assumeRolePolicy": EDGE_TRUST})
FN_URN = urn(edge.FUNCTION, "auth")


def _edge(
    event: str = "viewer-request",
    lambda_arn: str = VERSION,
    role: PolicyResource = ROLE,
    fn_provider: Any = None,
    **props: Any,
) -> list[PolicyResource]:
    function = resource(
        edge.FUNCTION, "auth", {"arn": FN_ARN, "role": "r", **props}, {"role": [role]}, provider=fn_provider
    )
    behaviour = {
        "viewerProtocolPolicy": "https-only",
        "lambdaFunctionAssociations": [{"eventType": event, "lambdaArn": lambda_arn}],
    }
    return [role, function, resource(edge.DISTRIBUTION, D, {"defaultCacheBehavior": behaviour})]


def _problems(event: str, *problems: str) -> Reports:
    return [(f"auth: as Lambda@Edge ({event}): " + "; ".join(problems) + ".", FN_URN)]


@pytest.mark.parametrize(
    ("resources", "messages"),
    [
        (_edge(), []),
        (_edge(memorySize=128, timeout=5), []),
        (_edge("origin-request", memorySize=10240, timeout=30), []),
        (_edge(region="us-east-1", layers=[], environment={"variables": {}}), []),
        (_edge(fn_provider=provider({"region": "us-east-1"})), []),
        (_edge(role=resource(edge.ROLE, "other-role", {})) [1:], []),
        (_edge(lambda_arn=FN_ARN + ":$LATEST"), _problems("viewer-request", f"CloudFront is given {FN_ARN}:$LATEST, not a numbered version (publish=True, qualified_arn)")),
        (_edge(region="eu-west-1"), _problems("viewer-request", "the function is in eu-west-1; Lambda@Edge functions must be in us-east-1")),
        (_edge(fn_provider=provider({"region": "eu-west-1"})), _problems("viewer-request", "the function is in eu-west-1; Lambda@Edge functions must be in us-east-1")),
        (_edge(environment={"variables": {"A": "1"}}), _problems("viewer-request", "the function has environment variables, which Lambda@Edge does not support")),
        (_edge(vpcConfig={"subnetIds": ["s-1"]}), _problems("viewer-request", "the function is attached to a VPC, which Lambda@Edge does not support")),
        (_edge(layers=["arn:aws:lambda:us-east-1:111122223333:layer:l:1"]), _problems("viewer-request", "the function uses layers, which Lambda@Edge does not support")),
        (_edge(tracingConfig={"mode": "Active"}), _problems("viewer-request", "the function has X-Ray active tracing, which Lambda@Edge does not support")),
        (_edge(memorySize=129), _problems("viewer-request", "129 MB is over the 128 MB a viewer-request function may have")),
        (_edge("viewer-response", timeout=5.5), _problems("viewer-response", "a 5.5 s timeout is over the 5 s a viewer-response function may have")),
        (_edge("origin-response", memorySize=10241, timeout=31), _problems("origin-response", "10241 MB is over the 10240 MB a origin-response function may have", "a 31 s timeout is over the 30 s a origin-response function may have")),
        (_edge(role=resource(edge.ROLE, "role", {"assumeRolePolicy": json.dumps({"Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]})})),
         _problems("viewer-request", "its role does not trust edgelambda.amazonaws.com")),
        (_edge(role=resource(edge.ROLE, "role", {"assumeRolePolicy": json.dumps({"Statement": [{"Effect": "Deny", "Principal": {"Service": "edgelambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]})})),
         _problems("viewer-request", "its role does not trust edgelambda.amazonaws.com")),
    ],
    ids=["ok_defaults", "ok_at_viewer_limits", "ok_at_origin_limits", "ok_empty_extras", "ok_provider_region", "ok_role_not_in_stack",
         "bad1_latest", "bad2_region", "bad3_provider_region", "bad4_environment", "bad5_vpc", "bad6_layers", "bad7_tracing",
         "bad8_viewer_memory", "bad9_viewer_timeout", "bad10_origin_limits", "bad11_role_without_edgelambda", "bad12_deny_is_not_trust"],
)  # fmt: skip
def test_edge_function_deployable(resources: list[PolicyResource], messages: Reports) -> None:
    assert run_stack(edge.EDGE_FUNCTIONS, resources, None) == messages


@pytest.mark.parametrize(
    ("event", "lambda_arn", "messages"),
    [
        ("viewer-request", "arn:aws:lambda:us-east-1:111122223333:function:elsewhere:3", []),
        ("viewer-request", "arn:aws:lambda:us-east-1:111122223333:function:elsewhere", ["cdn: arn:aws:lambda:us-east-1:111122223333:function:elsewhere is not a numbered version."]),
        ("viewer-request", "", ["cdn: (no ARN) is not a numbered version."]),
        ("on-connect", VERSION, ["cdn: unknown Lambda@Edge event type 'on-connect'."]),
    ],
    ids=["ok_function_of_another_stack", "bad1_unqualified_elsewhere", "bad2_no_arn", "bad3_unknown_event"],
)  # fmt: skip
def test_associations_without_the_function(event: str, lambda_arn: str, messages: list[str]) -> None:
    behaviour = {"lambdaFunctionAssociations": [{"eventType": event, "lambdaArn": lambda_arn}]}
    assert run_stack(
        edge.EDGE_FUNCTIONS, [resource(edge.DISTRIBUTION, D, {"defaultCacheBehavior": behaviour})], None
    ) == [(m, D_URN) for m in messages]


def test_a_single_function_dependency_is_the_associated_function() -> None:
    function = resource(edge.FUNCTION, "auth", {"region": "eu-west-1"})
    behaviour = {"lambdaFunctionAssociations": [{"eventType": "viewer-request", "lambdaArn": VERSION}]}
    distribution = resource(
        edge.DISTRIBUTION, D, {"defaultCacheBehavior": behaviour}, {"defaultCacheBehavior": [function]}
    )
    assert run_stack(edge.EDGE_FUNCTIONS, [function, distribution], None) == _problems(
        "viewer-request", "the function is in eu-west-1; Lambda@Edge functions must be in us-east-1"
    )
