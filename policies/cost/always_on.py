"""Idle cost of the capacity a program keeps running: instances, databases, clusters and containers.

Anyone's program can hold these (issue 11 §4): RDS and Aurora, Redshift, EKS control planes and managed
node groups, ECS services on Fargate, auto scaling groups and EC2 instances. Each pricer reads the
resource's own inputs (and the launch template, task definition or cluster it points at) and the price
table; a class, engine or mode the table has no confirmed figure for is *unpriced*, with its name, never
guessed and never silently $0.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from policies.cost.charge import Charge, Context, PricedResource, money, number, pay, unpriced
from policies.wire import UNKNOWN

RDS_INSTANCE = "aws:rds/instance:Instance"
RDS_CLUSTER = "aws:rds/cluster:Cluster"
LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
LAUNCH_CONFIGURATION = "aws:ec2/launchConfiguration:LaunchConfiguration"
TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition"

#: A Multi-AZ DB instance bills its primary and its standby, compute and storage alike
#: (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_OnDemandDBInstances.html, "Multi-AZ DB instances").
MULTI_AZ_COPIES = 2
#: RDS storage type when none is given: gp2, or io1 when `iops` is set (pulumi-aws rds/instance.py, `storage_type`).
RDS_DEFAULT_STORAGE = "gp2"
#: Engine names that share the price rows of another (pulumi-aws `engine`; the legacy `aurora` is Aurora MySQL).
ENGINE_ROWS = {"aurora": "aurora-mysql"}

#: End of EKS standard support per Kubernetes minor version (14 months after release, then 12 months of
#: extended support, enabled by default: https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html).
#: 1.29-1.34 are AWS's own "Amazon EKS Kubernetes release calendar" (the page's source,
#: github.com/awsdocs/amazon-eks-user-guide latest/ug/versioning/kubernetes-versions.adoc at 013856044148, read
#: 2026-12-01; "Billing for extended support starts at the beginning of the day that the version reaches end of
#: standard support", UTC, hence `ends <= as_of` below). 1.35 is not in that copy: its date is third-party
#: (https://endoflife.date/amazon-eks: EKS release 2026-01-28, end of standard support 2027-03-27). A version
#: older than the oldest listed is past standard support; a newer one is in it.
EKS_STANDARD_SUPPORT_ENDS = {
    "1.29": "2025-03-23",
    "1.30": "2025-07-23",
    "1.31": "2025-11-26",
    "1.32": "2026-03-23",
    "1.33": "2026-07-29",
    "1.34": "2026-12-02",
    "1.35": "2027-03-27",
}
#: The instance type of a managed node group that names none (pulumi-aws eks/node_group.py `instance_types`).
EKS_DEFAULT_INSTANCE_TYPES = ("t3.medium",)


def _text(value: Any) -> str:
    return "" if value is None or value == UNKNOWN else str(value)


def _hourly_ec2(ctx: Context, instance_type: str, count: float, what: str) -> Charge:
    """`count` on-demand Linux instances of `instance_type`, the whole month."""
    if not instance_type:
        return unpriced(
            what, "its instance type is not known before deploy", "set the instance type to a literal value"
        )
    rate = ctx.prices["ec2_instance_hour"].of(instance_type)
    if rate is None:
        return unpriced(f"{instance_type} {what}", "the price table has no figure for this instance type")
    return Charge(
        rate * count * ctx.hours, f"{count:g} x {instance_type} {what} at ${rate}/hour x {ctx.hours:g} h (EBS extra)"
    )


# ------------------------------------------------------------------------------------------------ EC2


def ec2_instance(res: PricedResource, ctx: Context) -> Charge:
    return _hourly_ec2(ctx, _text(res.inputs.get("instanceType")), 1, "EC2 instance")


def _launch_template_type(res: PricedResource, ctx: Context) -> tuple[str, str] | None:
    """(instance type, where it came from) of the launch template or configuration an ASG launches."""
    template = res.inputs.get("launchTemplate")
    if isinstance(template, Mapping):
        found = ctx.referenced(res, "launchTemplate", LAUNCH_TEMPLATE, value=template.get("name"))
        if found is None:
            return None
        return _text(found.inputs.get("instanceType")), f"launch template {found.name}"
    found = ctx.referenced(res, "launchConfiguration", LAUNCH_CONFIGURATION)
    if found is None:
        return None
    return _text(found.inputs.get("instanceType")), f"launch configuration {found.name}"


def autoscaling_group(res: PricedResource, ctx: Context) -> Charge:
    """Desired capacity (else the minimum size) x the instance type its launch template names."""
    count = number(res.inputs.get("desiredCapacity"))
    if count is None:
        count = number(res.inputs.get("minSize"))
    if count is None:
        return unpriced(
            "auto scaling group", "its capacity is not known before deploy", "set desired_capacity or min_size"
        )
    if count == 0:
        return Charge(0.0, "auto scaling group of 0 instances while idle")
    if res.inputs.get("mixedInstancesPolicy"):
        return unpriced(
            "auto scaling group with a mixed instances policy",
            "which instance types it launches depends on the allocation strategy, which the table cannot price",
            "price it from its instance types by hand, or launch a single instance type",
        )
    source = _launch_template_type(res, ctx)
    if source is None:
        return unpriced(
            "auto scaling group",
            "its launch template is not in this program",
            "define the launch template in the same program so its instance type can be read",
        )
    instance_type, origin = source
    charge = _hourly_ec2(ctx, instance_type, count, "instance(s)")
    if charge.usd is not None:
        charge.basis = f"auto scaling group: {charge.basis} (type from {origin})"
    return charge


# ------------------------------------------------------------------------------------------- databases


def _engine(res: PricedResource) -> str:
    engine = _text(res.inputs.get("engine")).lower()
    return ENGINE_ROWS.get(engine, engine)


def rds_instance(res: PricedResource, ctx: Context) -> Charge:
    """Instance hours (x2 for Multi-AZ) plus allocated storage (x2 for Multi-AZ)."""
    engine, klass = _engine(res), _text(res.inputs.get("instanceClass"))
    what = f"{klass or '(unknown class)'} RDS instance ({engine or 'unknown engine'})"
    if not klass or not engine:
        return unpriced(what, "its engine or instance class is not known before deploy", "set both to literal values")
    rate = ctx.prices["rds_instance_hour"].of(f"{engine}:{klass}")
    if rate is None:
        return unpriced(what, "the price table has no figure for this instance class and engine")
    copies = MULTI_AZ_COPIES if res.inputs.get("multiAz") is True else 1
    storage_type = _text(res.inputs.get("storageType")) or ("io1" if res.inputs.get("iops") else RDS_DEFAULT_STORAGE)
    gb = number(res.inputs.get("allocatedStorage"), 0.0) or 0.0
    gb_rate = ctx.prices["rds_storage_gb_month"].of(storage_type)
    if gb and gb_rate is None:
        return unpriced(what, f"the price table has no figure for its {storage_type} storage")
    compute = rate * copies * ctx.hours
    storage = (gb_rate or 0.0) * gb * copies
    deployment = "Multi-AZ (primary + standby)" if copies > 1 else "Single-AZ"
    return Charge(
        compute + storage,
        f"{klass} {engine} {deployment}: ${rate}/hour x {copies} x {ctx.hours:g} h + {gb:g} GB {storage_type} x "
        f"${gb_rate or 0}/GB-month x {copies}",
    )


def _cluster_of(res: PricedResource, ctx: Context) -> PricedResource | None:
    return ctx.referenced(res, "clusterIdentifier", RDS_CLUSTER, name_key="clusterIdentifier")


def rds_cluster(res: PricedResource, ctx: Context) -> Charge:
    """An Aurora cluster bills through its instances; other cluster shapes are named as unpriced."""
    mode = _text(res.inputs.get("engineMode")).lower()
    if mode == "serverless":
        return unpriced(
            "Aurora Serverless v1 cluster",
            "the price table has no figure for its capacity units",
            "move to Aurora Serverless v2 (db.serverless instances), which the table prices",
        )
    if res.inputs.get("dbClusterInstanceClass"):
        klass = _text(res.inputs.get("dbClusterInstanceClass"))
        return unpriced(
            f"{klass} Multi-AZ DB cluster ({_engine(res)})", "the price table has no figure for Multi-AZ DB clusters"
        )
    return pay(
        "Aurora cluster: its instances bill by the hour (priced on each cluster instance); storage per GB stored "
        "and I/O are usage"
    )


def _aurora_serverless_v2(cluster: PricedResource | None, io_optimized: bool, ctx: Context) -> Charge:
    """A db.serverless instance bills its cluster's minimum ACUs around the clock (0 pauses it)."""
    if cluster is None:
        return unpriced(
            "Aurora Serverless v2 instance",
            "its cluster (and so its minimum capacity) is not in this program",
            "define the cluster in the same program",
        )
    scaling = cluster.inputs.get("serverlessv2ScalingConfiguration")
    minimum = number(scaling.get("minCapacity")) if isinstance(scaling, Mapping) else None
    if minimum is None:
        return unpriced(
            "Aurora Serverless v2 instance",
            "its cluster's minimum capacity is not known",
            "set serverlessv2_scaling_configuration.min_capacity on the cluster",
        )
    if minimum == 0:
        return Charge(0.0, "Aurora Serverless v2 with min_capacity 0: pauses when idle, no compute charge")
    key = "aurora-iopt1" if io_optimized else "aurora"
    rate = ctx.prices["aurora_serverless_v2_acu_hour"].usd_by_type[key]
    return Charge(
        minimum * rate * ctx.hours,
        f"Aurora Serverless v2 floor {minimum:g} ACU x ${rate}/ACU-hour x {ctx.hours:g} h",
    )


