"""The governance baseline called directly: trail, Config recorder, tags, regions, session TTL and log
lifecycle, each branch with the resources it needs and the exact message (bench/MUTATION.md)."""
# ruff: noqa: E501  (one case per line reads as a table)

from __future__ import annotations

from typing import Any

import pytest
from pulumi_policy import PolicyProviderResource, PolicyResource, StackValidationArgs
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, UnknownValueError, unknown_checking_proxy

from policies.rules import governance as gov
from tests.policies.rules.calls import Reports, provider, resource, run_resource, run_stack, urn

GOOD_TRAIL = {
    "enableLogFileValidation": True,
    "isMultiRegionTrail": True,
    "kmsKeyId": "arn:aws:kms:us-east-1:111122223333:key/k",
}
TRAIL_URN = urn(gov.TRAIL, "trail")


def _trail(**changes: Any) -> PolicyResource:
    return resource(gov.TRAIL, "trail", {**GOOD_TRAIL, **changes})


@pytest.mark.parametrize(
    ("props", "messages"),
    [
        ({}, []),
        ({"enableLogging": True}, []),
        ({"enableLogging": "true"}, []),
        ({"enableLogFileValidation": "true", "isMultiRegionTrail": "TRUE"}, []),
        ({"enableLogging": False}, ["trail: logging is off (enableLogging is false)."]),
        ({"enableLogging": "false"}, ["trail: logging is off (enableLogging is false)."]),
        ({"enableLogFileValidation": False}, ["trail: log file validation is off."]),
        ({"isMultiRegionTrail": None}, ["trail: it is not multi-region."]),
        ({"kmsKeyId": ""}, ["trail: it is not KMS-encrypted."]),
        ({"enableLogging": False, "enableLogFileValidation": False, "isMultiRegionTrail": False, "kmsKeyId": None},
         ["trail: logging is off (enableLogging is false); log file validation is off; it is not multi-region; it is not KMS-encrypted."]),
    ],
    ids=["ok_default_logging", "ok_logging_on", "ok_logging_string", "ok_string_booleans", "bad1_logging_off", "bad2_logging_off_string",
         "bad3_no_validation", "bad4_single_region", "bad5_no_kms", "bad6_all_joined"],
)  # fmt: skip
def test_trail_settings(props: dict[str, Any], messages: list[str]) -> None:
    assert run_stack(gov.CLOUDTRAIL, [_trail(**props)], {}) == [(m, TRAIL_URN) for m in messages]


NO_TRAIL = "no CloudTrail trail, and the stack config does not say the organisation or another stack provides one."


@pytest.mark.parametrize(
    ("config", "messages"),
    [
        ({"providedElsewhere": True}, []),
        ({"providedBy": "organization"}, []),
        ({"providedBy": "another-stack"}, []),
        ({}, [NO_TRAIL]),
        ({"providedElsewhere": False}, [NO_TRAIL]),
        ({"providedBy": "nobody"}, [NO_TRAIL]),
    ],
    ids=["ok_elsewhere", "ok_organization", "ok_another_stack", "bad1_nothing_said", "bad2_elsewhere_false", "bad3_unknown_provider"],
)  # fmt: skip
def test_a_missing_trail_needs_the_config_to_say_who_provides_it(config: dict[str, Any], messages: list[str]) -> None:
    assert run_stack(gov.CLOUDTRAIL, [resource("aws:s3/bucket:Bucket", "b", {})], config) == [
        (m, None) for m in messages
    ]


def test_a_trail_present_is_judged_even_when_provided_elsewhere_is_said() -> None:
    assert run_stack(gov.CLOUDTRAIL, [_trail(kmsKeyId=None)], {"providedElsewhere": True}) == [
        ("trail: it is not KMS-encrypted.", TRAIL_URN)
    ]


