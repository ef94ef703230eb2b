"""Edge policies (CloudFront, Lambda@Edge): a compliant distribution and numbered non-compliant ones.

Each bad distribution differs from a compliant one in one respect, so each policy flags exactly its own
cases: (1) plain HTTP allowed, (2) CloudFront's default certificate, (3) an old TLS policy, (4) a legacy
OAI, (5) an S3 origin without OAC, (6) a bucket policy open to every distribution, (7) no access logs,
(8) no WAF in production; Lambda@Edge: (9) environment variables, (10) outside us-east-1, (11) over the
viewer-event quotas, (12) a role edgelambda cannot assume, (13) `$LATEST` instead of a numbered version, (14) X-Ray active
tracing, which Lambda@Edge does not support.
"""
# ruff: noqa: E501  (the embedded Pulumi program keeps one resource per line)

from __future__ import annotations

import pytest

from preflight.graph import ResourceGraph
from tests.policies.conftest import flagged, synth

PROGRAM = """
import pulumi_aws_native as native
edge = aws.Provider("edge", region="us-east-1")
west = aws.Provider("west", region="eu-west-1")
both = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": ["edgelambda.amazonaws.com", "lambda.amazonaws.com"]}, "Action": "sts:AssumeRole"}]})
lambda_only = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
edge_role = aws.iam.Role("edge_role", assume_role_policy=both)
plain_role = aws.iam.Role("plain_role", assume_role_policy=lambda_only)
code = pulumi.AssetArchive({"index.py": pulumi.StringAsset("def handler(e, c):\\n    return e\\n")})

def fn(name, role=edge_role, provider=edge, **kw):
    return aws.lambda_.Function(name, name=name.replace("_", "-"), role=role.arn, runtime="python3.13", handler="index.handler", code=code, publish=True, opts=pulumi.ResourceOptions(provider=provider), **kw)

good_fn = fn("good_edge_fn", memory_size=128, timeout=5)
aws.cloudwatch.LogGroup("good_edge_logs", name="/aws/lambda/us-east-1.good-edge-fn", retention_in_days=14, opts=pulumi.ResourceOptions(provider=edge))
bad_env_fn = fn("bad_env_fn", environment={"variables": {"STAGE": "prod"}})
bad_region_fn = fn("bad_region_fn", provider=west)
bad_memory_fn = fn("bad_memory_fn", memory_size=512, timeout=10)
bad_trust_fn = fn("bad_trust_fn", role=plain_role)
latest_fn = fn("latest_fn")
bad_tracing_fn = fn("bad_tracing_fn", tracing_config={"mode": "Active"})
# aws-native functions (AWS::Lambda::Function), judged as their pulumi-aws views; published as version 1
def native_fn(name, **kw):
    f = native.lambda_.Function(name, function_name=name.replace("_", "-"), role=edge_role.arn, runtime="python3.13", handler="index.handler", code={"zip_file": "def handler(e, c):\\n    return e\\n"}, **kw)
    return pulumi.Output.concat("arn:aws:lambda:us-east-1:123456789012:function:", f.function_name, ":1")
good_native_arn = native_fn("good_native_edge_fn")
bad_native_env_arn = native_fn("bad_native_env_fn", environment={"variables": {"STAGE": "prod"}})
core_fn = aws.lambda_.Function("core_fn", name="core-fn", role=plain_role.arn, runtime="python3.13", handler="index.handler", code=code)

CERT = "arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555"
WAF = "arn:aws:wafv2:us-east-1:123456789012:global/webacl/edge/0a1b2c3d-0000-0000-0000-000000000000"
oac = aws.cloudfront.OriginAccessControl("oac", name="oac", origin_access_control_origin_type="s3", signing_behavior="always", signing_protocol="sigv4")
origin_bucket = aws.s3.Bucket("origin_bucket")
open_bucket = aws.s3.Bucket("open_bucket")

def viewer(**kw):
    return {"acm_certificate_arn": CERT, "ssl_support_method": "sni-only", "minimum_protocol_version": "TLSv1.2_2021", **kw}

def behavior(protocol="redirect-to-https", associations=None):
    return {"target_origin_id": "o", "viewer_protocol_policy": protocol, "allowed_methods": ["GET", "HEAD"], "cached_methods": ["GET", "HEAD"], "cache_policy_id": "658327ea-f89d-4fab-a63d-7e88639e58f6", "lambda_function_associations": associations or []}

CUSTOM = [{"origin_id": "o", "domain_name": "api.example.com", "custom_origin_config": {"http_port": 80, "https_port": 443, "origin_protocol_policy": "https-only", "origin_ssl_protocols": ["TLSv1.2"]}}]
LEGACY_LOGS = {"bucket": "logs.s3.amazonaws.com"}

def dist(name, origins=CUSTOM, default=None, ordered=None, certificate=None, logging=LEGACY_LOGS, waf=WAF):
    return aws.cloudfront.Distribution(name, enabled=True, origins=origins, default_cache_behavior=default or behavior(), ordered_cache_behaviors=ordered, viewer_certificate=certificate or viewer(), restrictions={"geo_restriction": {"restriction_type": "none"}}, logging_config=logging, web_acl_id=waf)

good_cdn = dist(
    "good_cdn",
    origins=[{"origin_id": "o", "domain_name": origin_bucket.bucket_regional_domain_name, "origin_access_control_id": oac.id}],
    default=behavior(associations=[{"event_type": "origin-request", "lambda_arn": good_fn.qualified_arn}]),
    logging=None,
)
aws.s3.BucketPolicy("good_policy", bucket=origin_bucket.id, policy=pulumi.Output.json_dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "cloudfront.amazonaws.com"}, "Action": "s3:GetObject", "Resource": pulumi.Output.concat(origin_bucket.arn, "/*"), "Condition": {"StringEquals": {"AWS:SourceArn": good_cdn.arn}}}]}))
source = aws.cloudwatch.LogDeliverySource("good_source", name="good-source", log_type="ACCESS_LOGS", resource_arn=good_cdn.arn, opts=pulumi.ResourceOptions(provider=edge))
destination = aws.cloudwatch.LogDeliveryDestination("good_destination", name="good-destination", delivery_destination_configuration={"destination_resource_arn": "arn:aws:s3:::logs"}, opts=pulumi.ResourceOptions(provider=edge))
aws.cloudwatch.LogDelivery("good_delivery", delivery_source_name=source.name, delivery_destination_arn=destination.arn, opts=pulumi.ResourceOptions(provider=edge))

dist("bad_http", ordered=[{**behavior(protocol="allow-all"), "path_pattern": "/legacy/*"}])
dist("bad_default_cert", certificate={"cloudfront_default_certificate": True})
dist("bad_old_tls", certificate=viewer(minimum_protocol_version="TLSv1.2_2019"))
dist("bad_oai", origins=[{"origin_id": "o", "domain_name": "other.s3.us-east-1.amazonaws.com", "s3_origin_config": {"origin_access_identity": "origin-access-identity/cloudfront/E2QWRUHAPOMQZL"}}])
dist("bad_no_oac", origins=[{"origin_id": "o", "domain_name": "other.s3.us-east-1.amazonaws.com"}])
# pulumi/examples aws-py-static-website: the bucket's *website* endpoint as a custom origin, which cannot take OAC.
site_bucket = aws.s3.Bucket("site_bucket")
site = aws.s3.BucketWebsiteConfiguration("site", bucket=site_bucket.bucket, index_document={"suffix": "index.html"})
dist("website_cdn", origins=[{"origin_id": site_bucket.arn, "domain_name": site.website_endpoint, "custom_origin_config": {"http_port": 80, "https_port": 443, "origin_protocol_policy": "http-only", "origin_ssl_protocols": ["TLSv1.2"]}}])
unscoped = dist("bad_unscoped", origins=[{"origin_id": "o", "domain_name": open_bucket.bucket_regional_domain_name, "origin_access_control_id": oac.id}])
aws.s3.BucketPolicy("open_policy", bucket=open_bucket.id, policy=json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "cloudfront.amazonaws.com"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::open/*", "Condition": {"StringLike": {"AWS:SourceArn": "arn:aws:cloudfront::123456789012:distribution/*"}}}]}))
dist("bad_no_logs", logging=None)
dist("bad_no_waf", waf=None)
dist(
    "edge_cases",
    ordered=[
        {**behavior(associations=[{"event_type": "origin-request", "lambda_arn": bad_env_fn.qualified_arn}]), "path_pattern": "/a/*"},
        {**behavior(associations=[{"event_type": "origin-request", "lambda_arn": bad_region_fn.qualified_arn}]), "path_pattern": "/b/*"},
        {**behavior(associations=[{"event_type": "viewer-request", "lambda_arn": bad_memory_fn.qualified_arn}]), "path_pattern": "/c/*"},
        {**behavior(associations=[{"event_type": "origin-response", "lambda_arn": bad_trust_fn.qualified_arn}]), "path_pattern": "/d/*"},
        {**behavior(associations=[{"event_type": "viewer-response", "lambda_arn": latest_fn.arn.apply(lambda a: a + ":$LATEST")}]), "path_pattern": "/e/*"},
        {**behavior(associations=[{"event_type": "origin-request", "lambda_arn": bad_tracing_fn.qualified_arn}]), "path_pattern": "/f/*"},
    ],
)
# one association each: an aws-native function's ARN is not known in preview, its dependency names it
dist("native_good_cdn", default=behavior(associations=[{"event_type": "origin-request", "lambda_arn": good_native_arn}]))
dist("native_bad_cdn", default=behavior(associations=[{"event_type": "origin-request", "lambda_arn": bad_native_env_arn}]))
"""