def rds_cluster_instance(res: PricedResource, ctx: Context) -> Charge:
    """A provisioned Aurora instance by class, or a db.serverless one at its cluster's minimum ACUs."""
    klass = _text(res.inputs.get("instanceClass"))
    cluster = _cluster_of(res, ctx)
    engine = _engine(res) or (_engine(cluster) if cluster else "")
    storage = _text(cluster.inputs.get("storageType")).lower() if cluster else ""
    io_optimized = storage == "aurora-iopt1"
    if klass == "db.serverless":
        return _aurora_serverless_v2(cluster, io_optimized, ctx)
    what = f"{klass or '(unknown class)'} Aurora instance ({engine or 'unknown engine'})"
    if io_optimized:
        return unpriced(what, "the price table has no figure for instances of I/O-Optimized clusters")
    rate = ctx.prices["aurora_instance_hour"].of(f"{engine}:{klass}")
    if rate is None:
        return unpriced(what, "the price table has no figure for this instance class and engine")
    return Charge(rate * ctx.hours, f"{klass} {engine}: ${rate}/hour x {ctx.hours:g} h (storage and I/O are usage)")


def redshift_cluster(res: PricedResource, ctx: Context) -> Charge:
    node = _text(res.inputs.get("nodeType"))
    single = _text(res.inputs.get("clusterType")) == "single-node"
    nodes = 1.0 if single else (number(res.inputs.get("numberOfNodes"), 1.0) or 1.0)
    rate = ctx.prices["redshift_node_hour"].of(node)
    if rate is None:
        return unpriced(
            f"{node or '(unknown node type)'} Redshift cluster", "the price table has no figure for this node type"
        )
    return Charge(rate * nodes * ctx.hours, f"{nodes:g} x {node} node(s) at ${rate}/hour x {ctx.hours:g} h")


