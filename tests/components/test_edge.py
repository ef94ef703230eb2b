"""EdgeDelivery in prod's example config: Lambda@Edge's rules hold, the origin is private, the policies agree."""

from __future__ import annotations

import json
from typing import Any

import pytest

from components.settings import StackConfigError, load_settings
from functions.edge.contract import EDGE_EVENT_SOURCE, VARIANT_REQUESTED
from policies.registry import by_name
from preflight.engine import synthesize
from preflight.findings import Level
from preflight.graph import ResourceGraph
from preflight.policy_runner import PolicySetting, run_policies
from tests.components.conftest import REPO_ROOT
from tests.components.conftest import only_named as _one

EDGE_POLICIES = (
    "cloudfront-https-only",
    "cloudfront-minimum-tls",
    "cloudfront-s3-origin-access-control",
    "cloudfront-logging",
    "cloudfront-waf-in-production",
    "lambda-edge-deployable",
    "lambda-failure-destination",
    "lambda-log-group",
    "lambda-active-tracing",
)


@pytest.fixture(scope="module")
def prod() -> ResourceGraph:
    return synthesize(REPO_ROOT, "prod")


def _doc(value: Any) -> dict[str, Any]:
    return json.loads(value) if isinstance(value, str) else value


def test_edge_function_keeps_lambda_at_edge_rules(prod: ResourceGraph) -> None:
    fn = _one(prod, "aws:lambda/function:Function", "edge-personalise")
    provider = prod.get(fn.provider.rsplit("::", 1)[0])
    assert provider is not None and provider.inputs["region"] == "us-east-1"  # explicit provider
    assert fn.inputs["publish"] is True
    for forbidden in ("environment", "layers", "vpcConfig", "deadLetterConfig", "tracingConfig"):
        assert forbidden not in fn.inputs, forbidden
    assert fn.inputs["architectures"] == ["x86_64"]  # arm64 and X-Ray: not supported at the edge
    attachments = prod.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
    assert not [n.name for n in attachments if n.name.startswith("edge-")]  # no X-Ray write policy
    assert (fn.inputs["memorySize"], fn.inputs["timeout"]) == (128, 5)
    role = _one(prod, "aws:iam/role:Role", "edge-role")
    [trust] = _doc(role.inputs["assumeRolePolicy"])["Statement"]
    assert sorted(trust["Principal"]["Service"]) == ["edgelambda.amazonaws.com", "lambda.amazonaws.com"]


def test_package_holds_only_the_edge_and_its_config(prod: ResourceGraph) -> None:
    fn = _one(prod, "aws:lambda/function:Function", "edge-personalise")
    assets = fn.inputs["code"]["assets"]
    assert set(assets) == {
        "functions/__init__.py",
        "functions/edge/__init__.py",
        "functions/edge/contract.py",
        "functions/edge/selection.py",
        "functions/edge/handler.py",
        "functions/edge/config.json",
    }


def test_distribution_uses_the_numbered_version_and_a_private_origin(prod: ResourceGraph) -> None:
    fn = _one(prod, "aws:lambda/function:Function", "edge-personalise")
    dist = _one(prod, "aws:cloudfront/distribution:Distribution", "edge")
    behavior = dist.inputs["defaultCacheBehavior"]
    [association] = behavior["lambdaFunctionAssociations"]
    assert association == {"eventType": "origin-request", "lambdaArn": fn.outputs["qualifiedArn"], "includeBody": False}
    assert association["lambdaArn"].endswith(":1")
    assert behavior["viewerProtocolPolicy"] == "redirect-to-https"
    assert behavior["responseHeadersPolicyId"]
    assert dist.inputs["viewerCertificate"]["minimumProtocolVersion"] == "TLSv1.2_2021"
    assert dist.inputs["webAclId"] == _one(prod, "aws:wafv2/webAcl:WebAcl", "edge-waf").outputs["arn"]
    [origin] = dist.inputs["origins"]
    assert origin["originAccessControlId"] and "s3OriginConfig" not in origin
    policy = _doc(_one(prod, "aws:s3/bucketPolicy:BucketPolicy", "edge-content-policy").inputs["policy"])
    [oac] = [s for s in policy["Statement"] if s.get("Sid") == "CloudFrontReadsThroughOriginAccessControl"]
    assert oac["Condition"] == {"StringEquals": {"AWS:SourceArn": dist.outputs["arn"]}}


