"""Cost: no resource that charges while idle, an idle budget per stack, and a budget with alerts.

P014 (pay-per-execution, zero idle charges) and P012/P007 (no infrastructure-heavy choice where a
serverless one does the job) are the reason for the idle-resource policies; each message carries the
monthly figure from `policies/cost/prices.yaml`, read from the package (pure: no network). The
stack policy `cost-idle-budget` sums the same estimate `preflight cost` prints and compares it with
the stack's idle budget (`budget.idleUsd` in the stack settings, passed as `maxMonthlyUsd`).

Category COST: the enforcement profile makes these mandatory in dev and advisory in prod.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pulumi_policy import PolicyResource, ReportViolation, ResourceValidationArgs, Severity, StackValidationArgs
from pulumi_policy.proxy import UnknownValueError

from policies import native
from policies.cost.estimator import (
    DEFAULT_REGION,
    PricedResource,
    estimate,
    price_lambda_provisioned_concurrency,
    price_of,
)
from policies.cost.prices import load_prices
from policies.lib import (
    BASELINE_SCHEMA,
    as_list,
    get,
    grants,
    is_list,
    parse_document,
    provided_elsewhere,
    report_on,
    require_aws_resources,
    resources_of,
    service_principals,
)
from policies.regions import resource_region
from policies.spec import Category, Kind, PolicySpec

NAT_GATEWAY = "aws:ec2/natGateway:NatGateway"
PROVISIONED_CONCURRENCY = "aws:lambda/provisionedConcurrencyConfig:ProvisionedConcurrencyConfig"
FUNCTION = "aws:lambda/function:Function"
BEDROCK_PROVISIONED = "aws:bedrock/provisionedModelThroughput:ProvisionedModelThroughput"
SAGEMAKER_ENDPOINT_CONFIG = "aws:sagemaker/endpointConfiguration:EndpointConfiguration"
OPENSEARCH_DOMAIN = "aws:opensearch/domain:Domain"
OPENSEARCH_COLLECTION = "aws:opensearch/serverlessCollection:ServerlessCollection"
EC2_INSTANCES = ("aws:ec2/instance:Instance", "aws:ec2/spotInstanceRequest:SpotInstanceRequest")
KINESIS_STREAM = "aws:kinesis/stream:Stream"
BUDGET = "aws:budgets/budget:Budget"

#: The idle budget when the stack's policy config gives none (the settings' default `budget.idleUsd`).
DEFAULT_IDLE_BUDGET_USD = 5.0
DEFAULT_LAMBDA_MEMORY_MB = 128


def plain(value: Any) -> Any:
    """A proxy value copied into plain dicts/lists (reading every leaf, so an unknown raises here)."""
    if isinstance(value, Mapping):
        return {str(k): plain(value[k]) for k in value}
    if is_list(value):
        return [plain(v) for v in value]
    return value


def _usd(amount: float) -> str:
    return f"${amount:,.2f}/month"


def region_of(resource: PolicyResource | ResourceValidationArgs) -> str | None:
    """The region a resource is priced in: its own `region`, else its provider's (policies.regions)."""
    provider = resource.provider
    provider_region = get(provider.props, "region") if provider is not None else None
    return resource_region(get(resource.props, "region"), provider_region)


def _figure(args: ResourceValidationArgs) -> str:
    """The idle charge of one resource as text, from the price table (its region's figures), or why it has none."""
    region = region_of(args)
    item = price_of(args.resource_type, plain(args.props), args.name, region=region)
    if item is None:
        where = f" in {region}" if region else ""
        return f"an idle charge the price table cannot put a figure on{where} (unpriced)"
    return f"{_usd(item.monthly_usd)} while idle ({item.basis})"


def _idle_resource_policy(
    *,
    name: str,
    description: str,
    explanation: str,
    principles: tuple[str, ...],
    severity: Severity,
    types: tuple[str, ...],
    what: str,
) -> PolicySpec:
    def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
        report_violation(f"{args.name}: {what} charges {_figure(args)}.", None)

    return PolicySpec(
        name=name,
        description=description,
        explanation=explanation,
        principles=principles,
        severity=severity,
        category=Category.COST,
        kind=Kind.RESOURCE,
        validate=validate,
        resource_types=types,
    )