def test_every_trail_is_judged() -> None:
    second = resource(gov.TRAIL, "second", {**GOOD_TRAIL, "isMultiRegionTrail": False})
    assert run_stack(gov.CLOUDTRAIL, [_trail(kmsKeyId=None), second], {}) == [
        ("trail: it is not KMS-encrypted.", TRAIL_URN),
        ("second: it is not multi-region.", urn(gov.TRAIL, "second")),
    ]


def test_an_unknown_trail_setting_is_noted_after_the_known_problems_are_reported() -> None:
    props = unknown_checking_proxy({**GOOD_TRAIL, "enableLogFileValidation": UNKNOWN_STRING_VALUE, "kmsKeyId": ""})
    trail = PolicyResource(gov.TRAIL, props, TRAIL_URN, "trail", None, None, None, [], {})  # type: ignore[arg-type]
    reports: Reports = []
    with pytest.raises(UnknownValueError):
        gov.CLOUDTRAIL.validate(
            StackValidationArgs([trail], {}), lambda message, urn=None: reports.append((message, urn))
        )
    assert reports == [("trail: it is not KMS-encrypted.", TRAIL_URN)]


RECORDER_URN = urn(gov.RECORDER, "recorder")
NEVER_STARTED = ("recorder: the recorder is never started (no RecorderStatus is_enabled=True).", RECORDER_URN)
NO_RECORDER = "no AWS Config recorder, and the stack config does not say another stack provides one."


def _recorder() -> PolicyResource:
    return resource(gov.RECORDER, "recorder", {"name": "default"})


def _status(props: dict[str, Any], deps: dict[str, list[PolicyResource]] | None = None) -> PolicyResource:
    return resource(gov.RECORDER_STATUS, "status", props, deps)


@pytest.mark.parametrize(
    ("statuses", "messages"),
    [
        ([_status({"name": "default", "isEnabled": True})], []),
        ([_status({"name": "default", "isEnabled": "true"})], []),
        ([_status({"isEnabled": True})], []),
        ([_status({"name": "from-output", "isEnabled": True}, {"name": [_recorder()]})], []),
        ([_status({"name": "other", "isEnabled": True}), _status({"name": "default", "isEnabled": True})], []),
        ([], [NEVER_STARTED]),
        ([_status({"name": "default", "isEnabled": False})], [NEVER_STARTED]),
        ([_status({"name": "default"})], [NEVER_STARTED]),
        ([_status({"name": "other", "isEnabled": True})], [NEVER_STARTED]),
        ([_status({"name": "other", "isEnabled": True}, {"name": [resource(gov.RECORDER, "another", {})]})], [NEVER_STARTED]),
        ([_status({"name": "default", "isEnabled": False}, {"name": [_recorder()]})], [NEVER_STARTED]),
    ],
    ids=["ok_named", "ok_string_true", "ok_unnamed_status", "ok_by_dependency", "ok_second_status", "bad1_no_status", "bad2_disabled",
         "bad3_enabled_unset", "bad4_other_recorder", "bad5_depends_on_another", "bad6_dependency_but_disabled"],
)  # fmt: skip
def test_recorder_status(statuses: list[PolicyResource], messages: list[tuple[str, str]]) -> None:
    assert run_stack(gov.CONFIG_RECORDER, [_recorder(), *statuses], {}) == messages


@pytest.mark.parametrize(
    ("config", "messages"),
    [({"providedBy": "organization"}, []), ({"providedElsewhere": True}, []), ({}, [(NO_RECORDER, None)])],
    ids=["ok_organization", "ok_elsewhere", "bad1_nothing_said"],
)
def test_a_missing_recorder_needs_the_config_to_say_who_provides_it(
    config: dict[str, Any], messages: list[tuple[str, None]]
) -> None:
    # A status alone starts nothing: without a recorder the stack still has none.
    assert run_stack(gov.CONFIG_RECORDER, [_status({"isEnabled": True})], config) == messages


