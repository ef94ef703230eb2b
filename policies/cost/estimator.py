"""Idle cost: what each resource of a stack charges per month when no request ever arrives.

P014 asks for pay-per-execution with zero idle charges; this module puts a number on how far a stack
is from that. It reads only the resource graph and the package's price table (no network), so the
same function serves `preflight cost`, the pull-request report and the cost policies.

Each custom resource lands in exactly one of three lists:

* ``items``: it has a fixed monthly charge (priced from `prices.yaml`, or zero inside a free tier);
* ``pay_per_use``: nothing is charged while idle (Lambda, API Gateway, DynamoDB on demand, S3, ...);
* ``unpriced``: it has an idle charge but the table holds no confirmed figure for it (never guessed).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from policies.cost.always_on import PRICERS as ALWAYS_ON_PRICERS
from policies.cost.charge import Charge as _Charge
from policies.cost.charge import Context as _Context
from policies.cost.charge import PricedResource
from policies.cost.charge import money as _money
from policies.cost.charge import number as _number
from policies.cost.charge import pay as _pay
from policies.cost.charge import unpriced as _unpriced
from policies.cost.prices import NoFigureInRegionError, PriceTable, load_prices
from policies.wire import UNKNOWN

DEFAULT_REGION = "us-east-1"
SECONDS_PER_HOUR = 3600
DEFAULT_LAMBDA_MEMORY_MB = 128  # Lambda's default memorySize (pulumi_aws lambda_/function.py)

#: AWS Config `MaximumExecutionFrequency` values (botocore/data/config/2014-11-12/service-2.json) in hours.
CONFIG_FREQUENCY_HOURS = {
    "One_Hour": 1,
    "Three_Hours": 3,
    "Six_Hours": 6,
    "Twelve_Hours": 12,
    "TwentyFour_Hours": 24,
}

#: Types known to carry an idle charge that the price table cannot price (reported, never guessed): the
#: plain-English reason every report and the `cost-unpriced-idle-resource` finding show.
_NO_FIGURE = "the price table has no figure for it"
UNPRICED_TYPES: Mapping[str, str] = {
    t: _unpriced(what, why).basis
    for t, what, why in (
        (
            "aws:opensearch/domain:Domain",
            "OpenSearch domain",
            "the price table has no figure for its data and master nodes",
        ),
        (
            "aws:bedrock/provisionedModelThroughput:ProvisionedModelThroughput",
            "Bedrock provisioned throughput",
            "its model-unit price depends on the model and the commitment, and the price table has none",
        ),
        ("aws:msk/cluster:Cluster", "MSK cluster", "the price table has no figure for its brokers"),
        ("aws:kendra/index:Index", "Kendra index", "the price table has no figure for its index hours"),
        ("aws:memorydb/cluster:Cluster", "MemoryDB cluster", "the price table has no figure for its nodes"),
        ("aws:neptune/cluster:Cluster", "Neptune cluster", "the price table has no figure for its instances"),
        ("aws:docdb/cluster:Cluster", "DocumentDB cluster", "the price table has no figure for its instances"),
        ("aws:elb/loadBalancer:LoadBalancer", "Classic Load Balancer", _NO_FIGURE),
        (
            "aws:ec2transitgateway/vpcAttachment:VpcAttachment",
            "transit gateway VPC attachment",
            "the price table has no figure for its attachment hours",
        ),
        (
            "aws:sagemaker/notebookInstance:NotebookInstance",
            "SageMaker notebook instance",
            "the price table has no figure for its instance hours",
        ),
        (
            "aws:ec2/spotInstanceRequest:SpotInstanceRequest",
            "Spot instance request",
            "Spot prices float and the table holds none",
        ),
    )
}


@dataclass(frozen=True)
class CostItem:
    resource: str
    type: str
    urn: str
    monthly_usd: float
    basis: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "resource": self.resource,
            "type": self.type,
            "monthly_usd": round(self.monthly_usd, 2),
            "basis": self.basis,
        }


@dataclass(frozen=True)
class ResourceRef:
    """A resource listed without a figure (pay-per-use or unpriced), with the reason for unpriced ones."""

    resource: str
    type: str
    urn: str
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        data = {"resource": self.resource, "type": self.type}
        if self.reason:
            data["reason"] = self.reason
        return data


@dataclass(frozen=True)
class IdleCost:
    """The idle (no-traffic) monthly cost of one stack."""

    stack: str
    region: str
    items: tuple[CostItem, ...]
    pay_per_use: tuple[ResourceRef, ...]
    unpriced: tuple[ResourceRef, ...]
    assumptions: tuple[str, ...]
    prices_date: str

    @property
    def idle_monthly_usd(self) -> float:
        return round(float(sum(item.monthly_usd for item in self.items)), 2)

    def charged(self) -> list[CostItem]:
        """Items with a non-zero charge, most expensive first (ties by name, for stable output)."""
        return sorted((i for i in self.items if i.monthly_usd > 0), key=lambda i: (-i.monthly_usd, i.resource))

    def to_dict(self) -> dict[str, Any]:
        return {
            "stack": self.stack,
            "region": self.region,
            "idle_monthly_usd": self.idle_monthly_usd,
            "items": [i.to_dict() for i in self.items],
            "pay_per_use": [r.to_dict() for r in self.pay_per_use],
            "unpriced": [r.to_dict() for r in self.unpriced],
            "assumptions": list(self.assumptions),
            "prices_date": self.prices_date,
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, sort_keys=True)


# --------------------------------------------------------------------------------------------------
# Pricing of single resources
# --------------------------------------------------------------------------------------------------


def _flat(key: str, what: str) -> Callable[[PricedResource, _Context], _Charge]:
    def price(res: PricedResource, ctx: _Context) -> _Charge:
        usd = ctx.prices.usd(key)
        return _Charge(usd, f"{what}: {_money(usd)}/month")

    return price


def _hourly(key: str, what: str) -> Callable[[PricedResource, _Context], _Charge]:
    def price(res: PricedResource, ctx: _Context) -> _Charge:
        rate = ctx.prices.usd(key)
        return _Charge(rate * ctx.hours, f"{what}: ${rate}/hour x {ctx.hours:g} h")

    return price


def _metric_alarm(res: PricedResource, ctx: _Context) -> _Charge:
    queries = res.inputs.get("metricQueries") or []
    metrics = max(1, sum(1 for q in queries if isinstance(q, Mapping) and q.get("metric"))) if queries else 1
    period = _number(res.inputs.get("period"), 60.0)
    if period is not None and period < 60:
        rate = ctx.prices.usd("cloudwatch_alarm_high_resolution_month")
        return _Charge(rate * metrics, f"high-resolution alarm, {metrics} metric(s) x {_money(rate)}/month")
    rate = ctx.prices.usd("cloudwatch_alarm_standard_month")
    free = ctx.take_free("cloudwatch_alarm_metrics", metrics)
    billed = metrics - free
    note = f" ({free} in the free tier of 10 alarm metrics)" if free else ""
    return _Charge(rate * billed, f"standard alarm, {metrics} metric(s) x {_money(rate)}/month{note}")


def _dashboard(res: PricedResource, ctx: _Context) -> _Charge:
    rate = ctx.prices.usd("cloudwatch_dashboard_month")
    if ctx.take_free("cloudwatch_dashboards", 1):
        return _Charge(0.0, f"custom dashboard: in the free tier of 3 (else {_money(rate)}/month)")
    return _Charge(rate, f"custom dashboard: {_money(rate)}/month")


def _budget(res: PricedResource, ctx: _Context) -> _Charge:
    rate = ctx.prices.usd("budget_day")
    days = ctx.hours / 24
    if ctx.take_free("budgets", 1):
        return _Charge(0.0, f"budget: in the free tier of 2 per account (else ${rate}/day)")
    return _Charge(rate * days, f"budget beyond the free two: ${rate}/day x {days:.1f} days")


def _config_rule(res: PricedResource, ctx: _Context) -> _Charge:
    frequency = res.inputs.get("maximumExecutionFrequency")
    hours = CONFIG_FREQUENCY_HOURS.get(str(frequency)) if frequency else None
    if hours is None:
        return _pay("change-triggered AWS Config rule: $0.001 per evaluation, none while nothing changes")
    rate = ctx.prices.usd("config_rule_evaluation")
    runs = ctx.hours / hours
    return _Charge(
        rate * runs,
        f"periodic AWS Config rule every {hours} h: {runs:.0f} evaluations x ${rate} "
        "(one evaluation per run; rules scoped to many resources evaluate each)",
    )


def _web_acl(res: PricedResource, ctx: _Context) -> _Charge:
    rules = res.inputs.get("rules")
    count = len(rules) if isinstance(rules, list) else 0
    rule_json = res.inputs.get("ruleJson")
    if not count and isinstance(rule_json, str) and rule_json not in ("", UNKNOWN):
        try:
            parsed = json.loads(rule_json)
            count = len(parsed) if isinstance(parsed, list) else 0
        except ValueError:
            count = 0
    acl, rule = ctx.prices.usd("wafv2_web_acl_month"), ctx.prices.usd("wafv2_rule_month")
    return _Charge(acl + rule * count, f"web ACL {_money(acl)} + {count} rule(s) x {_money(rule)} per month")


def _provisioned_concurrency(res: PricedResource, ctx: _Context) -> _Charge:
    count = _number(res.inputs.get("provisionedConcurrentExecutions"))
    if count is None:
        return _unpriced(
            "Lambda provisioned concurrency",
            "its count is not known before deploy",
            "set provisioned_concurrent_executions to a literal number",
        )
    function = ctx.referenced(res, "functionName", "aws:lambda/function:Function")
    memory = _number(function.inputs.get("memorySize"), DEFAULT_LAMBDA_MEMORY_MB) if function else None
    assumed = ""
    if memory is None:
        memory, assumed = float(DEFAULT_LAMBDA_MEMORY_MB), " (function not found: Lambda's default memory assumed)"
    rate = ctx.prices.usd("lambda_provisioned_concurrency_gb_second")
    seconds = ctx.hours * SECONDS_PER_HOUR
    usd = count * (memory / 1024) * seconds * rate
    return _Charge(usd, f"{count:g} provisioned x {memory:g} MB x {seconds:,.0f} s x ${rate}/GB-s{assumed}")


def price_lambda_provisioned_concurrency(
    count: float, memory_mb: float, prices: PriceTable | None = None, region: str = DEFAULT_REGION
) -> float | None:
    """Monthly charge of `count` provisioned environments of `memory_mb` each in `region` (for policies); None when
    the table has no figure for that region."""
    table = prices or load_prices()
    try:
        rate = table.in_region(region).usd("lambda_provisioned_concurrency_gb_second")
    except NoFigureInRegionError:
        return None
    return count * (memory_mb / 1024) * table.hours_per_month * SECONDS_PER_HOUR * rate


def _vpc_endpoint(res: PricedResource, ctx: _Context) -> _Charge:
    kind = str(res.inputs.get("vpcEndpointType") or "Gateway")
    if kind == "Gateway":
        return _pay("gateway VPC endpoint: no charge")
    subnets = res.inputs.get("subnetIds")
    zones = max(1, len(subnets) if isinstance(subnets, list) else 0)
    rate = ctx.prices.usd("vpc_interface_endpoint_hour")
    return _Charge(rate * ctx.hours * zones, f"{kind} VPC endpoint in {zones} AZ(s): ${rate}/hour x {ctx.hours:g} h")


def opensearch_serverless_ocus(inputs: Mapping[str, Any]) -> float:
    """Minimum OCUs a collection keeps running: 0.5 indexing + 0.5 search, doubled with standby replicas."""
    return 1.0 if str(inputs.get("standbyReplicas", "ENABLED")).upper() == "DISABLED" else 2.0


def _serverless_collection(res: PricedResource, ctx: _Context) -> _Charge:
    if ctx.opensearch_floor_owner is not None:
        return _Charge(0.0, f"shares the account's OCU floor with {ctx.opensearch_floor_owner} (same KMS key assumed)")
    ctx.opensearch_floor_owner = res.name
    ocus = opensearch_serverless_ocus(res.inputs)
    rate = ctx.prices.usd("opensearch_serverless_ocu_hour")
    return _Charge(
        ocus * rate * ctx.hours, f"OpenSearch Serverless floor {ocus:g} OCU x ${rate}/hour x {ctx.hours:g} h"
    )


def _kinesis_stream(res: PricedResource, ctx: _Context) -> _Charge:
    details = res.inputs.get("streamModeDetails") or {}
    mode = str(details.get("streamMode", "PROVISIONED")) if isinstance(details, Mapping) else "PROVISIONED"
    if mode == "ON_DEMAND":
        rate = ctx.prices.usd("kinesis_on_demand_stream_hour")
        return _Charge(rate * ctx.hours, f"on-demand stream: ${rate}/hour x {ctx.hours:g} h (data is extra)")
    shards = _number(res.inputs.get("shardCount"))
    if shards is None:
        return _unpriced("provisioned Kinesis stream", "its shard count is not known before deploy", "set shard_count")
    rate = ctx.prices.usd("kinesis_shard_hour")
    return _Charge(shards * rate * ctx.hours, f"{shards:g} shard(s) x ${rate}/hour x {ctx.hours:g} h")


def _load_balancer(res: PricedResource, ctx: _Context) -> _Charge:
    """pulumi-aws names the kind `loadBalancerType`, pulumi-aws-native (CloudFormation's
    AWS::ElasticLoadBalancingV2::LoadBalancer) `type`; both default to an application load balancer (the SDKs
    docstrings: "Defaults to `application`", "The default is `application`")."""
    kind = str(res.inputs.get("loadBalancerType") or res.inputs.get("type") or "application")
    rate = ctx.prices["load_balancer_hour"].of(kind)
    if rate is None:
        return _unpriced(f"{kind} load balancer", "the price table has no figure for this load balancer type")
    return _Charge(rate * ctx.hours, f"{kind} load balancer: ${rate}/hour x {ctx.hours:g} h (capacity units extra)")


def _sagemaker_endpoint(res: PricedResource, ctx: _Context) -> _Charge:
    config = ctx.referenced(res, "endpointConfigName", "aws:sagemaker/endpointConfiguration:EndpointConfiguration")
    if config is None:
        return _unpriced(
            "SageMaker real-time endpoint",
            "its endpoint configuration is not in this program",
            "define the endpoint configuration in the same program so its instances can be read",
        )
    variants = config.inputs.get("productionVariants") or []
    total, parts = 0.0, []
    for variant in variants if isinstance(variants, list) else []:
        if not isinstance(variant, Mapping) or variant.get("serverlessConfig"):
            continue
        kind = str(variant.get("instanceType") or "")
        rate = ctx.prices["sagemaker_realtime_instance_hour"].of(kind)
        if rate is None:
            return _unpriced(
                f"{kind or '(unknown type)'} SageMaker real-time endpoint",
                "the price table has no figure for this instance type",
            )
        count = _number(variant.get("initialInstanceCount"), 1.0) or 1.0
        total += rate * count * ctx.hours
        parts.append(f"{count:g} x {kind} at ${rate}/hour")
    if not parts:
        return _pay("serverless inference endpoint: no charge while idle (P010)")
    return _Charge(total, f"real-time endpoint: {', '.join(parts)} x {ctx.hours:g} h")


#: DynamoDB table classes the capacity rows price: Standard only (Standard-IA capacity has its own, higher
#: rates, which the table does not hold). pulumi-aws dynamodb/table.py `table_class`: defaults to STANDARD.
DYNAMODB_PRICED_CLASS = "STANDARD"


def _capacity(holder: Mapping[str, Any], key: str) -> float | None:
    return _number(holder.get(key))


def _dynamodb_capacity(res: PricedResource) -> tuple[float, float] | _Charge:
    """(read units, write units) a provisioned table keeps: its own plus each global secondary index's."""
    reads, writes = _capacity(res.inputs, "readCapacity"), _capacity(res.inputs, "writeCapacity")
    if reads is None or writes is None:
        return _unpriced(
            "provisioned DynamoDB table",
            "its read and write capacity are not known before deploy",
            "set read_capacity and write_capacity to literal numbers, or use billing_mode PAY_PER_REQUEST",
        )
    indexes = res.inputs.get("globalSecondaryIndexes")
    for index in indexes if isinstance(indexes, list) else []:
        if not isinstance(index, Mapping):
            continue
        index_reads, index_writes = _capacity(index, "readCapacity"), _capacity(index, "writeCapacity")
        if index_reads is None or index_writes is None:
            return _unpriced(
                "provisioned DynamoDB table",
                f"the capacity of its index {index.get('name') or '(unnamed)'} is not known before deploy",
                "set read_capacity and write_capacity on every global secondary index",
            )
        reads, writes = reads + index_reads, writes + index_writes
    return reads, writes


