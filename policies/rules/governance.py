"""Audit and governance baseline: trail, Config recorder, tags, regions, data retention (P147-P150, P167, P145).

The trail, the Config recorder and Bedrock invocation logging are account-wide singletons: one stack
owns each, the others say so with `providedElsewhere: true` in `policies/config/<stack>.json`
(generated from `owns` in Pulumi.<stack>.yaml by `python -m policies.profile --write`); an organisation
that provides the baseline says `providedBy: organization` (policies.lib.provided_elsewhere).
"""

from __future__ import annotations

import re
from typing import Any

from pulumi_policy import PolicyResource, ReportViolation, ResourceValidationArgs, Severity, StackValidationArgs

from policies.lib import (
    BASELINE_SCHEMA,
    Pending,
    as_list,
    attached,
    get,
    is_taggable,
    provided_elsewhere,
    report_on,
    require_aws_resources,
    resources_of,
    text,
    tolerant,
    truthy,
)
from policies.regions import DEPLOYING_REGION, REGIONAL_PROVIDERS, is_default_provider, region_config_key
from policies.rules.s3 import BUCKET_TYPES, LIFECYCLE, is_log_bucket
from policies.secret_values import OFFLINE_SECRET_VALUES
from policies.spec import Category, Kind, PolicySpec
from policies.tags import carried_tags

TRAIL = "aws:cloudtrail/trail:Trail"
RECORDER = "aws:cfg/recorder:Recorder"
RECORDER_STATUS = "aws:cfg/recorderStatus:RecorderStatus"
TABLE = "aws:dynamodb/table:Table"
PROVIDER_PREFIX = "pulumi:providers:aws"

_SESSION_TABLE = re.compile(r"(session|memory|conversation|context)", re.IGNORECASE)


def _logging_off(trail: PolicyResource) -> bool:
    """`enable_logging=False`: the trail exists but records nothing (pulumi-aws Trail `enableLogging`,
    default true; terraform-provider-aws aws_cloudtrail `enable_logging` calls StopLogging)."""
    value = get(trail.props, "enableLogging")
    return value is not None and not truthy(value)


#: Which management events a selector records: reads, writes or both (CloudTrail's `readOnly` field).
_READS, _WRITES = "read", "write"


def _basic_selector_coverage(selector: Any) -> set[str]:
    """What one `eventSelectors` entry records of management events.

    botocore cloudtrail `EventSelector`: `IncludeManagementEvents` defaults to true and `ReadWriteType`
    (ReadOnly, WriteOnly, All) to All; "if the event doesn't match any event selector, the trail doesn't
    log the event". `ExcludeManagementEventSources` drops only KMS or RDS Data API events, which is a
    documented cost choice and not judged here.
    """
    included = get(selector, "includeManagementEvents")
    if included is not None and not truthy(included):
        return set()
    kind = text(get(selector, "readWriteType")) or "All"
    return {"ReadOnly": {_READS}, "WriteOnly": {_WRITES}}.get(kind, {_READS, _WRITES})


def _advanced_selector_coverage(selector: Any) -> set[str]:
    """What one `advancedEventSelectors` entry records of management events.

    AWS CloudTrail API Reference, AdvancedEventSelector and AdvancedFieldSelector
    (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_AdvancedEventSelector.html): a
    management selector has `eventCategory` Equals `Management` (required), and may narrow by `readOnly`
    (Equals is its only operator) and `eventSource`. An `eventSource` that keeps only some sources
    (Equals, StartsWith, EndsWith) records only those services: not the audit record of every call.
    """
    fields: dict[str, Any] = {}
    for field_selector in as_list(get(selector, "fieldSelectors")):
        fields[text(get(field_selector, "field"))] = field_selector
    category = fields.get("eventCategory")
    if category is None or "Management" not in [text(v) for v in as_list(get(category, "equals"))]:
        return set()
    source = fields.get("eventSource")
    if source is not None and any(as_list(get(source, op)) for op in ("equals", "startsWiths", "endsWiths")):
        return set()
    read_only = fields.get("readOnly")
    if read_only is None:
        return {_READS, _WRITES}
    values = {text(v).lower() for v in as_list(get(read_only, "equals"))}
    return ({_READS} if "true" in values else set()) | ({_WRITES} if "false" in values else set())


