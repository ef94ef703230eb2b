"""ElastiCache's idle charge (issue 11 §3): node-based clusters and replication groups bill every node by the hour,
a Serverless cache its metered minimum of data stored; Redis OSS from prices.yaml's figures, Valkey and Memcached
unpriced (no confirmed figure), so in a dev stack each is a finding either way (cdk-nag style cases)."""

from __future__ import annotations

from typing import Any

import pytest

from policies.cost.estimator import IDLE_CHARGED_TYPES, PricedResource, estimate
from policies.cost.prices import load_prices

CLUSTER = "aws:elasticache/cluster:Cluster"
GROUP = "aws:elasticache/replicationGroup:ReplicationGroup"
SERVERLESS = "aws:elasticache/serverlessCache:ServerlessCache"
HOURS = load_prices().hours_per_month
NODE = load_prices()["elasticache_node_hour"].usd_by_type
GB_HOUR = load_prices().usd("elasticache_serverless_storage_gb_hour")


def _one(type_: str, props: dict[str, Any], *others: PricedResource) -> tuple[float | None, str]:
    res = PricedResource("cache", type_, f"urn:{type_}::cache", props)
    cost = estimate([res, *others], free_tier=False)
    items = [i for i in cost.items if i.resource == "cache"]
    if items:
        return items[0].monthly_usd, items[0].basis
    (ref,) = [r for r in cost.unpriced if r.resource == "cache"]
    return None, ref.reason


def test_every_elasticache_type_has_an_idle_charge() -> None:
    assert {CLUSTER, GROUP, SERVERLESS} <= IDLE_CHARGED_TYPES


@pytest.mark.parametrize(
    ("type_", "props", "nodes", "node_type"),
    [
        (CLUSTER, {"engine": "redis", "nodeType": "cache.t4g.micro", "numCacheNodes": 1}, 1, "cache.t4g.micro"),
        (GROUP, {"nodeType": "cache.t3.small"}, 1, "cache.t3.small"),  # engine "Default is `redis`", 1 cluster
        (GROUP, {"engine": "redis", "nodeType": "cache.r6g.large", "numCacheClusters": 2}, 2, "cache.r6g.large"),
        (
            GROUP,
            {"nodeType": "cache.t4g.small", "numNodeGroups": 3, "replicasPerNodeGroup": 1},
            6,
            "cache.t4g.small",
        ),
    ],
)
def test_compliance_redis_nodes_are_priced_per_node(
    type_: str, props: dict[str, Any], nodes: int, node_type: str
) -> None:
    usd, basis = _one(type_, props)
    assert usd == pytest.approx(nodes * NODE[node_type] * HOURS)
    assert f"{nodes:g} x {node_type} redis node(s)" in basis


def test_a_read_replica_cluster_is_one_more_node_of_its_group() -> None:
    group = PricedResource(
        "group", GROUP, "urn:group", {"replicationGroupId": "sessions", "nodeType": "cache.t3.micro"}
    )
    usd, _ = _one(CLUSTER, {"replicationGroupId": "sessions"}, group)
    assert usd == pytest.approx(NODE["cache.t3.micro"] * HOURS)
    alone, why = _one(CLUSTER, {"replicationGroupId": "elsewhere"})
    assert alone is None and "its replication group (and so its node type) is not in this program" in why


def test_serverless_redis_bills_its_metered_minimum() -> None:
    usd, basis = _one(SERVERLESS, {"engine": "redis"})
    assert usd == pytest.approx(1 * GB_HOUR * HOURS)  # $91.25 at $0.125/GB-hour
    assert "metered minimum 1 GB" in basis
    bigger, _ = _one(SERVERLESS, {"engine": "redis", "cacheUsageLimits": {"dataStorage": {"minimum": 5, "unit": "GB"}}})
    assert bigger == pytest.approx(5 * GB_HOUR * HOURS)


@pytest.mark.parametrize(
    ("case", "type_", "props", "reason"),
    [
        (
            1,
            CLUSTER,
            {"engine": "memcached", "nodeType": "cache.t3.micro", "numCacheNodes": 2},
            "no figure for Memcached",
        ),
        (2, GROUP, {"engine": "valkey", "nodeType": "cache.t4g.micro"}, "no confirmed Valkey figure"),
        (3, SERVERLESS, {"engine": "valkey"}, "meters a minimum of data stored while idle"),
        (4, GROUP, {"nodeType": "cache.m7g.16xlarge"}, "no figure for this node type"),
        (5, GROUP, {"nodeType": "cache.t3.micro", "numNodeGroups": 2}, "its node count is not known"),
        (6, CLUSTER, {"nodeType": "cache.t3.micro"}, "its engine or node type is not known"),
    ],
    ids=lambda v: f"noncompliance-{v}" if isinstance(v, int) else None,
)
def test_noncompliance_what_has_no_figure_is_unpriced_with_its_reason(
    case: int, type_: str, props: dict[str, Any], reason: str
) -> None:
    usd, why = _one(type_, props)
    assert usd is None
    assert "runs around the clock" in why and reason in why