def _dynamodb_table(res: PricedResource, ctx: _Context) -> _Charge:
    """Provisioned read and write capacity units x hours (table and its indexes), after the free 25 + 25."""
    if str(res.inputs.get("billingMode") or "PROVISIONED") == "PAY_PER_REQUEST":
        return _pay("on-demand table: pay per request (storage is per GB)")
    table_class = str(res.inputs.get("tableClass") or DYNAMODB_PRICED_CLASS)
    if table_class != DYNAMODB_PRICED_CLASS:
        return _unpriced(
            f"provisioned DynamoDB table ({table_class})",
            "the price table has no figure for the capacity of this table class",
        )
    if res.inputs.get("replicas"):
        return _unpriced(
            "provisioned DynamoDB global table",
            "the price table has no figure for replicated write capacity in the replica Regions",
        )
    sized = _dynamodb_capacity(res)
    if isinstance(sized, _Charge):
        return sized
    reads, writes = sized
    rates = ctx.prices["dynamodb_provisioned_capacity_hour"]
    read_rate, write_rate = rates.usd_by_type["read"], rates.usd_by_type["write"]
    free_reads = ctx.take_free("dynamodb_read_capacity_units", int(reads))
    free_writes = ctx.take_free("dynamodb_write_capacity_units", int(writes))
    billed_reads, billed_writes = reads - free_reads, writes - free_writes
    usd = (billed_reads * read_rate + billed_writes * write_rate) * ctx.hours
    free = f" ({free_reads} RCU and {free_writes} WCU in the free tier of 25 each)" if free_reads or free_writes else ""
    return _Charge(
        usd,
        f"provisioned {reads:g} RCU x ${read_rate} + {writes:g} WCU x ${write_rate} per hour x {ctx.hours:g} h"
        f"{free} (storage is per GB)",
    )


