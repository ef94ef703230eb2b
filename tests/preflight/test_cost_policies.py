"""Cost policies (cdk-nag style): a compliant and numbered non-compliant cases per policy."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pulumi_policy import (
    PolicyCustomTimeouts,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    StackValidationArgs,
)
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, unknown_checking_proxy

from policies.profile import level_for
from policies.rules import cost
from policies.spec import Category, Kind
from policies.wire import UNKNOWN

Reports = list[tuple[str, str | None]]


def _opts() -> PolicyResourceOptions:
    return PolicyResourceOptions(
        protect=False,
        ignore_changes=[],
        delete_before_replace=None,
        aliases=[],
        custom_timeouts=PolicyCustomTimeouts(0, 0, 0),
        additional_secret_outputs=[],
    )


def run_resource(policy: Any, type_: str, props: dict[str, Any], name: str = "r") -> Reports:
    reports: Reports = []
    args = ResourceValidationArgs(type_, props, f"urn:pulumi:dev::x::{type_}::{name}", name, _opts(), None)
    if policy.applies_to(type_):
        policy.validate(args, lambda message, urn=None: reports.append((message, urn)))
    return reports


def resource(
    type_: str, name: str, props: dict[str, Any], deps: dict[str, list[PolicyResource]] | None = None
) -> PolicyResource:
    return PolicyResource(
        type_, props, f"urn:pulumi:dev::x::{type_}::{name}", name, _opts(), None, None, [], deps or {}
    )


def run_stack(policy: Any, resources: list[PolicyResource], config: dict[str, Any] | None = None) -> Reports:
    reports: Reports = []
    policy.validate(StackValidationArgs(resources, config), lambda message, urn=None: reports.append((message, urn)))
    return reports


def test_every_policy_is_cost_category_with_principles() -> None:
    names = [p.name for p in cost.POLICIES]
    assert len(names) == len(set(names))
    for policy in cost.POLICIES:
        assert policy.category is Category.COST
        assert policy.principles and all(p.startswith("P") for p in policy.principles)
        assert policy.name.startswith("cost-")


@pytest.mark.parametrize(
    ("policy", "type_", "props", "figure"),
    [
        (cost.NAT_GATEWAYS, "aws:ec2/natGateway:NatGateway", {"subnetId": "s"}, "$32.85/month"),
        (cost.EC2, "aws:ec2/instance:Instance", {"instanceType": "t3.micro"}, "$7.59/month"),
        (cost.KINESIS, "aws:kinesis/stream:Stream", {"streamModeDetails": {"streamMode": "ON_DEMAND"}}, "$29.20/month"),
        (cost.KINESIS, "aws:kinesis/stream:Stream", {"shardCount": 1}, "$10.95/month"),
        (cost.OPENSEARCH, "aws:opensearch/serverlessCollection:ServerlessCollection", {}, "$350.40/month"),
        (cost.OPENSEARCH, "aws:opensearch/domain:Domain", {}, "unpriced"),
        (
            cost.BEDROCK_THROUGHPUT,
            "aws:bedrock/provisionedModelThroughput:ProvisionedModelThroughput",
            {"modelUnits": 1},
            "unpriced",
        ),
    ],
)
def test_noncompliance_idle_resources_report_their_figure(
    policy: Any, type_: str, props: dict[str, Any], figure: str
) -> None:
    (report,) = run_resource(policy, type_, props)
    assert figure in report[0]
    assert report[0].startswith("r: ")


@pytest.mark.parametrize(
    "policy", [cost.NAT_GATEWAYS, cost.EC2, cost.KINESIS, cost.OPENSEARCH, cost.BEDROCK_THROUGHPUT]
)
def test_compliance_other_resources_are_not_looked_at(policy: Any) -> None:
    assert run_resource(policy, "aws:lambda/function:Function", {}) == []


def test_sagemaker_compliance_serverless_variants() -> None:
    props = {"productionVariants": [{"serverlessConfig": {"memorySizeInMb": 2048, "maxConcurrency": 2}}]}
    assert run_resource(cost.SAGEMAKER, cost.SAGEMAKER_ENDPOINT_CONFIG, props) == []


def test_sagemaker_noncompliance_1_priced_instance() -> None:
    props = {"productionVariants": [{"instanceType": "ml.t3.medium", "initialInstanceCount": 1}]}
    (report,) = run_resource(cost.SAGEMAKER, cost.SAGEMAKER_ENDPOINT_CONFIG, props)
    assert "ml.t3.medium" in report[0] and "$36.50/month" in report[0]


def test_sagemaker_noncompliance_2_unpriced_instance() -> None:
    props = {"productionVariants": [{"instanceType": "ml.p5.48xlarge"}]}
    (report,) = run_resource(cost.SAGEMAKER, cost.SAGEMAKER_ENDPOINT_CONFIG, props)
    assert "unpriced" in report[0]


def test_provisioned_concurrency_compliance_none() -> None:
    fn = resource(cost.FUNCTION, "fn", {"name": "fn-dev", "memorySize": 512})
    assert run_stack(cost.PROVISIONED, [fn]) == []


def test_provisioned_concurrency_noncompliance_1_memory_from_dependency() -> None:
    fn = resource(cost.FUNCTION, "fn", {"name": "fn-dev", "memorySize": 1024})
    warm = resource(
        cost.PROVISIONED_CONCURRENCY,
        "warm",
        {"functionName": "fn-dev", "provisionedConcurrentExecutions": 1},
        {"functionName": [fn]},
    )
    ((message, urn),) = run_stack(cost.PROVISIONED, [fn, warm])
    assert urn == warm.urn
    assert "1024 MB" in message and "$10.95/month" in message  # 1 GB x 2,628,000 s x $0.0000041667


def test_provisioned_concurrency_noncompliance_2_function_not_found_is_a_lower_bound() -> None:
    warm = resource(
        cost.PROVISIONED_CONCURRENCY, "warm", {"functionName": "elsewhere", "provisionedConcurrentExecutions": 4}
    )
    ((message, _),) = run_stack(cost.PROVISIONED, [warm])
    assert "at least" in message and "128 MB" in message


def test_idle_budget_compliance_within_budget() -> None:
    keys = [resource("aws:kms/key:Key", f"k{i}", {}) for i in range(3)]
    assert run_stack(cost.IDLE_BUDGET, keys, {"maxMonthlyUsd": 5}) == []


def test_idle_budget_noncompliance_1_over_the_configured_budget() -> None:
    keys = [resource("aws:kms/key:Key", f"k{i}", {}) for i in range(3)]
    ((message, urn),) = run_stack(cost.IDLE_BUDGET, keys, {"maxMonthlyUsd": 2})
    assert urn is None
    assert "$3.00/month" in message and "$2.00/month" in message and "k0" in message


def test_idle_budget_noncompliance_2_default_budget_is_five_dollars() -> None:
    nat = resource("aws:ec2/natGateway:NatGateway", "nat", {})
    ((message, _),) = run_stack(cost.IDLE_BUDGET, [nat])
    assert "$5.00/month" in message and "nat $32.85/month" in message


def test_idle_budget_schema_is_typed() -> None:
    assert cost.IDLE_BUDGET.kind is Kind.STACK
    assert cost.IDLE_BUDGET.config_schema is not None
    assert cost.IDLE_BUDGET.config_schema["maxMonthlyUsd"]["type"] == "number"


ALERTS = [{"notificationType": "ACTUAL", "threshold": 80, "subscriberEmailAddresses": ["ops@example.com"]}]


def test_budget_present_compliance_and_noncompliance() -> None:
    assert run_stack(cost.BUDGET_PRESENT, [resource(cost.BUDGET, "budget", {"notifications": ALERTS})]) == []
    by_topic = [{"notificationType": "FORECASTED", "subscriberSnsTopicArns": ["arn:aws:sns:us-east-1:1:alerts"]}]
    assert run_stack(cost.BUDGET_PRESENT, [resource(cost.BUDGET, "budget", {"notifications": by_topic})]) == []
    ((message, urn),) = run_stack(cost.BUDGET_PRESENT, [resource("aws:kms/key:Key", "k", {})])
    assert urn is None and "no AWS Budget" in message


@pytest.mark.parametrize(
    "props",
    [
        {},  # Noncompliance 1: no notifications (tests/preflight/test_gate.py's budget used to pass so)
        {"notifications": [{"notificationType": "ACTUAL", "threshold": 80}]},  # 2: a notification without subscriber
        {"notifications": [{"notificationType": "ACTUAL", "subscriberEmailAddresses": []}]},  # 3: an empty list
    ],
)
def test_budget_present_noncompliance_a_budget_that_alerts_nobody(props: dict[str, object]) -> None:
    """The rule's promise is a budget *with alerts* (P169): one whose notifications name no subscriber only records
    the spend, and nobody hears it run away."""
    ((message, urn),) = run_stack(cost.BUDGET_PRESENT, [resource(cost.BUDGET, "budget", props)])
    assert urn is not None and "no notification with a subscriber" in message
    alerting = resource(cost.BUDGET, "other", {"notifications": ALERTS})
    assert run_stack(cost.BUDGET_PRESENT, [resource(cost.BUDGET, "budget", props), alerting]) == []


TOPIC_ARN = "arn:aws:sns:us-east-1:123456789012:billing-alerts"


def _publish_for(service: str) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "SNS:Publish", "Principal": {"Service": service}, "Resource": TOPIC_ARN}
        ],
    }


BUDGETS_PUBLISH = _publish_for("budgets.amazonaws.com")
TO_TOPIC = {"notifications": [{"notificationType": "ACTUAL", "subscriberSnsTopicArns": [TOPIC_ARN]}]}


@pytest.mark.parametrize(
    ("case", "companions", "flagged"),
    [
        # Noncompliance 4 (Wayasay/AWS-Budget-Alert-System-Pulumi-Python-Template@efec6d9): the stack's own topic
        # has no policy letting AWS Budgets publish, so its alerts are never delivered
        ("bad_topic_without_policy", [resource(cost.TOPIC, "t", {"arn": TOPIC_ARN})], True),
        (
            "bad_policy_for_another_service",
            [
                resource(cost.TOPIC, "t", {"arn": TOPIC_ARN}),
                resource(
                    cost.TOPIC_POLICY,
                    "p",
                    {"arn": TOPIC_ARN, "policy": json.dumps(_publish_for("events.amazonaws.com"))},
                ),
            ],
            True,
        ),
        (
            "ok_topic_policy_for_budgets",
            [
                resource(cost.TOPIC, "t", {"arn": TOPIC_ARN}),
                resource(cost.TOPIC_POLICY, "p", {"arn": TOPIC_ARN, "policy": json.dumps(BUDGETS_PUBLISH)}),
            ],
            False,
        ),
        ("ok_topic_own_policy", [resource(cost.TOPIC, "t", {"arn": TOPIC_ARN, "policy": BUDGETS_PUBLISH})], False),
        ("ok_topic_of_another_stack", [], False),
        (  # a preview, where the topic's ARN is not known yet: cannot tell, so no finding
            "ok_topic_arn_unknown",
            [
                PolicyResource(
                    cost.TOPIC,
                    unknown_checking_proxy({"arn": UNKNOWN_STRING_VALUE}),
                    f"urn:pulumi:dev::x::{cost.TOPIC}::t",
                    "t",
                    _opts(),
                    None,
                    None,
                    [],
                    {},
                )
            ],
            False,
        ),
    ],
)
def test_budget_present_needs_a_topic_budgets_may_publish_to(
    case: str, companions: list[PolicyResource], flagged: bool
) -> None:
    reports = run_stack(cost.BUDGET_PRESENT, [resource(cost.BUDGET, "budget", TO_TOPIC), *companions])
    assert bool(reports) is flagged, case
    if flagged:
        ((message, urn),) = reports
        assert urn is not None and f"only SNS topic(s) {TOPIC_ARN}" in message and "budgets.amazonaws.com" in message


def test_policies_build_crossguard_objects() -> None:
    from pulumi_policy import EnforcementLevel, ResourceValidationPolicy, StackValidationPolicy  # noqa: PLC0415

    for policy in cost.POLICIES:
        built = policy.to_crossguard(EnforcementLevel.MANDATORY)
        assert isinstance(built, StackValidationPolicy if policy.kind is Kind.STACK else ResourceValidationPolicy)


# --- cost-unpriced-idle-resource: an always-on resource without a figure is a finding, not a silence ---

RDS = "aws:rds/instance:Instance"


def test_unpriced_compliance_priced_and_pay_per_use_resources_pass() -> None:
    resources = [
        resource(RDS, "db", {"engine": "postgres", "instanceClass": "db.t4g.micro", "allocatedStorage": 20}),
        resource("aws:s3/bucket:Bucket", "b", {}),
        resource("aws:lambda/function:Function", "fn", {"memorySize": 256}),
    ]
    assert run_stack(cost.UNPRICED, resources) == []


@pytest.mark.parametrize(
    ("case", "type_", "props", "expected"),
    [
        (
            1,
            RDS,
            {"engine": "postgres", "instanceClass": "db.r6g.4xlarge"},
            "big: db.r6g.4xlarge RDS instance (postgres): runs around the clock, but the price table has no figure "
            "for this instance class and engine; add it to policies/cost/prices.yaml with its source.",
        ),
        (
            2,
            "aws:ecs/service:Service",
            {"launchType": "FARGATE", "desiredCount": 1, "capacityProviderStrategies": None},
            "big: Fargate service: runs around the clock, but its task definition is not in this program; define "
            "the task definition in the same program so its CPU and memory can be read.",
        ),
        (
            3,
            "aws:elasticache/cluster:Cluster",
            {"engine": "memcached", "nodeType": "cache.t4g.micro", "numCacheNodes": 1},
            "big: cache.t4g.micro ElastiCache cluster (memcached): runs around the clock, but the price table has no "
            "figure for Memcached; add it to policies/cost/prices.yaml with its source.",
        ),
    ],
    ids=lambda v: f"noncompliance-{v}" if isinstance(v, int) else None,
)
def test_unpriced_noncompliance(case: int, type_: str, props: dict[str, Any], expected: str) -> None:
    reports = run_stack(cost.UNPRICED, [resource(type_, "big", props)])
    assert reports == [(expected, f"urn:pulumi:dev::x::{type_}::big")]


def test_unpriced_leaves_types_with_their_own_policy_to_it() -> None:
    domain = resource("aws:opensearch/domain:Domain", "search", {})
    vm = resource("aws:ec2/instance:Instance", "vm", {"instanceType": "x2iedn.32xlarge"})
    assert run_stack(cost.UNPRICED, [domain, vm]) == []


def test_unpriced_is_mandatory_in_dev_and_advisory_in_production() -> None:
    assert level_for(cost.UNPRICED, "dev") == "mandatory"
    assert level_for(cost.UNPRICED, "org/shop/production") == "advisory"


def test_an_unknown_input_leaves_the_rest_of_a_resource_priced() -> None:
    """As the analyzer hands it over (unknown-checking proxy, Pulumi's unknown marker), an instance whose subnet is
    unknown (from a StackReference, JManzur/aws-pulumi-python-linux-bastion@a86fcc1b) still bills its hours: the
    resource was left out whole, so cost-idle-budget saw $0 where `preflight cost` prints $7.59."""
    props = unknown_checking_proxy({"instanceType": "t3.micro", "subnetId": UNKNOWN})
    reports = run_stack(cost.IDLE_BUDGET, [resource("aws:ec2/instance:Instance", "bastion", props)])
    assert [message.split(" (largest")[0] for message, _ in reports] == [
        "the stack's idle cost is $7.59/month, over its idle budget of $5.00/month"
    ]