def test_a_present_recorder_is_judged_even_when_provided_elsewhere_is_said() -> None:
    assert run_stack(gov.CONFIG_RECORDER, [_recorder()], {"providedElsewhere": True}) == [NEVER_STARTED]


QUEUE = "aws:sqs/queue:Queue"
TAGS = {"requiredTagKeys": ["app", "team"]}


@pytest.mark.parametrize(
    ("type_", "props", "config", "messages"),
    [
        (QUEUE, {"tags": {"app": "a", "team": "t", "extra": "x"}}, TAGS, []),
        (QUEUE, {}, {}, []),
        (QUEUE, {}, {"requiredTagKeys": []}, []),
        ("random:index/randomId:RandomId", {"tags": {}}, TAGS, []),
        ("aws:iam/rolePolicyAttachment:RolePolicyAttachment", {}, TAGS, []),
        (QUEUE, {}, TAGS, ["r: missing required tags app, team."]),
        (QUEUE, {"tags": None}, TAGS, ["r: missing required tags app, team."]),
        (QUEUE, {"tags": {"app": "a", "team": ""}}, TAGS, ["r: missing required tags team."]),
        (QUEUE, {"tags": {"app": 1, "team": "t"}}, TAGS, ["r: missing required tags app."]),
        ("aws:iam/rolePolicyAttachment:RolePolicyAttachment", {"tags": {"app": "a"}}, TAGS, ["r: missing required tags team."]),
    ],
    ids=["ok_all_tags", "ok_nothing_required", "ok_empty_required", "ok_not_aws", "ok_not_taggable", "bad1_no_tags", "bad2_tags_none",
         "bad3_empty_value", "bad4_not_text", "bad5_tags_given_to_untaggable"],
)  # fmt: skip
def test_required_tags(type_: str, props: dict[str, Any], config: dict[str, Any], messages: list[str]) -> None:
    assert run_resource(gov.REQUIRED_TAGS, type_, props, config=config) == [(m, None) for m in messages]


REGIONS = {"allowedRegions": ["us-east-1", "eu-west-1"]}
_WHERE = (
    "the deploying environment's region: AWS_REGION or AWS_DEFAULT_REGION where the program runs, else the AWS "
    "profile's shared config, which cannot be shown inside ['us-east-1', 'eu-west-1']."
)
UNSTATED_EXPLICIT = (
    "the AWS provider states no region (an explicit provider does not read the stack's {key}), so it deploys to "
    + _WHERE
    + " Fix: give it region=... (for example pulumi.Config('aws').require('region'))."
)
UNSTATED_DEFAULT = (
    "the stack config has no {key}, so the default provider deploys to " + _WHERE + " Fix: set {key} in the stack file."
)


def _typed_provider(type_: str, name: str, props: dict[str, Any] | None = None) -> PolicyProviderResource:
    """A provider of another type or name than `provider`'s explicit aws one (a default provider, aws-native)."""
    return PolicyProviderResource(type_, dict(props or {}), urn(type_, name), name)


