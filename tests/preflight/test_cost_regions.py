"""Each resource is priced in its own region (issue 11 §2): the table's figures are us-east-1's (each entry's
`region` in policies/cost/prices.yaml), so a resource another region places, by an explicit provider or pulumi-aws
v7's `region` input, is unpriced, said plainly, in `preflight cost` and in the pack's cost rules alike."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pulumi_policy import PolicyProviderResource, PolicyResource, ResourceValidationArgs

from policies.cost.estimator import PricedResource, estimate, price_lambda_provisioned_concurrency
from policies.cost.prices import NoFigureInRegionError, load_prices
from policies.rules import cost
from preflight.cost.idle import idle_cost
from preflight.engine import synthesize
from tests.preflight.programs import write_program
from tests.preflight.test_cost_policies import _opts, run_stack

PROGRAM = """
import pulumi_aws as aws

aws.kms.Key("home")
aws.kms.Key("own-region", region="eu-west-1")
frankfurt = aws.Provider("frankfurt", region="eu-central-1")
aws.kms.Key("by-provider", opts=__import__("pulumi").ResourceOptions(provider=frankfurt))
virginia = aws.Provider("virginia", region="us-east-1")
aws.kms.Key("back-home", opts=__import__("pulumi").ResourceOptions(provider=virginia))
aws.sqs.Queue("queue", region="eu-west-1")
"""


def test_the_gate_prices_each_resource_in_its_own_region(tmp_path: Path) -> None:
    graph = synthesize(write_program(tmp_path, PROGRAM, config={"aws:region": "us-east-1"}), "dev")
    cost_ = idle_cost(graph)
    assert sorted(i.resource for i in cost_.items) == ["back-home", "home"]
    unpriced = {r.resource: r.reason for r in cost_.unpriced}
    assert sorted(unpriced) == ["by-provider", "own-region"]
    assert (
        "it is in eu-west-1 and the price table's figure (kms_key_month) is for us-east-1 only"
        in unpriced["own-region"]
    )
    assert "in eu-central-1" in unpriced["by-provider"]
    assert [r.resource for r in cost_.pay_per_use] == ["queue"]  # nothing idle to price, in any region


def _provider(region: str | None) -> PolicyProviderResource:
    props = {} if region is None else {"region": region}
    return PolicyProviderResource("pulumi:providers:aws", props, "urn:pulumi:dev::x::pulumi:providers:aws::p", "p")


def _resource(name: str, props: dict[str, Any], region: str | None) -> PolicyResource:
    type_ = "aws:kms/key:Key"
    urn = f"urn:pulumi:dev::x::{type_}::{name}"
    return PolicyResource(type_, props, urn, name, _opts(), _provider(region), None, [], {})


def test_the_pack_prices_by_region_too() -> None:
    keys = [
        _resource("east", {}, "us-east-1"),
        _resource("west", {}, "eu-west-1"),
        _resource("own", {"region": "ap-south-1"}, "us-east-1"),
    ]
    reports = run_stack(cost.UNPRICED, keys, {})
    assert sorted(urn or "" for _, urn in reports) == ["urn:pulumi:dev::x::aws:kms/key:Key::own", keys[1].urn]
    # One key priced ($1): within a $1.50 budget; three keys priced at us-east-1's figure would not be.
    assert run_stack(cost.IDLE_BUDGET, keys, {"maxMonthlyUsd": 1.5}) == []
    assert run_stack(cost.IDLE_BUDGET, keys, {"maxMonthlyUsd": 0.5}) != []


def test_a_resource_rule_names_the_region_it_has_no_figure_for() -> None:
    type_ = "aws:ec2/natGateway:NatGateway"
    args = ResourceValidationArgs(type_, {}, f"urn:pulumi:dev::x::{type_}::nat", "nat", _opts(), _provider("eu-west-1"))
    reports: list[str] = []

    def report(message: str, urn: str | None = None) -> None:
        reports.append(message)

    cost.NAT_GATEWAYS.validate(args, report)
    assert reports == [
        "nat: the NAT gateway charges an idle charge the price table cannot put a figure on in eu-west-1 (unpriced)."
    ]


def test_provisioned_concurrency_outside_the_tables_region_has_no_figure() -> None:
    assert price_lambda_provisioned_concurrency(1, 1024, region="eu-west-1") is None
    assert price_lambda_provisioned_concurrency(1, 1024, region="us-east-1") is not None


def test_a_regional_view_refuses_another_regions_figure() -> None:
    table = load_prices()
    assert table.in_region("us-east-1").usd("kms_key_month") == table.usd("kms_key_month")
    try:
        table.in_region("eu-west-1").usd("kms_key_month")
    except NoFigureInRegionError as missing:
        assert (missing.key, missing.listed, missing.region) == ("kms_key_month", "us-east-1", "eu-west-1")
    else:
        raise AssertionError("a eu-west-1 view gave us-east-1's figure")


def test_an_unstated_region_is_priced_as_the_stacks_and_said() -> None:
    cost_ = estimate([PricedResource("k", "aws:kms/key:Key", "urn:k", {})])
    assert [i.resource for i in cost_.items] == ["k"]
    assert any("1 resource(s) have no region" in a for a in cost_.assumptions)