NAT_GATEWAYS = _idle_resource_policy(
    name="cost-no-nat-gateway",
    description="No NAT gateway: it charges by the hour whether or not traffic flows.",
    explanation=(
        "Serverless functions reach AWS services without a VPC, or through gateway endpoints (S3, DynamoDB) that "
        "cost nothing. Fix: keep Lambda outside a VPC, or use gateway/interface endpoints instead of a NAT gateway."
    ),
    principles=("P014", "P012"),
    severity=Severity.MEDIUM,
    types=(NAT_GATEWAY,),
    what="the NAT gateway",
)

BEDROCK_THROUGHPUT = _idle_resource_policy(
    name="cost-no-bedrock-provisioned-throughput",
    description="No Bedrock provisioned throughput: on-demand tokens cost nothing while idle.",
    explanation=(
        "Provisioned model units bill every hour of their term, used or not. Fix: invoke the base model on "
        "demand (token-based billing) and route by tier; reserve provisioned throughput for custom models with "
        "steady high volume, behind a suppression with its reason."
    ),
    principles=("P014", "P040", "P175"),
    severity=Severity.HIGH,
    types=(BEDROCK_PROVISIONED,),
    what="provisioned model throughput",
)

OPENSEARCH = _idle_resource_policy(
    name="cost-no-idle-opensearch",
    description="No OpenSearch domain or Serverless collection: both keep capacity running while idle.",
    explanation=(
        "A domain bills its nodes by the hour and a Serverless collection keeps a minimum of OpenSearch Compute "
        "Units. Fix: for a knowledge base use a vector store without an idle floor (e.g. S3 Vectors) or a "
        "shared, suppressed collection with standby replicas disabled outside production."
    ),
    principles=("P014", "P012", "P007"),
    severity=Severity.HIGH,
    types=(OPENSEARCH_DOMAIN, OPENSEARCH_COLLECTION),
    what="the OpenSearch capacity",
)

EC2 = _idle_resource_policy(
    name="cost-no-ec2-instances",
    description="No EC2 instances: compute runs on Lambda and Step Functions.",
    explanation=(
        "An instance bills every hour it runs and needs patching and scaling by hand. Fix: move the work to "
        "Lambda (event-driven) or Step Functions; use Fargate only where a container is unavoidable."
    ),
    principles=("P007", "P012", "P173"),
    severity=Severity.MEDIUM,
    types=EC2_INSTANCES,
    what="the instance",
)

KINESIS = _idle_resource_policy(
    name="cost-no-idle-kinesis-stream",
    description="No Kinesis data stream: shards (provisioned) and streams (on-demand) bill by the hour.",
    explanation=(
        "Both capacity modes of Kinesis Data Streams carry an hourly charge with no traffic. Fix: use "
        "EventBridge or SQS for event fan-out, which charge per event only."
    ),
    principles=("P014", "P012"),
    severity=Severity.LOW,
    types=(KINESIS_STREAM,),
    what="the stream",
)