@pytest.mark.parametrize(
    ("resources", "config", "messages"),
    [
        ([provider({"region": "ap-south-1"})], {}, []),
        ([provider({"region": "eu-west-1"}), resource(QUEUE, "q", {"region": "us-east-1"}), resource(QUEUE, "plain", {})], REGIONS, []),
        ([provider({"region": "us-east-1"}), resource("random:index/randomId:RandomId", "id", {"region": "ap-south-1"})], REGIONS, []),
        ([_typed_provider("pulumi:providers:random", "default"), _typed_provider("pulumi:providers:tls", "t")], REGIONS, []),
        ([provider({})], {}, []),
        ([provider({"region": "ap-south-1"})], REGIONS, [("aws-provider: the AWS provider targets ap-south-1, outside ['us-east-1', 'eu-west-1'].", urn("pulumi:providers:aws", "aws-provider"))]),
        ([resource(QUEUE, "q", {"region": "us-west-2"})], REGIONS, [("q: the resource is placed in us-west-2, outside ['us-east-1', 'eu-west-1'].", urn(QUEUE, "q"))]),
        ([resource(QUEUE, "a", {"region": "us-west-2"}), resource(QUEUE, "b", {"region": "us-east-1"}), resource(QUEUE, "c", {"region": "sa-east-1"})], REGIONS,
         [("a: the resource is placed in us-west-2, outside ['us-east-1', 'eu-west-1'].", urn(QUEUE, "a")), ("c: the resource is placed in sa-east-1, outside ['us-east-1', 'eu-west-1'].", urn(QUEUE, "c"))]),
        ([provider({})], REGIONS, [("aws-provider: " + UNSTATED_EXPLICIT.format(key="aws:region"), urn("pulumi:providers:aws", "aws-provider"))]),
        ([provider({"region": ""})], REGIONS, [("aws-provider: " + UNSTATED_EXPLICIT.format(key="aws:region"), urn("pulumi:providers:aws", "aws-provider"))]),
        ([_typed_provider("pulumi:providers:aws-native", "native")], REGIONS, [("native: " + UNSTATED_EXPLICIT.format(key="aws-native:region"), urn("pulumi:providers:aws-native", "native"))]),
        ([_typed_provider("pulumi:providers:aws", "default")], REGIONS, [("default: " + UNSTATED_DEFAULT.format(key="aws:region"), urn("pulumi:providers:aws", "default"))]),
        ([_typed_provider("pulumi:providers:aws-native", "default_1_84_0")], REGIONS, [("default_1_84_0: " + UNSTATED_DEFAULT.format(key="aws-native:region"), urn("pulumi:providers:aws-native", "default_1_84_0"))]),
    ],
    ids=["ok_nothing_allowed_said", "ok_inside", "ok_not_aws", "ok_other_packages_have_no_region", "ok_unstated_but_nothing_allowed_said", "bad1_provider_outside", "bad2_resource_outside", "bad3_every_resource",
         "bad4_explicit_without_region", "bad5_explicit_empty_region", "bad6_native_explicit_without_region", "bad7_default_without_config", "bad8_versioned_native_default_without_config"],
)  # fmt: skip
def test_allowed_regions(
    resources: list[PolicyResource], config: dict[str, Any], messages: list[tuple[str, str]]
) -> None:
    assert run_stack(gov.ALLOWED_REGIONS, resources, config) == messages


NO_TTL = "{}: the session/memory table has no TTL (ttl.enabled with an attributeName)."
TTL = {"ttl": {"enabled": True, "attributeName": "expires_at"}}


@pytest.mark.parametrize(
    ("name", "props", "messages"),
    [
        ("results", {}, []),
        ("results", {"name": "results-table", "tags": {"purpose": "reports"}}, []),
        ("sessions", TTL, []),
        ("sessions", {"ttl": {"enabled": "true", "attributeName": "expires_at"}}, []),
        ("Sessions", {}, [NO_TTL.format("Sessions")]),
        ("agent_memory", {"ttl": {"enabled": False, "attributeName": "expires_at"}}, [NO_TTL.format("agent_memory")]),
        ("t", {"name": "conversation-store", "ttl": {"enabled": True}}, [NO_TTL.format("t")]),
        ("t", {"tags": {"purpose": "context"}, "ttl": {"attributeName": "expires_at"}}, [NO_TTL.format("t")]),
        ("t", {"name": "x", "tags": {"purpose": "memory", "other": "y"}, "ttl": {"enabled": True, "attributeName": ""}}, [NO_TTL.format("t")]),
    ],
    ids=["ok_not_sessions", "ok_named_and_tagged_otherwise", "ok_ttl", "ok_ttl_string_true", "bad1_logical_name_any_case", "bad2_disabled",
         "bad3_physical_name_no_attribute", "bad4_purpose_tag_not_enabled", "bad5_empty_attribute"],
)  # fmt: skip
def test_session_table_ttl(name: str, props: dict[str, Any], messages: list[str]) -> None:
    assert run_resource(gov.SESSION_TTL, gov.TABLE, props, name=name) == [(m, None) for m in messages]


