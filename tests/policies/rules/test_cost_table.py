"""cost-no-lambda-provisioned-concurrency: which function's memory a provisioned-concurrency config bills.

Compliance: no config. Noncompliance N: a config whose function is found by dependency, by physical name,
by ARN or by logical name (its memory billed, stated as exact), or not found (128 MB, stated as a lower bound).
"""

from __future__ import annotations

from typing import Any

import pytest

from policies.cost.prices import load_prices
from policies.rules import cost
from tests.policies.rules.calls import resource, run_resource, run_stack

ARN = "arn:aws:lambda:us-east-1:123456789012:function:fn-dev"


def _warm(target: Any, deps: list[Any] | None = None) -> Any:
    props = {"functionName": target, "provisionedConcurrentExecutions": 2}
    return resource(cost.PROVISIONED_CONCURRENCY, "warm", props, {"functionName": deps} if deps else None)


def _message(resources: list[Any]) -> str:
    ((message, urn),) = run_stack(cost.PROVISIONED, resources)
    assert urn == resources[-1].urn
    return message


def test_compliance_no_provisioned_concurrency() -> None:
    assert run_stack(cost.PROVISIONED, [resource(cost.FUNCTION, "fn", {"memorySize": 1024})]) == []


def test_noncompliance_1_found_by_dependency_whatever_the_name_input() -> None:
    fn = resource(cost.FUNCTION, "fn", {"name": "fn-dev", "memorySize": 2048})
    message = _message([fn, _warm("computed-elsewhere", [fn])])
    assert "2 provisioned environment(s) of 2048 MB charge $" in message and "at least" not in message


def test_noncompliance_2_a_dependency_that_is_not_a_function_is_passed_over() -> None:
    role = resource("aws:iam/role:Role", "role", {"memorySize": 4096})
    fn = resource(cost.FUNCTION, "fn", {"name": "fn-dev", "memorySize": 512})
    message = _message([role, fn, _warm("fn-dev", [role])])
    assert "of 512 MB charge $" in message and "at least" not in message


@pytest.mark.parametrize(
    ("target", "props"),
    [
        ("fn-dev", {"name": "fn-dev"}),
        (ARN, {"name": "fn-dev", "arn": ARN}),
        ("fn", {"name": "fn-physical"}),  # the logical name
    ],
    ids=["physical-name", "arn", "logical-name"],
)
def test_noncompliance_3_found_by_name_arn_or_logical_name(target: str, props: dict[str, Any]) -> None:
    other = resource(cost.FUNCTION, "other", {"name": "other-dev", "arn": ARN + "-other", "memorySize": 3008})
    fn = resource(cost.FUNCTION, "fn", {**props, "memorySize": 1536})
    message = _message([other, fn, _warm(target)])
    assert "of 1536 MB charge $" in message and "at least" not in message


@pytest.mark.parametrize("deps", [True, False], ids=["by-dependency", "by-name"])
def test_noncompliance_4_a_found_function_without_memory_is_lambdas_default_exactly(deps: bool) -> None:
    fn = resource(cost.FUNCTION, "fn", {"name": "fn-dev"})
    message = _message([fn, _warm("fn-dev", [fn] if deps else None)])
    assert "of 128 MB charge $" in message and "at least" not in message


def test_noncompliance_5_a_function_of_another_type_name_is_not_matched() -> None:
    layer = resource("aws:lambda/layerVersion:LayerVersion", "fn", {"name": "fn-dev", "memorySize": 1024})
    message = _message([layer, _warm("fn-dev")])
    assert "of 128 MB charge at least $" in message


def test_an_idle_resource_states_its_figure_or_that_it_is_unpriced() -> None:
    instance = "aws:ec2/instance:Instance"
    (priced,) = run_resource(cost.EC2, instance, {"instanceType": "t3.micro"}, name="i")
    hourly, hours = load_prices()["ec2_instance_hour"].of("t3.micro"), load_prices().hours_per_month
    assert priced == (
        f"i: the instance charges ${hourly * hours:,.2f}/month while idle (1 x t3.micro EC2 instance at"
        f" ${hourly}/hour x {hours:g} h (EBS extra)).",
        None,
    )
    assert run_resource(cost.EC2, instance, {"instanceType": "zz.unknown"}, name="i") == [
        ("i: the instance charges an idle charge the price table cannot put a figure on (unpriced).", None)
    ]


def test_sagemaker_names_every_provisioned_kind_once_sorted_and_sums_them() -> None:
    table = load_prices()["sagemaker_realtime_instance_hour"]
    hours = load_prices().hours_per_month
    variants = [
        {"instanceType": "ml.t3.medium"},
        {"instanceType": "ml.m5.large", "initialInstanceCount": 2},
        {"instanceType": "ml.t3.medium"},
        {"serverlessConfig": {"memorySizeInMb": 2048}, "instanceType": "ml.p5.48xlarge"},
    ]
    total = (2 * table.of("ml.t3.medium") + 2 * table.of("ml.m5.large")) * hours
    reports = run_resource(cost.SAGEMAKER, cost.SAGEMAKER_ENDPOINT_CONFIG, {"productionVariants": variants}, name="e")
    assert reports == [
        (
            f"e: real-time variant(s) on ml.m5.large, ml.t3.medium without serverless_config charge ${total:,.2f}/month"
            " while idle.",
            None,
        )
    ]
    unpriced = [{"instanceType": "ml.t3.medium"}, {}]
    assert run_resource(cost.SAGEMAKER, cost.SAGEMAKER_ENDPOINT_CONFIG, {"productionVariants": unpriced}, name="e") == [
        (
            "e: real-time variant(s) on (no instance type), ml.t3.medium without serverless_config; an idle charge the "
            "price table cannot put a figure on (unpriced).",
            None,
        )
    ]
    serverless = [{"serverlessConfig": {"memorySizeInMb": 2048}}]
    assert run_resource(cost.SAGEMAKER, cost.SAGEMAKER_ENDPOINT_CONFIG, {"productionVariants": serverless}) == []