def _validate_sagemaker(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    variants = plain(get(args.props, "productionVariants") or [])
    provisioned = [v for v in variants if isinstance(v, Mapping) and not v.get("serverlessConfig")]
    if not provisioned:
        return
    kinds = ", ".join(sorted({str(v.get("instanceType") or "(no instance type)") for v in provisioned}))
    table = load_prices()["sagemaker_realtime_instance_hour"]
    hours = load_prices().hours_per_month
    total = 0.0
    for variant in provisioned:
        rate = table.of(str(variant.get("instanceType") or ""))
        if rate is None:
            report_violation(
                f"{args.name}: real-time variant(s) on {kinds} without serverless_config; an idle charge the price "
                "table cannot put a figure on (unpriced).",
                None,
            )
            return
        total += rate * float(variant.get("initialInstanceCount") or 1) * hours
    report_violation(
        f"{args.name}: real-time variant(s) on {kinds} without serverless_config charge {_usd(total)} while idle.",
        None,
    )


SAGEMAKER = PolicySpec(
    name="cost-sagemaker-serverless-inference",
    description="SageMaker endpoints use Serverless Inference (serverless_config on every production variant).",
    explanation=(
        "Real-time instances bill every hour the endpoint exists; serverless inference bills per request. Fix: "
        "production_variants=[{'serverless_config': {'memory_size_in_mb': ..., 'max_concurrency': ...}}]."
    ),
    principles=("P010", "P046", "P014"),
    severity=Severity.MEDIUM,
    category=Category.COST,
    kind=Kind.RESOURCE,
    validate=_validate_sagemaker,
    resource_types=(SAGEMAKER_ENDPOINT_CONFIG,),
)


def _function_memory(args: StackValidationArgs, config: PolicyResource) -> tuple[float, bool]:
    """Memory of the function a provisioned-concurrency config targets; (128, False) if not found."""
    for dep in config.property_dependencies.get("functionName", []):
        if dep.resource_type == FUNCTION:
            return float(get(dep.props, "memorySize") or DEFAULT_LAMBDA_MEMORY_MB), True
    target = get(config.props, "functionName")
    for function in resources_of(args, FUNCTION):
        if target in (get(function.props, "name"), get(function.props, "arn"), function.name):
            return float(get(function.props, "memorySize") or DEFAULT_LAMBDA_MEMORY_MB), True
    return float(DEFAULT_LAMBDA_MEMORY_MB), False


def _check_provisioned_concurrency(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    for config in resources_of(args, PROVISIONED_CONCURRENCY):
        try:
            count = float(get(config.props, "provisionedConcurrentExecutions") or 0)
            memory, found = _function_memory(args, config)
        except UnknownValueError:
            continue
        region = region_of(config)
        usd = price_lambda_provisioned_concurrency(count, memory, region=region or DEFAULT_REGION)
        lower = "" if found else " at least"
        charge = (
            f"{lower} {_usd(usd)}"
            if usd is not None
            else f" by the GB-second, a figure the price table does not have for {region} (unpriced)"
        )
        report_violation(
            f"{config.name}: {count:g} provisioned environment(s) of {memory:g} MB charge{charge} while idle.",
            config.urn,
        )


PROVISIONED = PolicySpec(
    name="cost-no-lambda-provisioned-concurrency",
    description="No Lambda provisioned concurrency unless the workload is predictable and high-volume.",
    explanation=(
        "Provisioned environments bill per GB-second from the moment they are configured, traffic or not. Fix: "
        "remove the ProvisionedConcurrencyConfig (SnapStart or smaller packages cut cold starts); keep it only "
        "for measured, steady, high-volume traffic, with a suppression stating that reason."
    ),
    principles=("P168", "P014"),
    severity=Severity.MEDIUM,
    category=Category.COST,
    kind=Kind.STACK,
    validate=_check_provisioned_concurrency,
    resource_types=(PROVISIONED_CONCURRENCY,),
)


def priced_resources(resources: Sequence[PolicyResource]) -> list[PricedResource]:
    """The stack's resources as the estimator reads them, unknown values kept as Pulumi's unknown marker, as
    `preflight cost` hands the estimator the graph's inputs (preflight/cost/idle.py), so the two give the same
    estimate. A resource with any unknown input used to be left out whole: an auto scaling group whose subnets come
    from a StackReference (JManzur/aws-pulumi-python-linux-bastion@a86fcc1b) priced $8.47/month in `preflight cost`
    and nothing in cost-idle-budget, and in a real preview nearly every resource has an unknown input."""
    out = []
    for resource in resources:
        props = native.plain(resource.props)
        deps = {k: tuple(d.urn for d in v) for k, v in (resource.property_dependencies or {}).items()}
        out.append(
            PricedResource(resource.name, resource.resource_type, resource.urn, props, deps, region_of(resource))
        )
    return out


def _idle_budget(config: Mapping[str, Any]) -> float:
    value = config.get("maxMonthlyUsd")
    return DEFAULT_IDLE_BUDGET_USD if not isinstance(value, int | float) else float(value)


def _check_idle_budget(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    config = args.get_config() or {}
    budget = _idle_budget(config)
    cost = estimate(priced_resources(args.resources), free_tier=bool(config.get("applyFreeTier", True)))
    if cost.idle_monthly_usd <= budget:
        return
    top = ", ".join(f"{i.resource} {_usd(i.monthly_usd)}" for i in cost.charged()[:3])
    report_violation(
        f"the stack's idle cost is {_usd(cost.idle_monthly_usd)}, over its idle budget of {_usd(budget)} "
        f"(largest: {top}). Run `preflight cost` for every item.",
        None,
    )


IDLE_BUDGET = PolicySpec(
    name="cost-idle-budget",
    description="The stack's idle monthly cost (no traffic at all) stays within its idle budget.",
    explanation=(
        "Idle cost is what the stack costs before its first request: keys, alarms, dashboards, rules, and any "
        "capacity kept running. Fix: remove or share the largest items `preflight cost` lists, or raise "
        "maxMonthlyUsd in the stack's policy config deliberately."
    ),
    principles=("P014", "P175", "P169"),
    severity=Severity.HIGH,
    category=Category.COST,
    kind=Kind.STACK,
    validate=_check_idle_budget,
    config_schema={
        "maxMonthlyUsd": {"type": "number", "minimum": 0, "default": DEFAULT_IDLE_BUDGET_USD},
        "applyFreeTier": {"type": "boolean", "default": True},
    },
)


#: Types whose own idle-resource policy above already reports them, with or without a figure.
_REPORTED_BY_THEIR_OWN_POLICY = frozenset(
    (NAT_GATEWAY, BEDROCK_PROVISIONED, OPENSEARCH_DOMAIN, OPENSEARCH_COLLECTION, KINESIS_STREAM, *EC2_INSTANCES)
)


def _check_unpriced(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    cost = estimate(priced_resources(args.resources), free_tier=False)
    for ref in cost.unpriced:
        if ref.type not in _REPORTED_BY_THEIR_OWN_POLICY:
            report_violation(f"{ref.resource}: {ref.reason}.", ref.urn)


UNPRICED = PolicySpec(
    name="cost-unpriced-idle-resource",
    description="Every resource that bills while idle has a figure in the price table, so the idle budget sees it.",
    explanation=(
        "An always-on resource the price table cannot price (an instance class, engine or mode without a confirmed "
        "figure) would leave the idle estimate, and so cost-idle-budget, silently short. Fix: add the figure to "
        "policies/cost/prices.yaml with its AWS source, choose a class the table prices, or suppress this finding "
        "for the resource with the reason and its known monthly cost."
    ),
    principles=("P014", "P169"),
    severity=Severity.MEDIUM,
    category=Category.COST,
    kind=Kind.STACK,
    validate=_check_unpriced,
)


#: Where a budget's notification sends its alert: its subscribers, e-mail addresses and SNS topics (AWS Budgets API
#: `Notification` with `Subscriber`s of type EMAIL or SNS; pulumi_aws/budgets/_inputs.py BudgetNotificationArgs
#: `subscriber_email_addresses`, `subscriber_sns_topic_arns`). A notification with neither alerts nobody.
BUDGET_SUBSCRIBERS = ("subscriberEmailAddresses", "subscriberSnsTopicArns")


#: The stack's SNS topics and the separate policies on them. AWS Budgets publishes as `budgets.amazonaws.com`, and
#: "Your budget must have permissions to send a notification to your topic": an Allow of SNS:Publish to that service
#: in the topic's access policy ("Creating an Amazon SNS topic for budget notifications",
#: https://docs.aws.amazon.com/cost-management/latest/userguide/budgets-sns-policy.html).
TOPIC = "aws:sns/topic:Topic"
TOPIC_POLICY = "aws:sns/topicPolicy:TopicPolicy"
BUDGETS_SERVICE = "budgets.amazonaws.com"


def _lets_budgets_publish(document: Any) -> bool:
    """The document allows SNS:Publish to AWS Budgets (or to everyone); an unknown one is not known not to."""
    if document is None:
        return False
    if not isinstance(document, str | Mapping):
        return True  # an unknown value: cannot tell, so no finding here
    return any(
        grants(s, "sns:Publish") and (s.for_everyone or BUDGETS_SERVICE in service_principals(s.principal))
        for s in parse_document(document)
    )


def _topic_reachable(args: StackValidationArgs, arn: Any) -> bool:
    """AWS Budgets may publish to the topic: one the stack does not create (its policy is not the stack's to judge),
    or one whose own `policy` or a TopicPolicy on it (its `arn`) lets Budgets publish."""
    if not isinstance(arn, str):
        return True  # unknown: cannot tell
    topics = [t for t in resources_of(args, TOPIC) if get(t.props, "arn") == arn]
    if not topics:
        return True
    if any(_lets_budgets_publish(get(t.props, "policy")) for t in topics):
        return True
    return any(
        get(p.props, "arn") == arn and _lets_budgets_publish(get(p.props, "policy"))
        for p in resources_of(args, TOPIC_POLICY)
    )


def _alerts_someone(args: StackValidationArgs, budget: PolicyResource) -> bool:
    """Some notification of the budget reaches a subscriber: an e-mail address, or an SNS topic AWS Budgets may
    publish to. A value not known yet (a preview's topic ARN or document) counts as reaching one: cannot tell."""
    try:
        return _reaches(args, budget)
    except UnknownValueError:
        return True


def _reaches(args: StackValidationArgs, budget: PolicyResource) -> bool:
    for notification in as_list(get(budget.props, "notifications")):
        if as_list(get(notification, "subscriberEmailAddresses")):
            return True
        if any(_topic_reachable(args, arn) for arn in as_list(get(notification, "subscriberSnsTopicArns"))):
            return True
    return False


def _silent_topics(budget: PolicyResource) -> list[str]:
    """The SNS topics the budget's notifications name (in the message when none of them can be reached)."""
    return sorted(
        {
            arn
            for notification in as_list(get(budget.props, "notifications"))
            for arn in as_list(get(notification, "subscriberSnsTopicArns"))
            if isinstance(arn, str)
        }
    )


def _check_budget_present(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    require_aws_resources(args)
    if provided_elsewhere(args.get_config()):
        return
    budgets = resources_of(args, BUDGET)
    if not budgets:
        report_violation("the stack creates no AWS Budget, so nobody is alerted when its spend runs away.", None)
    elif not any(_alerts_someone(args, b) for b in budgets):
        for budget in budgets:  # a budget nobody hears only records the spend
            topics = _silent_topics(budget)
            report_on(
                report_violation,
                budget,
                (
                    f"the budget notifies only SNS topic(s) {', '.join(topics)}, whose access policy does not let "
                    f"{BUDGETS_SERVICE} publish (SNS:Publish), so AWS Budgets cannot deliver its alerts."
                )
                if topics
                else "the budget has no notification with a subscriber (an e-mail address or an SNS topic), so "
                "nobody is alerted when the stack's spend runs away.",
            )


BUDGET_PRESENT = PolicySpec(
    name="cost-budget-present",
    description="Every stack creates an AWS Budget with alerts.",
    explanation=(
        "A budget with forecast and actual alerts is the cheapest guard against a runaway bill (P169); a budget "
        "whose notifications have no subscriber only records the spend. Fix: create aws.budgets.Budget with "
        "notifications to the team's addresses (subscriber_email_addresses, or subscriber_sns_topic_arns of a topic "
        "whose policy allows SNS:Publish to budgets.amazonaws.com), or set providedBy: organization when budgets are "
        "managed centrally."
    ),
    principles=("P169", "P018"),
    severity=Severity.MEDIUM,
    category=Category.COST,
    kind=Kind.STACK,
    validate=_check_budget_present,
    config_schema=BASELINE_SCHEMA,
)

POLICIES: list[PolicySpec] = [
    NAT_GATEWAYS,
    PROVISIONED,
    BEDROCK_THROUGHPUT,
    SAGEMAKER,
    OPENSEARCH,
    EC2,
    KINESIS,
    IDLE_BUDGET,
    UNPRICED,
    BUDGET_PRESENT,
]
