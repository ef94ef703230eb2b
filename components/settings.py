"""Typed per-stack settings, read once from the stack's Pulumi config and validated at the edge.

Every key lives under the project namespace (`agentic-platform:<key>` in `Pulumi.<stack>.yaml`).
Unknown keys, wrong types and out-of-range values never reach AWS: they raise StackConfigError with
one line naming the stack file and the key (P115: environment-specific stacks with parameterization).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from enum import StrEnum
from typing import Annotated, Any, Literal, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic.alias_generators import to_camel

PROJECT = "agentic-platform"

#: The retention values CloudWatch Logs accepts (PutRetentionPolicy `retentionInDays` enum,
#: botocore/data/logs/2014-03-28/service-2.json).
LOG_RETENTION_DAYS = (
    1,
    3,
    5,
    7,
    14,
    30,
    60,
    90,
    120,
    150,
    180,
    365,
    400,
    545,
    731,
    1096,
    1827,
    2192,
    2557,
    2922,
    3288,
    3653,
)

DEFAULT_REQUIRED_TAG_KEYS = ("environment", "application", "team", "cost-center", "data-classification")

_REGION = re.compile(r"^[a-z]{2}(-gov)?-[a-z]+-\d$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_TAG_KEY = re.compile(r"^[\w.:/=+\-@ ]{1,128}$")


class StackConfigError(ValueError):
    """A stack's configuration is invalid. The message is one line naming the stack file and key.

    `pulumi up` reports it through `pulumi.RunError` (no traceback) and `preflight` exits 2.
    """


class ModelTier(StrEnum):
    """Amazon Nova tiers, cheapest first (P015 tiered model selection)."""

    MICRO = "micro"
    LITE = "lite"
    PRO = "pro"
    PREMIER = "premier"

    @property
    def rank(self) -> int:
        return list(ModelTier).index(self)


class DataClassification(StrEnum):
    PUBLIC = "public"
    INTERNAL = "internal"
    CONFIDENTIAL = "confidential"
    RESTRICTED = "restricted"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", alias_generator=to_camel, populate_by_name=True, frozen=True)


class Singletons(_Model):
    """Account-wide, per-region resources only one stack may own; the others reference them."""

    cloudtrail: bool = False
    config_recorder: bool = False
    bedrock_invocation_logging: bool = False
    #: API Gateway's account-level CloudWatch Logs role, without which a WebSocket stage's access logging
    #: is rejected (https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html).
    apigateway_account: bool = False
    #: AWS IoT logging (`SetV2LoggingOptions` is one setting per account and Region): the owning stack creates
    #: it whether or not it has a device fleet, so every fleet in the account logs (P129).
    iot_logging: bool = False
    #: The organisation already provides a multi-region trail, so no stack creates one.
    organization_trail: bool = False


class Budget(_Model):
    """Monthly AWS Budget with forecast and actual alerts (P169 budgets and alerts)."""

    monthly_usd: Annotated[float, Field(gt=0, le=1_000_000)]
    alert_emails: Annotated[list[str], Field(min_length=1)]
    #: Idle (no-traffic) monthly cost the stack may carry; exceeding it is a violation (cost issue).
    idle_usd: Annotated[float, Field(ge=0)] = 5.0

    @field_validator("alert_emails")
    @classmethod
    def _emails(cls, value: list[str]) -> list[str]:
        for address in value:
            if not _EMAIL.match(address):
                raise ValueError(f"not an email address: {address!r}")
        return value


class Features(_Model):
    """Switches for optional parts of the workload; each defaults to the cheap, safe choice."""

    websocket_api: bool = True
    knowledge_base: bool = True
    inference_endpoint: bool = False
    conformance_pack: bool = False
    dashboard: bool = True
    #: The network edge (P071-P076): CloudFront, a Lambda@Edge personalisation function, WAF in prod.
    edge: bool = False
    #: The device edge (P077-P083): an IoT thing group, its policies and the telemetry path to the core.
    device_fleet: bool = False


#: Lambda@Edge functions and CloudFront's certificates and WAF web ACLs live in US East (N. Virginia)
#: ("Restrictions on Lambda@Edge", CloudFront Developer Guide; ACM "Supported Regions": CloudFront uses
#: certificates from us-east-1 only).
EDGE_REGION = "us-east-1"
_ACM_EDGE_CERTIFICATE = re.compile(r"^arn:aws:acm:us-east-1:\d{12}:certificate/[0-9a-f-]{36}$")
_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


class EdgeSettings(_Model):
    """The network edge: which domain, which certificate, and the space of variants it may serve.

    The variant space is bounded (countries x languages x segments) so the CloudFront cache key space, the
    number of generated variants and their Bedrock cost stay bounded too (P074, P076).
    """

    domain_names: list[str] = Field(default_factory=list)
    #: An ACM certificate in us-east-1 for `domain_names`: the only way to enforce TLSv1.2_2021 for viewers
    #: (with CloudFront's default certificate the minimum is TLSv1, CloudFront Developer Guide "Supported
    #: protocols and ciphers between viewers and CloudFront").
    certificate_arn: str | None = None
    languages: Annotated[list[str], Field(min_length=1, max_length=20)] = Field(default_factory=lambda: ["en"])
    countries: Annotated[list[str], Field(max_length=50)] = Field(default_factory=list)
    segments: Annotated[list[str], Field(min_length=1, max_length=10)] = Field(default_factory=lambda: ["default"])
    variant_ttl_days: Annotated[int, Field(ge=1, le=365)] = 7
    #: A WAF web ACL in front of the distribution; unset means "in production only".
    waf: bool | None = None
    #: Requests per client IP per 5 minutes before WAF blocks it.
    rate_limit: Annotated[int, Field(ge=100, le=2_000_000_000)] = 2000

    @field_validator("certificate_arn")
    @classmethod
    def _certificate(cls, value: str | None) -> str | None:
        if value is not None and not _ACM_EDGE_CERTIFICATE.match(value):
            raise ValueError("must be an ACM certificate ARN in us-east-1 (CloudFront reads certificates only there)")
        return value

    @field_validator("domain_names")
    @classmethod
    def _domains(cls, value: list[str]) -> list[str]:
        for name in value:
            if not _DOMAIN.match(name):
                raise ValueError(f"not a domain name: {name!r}")
        return value

    @field_validator("languages")
    @classmethod
    def _languages(cls, value: list[str]) -> list[str]:
        for language in value:
            if not re.match(r"^[a-z]{2,3}$", language):
                raise ValueError(f"not a primary language subtag: {language!r}")
        return value

    @field_validator("countries")
    @classmethod
    def _countries(cls, value: list[str]) -> list[str]:
        for country in value:
            if not re.match(r"^[A-Z]{2}$", country):
                raise ValueError(f"not an ISO 3166-1 alpha-2 country code: {country!r}")
        return value

    @field_validator("segments")
    @classmethod
    def _segments(cls, value: list[str]) -> list[str]:
        for segment in value:
            if not re.match(r"^[a-z0-9][a-z0-9-]{0,31}$", segment):
                raise ValueError(f"not a segment name (lower-case letters, digits, dashes): {segment!r}")
        if "default" not in value:
            raise ValueError("must include 'default' (what unknown viewers get)")
        return value


class ModelRelease(_Model):
    """A signed model release for the fleet (written by the release pipeline after `kms:Sign`)."""

    version: Annotated[str, Field(pattern=r"^[0-9A-Za-z.-]{1,32}$")]
    #: Base64 SHA-256 of the model file (the recipe pins it).
    sha256: Annotated[str, Field(pattern=r"^[A-Za-z0-9+/]{43}=$")]
    #: Base64 DER ECDSA signature by the fleet's KMS signing key (ECDSA_SHA_256).
    signature: Annotated[str, Field(pattern=r"^[A-Za-z0-9+/=]{40,200}$")]


class DeviceFleetSettings(_Model):
    """The device edge: how its data is classified and which signed model release devices run."""

    #: Device data is often regulated (P078: health monitoring); it is tagged with this classification.
    data_classification: DataClassification = DataClassification.RESTRICTED
    model_release: ModelRelease | None = None
    #: How long devices' temporary AWS credentials (role alias) last, in seconds (900-43200, IoT limits).
    credential_seconds: Annotated[int, Field(ge=900, le=43200)] = 3600


class PlatformSettings(_Model):
    """One stack's settings. Field names are camelCase in `Pulumi.<stack>.yaml`."""

    environment: Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]{1,15}$")]
    application: Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]{1,30}$")] = "agentic-platform"
    team: Annotated[str, Field(min_length=1, max_length=64)]
    cost_center: Annotated[str, Field(min_length=1, max_length=64)]
    data_classification: DataClassification = DataClassification.INTERNAL
    #: Regions data may live in (P145 data residency); the stack's `aws:region` must be one of them.
    allowed_regions: Annotated[list[str], Field(min_length=1)]
    region: str = "us-east-1"
    required_tag_keys: list[str] = Field(default_factory=lambda: list(DEFAULT_REQUIRED_TAG_KEYS))
    budget: Budget
    log_retention_days: int = 30
    owns: Singletons = Field(default_factory=Singletons)
    #: Model tiers the router may use; the highest one caps escalation (P015, P153-P155).
    allowed_model_tiers: Annotated[list[ModelTier], Field(min_length=1)] = Field(
        default_factory=lambda: [ModelTier.MICRO, ModelTier.LITE]
    )
    #: Deletion protection on stateful resources (prod).
    deletion_protection: bool = False
    #: DynamoDB point-in-time recovery (prod).
    point_in_time_recovery: bool = False
    #: Router confidence threshold below which it escalates a tier.
    confidence_threshold: Annotated[float, Field(ge=0, le=1)] = 0.7
    #: Largest prompt the ingest function accepts, in characters.
    max_prompt_chars: Annotated[int, Field(ge=100, le=200_000)] = 8_000
    features: Features = Field(default_factory=Features)
    edge: EdgeSettings = Field(default_factory=EdgeSettings)
    device_fleet: DeviceFleetSettings = Field(default_factory=DeviceFleetSettings)
    #: The Powertools layer version to pin, only where AWS's public SSM parameter for it does not exist;
    #: unset, the newest layer for the runtime and architecture is read at deploy time (components/function.py).
    powertools_layer_version: Annotated[int | None, Field(ge=1)] = None

    @field_validator("allowed_regions")
    @classmethod
    def _regions(cls, value: list[str]) -> list[str]:
        for region in value:
            if not _REGION.match(region):
                raise ValueError(f"not an AWS region name: {region!r}")
        return value

    @field_validator("log_retention_days")
    @classmethod
    def _retention(cls, value: int) -> int:
        if value not in LOG_RETENTION_DAYS:
            raise ValueError(f"must be one of CloudWatch's retention values {list(LOG_RETENTION_DAYS)}")
        return value

    @field_validator("required_tag_keys")
    @classmethod
    def _tag_keys(cls, value: list[str]) -> list[str]:
        for key in value:
            if not _TAG_KEY.match(key) or key.lower().startswith("aws:"):
                raise ValueError(f"not a valid tag key: {key!r}")
        return value

    @model_validator(mode="after")
    def _region_allowed(self) -> PlatformSettings:
        if self.region not in self.allowed_regions:
            raise ValueError(f"aws:region: {self.region!r} is not in allowedRegions {self.allowed_regions} (P145)")
        return self

    @model_validator(mode="after")
    def _edge_ready(self) -> PlatformSettings:
        if not self.features.edge:
            return self
        prefix = f"{PROJECT}:"
        if EDGE_REGION not in self.allowed_regions:
            raise ValueError(
                f"{prefix}allowedRegions: features.edge needs {EDGE_REGION} (Lambda@Edge, CloudFront certificates "
                "and WAF live there)"
            )
        if self.edge.certificate_arn is None or not self.edge.domain_names:
            raise ValueError(
                f"{prefix}edge: features.edge needs edge.domainNames and edge.certificateArn (an ACM certificate "
                "in us-east-1), without which viewers could negotiate TLSv1"
            )
        return self

    @property
    def is_production(self) -> bool:
        return self.environment == "prod"

    @property
    def highest_model_tier(self) -> ModelTier:
        return max(self.allowed_model_tiers, key=lambda t: t.rank)

    def default_tags(self) -> dict[str, str]:
        """The required tags every taggable resource carries (P167, P018 cost allocation; P142 classification)."""
        values = {
            "environment": self.environment,
            "application": self.application,
            "team": self.team,
            "cost-center": self.cost_center,
            "data-classification": self.data_classification.value,
        }
        return {key: values.get(key, "unset") for key in self.required_tag_keys}

    @property
    def metrics_namespace(self) -> str:
        """CloudWatch namespace of the functions' own metrics: per stack, so alarms see one stack only."""
        return f"{self.application}/{self.environment}"

    def name(self, base: str) -> str:
        """Physical-name prefix carrying the stack, so dev and prod can share an account."""
        return f"{self.application}-{self.environment}-{base}"


