"""preflight.cost's idle, usage and fleet figures on hand-picked numbers, every field compared.

Why: the other cost tests check the figures through the estimator's totals or a synthesised program (which a
mutation run cannot make in mutmut's forked child, bench/MUTATION.md run J's traps), and their numbers round the
same at 2 or 3 decimals; these pick numbers whose roundings differ, so the reported figures are pinned. Every
expected value is worked out by hand in the comment beside it.
"""

from __future__ import annotations

import dataclasses

import pytest

from policies.cost.charge import PricedResource
from policies.cost.prices import TierPrice, load_prices
from preflight.cost.fleet import FleetEstimate
from preflight.cost.idle import idle_cost, priced
from preflight.cost.usage import Load, UsageError, parse_tier_mix, usage_estimate
from preflight.graph import ResourceGraph, ResourceNode


def _tier(tier: str, per_1k: float) -> TierPrice:
    return TierPrice(tier, f"model-{tier}", per_1k, 0.0, "us-east-1", "2026-01-01", "test")


def test_priced_hands_the_estimator_every_field_of_the_node() -> None:
    node = ResourceNode(
        urn="urn:pulumi:dev::p::aws:lambda/provisionedConcurrencyConfig:ProvisionedConcurrencyConfig::pc",
        type="aws:lambda/provisionedConcurrencyConfig:ProvisionedConcurrencyConfig",
        name="pc",
        custom=True,
        parent="",
        provider="",
        inputs={"provisionedConcurrentExecutions": 2},
        outputs={"arn": "x"},
        property_dependencies={"functionName": ("urn:fn",)},
    )
    assert priced(node) == PricedResource(
        "pc", node.type, node.urn, {"provisionedConcurrentExecutions": 2}, {"functionName": ("urn:fn",)}
    )


def test_idle_cost_passes_its_price_table_and_free_tier_on() -> None:
    graph = ResourceGraph("p", "dev", [])
    table = dataclasses.replace(load_prices(), hours_per_month=720.0)
    assumptions = idle_cost(graph, prices=table).assumptions
    assert any("a month is 720 hours" in a for a in assumptions)
    assert any(a.startswith("the account's free tiers") for a in assumptions)  # on by default
    assert "free tiers not applied" in idle_cost(graph, free_tier=False).assumptions
    assert any("a month is 730 hours" in a for a in idle_cost(graph).assumptions)


def test_a_zero_share_is_a_share() -> None:
    assert Load(1, 1, 1, {"micro": 0.0, "pro": 1.0}).tier_mix["micro"] == 0.0


def test_an_entry_with_two_equals_signs_is_refused_by_its_value() -> None:
    with pytest.raises(UsageError) as error:
        parse_tier_mix("micro=0.5=1")
    assert str(error.value) == "tier mix entry 'micro=0.5=1': '0.5=1' is not a number"


def test_usage_to_dict_rounds_each_figure_as_reported() -> None:
    # a month of 730 hours is 30.41666... days; 1 request a day of 1,000 input tokens, half on each tier:
    # micro 0.001234 and pro 0.01 per request, baseline 30.41666 x 0.01 = 0.3041666;
    # routed 30.41666 x (0.5 x 0.001234 + 0.5 x 0.01) = 0.1708516; saving 0.1333150 = 43.83% of the baseline
    tiers = {"micro": _tier("micro", 0.001234), "pro": _tier("pro", 0.01)}
    estimate = usage_estimate(Load(1, 1000, 0, {"pro": 0.5, "micro": 0.5}), tiers)
    data = estimate.to_dict()
    assert (data["saving_usd"], data["saving_pct"], data["monthly_usd"], data["baseline_monthly_usd"]) == (
        0.13,
        43.8,
        0.17,
        0.3,
    )
    assert [t["tier"] for t in data["per_tier"]] == ["micro", "pro"]  # the table's order


def test_a_price_tables_own_month_is_used() -> None:
    table = dataclasses.replace(load_prices(), hours_per_month=720.0)
    assert usage_estimate(Load(1, 1, 1, {"pro": 1.0}), table).days_per_month == 30.0


def test_fleet_to_dict_field_by_field() -> None:
    # 3 devices x 0.1239 = 0.3717 (0.37); 3 x 43,800 minutes = 131,400 / 1e6 x 0.08 = 0.010512 (0.01);
    # together 0.382212 (0.38)
    assert FleetEstimate(3, 0.1239, 43_800.0, 0.08).to_dict() == {
        "core_devices": 3,
        "greengrass_usd_per_device": 0.1239,
        "greengrass_monthly_usd": 0.37,
        "connection_minutes_per_device": 43_800.0,
        "connection_monthly_usd": 0.01,
        "monthly_usd": 0.38,
    }


def test_a_fleet_beyond_the_price_row_carries_its_note() -> None:
    data = FleetEstimate(10_001, 0.16, 43_800.0, 0.08).to_dict()
    assert data["note"] == (
        "the Greengrass price row (greengrass_core_device_month, policies/cost/prices.yaml) covers up to 10,000 "
        "devices; the 1 beyond are priced at the same rate, which the row does not state: ask AWS for the price of "
        "a larger fleet"
    )
    assert "note" not in FleetEstimate(10_000, 0.16, 43_800.0, 0.08).to_dict()
