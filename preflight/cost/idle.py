"""The idle monthly cost of a whole graph: the pack's estimator (policies/cost) over the graph's resources."""

from __future__ import annotations

from policies.cost.estimator import DEFAULT_REGION, IdleCost, PricedResource, estimate
from policies.cost.prices import PriceTable
from preflight.graph import ResourceGraph, ResourceNode


def priced(node: ResourceNode) -> PricedResource:
    """What the estimator needs of a graph node."""
    return PricedResource(node.name, node.type, node.urn, node.inputs, node.property_dependencies)


def idle_cost(graph: ResourceGraph, *, prices: PriceTable | None = None, free_tier: bool = True) -> IdleCost:
    """The idle monthly cost of the stack `graph` describes."""
    region = str(graph.config.get("aws:region") or DEFAULT_REGION)
    return estimate(
        (priced(n) for n in graph.custom_resources),
        stack=graph.stack,
        region=region,
        prices=prices,
        free_tier=free_tier,
    )
