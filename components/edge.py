"""EdgeDelivery: the network edge (P071-P076) - CloudFront in front of a private S3 origin, personalised
by a Lambda@Edge function, with WAF in production.

Secure and cheap by default, and impossible to misconfigure against Lambda@Edge's rules ("Restrictions on
Lambda@Edge", https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/lambda-at-edge-function-restrictions.html,
read 2026-12-01): the function is created through an explicit us-east-1 provider whatever the stack's
region; CloudFront gets its published numbered version (`qualified_arn`, never `$LATEST` or an alias);
its role trusts `lambda.amazonaws.com` and `edgelambda.amazonaws.com`; it has no environment variables
(settings are a `config.json` inside the package), no VPC, no layers, no X-Ray tracing, x86_64 (not arm64),
no provisioned concurrency and the default 512 MB ephemeral storage; memory and timeout stay within the
origin-request quotas ("Quotas on Lambda@Edge": 30 s for origin events, 5 s and 128 MB for viewer events;
this function keeps to the viewer limits, which fit both).

* Origin: a HardenedBucket (private, SSE-KMS, TLS-only) read by CloudFront only through Origin Access
  Control, its bucket policy scoped to this distribution (`AWS:SourceArn`); no legacy OAI, no public bucket.
* Viewers: HTTPS only (`redirect-to-https`), TLSv1.2_2021 with the stack's ACM certificate, HTTP/2 and 3,
  a response headers policy with HSTS and the usual security headers (P141).
* Logging: CloudFront standard logging (v2, CloudWatch vended logs) to the edge's own log bucket; v2
  writes with `delivery.logs.amazonaws.com`, so the bucket keeps ACLs disabled (legacy logging needs ACLs).
* Production: an AWS WAF web ACL (CLOUDFRONT scope, us-east-1) with AWS managed rule groups and a rate limit.

Variant store (P074): **cached origin objects**, not CloudFront KeyValueStore. KeyValueStore is readable
only from CloudFront Functions, not from Lambda@Edge, and holds small values (1 KB per value, 5 MB per
store: "Amazon CloudFront KeyValueStore", CloudFront Developer Guide), while variants are whole pages.
Variants are objects under `variants/` in the same private bucket, cached at the edge by a cache key made
of the viewer's country, language and segment cookie; the core writes them with `Cache-Control` and a
lifecycle rule expires them.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pulumi
import pulumi_aws as aws

from components import iam
from components.buckets import DEFAULT_LIFECYCLE, HardenedBucket, LifecycleSpec
from components.kms import StackKey
from components.logs import EncryptedLogGroup
from components.settings import EDGE_REGION, PlatformSettings
from functions.edge.contract import EDGE_EVENT_SOURCE, VARIANT_REQUESTED, VARIANTS_PREFIX

#: Lambda@Edge supports the Lambda runtimes of Node.js and Python ("Restrictions on Lambda@Edge",
#: "Supported runtimes"); the same Python as the core's functions (pulumi-aws 7.51 enum).
EDGE_RUNTIME = aws.lambda_.Runtime.PYTHON3D13
#: x86_64: "Restrictions on Lambda@Edge" ("Lambda features") lists functions on the arm64 architecture among
#: the Lambda features Lambda@Edge does not support.
EDGE_ARCHITECTURE = "x86_64"
#: The viewer-event quotas, which also fit the origin-request event ("Quotas on Lambda@Edge").
EDGE_MEMORY_MB = 128
EDGE_TIMEOUT_SECONDS = 5
EDGE_EVENT_TYPE = "origin-request"
#: Lambda@Edge writes its logs in the Region of each edge location, to `/aws/lambda/us-east-1.<name>`
#: (CloudFront Developer Guide, "Lambda@Edge CloudWatch metrics and logs").
EDGE_LOG_GROUP_PREFIX = f"/aws/lambda/{EDGE_REGION}."
#: The package: only the edge's own modules (stdlib + the runtime's boto3), within the 1 MB viewer limit.
EDGE_MODULES = ("__init__.py", "contract.py", "selection.py", "handler.py")

#: CloudFront's managed policy names are fixed; what the viewer's country header is called
#: ("Add CloudFront request headers", CloudFront Developer Guide).
COUNTRY_HEADER = "CloudFront-Viewer-Country"
HSTS_MAX_AGE_SECONDS = 63_072_000  # two years, the hstspreload.org minimum is one
SECURITY_POLICY = "TLSv1.2_2021"

#: AWS managed rule groups (vendor "AWS"), names from the AWS WAF Developer Guide "AWS Managed Rules rule
#: groups list" (https://docs.aws.amazon.com/waf/latest/developerguide/aws-managed-rule-groups-list.html).
MANAGED_RULE_GROUPS = (
    "AWSManagedRulesAmazonIpReputationList",
    "AWSManagedRulesAnonymousIpList",
    "AWSManagedRulesCommonRuleSet",
    "AWSManagedRulesKnownBadInputsRuleSet",
)


@dataclass(frozen=True)
class EdgeDeliveryArgs:
    """The few settings the edge reads (CDK-style props), taken from `settings.edge` by `from_settings`."""

    domain_names: Sequence[str]
    certificate_arn: str
    languages: Sequence[str] = ("en",)
    countries: Sequence[str] = ()
    segments: Sequence[str] = ("default",)
    segment_cookie: str = "segment"
    variant_ttl_days: int = 7
    waf: bool = False
    rate_limit: int = 2000
    price_class: str = "PriceClass_100"  # North America and Europe: the cheapest class (P014)

    def __post_init__(self) -> None:
        if not self.domain_names:
            raise ValueError("the edge needs at least one domain name for its certificate")
        if not self.certificate_arn.startswith(f"arn:aws:acm:{EDGE_REGION}:"):
            raise ValueError("the certificate must be an ACM certificate in us-east-1")
        if not 1 <= self.variant_ttl_days <= 365:
            raise ValueError("variant_ttl_days must be between 1 and 365")

    @classmethod
    def from_settings(cls, settings: PlatformSettings) -> EdgeDeliveryArgs:
        edge = settings.edge
        if edge.certificate_arn is None:
            raise ValueError("features.edge needs edge.certificateArn")
        return cls(
            domain_names=tuple(edge.domain_names),
            certificate_arn=edge.certificate_arn,
            languages=tuple(edge.languages),
            countries=tuple(edge.countries),
            segments=tuple(edge.segments),
            variant_ttl_days=edge.variant_ttl_days,
            waf=settings.is_production if edge.waf is None else edge.waf,
            rate_limit=edge.rate_limit,
        )


def edge_config(args: EdgeDeliveryArgs, *, bus_name: str, bus_region: str) -> dict[str, Any]:
    """What the function reads from `config.json` (it has no environment variables)."""
    return {
        "bus_name": bus_name,
        "bus_region": bus_region,
        "selection": {
            "languages": list(args.languages),
            "countries": list(args.countries),
            "segments": list(args.segments),
            "segment_cookie": args.segment_cookie,
            "default_language": args.languages[0],
        },
    }


def edge_package(config: dict[str, Any], root: Path | None = None) -> pulumi.AssetArchive:
    """The function's package: `functions/__init__.py`, the edge modules and the generated `config.json`."""
    base = root or Path(__file__).resolve().parents[1]
    assets: dict[str, pulumi.Asset | pulumi.Archive] = {
        "functions/__init__.py": pulumi.FileAsset(str(base / "functions" / "__init__.py")),
        "functions/edge/config.json": pulumi.StringAsset(json.dumps(config, sort_keys=True, indent=2)),
    }
    for module in EDGE_MODULES:
        assets[f"functions/edge/{module}"] = pulumi.FileAsset(str(base / "functions" / "edge" / module))
    return pulumi.AssetArchive(assets)


