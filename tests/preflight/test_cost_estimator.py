"""The idle-cost estimator: tiny programs whose answer is known from the price table."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from policies.cost.estimator import PricedResource, estimate, price_of
from policies.cost.prices import load_prices
from preflight.cost.idle import idle_cost
from preflight.engine import synthesize
from tests.preflight.programs import write_program

PRICES = load_prices()
HOURS = PRICES.hours_per_month


def res(type_: str, name: str = "r", /, **inputs: Any) -> PricedResource:
    return PricedResource(name, type_, f"urn:pulumi:dev::x::{type_}::{name}", inputs)


KMS_AND_NAT = """
import pulumi_aws as aws

aws.kms.Key("key", enable_key_rotation=True)
aws.ec2.NatGateway("nat", subnet_id="subnet-0123456789abcdef0")
aws.s3.Bucket("bucket")
"""


def test_kms_key_plus_nat_gateway_sum_to_the_table_figures(tmp_path: Path) -> None:
    graph = synthesize(write_program(tmp_path, KMS_AND_NAT), "dev")
    cost = idle_cost(graph)
    expected_key = PRICES.usd("kms_key_month")
    expected_nat = PRICES.usd("nat_gateway_hour") * HOURS
    assert {i.resource: i.monthly_usd for i in cost.items} == {
        "key": pytest.approx(expected_key),
        "nat": pytest.approx(expected_nat),
    }
    assert cost.idle_monthly_usd == pytest.approx(round(expected_key + expected_nat, 2))
    assert cost.idle_monthly_usd == pytest.approx(33.85)  # 1.00 + 0.045 * 730
    assert [r.resource for r in cost.pay_per_use] == ["bucket"]
    assert cost.unpriced == ()


PROVISIONED = """
import pulumi_aws as aws