#: The Greengrass v2 types (pulumi-aws-native); a deployment is what makes core devices connect and bill.
GREENGRASS_DEPLOYMENT = "aws-native:greengrassv2:Deployment"
_GREENGRASS_PREFIX = "aws-native:greengrassv2:"


def greengrass_per_use(prices: PriceTable) -> str:
    """The sentence every report gives for a Greengrass fleet: billed per connected core device, not idle."""
    rate = prices.usd("greengrass_core_device_month")
    return (
        f"AWS IoT Greengrass bills {_money(rate)} per core device per month in which it connects (none while no "
        "device connects); `preflight cost --core-devices N` prices a fleet"
    )


def _greengrass_deployment(res: PricedResource, ctx: _Context) -> _Charge:
    return _pay(greengrass_per_use(ctx.table))  # nothing is charged while idle, in any region


_PRICERS: Mapping[str, Callable[[PricedResource, _Context], _Charge]] = {
    "aws:kms/key:Key": _flat("kms_key_month", "customer managed KMS key"),
    "aws:kms/replicaKey:ReplicaKey": _flat("kms_key_month", "multi-Region replica KMS key"),
    "aws:kms/externalKey:ExternalKey": _flat("kms_key_month", "KMS key with imported material"),
    "aws:cloudwatch/metricAlarm:MetricAlarm": _metric_alarm,
    "aws:cloudwatch/compositeAlarm:CompositeAlarm": _flat("cloudwatch_alarm_composite_month", "composite alarm"),
    "aws:cloudwatch/dashboard:Dashboard": _dashboard,
    "aws:budgets/budget:Budget": _budget,
    "aws:cfg/rule:Rule": _config_rule,
    "aws:cfg/recorder:Recorder": lambda r, c: _pay("AWS Config recorder: $0.003 per configuration item recorded"),
    "aws:cfg/conformancePack:ConformancePack": lambda r, c: _pay("conformance pack: per rule evaluation"),
    "aws:secretsmanager/secret:Secret": _flat("secretsmanager_secret_month", "Secrets Manager secret"),
    "aws:wafv2/webAcl:WebAcl": _web_acl,
    "aws:lambda/provisionedConcurrencyConfig:ProvisionedConcurrencyConfig": _provisioned_concurrency,
    "aws:ec2/natGateway:NatGateway": _hourly("nat_gateway_hour", "NAT gateway"),
    "aws:ec2/eip:Eip": _hourly("public_ipv4_hour", "public IPv4 address (billed attached or not)"),
    "aws:ec2/vpcEndpoint:VpcEndpoint": _vpc_endpoint,
    "aws:opensearch/serverlessCollection:ServerlessCollection": _serverless_collection,
    "aws:kinesis/stream:Stream": _kinesis_stream,
    "aws:lb/loadBalancer:LoadBalancer": _load_balancer,
    "aws:alb/loadBalancer:LoadBalancer": _load_balancer,
    "aws-native:elasticloadbalancingv2:LoadBalancer": _load_balancer,  # the same hourly charge, by the same kinds
    "aws:route53/zone:Zone": _flat("route53_hosted_zone_month", "hosted zone"),
    "aws:sagemaker/endpoint:Endpoint": _sagemaker_endpoint,
    "aws:dynamodb/table:Table": _dynamodb_table,
    GREENGRASS_DEPLOYMENT: _greengrass_deployment,
    **ALWAYS_ON_PRICERS,
}