GOOD = {"good_cdn", "edge_cases", "website_cdn", "native_good_cdn", "native_bad_cdn"}
#: (policy, bad resources, good resources, policy settings)
CASES = [
    ("cloudfront-https-only", {"bad_http"}, GOOD, None),
    ("cloudfront-minimum-tls", {"bad_default_cert", "bad_old_tls"}, GOOD, None),
    ("cloudfront-s3-origin-access-control", {"bad_oai", "bad_no_oac", "bad_unscoped"}, GOOD, None),
    ("cloudfront-logging", {"bad_no_logs"}, GOOD, None),
    ("cloudfront-waf-in-production", {"bad_no_waf"}, GOOD, {"required": True}),
    (
        "lambda-edge-deployable",
        {
            "bad_env_fn",
            "bad_region_fn",
            "bad_memory_fn",
            "bad_trust_fn",
            "latest_fn",
            "bad_tracing_fn",
            "bad_native_env_fn",
        },
        {"good_edge_fn", "core_fn", "good_native_edge_fn"},
        None,
    ),
]


@pytest.fixture(scope="module")
def graph(tmp_path_factory: pytest.TempPathFactory) -> ResourceGraph:
    return synth(tmp_path_factory.mktemp("edge"), PROGRAM)


@pytest.mark.parametrize(("policy", "bad", "good", "settings"), CASES, ids=[c[0] for c in CASES])
def test_policy(graph: ResourceGraph, policy: str, bad: set[str], good: set[str], settings: dict | None) -> None:
    found = flagged(graph, policy, settings)
    assert found == bad, f"{policy}: flagged {sorted(found)}, expected {sorted(bad)}"
    assert not good & found


