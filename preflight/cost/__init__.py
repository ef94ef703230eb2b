"""Cost: the idle (no-traffic) monthly cost of a stack and a token-usage model for Amazon Nova tiers."""

from __future__ import annotations

from policies.cost.estimator import CostItem, IdleCost, PricedResource, ResourceRef, estimate, price_of
from policies.cost.prices import PriceTable, TierPrice, load_prices
from preflight.cost.idle import idle_cost
from preflight.cost.usage import Load, UsageError, UsageEstimate, parse_tier_mix, usage_estimate

__all__ = [
    "CostItem",
    "IdleCost",
    "Load",
    "PriceTable",
    "PricedResource",
    "ResourceRef",
    "TierPrice",
    "UsageError",
    "UsageEstimate",
    "estimate",
    "idle_cost",
    "load_prices",
    "parse_tier_mix",
    "price_of",
    "usage_estimate",
]