def _is_text_field(annotation: Any) -> bool:
    """Fields whose config values are taken as text rather than parsed as JSON."""
    if annotation is str:
        return True
    origin = get_origin(annotation)
    if origin is Annotated:
        return _is_text_field(get_args(annotation)[0])
    if origin is Literal:
        return all(isinstance(a, str) for a in get_args(annotation))
    return isinstance(annotation, type) and issubclass(annotation, StrEnum)


def _parse_value(raw: str, annotation: Any) -> Any:
    if _is_text_field(annotation):
        return raw
    try:
        return json.loads(raw)
    except json.JSONDecodeError:
        return raw


def load_settings(config: Mapping[str, str], stack: str, project: str = PROJECT) -> PlatformSettings:
    """Validate a stack's raw config (`namespace:key` -> text, as the CLI passes it).

    Raises
    ------
    StackConfigError
        One line: `Pulumi.<stack>.yaml: <namespace:key>: <what is wrong>`.

    Examples
    --------
    >>> s = load_settings({"aws:region": "us-east-1", "agentic-platform:environment": "dev", ...}, "dev")
    """
    stack_file = f"Pulumi.{stack}.yaml"
    prefix = f"{project}:"
    by_alias = {field.alias or name: (name, field) for name, field in PlatformSettings.model_fields.items()}
    data: dict[str, Any] = {}
    for key in sorted(config):
        if not key.startswith(prefix):
            continue
        short = key[len(prefix) :]
        if short not in by_alias:
            known = ", ".join(sorted(a for a in by_alias if a != "region"))
            raise StackConfigError(f"{stack_file}: {key}: unknown key (known keys: {known})")
        if short == "region":
            raise StackConfigError(f"{stack_file}: {key}: set the region with aws:region, not {key}")
        _name, field = by_alias[short]
        data[short] = _parse_value(config[key], field.annotation)
    region = config.get("aws:region")
    if region is None:
        raise StackConfigError(f"{stack_file}: aws:region: required (the region this stack deploys to)")
    data["region"] = region
    try:
        return PlatformSettings.model_validate(data)
    except ValidationError as exc:
        raise StackConfigError(_one_line(exc, stack_file, project)) from None