def _misses_management_events(trail: PolicyResource) -> bool:
    """True when the trail's selectors leave read or write management events unrecorded.

    No selectors at all is CloudTrail's default: "trails created without specific event selectors will be
    configured to log all read and write management events" (botocore cloudtrail `EventSelector`).
    """
    basic = as_list(get(trail.props, "eventSelectors"))
    advanced = as_list(get(trail.props, "advancedEventSelectors"))
    if not basic and not advanced:
        return False
    covered: set[str] = set()
    for selector in basic:
        covered |= _basic_selector_coverage(selector)
    for selector in advanced:
        covered |= _advanced_selector_coverage(selector)
    return covered != {_READS, _WRITES}


def _global_events_off(trail: PolicyResource) -> bool:
    """`include_global_service_events=False`: IAM, STS and CloudFront calls are not recorded (default true)."""
    value = get(trail.props, "includeGlobalServiceEvents")
    return value is not None and not truthy(value)


def _trail_problems(trail: PolicyResource, pending: Pending) -> list[str]:
    """Every problem of the trail that is known; each setting is read on its own (unknowns noted)."""
    checks = (
        (lambda: _logging_off(trail), "logging is off (enableLogging is false)"),
        (
            lambda: _misses_management_events(trail),
            "its event selectors do not record all read and write management events (API activity)",
        ),
        (
            lambda: _global_events_off(trail),
            "global service events (IAM, STS, CloudFront) are not recorded (includeGlobalServiceEvents is false)",
        ),
        (lambda: not truthy(get(trail.props, "enableLogFileValidation")), "log file validation is off"),
        (lambda: not truthy(get(trail.props, "isMultiRegionTrail")), "it is not multi-region"),
        (lambda: not text(get(trail.props, "kmsKeyId")), "it is not KMS-encrypted"),
    )
    return [problem for read, problem in checks if pending.read(read)]  # an unknown setting is no problem yet