def test_security_headers(prod: ResourceGraph) -> None:
    headers = _one(prod, "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy", "edge-headers")
    config = headers.inputs["securityHeadersConfig"]
    assert config["strictTransportSecurity"]["accessControlMaxAgeSec"] >= 31_536_000
    assert {"contentTypeOptions", "frameOptions", "referrerPolicy", "contentSecurityPolicy"} <= set(config)


def test_the_edge_may_put_only_its_own_event(prod: ResourceGraph) -> None:
    policy = _one(prod, "aws:iam/rolePolicy:RolePolicy", "edge-request-variants")
    [statement] = _doc(policy.inputs["policy"])["Statement"]
    assert statement["Action"] == ["events:PutEvents"]
    assert statement["Condition"] == {
        "StringEquals": {"events:source": EDGE_EVENT_SOURCE, "events:detail-type": VARIANT_REQUESTED}
    }
    rule = _one(prod, "aws:cloudwatch/eventRule:EventRule", "bus-variants")
    assert json.loads(rule.inputs["eventPattern"]) == {
        "source": [EDGE_EVENT_SOURCE],
        "detail-type": [VARIANT_REQUESTED],
    }


def test_variants_expire(prod: ResourceGraph) -> None:
    lifecycle = _one(prod, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "edge-content-lifecycle")
    [expire] = [r for r in lifecycle.inputs["rules"] if r["id"] == "expire-variants"]
    assert expire["filter"] == {"prefix": "variants/"} and expire["expiration"] == {"days": 7}


def test_the_template_passes_the_edge_policies(prod: ResourceGraph) -> None:
    specs = [by_name()[name] for name in EDGE_POLICIES]
    config = {
        name: PolicySetting(Level.MANDATORY, {"required": True} if "waf" in name else {}) for name in EDGE_POLICIES
    }
    assert run_policies(prod, policies=specs, config=config).findings == []


CERT = "arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555"
EDGE_OK = json.dumps({"domainNames": ["a.example.com"], "certificateArn": CERT})
EDGE_EU_CERT = json.dumps({"domainNames": ["a.example.com"], "certificateArn": CERT.replace("us-east-1", "eu-west-1")})

BASE = {
    "aws:region": "us-east-1",
    "agentic-platform:environment": "prod",
    "agentic-platform:team": "t",
    "agentic-platform:costCenter": "c",
    "agentic-platform:allowedRegions": '["us-east-1"]',
    "agentic-platform:budget": '{"monthlyUsd": 10, "alertEmails": ["a@example.com"]}',
    "agentic-platform:features": '{"edge": true}',
}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({}, "edge.domainNames and edge.certificateArn"),
        (
            {
                "aws:region": "eu-west-1",
                "agentic-platform:allowedRegions": '["eu-west-1"]',
                "agentic-platform:edge": EDGE_OK,
            },
            "needs us-east-1",
        ),
        (
            {"agentic-platform:edge": EDGE_EU_CERT},
            "ACM certificate ARN in us-east-1",
        ),
        ({"agentic-platform:edge": '{"segments": ["vip"]}'}, "must include 'default'"),
    ],
)
def test_edge_settings_refuse_what_cannot_deploy(changes: dict[str, str], message: str) -> None:
    with pytest.raises(StackConfigError) as error:
        load_settings({**BASE, **changes}, "prod")
    assert message in str(error.value) and "\n" not in str(error.value)


def test_prod_edge_and_fleet_stay_inside_the_idle_budget(prod: ResourceGraph) -> None:

    from policies.cost.prices import load_prices  # noqa: PLC0415
    from preflight.cost import idle_cost  # noqa: PLC0415

    cost = idle_cost(prod)
    prices = load_prices()
    [waf] = [i for i in cost.items if i.resource == "edge-waf"]
    assert waf.monthly_usd == prices.usd("wafv2_web_acl_month") + 5 * prices.usd("wafv2_rule_month")
    by_type = {r.type for r in cost.pay_per_use}
    assert {"aws:cloudfront/distribution:Distribution", "aws:iot/topicRule:TopicRule"} <= by_type
    assert "aws-native:greengrassv2:Deployment" in by_type  # nothing while no device connects
    budget = load_settings(prod.config, "prod").budget.idle_usd
    assert cost.idle_monthly_usd <= budget