def test_waf_is_required_only_where_configured(graph: ResourceGraph) -> None:
    assert flagged(graph, "cloudfront-waf-in-production") == set()


def test_tls_minimum_is_configurable(graph: ResourceGraph) -> None:
    """A stack that accepts TLSv1.2_2019 passes it (and everything stricter); one that asks for TLSv1.2_2025
    refuses every distribution on TLSv1.2_2021 too."""
    assert flagged(graph, "cloudfront-minimum-tls", {"minimumSecurityPolicy": "TLSv1.2_2019"}) == {"bad_default_cert"}
    strict = flagged(graph, "cloudfront-minimum-tls", {"minimumSecurityPolicy": "TLSv1.2_2025"})
    assert {"bad_default_cert", "bad_old_tls", "good_cdn"} <= strict


def test_edge_functions_need_no_dead_letter_queue(graph: ResourceGraph) -> None:
    """CloudFront invokes Lambda@Edge synchronously: the failure-destination policy judges only the others."""
    assert flagged(graph, "lambda-failure-destination") == {"core_fn"}


def test_edge_functions_log_to_the_us_east_1_prefixed_group(graph: ResourceGraph) -> None:
    found = flagged(graph, "lambda-log-group")
    assert "good_edge_fn" not in found
    assert {"core_fn", "bad_env_fn"} <= found


def test_edge_functions_are_exempt_from_active_tracing(graph: ResourceGraph) -> None:
    """Lambda@Edge does not support X-Ray ("Restrictions on Lambda@Edge"): only the core function is judged."""
    assert flagged(graph, "lambda-active-tracing") == {"core_fn"}