def _one_line(exc: ValidationError, stack_file: str, project: str) -> str:
    error = exc.errors()[0]
    loc = [str(part) for part in error["loc"]]
    if not loc:  # model-level checks name their key at the start of the message
        return f"{stack_file}: {str(error['msg']).removeprefix('Value error, ')}"
    if loc[0] == "region":
        key = "aws:region"
    else:
        key = f"{project}:{loc[0]}" + "".join(f".{p}" if not p.isdigit() else f"[{p}]" for p in loc[1:])
    message = str(error["msg"]).removeprefix("Value error, ")
    if error["type"] == "missing":
        message = "required"
    elif error["type"] == "extra_forbidden":
        message = "unknown key"
    elif "input" in error and error["type"] not in ("value_error",):
        message = f"{message} (got {json.dumps(error['input'], default=str)[:60]})"
    return f"{stack_file}: {key}: {message}"


def current_config() -> dict[str, str]:
    """All config the running Pulumi program received (CLI environment and explicit settings)."""
    from pulumi.runtime import config as runtime_config  # noqa: PLC0415 (pulumi only when running)

    merged: dict[str, Any] = dict(runtime_config.get_config_env())
    merged.update(runtime_config.CONFIG.get())
    return {k: v if isinstance(v, str) else json.dumps(v) for k, v in merged.items()}