#: Every type the estimator knows to carry an idle charge (priced or not); the cost policies use it.
IDLE_CHARGED_TYPES = frozenset(
    set(UNPRICED_TYPES)
    | {
        "aws:ec2/natGateway:NatGateway",
        "aws:lambda/provisionedConcurrencyConfig:ProvisionedConcurrencyConfig",
        "aws:opensearch/serverlessCollection:ServerlessCollection",
        "aws:kinesis/stream:Stream",
        *ALWAYS_ON_PRICERS,
    }
)


def _charge(
    pricer: Callable[[PricedResource, _Context], _Charge], res: PricedResource, ctx: _Context, region: str
) -> _Charge:
    """`pricer`'s charge for `res`, reading only the figures the table has for `region` (issue 11 §2): a resource in
    a region the table has no figure for is unpriced, said plainly, never priced at another region's figure."""
    ctx.prices = ctx.table.in_region(region)
    try:
        return pricer(res, ctx)
    except NoFigureInRegionError as missing:
        return _unpriced(
            f"{res.type} in {region}",
            missing.why,
            f"add {region}'s figure to policies/cost/prices.yaml with its source",
        )
    finally:
        ctx.prices = ctx.table


def _table_regions(table: PriceTable) -> str:
    """The regions the table's figures are for ("us-east-1"), as the assumptions name them."""
    return ", ".join(sorted({p.region for p in table.prices.values()}))