def _check_trail(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    require_aws_resources(args)
    pending = Pending()
    trails = resources_of(args, TRAIL)
    for trail in trails:
        problems = _trail_problems(trail, pending)
        if problems:
            report_on(report_violation, trail, "; ".join(problems) + ".")
    if not trails and not provided_elsewhere(args.get_config()):
        report_violation(
            "no CloudTrail trail, and the stack config does not say the organisation or another stack provides one.",
            None,
        )
    pending.settle()


CLOUDTRAIL = PolicySpec(
    name="cloudtrail-enabled",
    description="A multi-region, KMS-encrypted CloudTrail trail with log file validation records API activity.",
    explanation=(
        "The trail is the audit record of every API call, agent action included. It is an account-wide "
        "singleton: one stack or the organisation provides it, the others set providedBy (organization or "
        "another-stack) in their policy config. Fix: "
        "aws.cloudtrail.Trail(is_multi_region_trail=True, enable_log_file_validation=True, kms_key_id=key.arn)."
    ),
    principles=("P149", "P147", "P188"),
    severity=Severity.HIGH,
    category=Category.GOVERNANCE,
    kind=Kind.STACK,
    validate=_check_trail,
    resource_types=(TRAIL,),
    config_schema=BASELINE_SCHEMA,
)


def _check_recorder(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    require_aws_resources(args)
    recorders = resources_of(args, RECORDER)
    if not recorders:
        if not provided_elsewhere(args.get_config()):
            report_violation(
                "no AWS Config recorder, and the stack config does not say another stack provides one.", None
            )
        return
    statuses = resources_of(args, RECORDER_STATUS)

    def check(recorder: PolicyResource) -> None:
        name = text(get(recorder.props, "name"))
        enabled = [
            s
            for s in statuses
            if truthy(get(s.props, "isEnabled"))
            and (
                text(get(s.props, "name")) in (name, "")
                or any(d.urn == recorder.urn for d in s.property_dependencies.get("name", []))
            )
        ]
        if not enabled:
            report_on(report_violation, recorder, "the recorder is never started (no RecorderStatus is_enabled=True).")

    tolerant(recorders, check)


CONFIG_RECORDER = PolicySpec(
    name="config-recorder-enabled",
    description="An AWS Config recorder records configuration changes (here or in the owning stack).",
    explanation=(
        "Config detects drift and misconfiguration after deployment. One recorder per account and region: the "
        "owning stack creates aws.cfg.Recorder plus DeliveryChannel and RecorderStatus(is_enabled=True); others "
        "set providedBy (organization or another-stack) in their policy config."
    ),
    principles=("P150", "P148", "P188"),
    severity=Severity.HIGH,
    category=Category.GOVERNANCE,
    kind=Kind.STACK,
    validate=_check_recorder,
    resource_types=(RECORDER,),
    config_schema=BASELINE_SCHEMA,
)


#: The providers whose resources carry AWS tags: pulumi-aws (a map) and aws-native (mostly a `{key, value}` list).
_TAGGED_PROVIDERS = ("aws:", "aws-native:")


def _validate_tags(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    required = [str(k) for k in as_list(args.get_config().get("requiredTagKeys"))]
    if not required or not args.resource_type.startswith(_TAGGED_PROVIDERS):
        return
    if "tags" not in args.props and not is_taggable(args.resource_type):
        return
    # P167: one shape, whichever provider wrote them, with what the aws provider adds (its default_tags)
    tags = carried_tags(args.resource_type, args.props, args.provider) or {}
    missing = [k for k in required if not text(get(tags, k))]
    if missing:
        report_violation(f"{args.name}: missing required tags {', '.join(missing)}.", None)


REQUIRED_TAGS = PolicySpec(
    name="required-tags",
    description="Every taggable AWS resource carries the required cost-allocation and classification tags.",
    explanation=(
        "Tags attribute cost to application, team and environment and carry the data classification. Fix: "
        "set the tags on every resource, for example with the aws provider's default_tags or a stack "
        "transform (pulumi.runtime.register_resource_transform); never drop the tags a resource receives."
    ),
    principles=("P167", "P018", "P142", "P115"),
    severity=Severity.MEDIUM,
    category=Category.GOVERNANCE,
    kind=Kind.RESOURCE,
    validate=_validate_tags,
    config_schema={"requiredTagKeys": {"type": "array", "items": {"type": "string"}}},
)


def _unstated_region(provider: PolicyResource, allowed: list[str]) -> str:
    """Why a provider without a region cannot be shown inside `allowed`, and the fix (policies/regions.py): the
    default provider reads the stack's `<package>:region`; an explicit one only its own `region` argument."""
    if is_default_provider(provider.name):
        key = region_config_key(provider.resource_type)
        return (
            f"the stack config has no {key}, so the default provider deploys to {DEPLOYING_REGION}, which cannot be "
            f"shown inside {allowed}. Fix: set {key} in the stack file."
        )
    return (
        f"the AWS provider states no region (an explicit provider does not read the stack's "
        f"{region_config_key(provider.resource_type)}), so it deploys to {DEPLOYING_REGION}, which cannot be shown "
        f"inside {allowed}. Fix: give it region=... (for example pulumi.Config('aws').require('region'))."
    )


def _outside(where: str, region: str, allowed: list[str]) -> str:
    """Why `region` is refused. A secret region reads offline as a placeholder the gate cannot decrypt
    (policies.secret_values.OFFLINE_SECRET_VALUES), and the report would print "targets [secret]" (review2 s10 #8):
    say instead that a secret region cannot be shown to be inside allowedRegions."""
    if region in OFFLINE_SECRET_VALUES:
        return (
            f"{where} a region that is a secret (a `secure:` config value, or [secret] in a preview file), which "
            f"the gate cannot read, so it cannot be shown to be one of allowedRegions {allowed}; make the region "
            "plain config (a region is no secret)."
        )
    return f"{where} {region}, outside {allowed}."


def _check_regions(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    allowed = [str(r) for r in as_list(args.get_config().get("allowedRegions"))]
    if not allowed:
        return

    def check(resource: PolicyResource) -> None:
        if resource.resource_type.startswith(PROVIDER_PREFIX):
            region = text(get(resource.props, "region"))
            if not region and resource.resource_type in REGIONAL_PROVIDERS:
                report_on(report_violation, resource, _unstated_region(resource, allowed))
            elif region and region not in allowed:
                report_on(report_violation, resource, _outside("the AWS provider targets", region, allowed))
            return
        if not resource.resource_type.startswith("aws:"):
            return
        region = text(get(resource.props, "region"))
        if region and region not in allowed:
            report_on(report_violation, resource, _outside("the resource is placed in", region, allowed))

    tolerant(args.resources, check)


ALLOWED_REGIONS = PolicySpec(
    name="allowed-regions",
    description="Providers and resources deploy only to the stack's allowed regions.",
    explanation=(
        "Data residency: data may live only in allowedRegions (the stack's policy config). A provider whose region "
        "neither the program nor the stack states (an explicit aws.Provider without region, the default provider "
        "without aws:region) deploys wherever the deploying machine's AWS_REGION or profile says, so it is a "
        "violation too. Fix: remove explicit region arguments and extra providers pointing elsewhere, state the "
        "region of every provider, or add the region to allowedRegions."
    ),
    principles=("P145",),
    severity=Severity.HIGH,
    category=Category.GOVERNANCE,
    kind=Kind.STACK,
    validate=_check_regions,
    config_schema={"allowedRegions": {"type": "array", "items": {"type": "string"}}},
)


def _table_name(props: Any, name: str) -> str:
    """What says a table holds sessions: its logical and physical names and its `purpose` tag."""
    return f"{name} {text(get(props, 'name'))} {text(get(props, 'tags', 'purpose'))}"


def _validate_ttl(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if not _SESSION_TABLE.search(_table_name(args.props, args.name)):
        return
    if not (truthy(get(args.props, "ttl", "enabled")) and text(get(args.props, "ttl", "attributeName"))):
        report_violation(f"{args.name}: the session/memory table has no TTL (ttl.enabled with an attributeName).", None)


SESSION_TTL = PolicySpec(
    name="session-table-ttl",
    description="DynamoDB tables holding sessions or agent memory expire items with TTL.",
    explanation=(
        "AI memory must not keep personal context forever. Tables named (or tagged `purpose`) for sessions, "
        "memory, conversations or context need ttl={'attribute_name': 'expires_at', 'enabled': True} and the code "
        "must set the attribute. (The only judge of this rule: the former checkov check CKV_AGP_5 is retired.)"
    ),
    principles=("P146", "P063", "P107"),
    severity=Severity.MEDIUM,
    category=Category.GOVERNANCE,
    kind=Kind.RESOURCE,
    validate=_validate_ttl,
    resource_types=(TABLE,),
)


def _expires(rule: Any) -> bool:
    if text(get(rule, "status")) != "Enabled":
        return False
    return bool(
        get(rule, "expiration", "days")
        or get(rule, "expiration", "date")
        or get(rule, "noncurrentVersionExpiration")
        or as_list(get(rule, "transitions"))
    )


def _check_log_lifecycle(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    def check(bucket: PolicyResource) -> None:
        if not is_log_bucket(args, bucket):
            return
        rules = [r for c in attached(args, bucket, "bucket", *LIFECYCLE) for r in as_list(get(c.props, "rules"))]
        rules += [
            {**dict(r), "status": "Enabled" if truthy(get(r, "enabled")) else "Disabled"}
            for r in as_list(get(bucket.props, "lifecycleRules"))
        ]
        if not any(_expires(r) for r in rules):
            report_on(report_violation, bucket, "log bucket without an enabled lifecycle rule that expires objects.")

    tolerant(resources_of(args, *BUCKET_TYPES), check)


LOG_LIFECYCLE = PolicySpec(
    name="log-bucket-lifecycle",
    description="Log buckets expire (or transition) their objects with an enabled lifecycle rule.",
    explanation=(
        "Logs kept forever cost more every month and hold personal data beyond its retention period. Fix: "
        "BucketLifecycleConfiguration(bucket=b.id, rules=[{'id': 'expire', 'status': 'Enabled', "
        "'expiration': {'days': <retention>}}])."
    ),
    principles=("P146", "P147"),
    severity=Severity.MEDIUM,
    category=Category.GOVERNANCE,
    kind=Kind.STACK,
    validate=_check_log_lifecycle,
    resource_types=BUCKET_TYPES,
)

POLICIES: list[PolicySpec] = [CLOUDTRAIL, CONFIG_RECORDER, REQUIRED_TAGS, ALLOWED_REGIONS, SESSION_TTL, LOG_LIFECYCLE]