def redshift_serverless(res: PricedResource, ctx: Context) -> Charge:
    return pay("Redshift Serverless: RPU-hours (from the base capacity up) are billed only while queries run")


# ------------------------------------------------------------------------------------------ ElastiCache

ELASTICACHE_CLUSTER = "aws:elasticache/cluster:Cluster"
ELASTICACHE_REPLICATION_GROUP = "aws:elasticache/replicationGroup:ReplicationGroup"
#: The engine the node and serverless figures are for (prices.yaml `elasticache_*`): Redis OSS only.
ELASTICACHE_PRICED_ENGINE = "redis"
#: A replication group's engine when none is given: "Default is `redis`" (pulumi-aws elasticache/replication_group.py
#: `engine`); a cluster outside a group must name its engine (`memcached` or `redis`, elasticache/cluster.py).
ELASTICACHE_DEFAULT_GROUP_ENGINE = "redis"
#: What ElastiCache Serverless always meters for Redis OSS: "a minimum of 1 GB storage on every cache" (AWS
#: Database Blog, prices.yaml `elasticache_serverless_storage_gb_hour`); a `dataStorage.minimum` above it is billed.
ELASTICACHE_SERVERLESS_MINIMUM_GB = 1.0
#: Why an engine other than Redis OSS has no figure: what AWS says of Valkey, without a figure (prices.yaml).
_OTHER_ENGINE = {
    "valkey": "AWS prices Valkey below Redis OSS (nodes 20% lower, serverless 33% lower) and the table has no "
    "confirmed Valkey figure",
    "memcached": "the price table has no figure for Memcached",
}