def _is_billable(res: PricedResource) -> bool:
    return not res.type.startswith(("pulumi:", "pulumi-")) and res.type.split(":", 1)[0] != "agentic"


def estimate(
    resources: Iterable[PricedResource],
    *,
    stack: str = "",
    region: str = DEFAULT_REGION,
    prices: PriceTable | None = None,
    free_tier: bool = True,
) -> IdleCost:
    """The idle cost of `resources` (custom resources; providers and components are skipped)."""
    table = prices or load_prices()
    billable = [r for r in resources if _is_billable(r)]
    ctx = _Context(table, billable, free_tier)
    items: list[CostItem] = []
    pay: list[ResourceRef] = []
    unpriced: list[ResourceRef] = []
    unstated = 0
    for res in billable:
        pricer = _PRICERS.get(res.type)
        if pricer is None:
            if res.type in UNPRICED_TYPES:
                unpriced.append(ResourceRef(res.name, res.type, res.urn, UNPRICED_TYPES[res.type]))
            else:
                pay.append(ResourceRef(res.name, res.type, res.urn))
            continue
        unstated += res.region is None
        charge = _charge(pricer, res, ctx, res.region or region)
        if charge.usd is None:
            unpriced.append(ResourceRef(res.name, res.type, res.urn, charge.basis))
        elif charge.pay:
            pay.append(ResourceRef(res.name, res.type, res.urn, ""))
        else:
            items.append(CostItem(res.name, res.type, res.urn, charge.usd, charge.basis))
    assumptions = [
        f"list prices for {_table_regions(table)} looked up on {table.date} (policies/cost/prices.yaml); a month is "
        f"{table.hours_per_month:g} hours; each resource is priced in its own region (its `region` input, else its "
        "provider's), and one whose region the table has no figure for is unpriced",
        "data transfer, storage, requests and tokens are usage, not idle cost, and are not included",
    ]
    if free_tier:
        assumptions.append(
            "the account's free tiers (10 alarm metrics, 3 dashboards, 2 budgets, 25 DynamoDB read and 25 write "
            "capacity units) are applied to this stack alone; stacks sharing an account share them"
        )
    else:
        assumptions.append("free tiers not applied")
    if any(r.type.startswith(_GREENGRASS_PREFIX) for r in billable):
        assumptions.append(greengrass_per_use(table))
    if unstated:
        assumptions.append(
            f"{unstated} resource(s) have no region the program or the stack states (the deploying environment "
            f"decides): priced as {region}"
        )
    return IdleCost(
        stack=stack,
        region=region,
        items=tuple(items),
        pay_per_use=tuple(pay),
        unpriced=tuple(unpriced),
        assumptions=tuple(assumptions),
        prices_date=table.date,
    )


def price_of(
    resource_type: str,
    inputs: Mapping[str, Any],
    name: str = "",
    prices: PriceTable | None = None,
    region: str | None = None,
) -> CostItem | None:
    """The idle charge of one resource in `region` on its own (no neighbours, no free tier), or None if unpriced."""
    res = PricedResource(name, resource_type, "", inputs, region=region)
    result = estimate([res], prices=prices, free_tier=False)
    return result.items[0] if result.items else None
