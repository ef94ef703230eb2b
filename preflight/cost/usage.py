"""Usage-based estimate: what a stated load costs in Amazon Nova tokens, routed by tier or always on Pro.

P015/P153-P155 route easy prompts to Micro and escalate only when needed; this puts the saving in
dollars so a team can see it before building the router.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from policies.cost.prices import PriceTable, TierPrice, load_prices

#: The tier a router-less design would use for everything (the comparison baseline).
BASELINE_TIER = "pro"
_MIX_TOLERANCE = 1e-6


class UsageError(ValueError):
    """A load that cannot be priced (negative numbers, unknown tiers, a mix not summing to 1)."""


@dataclass(frozen=True)
class Load:
    """A stated workload: requests per day, tokens per request in and out, and the share of each tier."""

    requests_per_day: float
    tokens_in: float
    tokens_out: float
    tier_mix: Mapping[str, float]

    def __post_init__(self) -> None:
        for label, value in (
            ("requests per day", self.requests_per_day),
            ("input tokens", self.tokens_in),
            ("output tokens", self.tokens_out),
        ):
            if value < 0:
                raise UsageError(f"{label} must not be negative (got {value:g})")
        if not self.tier_mix:
            raise UsageError("the tier mix is empty")
        if any(share < 0 for share in self.tier_mix.values()):
            raise UsageError("tier shares must not be negative")
        total = sum(self.tier_mix.values())
        if abs(total - 1.0) > _MIX_TOLERANCE:
            raise UsageError(f"tier shares must sum to 1 (got {total:g})")


@dataclass(frozen=True)
class TierCost:
    tier: str
    share: float
    requests_per_month: float
    monthly_usd: float


@dataclass(frozen=True)
class UsageEstimate:
    """Monthly token cost of a load with tiered routing, against sending every request to Pro."""

    load: Load
    days_per_month: float
    per_tier: tuple[TierCost, ...]
    monthly_usd: float
    baseline_tier: str
    baseline_monthly_usd: float

    @property
    def saving_usd(self) -> float:
        return self.baseline_monthly_usd - self.monthly_usd

    @property
    def saving_pct(self) -> float:
        return 100.0 * self.saving_usd / self.baseline_monthly_usd if self.baseline_monthly_usd else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "requests_per_day": self.load.requests_per_day,
            "tokens_in": self.load.tokens_in,
            "tokens_out": self.load.tokens_out,
            "tier_mix": dict(sorted(self.load.tier_mix.items())),
            "days_per_month": round(self.days_per_month, 4),
            "per_tier": [
                {"tier": t.tier, "share": t.share, "monthly_usd": round(t.monthly_usd, 2)} for t in self.per_tier
            ],
            "monthly_usd": round(self.monthly_usd, 2),
            "baseline_tier": self.baseline_tier,
            "baseline_monthly_usd": round(self.baseline_monthly_usd, 2),
            "saving_usd": round(self.saving_usd, 2),
            "saving_pct": round(self.saving_pct, 1),
        }


def cost_per_request(price: TierPrice, tokens_in: float, tokens_out: float) -> float:
    """On-demand cost of one request: tokens / 1,000 x the per-1K price, input and output."""
    return tokens_in / 1000 * price.input_per_1k + tokens_out / 1000 * price.output_per_1k


def parse_tier_mix(text: str) -> dict[str, float]:
    """`micro=0.7,lite=0.3` -> {"micro": 0.7, "lite": 0.3}; raises UsageError on bad syntax."""
    mix: dict[str, float] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        tier, sep, value = part.partition("=")
        if not sep:
            raise UsageError(f"tier mix entry {part!r} is not tier=share")
        try:
            share = float(value)
        except ValueError:
            raise UsageError(f"tier mix entry {part!r}: {value!r} is not a number") from None
        key = tier.strip().lower()
        mix[key] = mix.get(key, 0.0) + share
    return mix


def usage_estimate(load: Load, prices: PriceTable | Mapping[str, TierPrice] | None = None) -> UsageEstimate:
    """Monthly token cost of `load` (a month = hours_per_month / 24 days), with the always-Pro baseline.

    Examples
    --------
    >>> est = usage_estimate(Load(10_000, 1_500, 400, {"micro": 0.6, "lite": 0.3, "pro": 0.1}))
    >>> est.saving_usd > 0
    True
    """
    table = prices if prices is not None else load_prices()
    tiers: Mapping[str, TierPrice] = table.nova if isinstance(table, PriceTable) else table
    hours = table.hours_per_month if isinstance(table, PriceTable) else load_prices().hours_per_month
    days = hours / 24
    unknown = sorted(set(load.tier_mix) - set(tiers))
    if unknown:
        raise UsageError(f"unknown model tier(s) {', '.join(unknown)}; known: {', '.join(sorted(tiers))}")
    if BASELINE_TIER not in tiers:
        raise UsageError(f"the price table has no {BASELINE_TIER!r} tier for the baseline")
    monthly_requests = load.requests_per_day * days
    per_tier = tuple(
        TierCost(
            tier=tier,
            share=share,
            requests_per_month=monthly_requests * share,
            monthly_usd=monthly_requests * share * cost_per_request(tiers[tier], load.tokens_in, load.tokens_out),
        )
        for tier, share in sorted(load.tier_mix.items(), key=lambda kv: list(tiers).index(kv[0]))
    )
    baseline = monthly_requests * cost_per_request(tiers[BASELINE_TIER], load.tokens_in, load.tokens_out)
    return UsageEstimate(
        load=load,
        days_per_month=days,
        per_tier=per_tier,
        monthly_usd=sum(t.monthly_usd for t in per_tier),
        baseline_tier=BASELINE_TIER,
        baseline_monthly_usd=baseline,
    )