def _elasticache_nodes(
    what: str, engine: str, node_type: str, nodes: float | None, ctx: Context, *, nodes_fix: str = ""
) -> Charge:
    """`nodes` x the hourly figure of `node_type` for the Redis OSS engine, the whole month."""
    engine = engine.lower()
    if not engine or not node_type:
        return unpriced(what, "its engine or node type is not known before deploy", "set both to literal values")
    if engine != ELASTICACHE_PRICED_ENGINE:
        return unpriced(
            f"{node_type} {what} ({engine})", _OTHER_ENGINE.get(engine, f"the table has no {engine} figure")
        )
    if nodes is None:
        return unpriced(what, "its node count is not known before deploy", nodes_fix)
    rate = ctx.prices["elasticache_node_hour"].of(node_type)
    if rate is None:
        return unpriced(f"{node_type} {what} ({engine})", "the price table has no figure for this node type")
    return Charge(
        rate * nodes * ctx.hours, f"{nodes:g} x {node_type} {engine} node(s) at ${rate}/hour x {ctx.hours:g} h"
    )


def _group_nodes(res: PricedResource) -> float | None:
    """Nodes of a replication group: `numCacheClusters` (primary and replicas, "Defaults to `1`"), or, sharded,
    `numNodeGroups` x (1 + `replicasPerNodeGroup`) (pulumi-aws elasticache/replication_group.py)."""
    shards = res.inputs.get("numNodeGroups")
    if shards is not None:
        count, replicas = number(shards), number(res.inputs.get("replicasPerNodeGroup"))
        return None if count is None or replicas is None else count * (1 + replicas)
    return number(res.inputs.get("numCacheClusters"), 1.0)


def elasticache_replication_group(res: PricedResource, ctx: Context) -> Charge:
    engine = _text(res.inputs.get("engine")) or ELASTICACHE_DEFAULT_GROUP_ENGINE
    if res.inputs.get("globalReplicationGroupId"):
        return unpriced(
            "ElastiCache replication group of a global datastore",
            "its node type is the global datastore's, which the group does not name",
            "price the global datastore's primary group",
        )
    return _elasticache_nodes(
        "ElastiCache replication group",
        engine,
        _text(res.inputs.get("nodeType")),
        _group_nodes(res),
        ctx,
        nodes_fix="set num_cache_clusters, or num_node_groups and replicas_per_node_group",
    )


def elasticache_cluster(res: PricedResource, ctx: Context) -> Charge:
    """Its cache nodes; a cluster joined to a replication group is one more node of that group's engine and type
    ("the cluster is added to the specified replication group as a read replica", elasticache/cluster.py)."""
    if res.inputs.get("replicationGroupId"):
        group = ctx.referenced(res, "replicationGroupId", ELASTICACHE_REPLICATION_GROUP, name_key="replicationGroupId")
        if group is None:
            return unpriced(
                "ElastiCache read replica cluster",
                "its replication group (and so its node type) is not in this program",
                "define the replication group in the same program",
            )
        engine = _text(group.inputs.get("engine")) or ELASTICACHE_DEFAULT_GROUP_ENGINE
        return _elasticache_nodes("ElastiCache read replica", engine, _text(group.inputs.get("nodeType")), 1.0, ctx)
    return _elasticache_nodes(
        "ElastiCache cluster",
        _text(res.inputs.get("engine")),
        _text(res.inputs.get("nodeType")),
        number(res.inputs.get("numCacheNodes")),
        ctx,
        nodes_fix="set num_cache_nodes",
    )


def elasticache_serverless(res: PricedResource, ctx: Context) -> Charge:
    """The data storage ElastiCache Serverless meters on an idle cache: its minimum, 1 GB for Redis OSS (or the
    cache's own `dataStorage.minimum`, in GB), every hour; ECPUs are usage."""
    engine = _text(res.inputs.get("engine")).lower()
    if engine != ELASTICACHE_PRICED_ENGINE:
        what = f"ElastiCache Serverless cache ({engine or 'unknown engine'})"
        why = _OTHER_ENGINE.get(engine, "its engine is not known before deploy")
        return unpriced(what, f"it meters a minimum of data stored while idle, but {why}")
    limits = res.inputs.get("cacheUsageLimits")
    storage = limits.get("dataStorage") if isinstance(limits, Mapping) else None
    floor = number(storage.get("minimum")) if isinstance(storage, Mapping) else None
    gb = max(ELASTICACHE_SERVERLESS_MINIMUM_GB, floor or 0.0)
    rate = ctx.prices.usd("elasticache_serverless_storage_gb_hour")
    return Charge(
        gb * rate * ctx.hours,
        f"ElastiCache Serverless ({engine}) metered minimum {gb:g} GB x ${rate}/GB-hour x {ctx.hours:g} h "
        "(ECPUs are usage)",
    )