fn = aws.lambda_.Function(
    "fn", role="arn:aws:iam::123456789012:role/fn", runtime="python3.12", handler="app.handler", memory_size=1024
)
aws.lambda_.ProvisionedConcurrencyConfig(
    "warm", function_name=fn.name, provisioned_concurrent_executions=2, qualifier="live"
)
"""


def test_provisioned_concurrency_reads_the_memory_of_its_function(tmp_path: Path) -> None:
    graph = synthesize(write_program(tmp_path, PROVISIONED), "dev")
    cost = idle_cost(graph)
    (item,) = cost.items
    assert item.resource == "warm"
    rate = PRICES.usd("lambda_provisioned_concurrency_gb_second")
    assert item.monthly_usd == pytest.approx(2 * 1.0 * HOURS * 3600 * rate)
    assert "1024 MB" in item.basis
    assert [r.resource for r in cost.pay_per_use] == ["fn"]


def test_alarm_and_dashboard_free_tiers_and_turning_them_off() -> None:
    alarms = [res("aws:cloudwatch/metricAlarm:MetricAlarm", f"a{i}", period=300) for i in range(12)]
    dashboards = [res("aws:cloudwatch/dashboard:Dashboard", f"d{i}") for i in range(4)]
    budgets = [res("aws:budgets/budget:Budget", f"b{i}") for i in range(3)]
    resources = alarms + dashboards + budgets
    with_free = estimate(resources)
    assert with_free.idle_monthly_usd == pytest.approx(2 * 0.10 + 3.00 + 0.02 * HOURS / 24, abs=0.006)
    without = estimate(resources, free_tier=False)
    assert without.idle_monthly_usd == pytest.approx(12 * 0.10 + 4 * 3.00 + 3 * 0.02 * HOURS / 24, abs=0.006)
    assert any("free tiers not applied" in a for a in without.assumptions)


def test_high_resolution_alarms_have_no_free_tier() -> None:
    cost = estimate([res("aws:cloudwatch/metricAlarm:MetricAlarm", period=10)])
    assert cost.idle_monthly_usd == pytest.approx(0.30)


@pytest.mark.parametrize(
    ("resource", "expected"),
    [
        (res("aws:secretsmanager/secret:Secret"), 0.40),
        (res("aws:wafv2/webAcl:WebAcl", rules=[{"name": "a"}, {"name": "b"}]), 5.00 + 2 * 1.00),
        (res("aws:ec2/eip:Eip"), 0.005 * 730),
        (res("aws:ec2/vpcEndpoint:VpcEndpoint", vpcEndpointType="Interface", subnetIds=["a", "b"]), 2 * 0.01 * 730),
        (res("aws:kinesis/stream:Stream", streamModeDetails={"streamMode": "ON_DEMAND"}), 0.04 * 730),
        (res("aws:kinesis/stream:Stream", shardCount=2), 2 * 0.015 * 730),
        (res("aws:opensearch/serverlessCollection:ServerlessCollection", standbyReplicas="DISABLED"), 0.24 * 730),
        (res("aws:opensearch/serverlessCollection:ServerlessCollection"), 2 * 0.24 * 730),
        (res("aws:ec2/instance:Instance", instanceType="t3.micro"), 0.0104 * 730),
        (res("aws:lb/loadBalancer:LoadBalancer"), 0.0225 * 730),
        (res("aws:route53/zone:Zone"), 0.50),
        (res("aws:eks/cluster:Cluster"), 0.10 * 730),
        (res("aws:cfg/rule:Rule", maximumExecutionFrequency="TwentyFour_Hours"), 730 / 24 * 0.001),
        (res("aws:cloudwatch/compositeAlarm:CompositeAlarm"), 0.50),
    ],
    ids=lambda v: v.type if isinstance(v, PricedResource) else "",
)
def test_single_resource_figures(resource: PricedResource, expected: float) -> None:
    item = price_of(resource.type, resource.inputs)
    assert item is not None
    assert item.monthly_usd == pytest.approx(expected)


@pytest.mark.parametrize(
    "resource",
    [
        res("aws:lambda/function:Function"),
        res("aws:dynamodb/table:Table", billingMode="PAY_PER_REQUEST"),
        res("aws:ec2/vpcEndpoint:VpcEndpoint", vpcEndpointType="Gateway"),
        res("aws:cfg/rule:Rule"),
        res("aws:cfg/recorder:Recorder"),
        res("aws:sfn/stateMachine:StateMachine"),
    ],
    ids=lambda r: r.type,
)
def test_pay_per_use_resources_cost_nothing_idle(resource: PricedResource) -> None:
    cost = estimate([resource])
    assert cost.items == ()
    assert [r.resource for r in cost.pay_per_use] == [resource.name]


@pytest.mark.parametrize(
    "resource",
    [
        res("aws:opensearch/domain:Domain"),
        res("aws:bedrock/provisionedModelThroughput:ProvisionedModelThroughput", modelUnits=1),
        res("aws:ec2/instance:Instance", instanceType="x2iedn.32xlarge"),
        res("aws:dynamodb/table:Table"),
        res("aws:sagemaker/endpoint:Endpoint", endpointConfigName="missing"),
    ],
    ids=lambda r: r.type,
)
def test_idle_charged_types_without_a_figure_are_unpriced_not_guessed(resource: PricedResource) -> None:
    cost = estimate([resource])
    assert cost.items == ()
    assert [r.resource for r in cost.unpriced] == [resource.name]
    assert cost.unpriced[0].reason


def test_sagemaker_endpoints_follow_their_configuration() -> None:
    serverless = res(
        "aws:sagemaker/endpointConfiguration:EndpointConfiguration",
        "cfg",
        name="cfg",
        productionVariants=[{"serverlessConfig": {"memorySizeInMb": 2048, "maxConcurrency": 1}}],
    )
    endpoint = res("aws:sagemaker/endpoint:Endpoint", "ep", endpointConfigName="cfg")
    assert estimate([serverless, endpoint]).items == ()
    realtime = res(
        "aws:sagemaker/endpointConfiguration:EndpointConfiguration",
        "cfg",
        name="cfg",
        productionVariants=[{"instanceType": "ml.m5.large", "initialInstanceCount": 2}],
    )
    (item,) = estimate([realtime, endpoint]).items
    assert item.resource == "ep"
    assert item.monthly_usd == pytest.approx(2 * 0.115 * 730)


def test_second_collection_shares_the_ocu_floor() -> None:
    a = res("aws:opensearch/serverlessCollection:ServerlessCollection", "a", standbyReplicas="DISABLED")
    b = res("aws:opensearch/serverlessCollection:ServerlessCollection", "b", standbyReplicas="DISABLED")
    cost = estimate([a, b])
    assert [i.monthly_usd for i in cost.items] == [pytest.approx(0.24 * 730), 0.0]


def test_components_and_providers_are_not_resources() -> None:
    cost = estimate([res("agentic:storage:Store"), res("pulumi:providers:aws"), res("aws:kms/key:Key")])
    assert [i.resource for i in cost.items] == ["r"]
    assert cost.pay_per_use == ()


def test_json_shape_is_what_the_issue_asks_for() -> None:
    cost = estimate(
        [res("aws:kms/key:Key", "k"), res("aws:s3/bucket:Bucket", "b"), res("aws:opensearch/domain:Domain", "d")]
    )
    data = json.loads(cost.to_json())
    assert {"idle_monthly_usd", "items", "pay_per_use", "unpriced"} <= set(data)
    assert data["idle_monthly_usd"] == 1.0
    assert data["items"] == [
        {
            "resource": "k",
            "type": "aws:kms/key:Key",
            "monthly_usd": 1.0,
            "basis": "customer managed KMS key: $1.00/month",
        }
    ]
    assert data["pay_per_use"] == [{"resource": "b", "type": "aws:s3/bucket:Bucket"}]
    assert data["unpriced"][0]["resource"] == "d"


def test_a_stack_outside_the_tables_region_is_unpriced_not_priced_at_us_east_1() -> None:
    """Every figure of the table is us-east-1's (prices.yaml `region`): a resource elsewhere has none (issue 11 §2)."""
    cost = estimate([PricedResource("key", "aws:kms/key:Key", "urn:key", {})], region="eu-west-1")
    assert cost.items == ()
    assert [r.reason for r in cost.unpriced] == [
        "aws:kms/key:Key in eu-west-1: runs around the clock, but it is in eu-west-1 and the price table's figure "
        "(kms_key_month) is for us-east-1 only; prices differ between regions; add eu-west-1's figure to "
        "policies/cost/prices.yaml with its source"
    ]
    assert any("priced in its own region" in a for a in cost.assumptions)
