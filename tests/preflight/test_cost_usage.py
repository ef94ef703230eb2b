"""The usage model: Nova token cost of a stated load, tiered against always-Pro."""

from __future__ import annotations

import pytest

from policies.cost.prices import TierPrice, load_prices
from preflight.cost.usage import Load, UsageError, cost_per_request, parse_tier_mix, usage_estimate

DAYS = 730 / 24


def test_arithmetic_matches_a_hand_computation() -> None:
    nova = load_prices().nova
    load = Load(10_000, 1_500, 400, {"micro": 0.6, "lite": 0.3, "pro": 0.1})
    est = usage_estimate(load)
    requests = 10_000 * DAYS
    by_hand = {
        tier: requests * share * (1.5 * nova[tier].input_per_1k + 0.4 * nova[tier].output_per_1k)
        for tier, share in load.tier_mix.items()
    }
    assert [t.tier for t in est.per_tier] == ["micro", "lite", "pro"]
    for tier in est.per_tier:
        assert tier.monthly_usd == pytest.approx(by_hand[tier.tier])
    assert est.monthly_usd == pytest.approx(sum(by_hand.values()))
    assert est.baseline_monthly_usd == pytest.approx(requests * (1.5 * 0.0008 + 0.4 * 0.0032))
    assert est.saving_usd == pytest.approx(est.baseline_monthly_usd - est.monthly_usd)
    assert 0 < est.saving_pct < 100


def test_always_pro_saves_nothing() -> None:
    est = usage_estimate(Load(1_000, 100, 100, {"pro": 1.0}))
    assert est.saving_usd == pytest.approx(0)
    assert est.saving_pct == pytest.approx(0)


def test_a_custom_price_table_is_used() -> None:
    prices = {
        "micro": TierPrice(
            "micro", "m", 1.0, 0.0, "us-east-1", "2026-11-24", "https://aws.amazon.com/bedrock/pricing/"
        ),
        "pro": TierPrice("pro", "p", 2.0, 0.0, "us-east-1", "2026-11-24", "https://aws.amazon.com/bedrock/pricing/"),
    }
    est = usage_estimate(Load(1, 1000, 0, {"micro": 1.0}), prices)
    assert est.monthly_usd == pytest.approx(DAYS)
    assert est.baseline_monthly_usd == pytest.approx(2 * DAYS)


def test_cost_per_request() -> None:
    price = load_prices().nova["micro"]
    assert cost_per_request(price, 1000, 1000) == pytest.approx(0.000035 + 0.00014)


@pytest.mark.parametrize(
    ("mix", "message"),
    [
        ({"micro": 0.5}, "sum to 1"),
        ({"nano": 1.0}, "unknown model tier"),
        ({}, "empty"),
        ({"micro": -1, "pro": 2}, "negative"),
    ],
)
def test_bad_loads_are_refused(mix: dict[str, float], message: str) -> None:
    with pytest.raises(UsageError, match=message):
        usage_estimate(Load(1, 1, 1, mix))


def test_negative_requests_are_refused() -> None:
    with pytest.raises(UsageError, match="negative"):
        Load(-1, 1, 1, {"micro": 1.0})


def test_parse_tier_mix() -> None:
    assert parse_tier_mix("micro=0.7, Lite=0.3") == {"micro": 0.7, "lite": 0.3}
    with pytest.raises(UsageError):
        parse_tier_mix("micro")
    with pytest.raises(UsageError):
        parse_tier_mix("micro=lots")