# ------------------------------------------------------------------------------------------ Kubernetes


def _eks_support(res: PricedResource, ctx: Context) -> str:
    """`extended` when the cluster's version is past standard support on the table's date, else `standard`."""
    policy = res.inputs.get("upgradePolicy")
    support = _text(policy.get("supportType")).upper() if isinstance(policy, Mapping) else ""
    version = _text(res.inputs.get("version"))
    if support == "STANDARD" or not version:
        return "standard"  # auto-upgraded at the end of standard support / EKS picks a current default
    as_of = ctx.prices["eks_cluster_hour"].date
    ends = EKS_STANDARD_SUPPORT_ENDS.get(version)
    if ends is None:
        oldest = min(EKS_STANDARD_SUPPORT_ENDS, key=lambda v: tuple(int(p) for p in v.split(".")))
        older = _version_tuple(version) < _version_tuple(oldest)
        return "extended" if older else "standard"
    return "extended" if ends <= as_of else "standard"


def _version_tuple(version: str) -> tuple[int, ...]:
    try:
        return tuple(int(p) for p in version.split(".")[:2])
    except ValueError:
        return (0,)


def eks_cluster(res: PricedResource, ctx: Context) -> Charge:
    support = _eks_support(res, ctx)
    rate = ctx.prices["eks_cluster_hour"].usd_by_type[support]
    version = _text(res.inputs.get("version")) or "default version"
    return Charge(rate * ctx.hours, f"EKS control plane ({version}, {support} support): ${rate}/hour x {ctx.hours:g} h")


def eks_node_group(res: PricedResource, ctx: Context) -> Charge:
    """Desired size x the first instance type (On-Demand node groups launch their types in the listed order)."""
    if _text(res.inputs.get("capacityType")).upper() == "SPOT":
        return unpriced(
            "Spot EKS node group", "Spot prices float and the table holds none", "price it from the Spot price history"
        )
    scaling = res.inputs.get("scalingConfig")
    count = number(scaling.get("desiredSize")) if isinstance(scaling, Mapping) else None
    if count is None:
        return unpriced(
            "EKS node group", "its desired size is not known before deploy", "set scaling_config.desired_size"
        )
    types = res.inputs.get("instanceTypes")
    if isinstance(types, list) and types:
        instance_type, origin = _text(types[0]), "instance_types"
    elif isinstance(res.inputs.get("launchTemplate"), Mapping):
        source = _launch_template_type(res, ctx)
        if source is None:
            return unpriced(
                "EKS node group",
                "its launch template is not in this program",
                "define the launch template in the same program so its instance type can be read",
            )
        instance_type, origin = source
    else:
        instance_type, origin = EKS_DEFAULT_INSTANCE_TYPES[0], "the default instance type"
    charge = _hourly_ec2(ctx, instance_type, count, "node(s)")
    if charge.usd is not None:
        charge.basis = f"EKS node group: {charge.basis} (type from {origin})"
    return charge


# ------------------------------------------------------------------------------------------ containers


def _cpu_vcpu(value: Any) -> float | None:
    """Task CPU as vCPU: "256" CPU units (1024 per vCPU) or "0.25 vCPU" (ECS task definition `cpu`)."""
    text = _text(value).strip().lower()
    if text.endswith("vcpu"):
        return number(text.removesuffix("vcpu").strip())
    units = number(text)
    return None if units is None else units / 1024


def _memory_gb(value: Any) -> float | None:
    """Task memory in GB: "512" MiB or "1 GB" (ECS task definition `memory`)."""
    text = _text(value).strip().lower()
    if text.endswith("gb"):
        return number(text.removesuffix("gb").strip())
    mib = number(text)
    return None if mib is None else mib / 1024