def edge_trust_policy() -> str:
    """Trusted by Lambda and by Lambda@Edge's replication (`edgelambda`), as the Restrictions page requires.

    No `aws:SourceAccount` condition: Lambda execution roles do not support it (the platform's own
    `iam-service-trust-conditions` policy lists the services that do).
    """
    return json.dumps(
        {
            "Version": iam.POLICY_VERSION,
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": ["edgelambda.amazonaws.com", "lambda.amazonaws.com"]},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
    )


class EdgeDelivery(pulumi.ComponentResource):
    """CloudFront + OAC private origin + Lambda@Edge personalisation (+ WAF in prod).

    Examples
    --------
    >>> edge = EdgeDelivery("edge", settings, EdgeDeliveryArgs.from_settings(settings), key=key, bus=bus)
    >>> edge.content.grant_write(writer.role, prefix="variants/")
    """

    provider: aws.Provider
    content: HardenedBucket
    logs_bucket: HardenedBucket
    function: aws.lambda_.Function
    role: aws.iam.Role
    distribution: aws.cloudfront.Distribution
    web_acl: aws.wafv2.WebAcl | None

    def __init__(
        self,
        name: str,
        settings: PlatformSettings,
        args: EdgeDeliveryArgs,
        *,
        key: StackKey,
        bus: Any,
        access_log_bucket: HardenedBucket | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("agentic:edge:EdgeDelivery", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self._key_arn = key.arn
        account_id = aws.get_caller_identity_output().account_id
        # Lambda@Edge, its logs, WAF for CloudFront and the v2 log delivery: us-east-1, whatever the stack's region.
        self.provider = aws.Provider(f"{name}-{EDGE_REGION}", region=EDGE_REGION, opts=child)
        in_edge_region = pulumi.ResourceOptions(parent=self, provider=self.provider)

        # The distribution's ARN is known only once it exists; the bucket policy that names it comes first.
        deferred: tuple[pulumi.Output[str], Callable[[pulumi.Output[str]], None]] = pulumi.deferred_output()
        distribution_arn, resolve_distribution_arn = deferred
        self.content = HardenedBucket(
            f"{name}-content",
            settings,
            key=key,
            access_log_bucket=access_log_bucket,
            lifecycle=LifecycleSpec(
                infrequent_access_days=None,
                archive_days=None,
                expiring_prefixes=((VARIANTS_PREFIX, args.variant_ttl_days),),
            ),
            extra_policy_statements_for=lambda arn: [
                {
                    "Sid": "CloudFrontReadsThroughOriginAccessControl",
                    "Effect": "Allow",
                    "Principal": {"Service": "cloudfront.amazonaws.com"},
                    "Action": "s3:GetObject",
                    "Resource": pulumi.Output.concat(arn, "/*"),
                    # Only this distribution (CloudFront Developer Guide, "Restrict access to an Amazon S3 origin").
                    "Condition": {"StringEquals": {"AWS:SourceArn": distribution_arn}},
                }
            ],
            opts=child,
        )
        self.logs_bucket = HardenedBucket(
            f"{name}-logs",
            settings,
            key=key,
            access_log_bucket=access_log_bucket,
            lifecycle=DEFAULT_LIFECYCLE,
            extra_policy_statements_for=lambda arn: [
                {
                    # CloudWatch vended logs to S3 (Amazon CloudWatch Logs User Guide, "Logs sent to Amazon S3",
                    # https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/AWS-logs-infrastructure-V2-S3.html).
                    "Sid": "AWSLogDeliveryWrite",
                    "Effect": "Allow",
                    "Principal": {"Service": "delivery.logs.amazonaws.com"},
                    "Action": "s3:PutObject",
                    "Resource": pulumi.Output.concat(arn, "/AWSLogs/", account_id, "/*"),
                    "Condition": {
                        "StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceAccount": account_id},
                        "ArnLike": {
                            "aws:SourceArn": pulumi.Output.concat(
                                "arn:aws:logs:", EDGE_REGION, ":", account_id, ":delivery-source:*"
                            )
                        },
                    },
                }
            ],
            opts=child,
        )

        self._build_function(name, settings, args, key=key, bus=bus, account_id=account_id, opts=in_edge_region)
        self.web_acl = self._build_web_acl(name, settings, args, in_edge_region) if args.waf else None

        oac = aws.cloudfront.OriginAccessControl(
            f"{name}-oac",
            name=settings.name("edge-oac")[:64],
            description="CloudFront signs every request to the content bucket (SigV4)",
            origin_access_control_origin_type="s3",
            signing_behavior="always",
            signing_protocol="sigv4",
            opts=child,
        )
        cache_policy = aws.cloudfront.CachePolicy(
            f"{name}-cache",
            name=settings.name("edge-variants")[:128],
            comment="One cache entry per page, country, language and segment (the variant key)",
            min_ttl=0,
            default_ttl=300,
            max_ttl=args.variant_ttl_days * 86400,
            parameters_in_cache_key_and_forwarded_to_origin=aws.cloudfront.CachePolicyParametersInCacheKeyAndForwardedToOriginArgs(
                enable_accept_encoding_brotli=True,
                enable_accept_encoding_gzip=True,
                headers_config=aws.cloudfront.CachePolicyParametersInCacheKeyAndForwardedToOriginHeadersConfigArgs(
                    header_behavior="whitelist",
                    headers=aws.cloudfront.CachePolicyParametersInCacheKeyAndForwardedToOriginHeadersConfigHeadersArgs(
                        items=[COUNTRY_HEADER, "Accept-Language"]
                    ),
                ),
                cookies_config=aws.cloudfront.CachePolicyParametersInCacheKeyAndForwardedToOriginCookiesConfigArgs(
                    cookie_behavior="whitelist",
                    cookies=aws.cloudfront.CachePolicyParametersInCacheKeyAndForwardedToOriginCookiesConfigCookiesArgs(
                        items=[args.segment_cookie]
                    ),
                ),
                query_strings_config=aws.cloudfront.CachePolicyParametersInCacheKeyAndForwardedToOriginQueryStringsConfigArgs(
                    query_string_behavior="none"
                ),
            ),
            opts=child,
        )
        headers = aws.cloudfront.ResponseHeadersPolicy(
            f"{name}-headers",
            name=settings.name("edge-security-headers")[:128],
            comment="HSTS and the usual security headers on every response (P141)",
            security_headers_config=aws.cloudfront.ResponseHeadersPolicySecurityHeadersConfigArgs(
                strict_transport_security=aws.cloudfront.ResponseHeadersPolicySecurityHeadersConfigStrictTransportSecurityArgs(
                    access_control_max_age_sec=HSTS_MAX_AGE_SECONDS,
                    include_subdomains=True,
                    preload=True,
                    override=True,
                ),
                content_type_options=aws.cloudfront.ResponseHeadersPolicySecurityHeadersConfigContentTypeOptionsArgs(
                    override=True
                ),
                frame_options=aws.cloudfront.ResponseHeadersPolicySecurityHeadersConfigFrameOptionsArgs(
                    frame_option="DENY", override=True
                ),
                referrer_policy=aws.cloudfront.ResponseHeadersPolicySecurityHeadersConfigReferrerPolicyArgs(
                    referrer_policy="strict-origin-when-cross-origin", override=True
                ),
                xss_protection=aws.cloudfront.ResponseHeadersPolicySecurityHeadersConfigXssProtectionArgs(
                    protection=True, mode_block=True, override=True
                ),
                content_security_policy=aws.cloudfront.ResponseHeadersPolicySecurityHeadersConfigContentSecurityPolicyArgs(
                    content_security_policy="default-src 'self'; frame-ancestors 'none'; object-src 'none'",
                    override=True,
                ),
            ),
            opts=child,
        )
        origin_id = "content"
        self.distribution = aws.cloudfront.Distribution(
            name,
            comment=f"{settings.name('edge')}: personalised delivery (P071)",
            enabled=True,
            aliases=list(args.domain_names),
            default_root_object="index.html",
            http_version="http2and3",
            is_ipv6_enabled=True,
            price_class=args.price_class,
            origins=[
                aws.cloudfront.DistributionOriginArgs(
                    origin_id=origin_id,
                    domain_name=self.content.bucket.bucket_regional_domain_name,
                    origin_access_control_id=oac.id,
                )
            ],
            default_cache_behavior=aws.cloudfront.DistributionDefaultCacheBehaviorArgs(
                target_origin_id=origin_id,
                viewer_protocol_policy="redirect-to-https",
                allowed_methods=["GET", "HEAD"],
                cached_methods=["GET", "HEAD"],
                compress=True,
                cache_policy_id=cache_policy.id,
                response_headers_policy_id=headers.id,
                lambda_function_associations=[
                    aws.cloudfront.DistributionDefaultCacheBehaviorLambdaFunctionAssociationArgs(
                        event_type=EDGE_EVENT_TYPE,
                        lambda_arn=self.function.qualified_arn,  # the published numbered version
                        include_body=False,
                    )
                ],
            ),
            restrictions=aws.cloudfront.DistributionRestrictionsArgs(
                geo_restriction=aws.cloudfront.DistributionRestrictionsGeoRestrictionArgs(restriction_type="none")
            ),
            viewer_certificate=aws.cloudfront.DistributionViewerCertificateArgs(
                acm_certificate_arn=args.certificate_arn,
                ssl_support_method="sni-only",
                minimum_protocol_version=SECURITY_POLICY,
            ),
            web_acl_id=self.web_acl.arn if self.web_acl is not None else None,
            opts=child,
        )
        resolve_distribution_arn(self.distribution.arn)
        self._build_logging(name, settings, in_edge_region)

        self.domain_name = self.distribution.domain_name
        self.register_outputs(
            {
                "domain_name": self.domain_name,
                "distribution_arn": self.distribution.arn,
                "content_bucket": self.content.name,
                "function_version_arn": self.function.qualified_arn,
            }
        )

    def _build_function(
        self,
        name: str,
        settings: PlatformSettings,
        args: EdgeDeliveryArgs,
        *,
        key: StackKey,
        bus: Any,
        account_id: pulumi.Output[str],
        opts: pulumi.ResourceOptions,
    ) -> None:
        function_name = settings.name(f"{name}-personalise")[:64]
        log_group = f"{EDGE_LOG_GROUP_PREFIX}{function_name}"
        self.role = aws.iam.Role(
            f"{name}-role",
            name=f"{function_name}-edge"[:64],
            description=f"Lambda@Edge role of {function_name}: read variants, ask for missing ones",
            assume_role_policy=edge_trust_policy(),
            opts=opts,
        )
        # Logs land in every Region the function runs in, so the group and streams are scoped by name, not Region.
        iam.role_policy(
            self.role,
            f"{name}-write-logs",
            [
                iam.statement(
                    ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
                    [
                        pulumi.Output.concat("arn:aws:logs:*:", account_id, ":log-group:", log_group),
                        pulumi.Output.concat("arn:aws:logs:*:", account_id, ":log-group:", log_group, ":log-stream:*"),
                    ],
                )
            ],
            parent=self,
        )
        self.content.grant_read(self.role, prefix=VARIANTS_PREFIX, name=f"{name}-role")
        # The one authorised path to the core: one event type from one source on one bus (P075).
        iam.role_policy(
            self.role,
            f"{name}-request-variants",
            [
                iam.statement(
                    ["events:PutEvents"],
                    [bus.arn],
                    {"StringEquals": {"events:source": EDGE_EVENT_SOURCE, "events:detail-type": VARIANT_REQUESTED}},
                )
            ],
            parent=self,
        )
        # The us-east-1 copy of the log group (the nearest locations to N. Virginia write there) is managed with
        # retention (P146); the stack key encrypts it when the stack lives in us-east-1 (KMS keys are regional).
        self.logs: pulumi.Resource
        if settings.region == EDGE_REGION:
            self.logs = EncryptedLogGroup(
                f"{name}-function-logs",
                settings,
                key=key,
                log_group_name=log_group,
                opts=pulumi.ResourceOptions(parent=self, provider=self.provider),
            )
        else:
            self.logs = aws.cloudwatch.LogGroup(
                f"{name}-function-logs",
                name=log_group,
                retention_in_days=settings.log_retention_days,
                opts=opts,
            )
        config = edge_config(args, bus_name=settings.name("bus"), bus_region=settings.region)
        self.function = aws.lambda_.Function(
            f"{name}-personalise",
            name=function_name,
            description="Lambda@Edge origin request: the viewer's variant, else the default and a VariantRequested",
            role=self.role.arn,
            runtime=EDGE_RUNTIME,
            architectures=[EDGE_ARCHITECTURE],
            handler="functions.edge.handler.lambda_handler",
            code=edge_package(config),
            memory_size=EDGE_MEMORY_MB,
            timeout=EDGE_TIMEOUT_SECONDS,
            publish=True,  # CloudFront takes a numbered version only
            # No X-Ray (P131 does not reach the edge): "Restrictions on Lambda@Edge" ("Lambda features") lists
            # "Using AWS X-Ray" as not supported; no tracing mode, no X-Ray write policy on the role.
            opts=pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(depends_on=[self.logs])),
        )

    def _build_web_acl(
        self, name: str, settings: PlatformSettings, args: EdgeDeliveryArgs, opts: pulumi.ResourceOptions
    ) -> aws.wafv2.WebAcl:
        def visibility(metric: str) -> aws.wafv2.WebAclRuleVisibilityConfigArgs:
            return aws.wafv2.WebAclRuleVisibilityConfigArgs(
                cloudwatch_metrics_enabled=True, metric_name=metric, sampled_requests_enabled=True
            )

        rules = [
            aws.wafv2.WebAclRuleArgs(
                name=group,
                priority=priority,
                override_action=aws.wafv2.WebAclRuleOverrideActionArgs(
                    none=aws.wafv2.WebAclRuleOverrideActionNoneArgs()
                ),
                statement=aws.wafv2.WebAclRuleStatementArgs(
                    managed_rule_group_statement=aws.wafv2.WebAclRuleStatementManagedRuleGroupStatementArgs(
                        name=group, vendor_name="AWS"
                    )
                ),
                visibility_config=visibility(group),
            )
            for priority, group in enumerate(MANAGED_RULE_GROUPS)
        ]
        rules.append(
            aws.wafv2.WebAclRuleArgs(
                name="rate-limit",
                priority=len(rules),
                action=aws.wafv2.WebAclRuleActionArgs(block=aws.wafv2.WebAclRuleActionBlockArgs()),
                statement=aws.wafv2.WebAclRuleStatementArgs(
                    rate_based_statement=aws.wafv2.WebAclRuleStatementRateBasedStatementArgs(
                        limit=args.rate_limit, aggregate_key_type="IP"
                    )
                ),
                visibility_config=visibility("rate-limit"),
            )
        )
        web_acl = aws.wafv2.WebAcl(
            f"{name}-waf",
            name=settings.name("edge-waf")[:128],
            description="AWS managed rule groups and a per-IP rate limit in front of the edge (P141)",
            scope="CLOUDFRONT",
            default_action=aws.wafv2.WebAclDefaultActionArgs(allow=aws.wafv2.WebAclDefaultActionAllowArgs()),
            rules=rules,
            visibility_config=aws.wafv2.WebAclVisibilityConfigArgs(
                cloudwatch_metrics_enabled=True, metric_name=settings.name("edge-waf"), sampled_requests_enabled=True
            ),
            opts=opts,
        )
        # WAF logs to CloudWatch Logs need a group named `aws-waf-logs-*` (AWS WAF Developer Guide, "Sending web
        # ACL traffic logs to an Amazon CloudWatch Logs log group"); pay per GB ingested, nothing while idle.
        waf_logs = aws.cloudwatch.LogGroup(
            f"{name}-waf-logs",
            name=f"aws-waf-logs-{settings.name('edge')}",
            retention_in_days=settings.log_retention_days,
            kms_key_id=self._key_arn if settings.region == EDGE_REGION else None,
            opts=opts,
        )
        aws.wafv2.WebAclLoggingConfiguration(
            f"{name}-waf-logging",
            resource_arn=web_acl.arn,
            log_destination_configs=[waf_logs.arn],
            opts=opts,
        )
        return web_acl

    def _build_logging(self, name: str, settings: PlatformSettings, opts: pulumi.ResourceOptions) -> None:
        """Standard logging (v2): a delivery source (the distribution), an S3 destination and the delivery."""
        self.log_source = aws.cloudwatch.LogDeliverySource(
            f"{name}-log-source",
            name=settings.name("edge-access")[:60],
            log_type="ACCESS_LOGS",
            resource_arn=self.distribution.arn,
            opts=opts,
        )
        self.log_destination = aws.cloudwatch.LogDeliveryDestination(
            f"{name}-log-destination",
            name=settings.name("edge-access-s3")[:60],
            output_format="parquet",
            delivery_destination_configuration=aws.cloudwatch.LogDeliveryDestinationDeliveryDestinationConfigurationArgs(
                destination_resource_arn=self.logs_bucket.arn
            ),
            opts=opts,
        )
        self.log_delivery = aws.cloudwatch.LogDelivery(
            f"{name}-log-delivery",
            delivery_source_name=self.log_source.name,
            delivery_destination_arn=self.log_destination.arn,
            opts=pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(depends_on=[self.logs_bucket])),
        )


def key_services(settings: PlatformSettings) -> tuple[str, ...]:
    """The stack key's service principals, plus CloudFront (OAC reads SSE-KMS objects) and log delivery
    (v2 access logs into the SSE-KMS log bucket) when the edge is on."""
    from components.kms import DEFAULT_SERVICES  # noqa: PLC0415

    if not settings.features.edge:
        return DEFAULT_SERVICES
    return (*DEFAULT_SERVICES, "cloudfront", "delivery.logs")