LIFECYCLE_TYPE = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"
NO_EXPIRY = "log bucket without an enabled lifecycle rule that expires objects."


def _logs(props: dict[str, Any] | None = None, name: str = "access-logs") -> PolicyResource:
    return resource("aws:s3/bucketV2:BucketV2", name, props or {})


def _lifecycle(bucket: PolicyResource, *rules: dict[str, Any]) -> PolicyResource:
    return resource(LIFECYCLE_TYPE, "lifecycle", {"bucket": "b", "rules": list(rules)}, {"bucket": [bucket]})


@pytest.mark.parametrize(
    ("rules", "expires"),
    [
        ([{"status": "Enabled", "expiration": {"days": 30}}], True),
        ([{"status": "Enabled", "expiration": {"date": "2027-01-01"}}], True),
        ([{"status": "Enabled", "noncurrentVersionExpiration": {"noncurrentDays": 30}}], True),
        ([{"status": "Enabled", "transitions": [{"days": 30, "storageClass": "GLACIER"}]}], True),
        ([{"status": "Disabled", "expiration": {"days": 30}}, {"status": "Enabled", "expiration": {"days": 7}}], True),
        ([{"status": "Disabled", "expiration": {"days": 30}}], False),
        ([{"expiration": {"days": 30}}], False),
        ([{"status": "Enabled", "expiration": {"days": 0}}], False),
        ([{"status": "Enabled", "transitions": []}], False),
        ([{"status": "Enabled", "abortIncompleteMultipartUpload": {"daysAfterInitiation": 7}}], False),
        ([], False),
    ],
    ids=["ok_days", "ok_date", "ok_noncurrent", "ok_transition", "ok_second_rule", "bad1_disabled", "bad2_no_status",
         "bad3_zero_days", "bad4_no_transitions", "bad5_abort_only", "bad6_no_rule"],
)  # fmt: skip
def test_log_bucket_lifecycle_configuration(rules: list[dict[str, Any]], expires: bool) -> None:
    bucket = _logs()
    expected = [] if expires else [(f"access-logs: {NO_EXPIRY}", urn("aws:s3/bucketV2:BucketV2", "access-logs"))]
    assert run_stack(gov.LOG_LIFECYCLE, [bucket, _lifecycle(bucket, *rules)], None) == expected


@pytest.mark.parametrize(
    ("rules", "expires"),
    [
        ([{"enabled": True, "expiration": {"days": 30}}], True),
        ([{"enabled": "true", "expiration": {"days": 30}}], True),
        ([{"enabled": False, "expiration": {"days": 30}}], False),
        ([{"expiration": {"days": 30}}], False),
        ([{"enabled": True}], False),
    ],
    ids=["ok_inline", "ok_inline_string", "bad1_inline_disabled", "bad2_inline_enabled_unset", "bad3_inline_no_expiry"],
)  # fmt: skip
def test_log_bucket_inline_lifecycle_rules(rules: list[dict[str, Any]], expires: bool) -> None:
    expected = [] if expires else [(f"audit-trail: {NO_EXPIRY}", urn("aws:s3/bucket:Bucket", "audit-trail"))]
    bucket = resource("aws:s3/bucket:Bucket", "audit-trail", {"lifecycleRules": rules})
    assert run_stack(gov.LOG_LIFECYCLE, [bucket], None) == expected


def test_only_log_buckets_need_a_lifecycle() -> None:
    assert run_stack(gov.LOG_LIFECYCLE, [_logs(name="documents")], None) == []
    assert run_stack(gov.LOG_LIFECYCLE, [_logs(name="documents"), _logs(name="logs")], None) == [
        (f"logs: {NO_EXPIRY}", urn("aws:s3/bucketV2:BucketV2", "logs"))
    ]