def _on_fargate(res: PricedResource) -> str:
    """`FARGATE`, `FARGATE_SPOT` or "" (EC2/EXTERNAL: its instances are priced where they are defined)."""
    launch = _text(res.inputs.get("launchType")).upper()
    if launch:
        return launch if launch == "FARGATE" else ""
    providers = res.inputs.get("capacityProviderStrategies")
    names = {_text(p.get("capacityProvider")).upper() for p in providers or [] if isinstance(p, Mapping)}
    if "FARGATE_SPOT" in names:
        return "FARGATE_SPOT"
    return "FARGATE" if "FARGATE" in names else ""


def _fargate_task(task: PricedResource | None, ctx: Context) -> Charge | tuple[float, float, str, float, float]:
    """(vCPU, GB, architecture, vCPU-hour rate, GB-hour rate) of a task definition, or why it has no figure."""
    if task is None:
        return unpriced(
            "Fargate service",
            "its task definition is not in this program",
            "define the task definition in the same program so its CPU and memory can be read",
        )
    vcpu, gb = _cpu_vcpu(task.inputs.get("cpu")), _memory_gb(task.inputs.get("memory"))
    if vcpu is None or gb is None:
        return unpriced(
            "Fargate service",
            "its task definition gives no task-level cpu and memory",
            "set cpu and memory on the task definition (Fargate requires them)",
        )
    platform = task.inputs.get("runtimePlatform")
    arch = _text(platform.get("cpuArchitecture")).upper() if isinstance(platform, Mapping) else ""
    arch = arch or "X86_64"
    cpu_rate = ctx.prices["fargate_vcpu_hour"].of(arch)
    gb_rate = ctx.prices["fargate_gb_hour"].of(arch)
    if cpu_rate is None or gb_rate is None:
        return unpriced(f"{arch} Fargate service", "the price table has no figure for this CPU architecture")
    return vcpu, gb, arch, cpu_rate, gb_rate


def ecs_service(res: PricedResource, ctx: Context) -> Charge:
    """Desired count x (vCPU x vCPU-hour + GB x GB-hour) of its task definition, on Fargate."""
    launch = _on_fargate(res)
    if not launch:
        return pay("ECS service on EC2 capacity: its instances are priced where the program defines them")
    if launch == "FARGATE_SPOT":
        return unpriced(
            "ECS service on Fargate Spot",
            "Spot prices float and the table holds none",
            "price it from the Fargate Spot price",
        )
    count = number(res.inputs.get("desiredCount"), 0.0)  # pulumi-aws: "Defaults to 0"
    if count is None:
        return unpriced("Fargate service", "its desired count is not known before deploy", "set desired_count")
    if count == 0:
        return Charge(0.0, "Fargate service with desired_count 0: no task runs while idle")
    task = ctx.referenced(res, "taskDefinition", TASK_DEFINITION, name_key="family")
    sized = _fargate_task(task, ctx)
    if isinstance(sized, Charge):
        return sized
    vcpu, gb, arch, cpu_rate, gb_rate = sized
    hourly = vcpu * cpu_rate + gb * gb_rate
    return Charge(
        count * hourly * ctx.hours,
        f"{count:g} task(s) x ({vcpu:g} vCPU x ${cpu_rate} + {gb:g} GB x ${gb_rate}) per hour x {ctx.hours:g} h "
        f"({arch}, {money(hourly * ctx.hours)}/task-month)",
    )


PRICERS: Mapping[str, Callable[[PricedResource, Context], Charge]] = {
    "aws:ec2/instance:Instance": ec2_instance,
    "aws:autoscaling/group:Group": autoscaling_group,
    RDS_INSTANCE: rds_instance,
    RDS_CLUSTER: rds_cluster,
    "aws:rds/clusterInstance:ClusterInstance": rds_cluster_instance,
    "aws:redshift/cluster:Cluster": redshift_cluster,
    "aws:redshiftserverless/workgroup:Workgroup": redshift_serverless,
    "aws:eks/cluster:Cluster": eks_cluster,
    "aws:eks/nodeGroup:NodeGroup": eks_node_group,
    "aws:ecs/service:Service": ecs_service,
    ELASTICACHE_CLUSTER: elasticache_cluster,
    ELASTICACHE_REPLICATION_GROUP: elasticache_replication_group,
    "aws:elasticache/serverlessCache:ServerlessCache": elasticache_serverless,
}
