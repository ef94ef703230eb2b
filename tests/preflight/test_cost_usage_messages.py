"""The usage model's refusals word for word (the `cost` command prints them, exit 2), its JSON figures and
the tier order; with a price table of round numbers so each figure can be checked by hand."""

from __future__ import annotations

import pytest

from policies.cost.prices import TierPrice, load_prices
from preflight.cost import idle_cost
from preflight.cost.usage import Load, UsageError, parse_tier_mix, usage_estimate
from preflight.graph import ResourceGraph, ResourceNode

SOURCE = "https://aws.amazon.com/bedrock/pricing/"


def _price(tier: str, per_1k_in: float, per_1k_out: float) -> TierPrice:
    return TierPrice(tier, f"amazon.nova-{tier}-v1:0", per_1k_in, per_1k_out, "us-east-1", "2026-11-24", SOURCE)


#: Dict order is the table's tier order, which the per-tier rows follow.
ROUND = {"micro": _price("micro", 1.0, 2.0), "lite": _price("lite", 2.0, 4.0), "pro": _price("pro", 10.0, 20.0)}
DAYS = load_prices().hours_per_month / 24


@pytest.mark.parametrize(
    ("load", "message"),
    [
        (lambda: Load(-1, 0, 0, {"pro": 1.0}), "requests per day must not be negative (got -1)"),
        (lambda: Load(1, -0.5, 0, {"pro": 1.0}), "input tokens must not be negative (got -0.5)"),
        (lambda: Load(1, 0, -2, {"pro": 1.0}), "output tokens must not be negative (got -2)"),
        (lambda: Load(1, 0, 0, {}), "the tier mix is empty"),
        (lambda: Load(1, 0, 0, {"micro": -0.5, "pro": 1.5}), "tier shares must not be negative"),
        (lambda: Load(1, 0, 0, {"micro": 0.5, "pro": 0.6}), "tier shares must sum to 1 (got 1.1)"),
    ],
    ids=["bad1_requests", "bad2_tokens_in", "bad3_tokens_out", "bad4_empty", "bad5_negative_share", "bad6_sum"],
)
def test_a_load_that_cannot_be_priced(load: object, message: str) -> None:
    with pytest.raises(UsageError) as caught:
        load()  # type: ignore[operator]
    assert str(caught.value) == message


def test_zero_load_and_a_rounding_tolerance_are_accepted() -> None:
    assert Load(0, 0, 0, {"micro": 1 / 3, "lite": 1 / 3, "pro": 1 / 3}).requests_per_day == 0
    assert Load(1, 1, 1, {"pro": 1.0 + 5e-7}).tier_mix == {"pro": 1.0 + 5e-7}


def test_unknown_tiers_and_a_table_without_pro_are_named() -> None:
    with pytest.raises(UsageError) as caught:
        usage_estimate(Load(1, 1, 1, {"nano": 0.5, "giga": 0.5}), ROUND)
    assert str(caught.value) == "unknown model tier(s) giga, nano; known: lite, micro, pro"
    without_pro = {"micro": ROUND["micro"]}
    with pytest.raises(UsageError) as caught:
        usage_estimate(Load(1, 1, 1, {"micro": 1.0}), without_pro)
    assert str(caught.value) == "the price table has no 'pro' tier for the baseline"


def test_figures_by_hand() -> None:
    # 10 requests a day of 1,000 tokens in and 500 out: micro costs 1 + 1 = $2, lite $4, pro $20 per request.
    estimate = usage_estimate(Load(10, 1000, 500, {"pro": 0.25, "micro": 0.75}), ROUND)
    requests = 10 * DAYS
    assert [(t.tier, t.share) for t in estimate.per_tier] == [("micro", 0.75), ("pro", 0.25)]
    assert [t.requests_per_month for t in estimate.per_tier] == pytest.approx([requests * 0.75, requests * 0.25])
    assert [t.monthly_usd for t in estimate.per_tier] == pytest.approx([requests * 0.75 * 2, requests * 0.25 * 20])
    assert estimate.monthly_usd == pytest.approx(requests * 6.5)
    assert estimate.baseline_monthly_usd == pytest.approx(requests * 20)
    assert estimate.saving_usd == pytest.approx(requests * 13.5)
    assert estimate.saving_pct == pytest.approx(67.5)
    assert estimate.to_dict() == {
        "requests_per_day": 10,
        "tokens_in": 1000,
        "tokens_out": 500,
        "tier_mix": {"micro": 0.75, "pro": 0.25},
        "days_per_month": round(DAYS, 4),
        "per_tier": [
            {"tier": "micro", "share": 0.75, "monthly_usd": round(requests * 1.5, 2)},
            {"tier": "pro", "share": 0.25, "monthly_usd": round(requests * 5, 2)},
        ],
        "monthly_usd": round(requests * 6.5, 2),
        "baseline_tier": "pro",
        "baseline_monthly_usd": round(requests * 20, 2),
        "saving_usd": round(requests * 13.5, 2),
        "saving_pct": 67.5,
    }


def test_no_traffic_saves_nothing_and_divides_by_nothing() -> None:
    estimate = usage_estimate(Load(0, 1000, 500, {"micro": 1.0}), ROUND)
    assert (estimate.monthly_usd, estimate.baseline_monthly_usd, estimate.saving_pct) == (0, 0, 0.0)


@pytest.mark.parametrize(
    ("text", "mix"),
    [
        ("micro=0.7,lite=0.3", {"micro": 0.7, "lite": 0.3}),
        (" MICRO = 0.5 , micro=0.25,, pro=0.25 ", {"micro": 0.75, "pro": 0.25}),
        ("", {}),
    ],
    ids=["ok_plain", "ok_spaces_case_repeats_empty_parts", "ok_nothing"],
)
def test_parse_tier_mix(text: str, mix: dict[str, float]) -> None:
    assert parse_tier_mix(text) == mix


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("micro", "tier mix entry 'micro' is not tier=share"),
        ("micro=lots", "tier mix entry 'micro=lots': 'lots' is not a number"),
    ],
    ids=["bad1_no_equals", "bad2_not_a_number"],
)
def test_parse_tier_mix_refusals(text: str, message: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_tier_mix(text)
    assert str(caught.value) == message


def _node(name: str, type_: str, custom: bool = True) -> ResourceNode:
    return ResourceNode(f"urn:pulumi:dev::p::{type_}::{name}", type_, name, custom, "", "", {}, {})


def test_idle_cost_prices_only_cloud_resources_in_the_stacks_region() -> None:
    graph = ResourceGraph(
        "p",
        "dev",
        [
            _node("stack", "pulumi:pulumi:Stack", custom=False),
            _node("key", "aws:kms/key:Key"),
            _node("q", "aws:sqs/queue:Queue"),
        ],
        config={"aws:region": "eu-west-1"},
    )
    cost = idle_cost(graph)
    assert cost.stack == "dev"
    assert cost.region == "eu-west-1"
    # The table's KMS figure is us-east-1's: in eu-west-1 the key is unpriced, not priced at it (issue 11 §2).
    assert ([i.resource for i in cost.items], [r.resource for r in cost.unpriced]) == ([], ["key"])
    assert [r.resource for r in cost.pay_per_use] == ["q"]
    east = ResourceGraph("p", "dev", graph.resources, config={"aws:region": "us-east-1"})
    assert [i.resource for i in idle_cost(east).items] == ["key"]
    assert idle_cost(ResourceGraph("p", "dev", [])).region == "us-east-1"
