"""The idle monthly cost of a whole graph: the pack's estimator (policies/cost) over the graph's resources."""

from __future__ import annotations

from policies.cost.estimator import DEFAULT_REGION, IdleCost, PricedResource, estimate
from policies.cost.prices import PriceTable
from policies.regions import resource_region
from preflight.graph import ResourceGraph, ResourceNode
from preflight.policy_runner import provider_of


def priced(node: ResourceNode, graph: ResourceGraph | None = None) -> PricedResource:
    """What the estimator needs of a graph node: its inputs and the region it is created in, decided as the pack
    decides it from what the CLI hands a policy (its own `region`, else its provider's: the explicit provider's
    inputs or the default provider's stack config; policies.regions.resource_region)."""
    provider = provider_of(node, graph) if graph is not None else None
    if provider is not None:
        provider_region = provider[1].get("region")
    else:  # no provider reference (a hand-built graph): the default provider, configured from the stack
        package = node.type.split(":", 1)[0]
        provider_region = graph.config.get(f"{package}:region") if graph is not None else None
    region = resource_region(node.inputs.get("region"), provider_region)
    return PricedResource(node.name, node.type, node.urn, node.inputs, node.property_dependencies, region)


def idle_cost(graph: ResourceGraph, *, prices: PriceTable | None = None, free_tier: bool = True) -> IdleCost:
    """The idle monthly cost of the stack `graph` describes."""
    region = str(graph.config.get("aws:region") or DEFAULT_REGION)
    return estimate(
        (priced(n, graph) for n in graph.custom_resources),
        stack=graph.stack,
        region=region,
        prices=prices,
        free_tier=free_tier,
    )
