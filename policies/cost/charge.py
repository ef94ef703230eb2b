"""What pricing one resource returns, and the state shared while pricing one stack.

Kept apart from the estimator so that each family of pricers (`estimator` for the serverless edges,
`always_on` for instances, databases, clusters and containers) reads the same `Charge` and `Context`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from policies.cost.prices import PriceTable
from policies.wire import UNKNOWN

#: What a user can do about a resource the table cannot price (the usual case: a missing figure).
ADD_TO_TABLE = "add it to policies/cost/prices.yaml with its source"


@dataclass(frozen=True)
class PricedResource:
    """What the estimator needs of a resource; built from a graph node or a CrossGuard PolicyResource."""

    name: str
    type: str
    urn: str
    inputs: Mapping[str, Any]
    property_dependencies: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    #: The region it is created in (its own `region` input, else its provider's: policies.regions.resource_region);
    #: None when neither the program nor the stack states one.
    region: str | None = None


@dataclass
class Charge:
    usd: float | None  # None = unpriced, 0 with pay=True = pay-per-use
    basis: str
    pay: bool = False


def unpriced(what: str, why: str, fix: str = ADD_TO_TABLE) -> Charge:
    """An idle charge without a figure, in plain English: what it is, why no figure, what to do.

    The same sentence is the `reason` in `preflight cost`, the Markdown and JSON reports and the
    `cost-unpriced-idle-resource` finding, e.g. "db.r6g.4xlarge RDS instance (postgres): runs around the
    clock, but the price table has no figure for this instance class; add it to policies/cost/prices.yaml
    with its source".
    """
    return Charge(None, f"{what}: runs around the clock, but {why}; {fix}")


def pay(basis: str = "no charge while idle") -> Charge:
    return Charge(0.0, basis, pay=True)


def number(value: Any, default: float | None = None) -> float | None:
    """A numeric input as float; `default` when absent, unknown before deploy or not a number."""
    if value is None or value == UNKNOWN:
        return default
    try:
        return float(value)
    except (TypeError, ValueError):
        return default


def money(usd: float) -> str:
    return f"${usd:,.2f}"


class Context:
    """Shared state while pricing one stack: the table, lookups between resources, free-tier counters."""

    def __init__(self, prices: PriceTable, resources: Sequence[PricedResource], free_tier: bool) -> None:
        #: The figures the resource being priced may use: its region's (`PriceTable.in_region`, set per resource by
        #: the estimator). `table` is the whole table, for sentences that quote a rate without charging it.
        self.prices = prices
        self.table = prices
        self.hours = prices.hours_per_month
        self.by_urn = {r.urn: r for r in resources}
        self.resources = resources
        self.free = dict(prices.free_tier) if free_tier else {}
        self.opensearch_floor_owner: str | None = None

    def take_free(self, key: str, units: int) -> int:
        """Consume up to `units` of free tier `key`; returns how many units were free."""
        left = self.free.get(key, 0)
        used = min(left, units)
        self.free[key] = left - used
        return used

    def referenced(
        self, res: PricedResource, prop: str, type_: str, name_key: str = "name", value: Any = None
    ) -> PricedResource | None:
        """The resource of `type_` that input `prop` came from (by dependency, else by physical name).

        `value` overrides the input's own value for the name match (a nested field such as
        `launchTemplate.name`); the dependency is still looked up under the top-level `prop`.
        """
        for urn in res.property_dependencies.get(prop, ()):
            found = self.by_urn.get(urn)
            if found is not None and found.type == type_:
                return found
        value = res.inputs.get(prop) if value is None else value
        if isinstance(value, str) and value and value != UNKNOWN:
            for other in self.resources:
                if other.type == type_ and value in (other.inputs.get(name_key), other.name):
                    return other
        return None
