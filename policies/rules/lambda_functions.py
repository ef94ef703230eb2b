"""Lambda functions: failures land somewhere, traces and logs are kept, nothing is public (P179, P131, P129)."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from typing import Any

from pulumi_policy import PolicyResource, ReportViolation, ResourceValidationArgs, Severity, StackValidationArgs

from iamlang.conditions import narrows_caller
from policies.lib import Pending, get, is_list, refers_to, report_on, resources_of, text, tolerant, truthy
from policies.rules.edge import edge_function_urns
from policies.secret_values import OFFLINE_SECRET_VALUES, secret_reason
from policies.spec import Category, Kind, PolicySpec

FUNCTION = "aws:lambda/function:Function"
EVENT_INVOKE_CONFIG = "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig"
FUNCTION_URL = "aws:lambda/functionUrl:FunctionUrl"
PERMISSION = "aws:lambda/permission:Permission"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"


def _check_tracing(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    # Lambda@Edge does not support X-Ray ("Restrictions on Lambda@Edge", "Lambda features":
    # https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/lambda-at-edge-function-restrictions.html),
    # so the functions CloudFront invokes are exempt; lambda-edge-deployable refuses tracing on them.
    edge = edge_function_urns(args)

    def check(function: PolicyResource) -> None:
        # lambda TracingMode: Active | PassThrough (botocore service model).
        if function.urn in edge or get(function.props, "tracingConfig", "mode") == "Active":
            return
        report_on(report_violation, function, "X-Ray active tracing is off (tracingConfig.mode is not Active).")

    tolerant(resources_of(args, FUNCTION), check)


TRACING = PolicySpec(
    name="lambda-active-tracing",
    description="Lambda functions, except Lambda@Edge ones, have X-Ray active tracing.",
    explanation=(
        "Traces follow a request across the event-driven workflow. Functions associated with a CloudFront "
        "distribution are exempt (Lambda@Edge does not support X-Ray). Fix: tracing_config={'mode': 'Active'}."
    ),
    principles=("P131",),
    severity=Severity.LOW,
    category=Category.GOVERNANCE,
    kind=Kind.STACK,
    validate=_check_tracing,
    resource_types=(FUNCTION,),
)


#: Who invokes a function, and how (Lambda Developer Guide, "Invoking Lambda with events from other AWS
#: services" and "Invoking a Lambda function asynchronously"; Lambda operator guide, "Invocation modes").
#: Service principals of a lambda.Permission that invoke asynchronously (Lambda queues the event and
#: retries; without a destination a failing event is dropped) and those that wait for the answer.
ASYNC_PRINCIPALS = frozenset(
    {
        "s3.amazonaws.com",
        "sns.amazonaws.com",
        "ses.amazonaws.com",
        "events.amazonaws.com",
        "scheduler.amazonaws.com",
        "logs.amazonaws.com",
        "cloudformation.amazonaws.com",
        "codecommit.amazonaws.com",
        "config.amazonaws.com",
        "iot.amazonaws.com",
        "lambda.alarms.cloudwatch.amazonaws.com",
    }
)
SYNC_PRINCIPALS = frozenset(
    {
        "apigateway.amazonaws.com",
        "elasticloadbalancing.amazonaws.com",
        "cognito-idp.amazonaws.com",
        "lex.amazonaws.com",
        "lexv2.amazonaws.com",
        "bedrock.amazonaws.com",
        "alexa-appkit.amazon.com",
        "firehose.amazonaws.com",
        "secretsmanager.amazonaws.com",
    }
)
#: (type, input) of resources that make the function's service invoke it asynchronously.
ASYNC_SOURCES = (
    ("aws:cloudwatch/eventTarget:EventTarget", "arn"),
    ("aws:s3/bucketNotification:BucketNotification", "lambdaFunctions"),
    ("aws:sns/topicSubscription:TopicSubscription", "endpoint"),
    ("aws:scheduler/schedule:Schedule", "target"),
    ("aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter", "destinationArn"),
    (EVENT_INVOKE_CONFIG, "functionName"),
)
#: (type, input) of callers that wait for the answer (and own the error handling): event source
#: mappings poll and retry themselves, API Gateway, Step Functions tasks and Bedrock agents invoke
#: synchronously.
SYNC_SOURCES = (
    ("aws:lambda/eventSourceMapping:EventSourceMapping", "functionName"),
    ("aws:apigatewayv2/integration:Integration", "integrationUri"),
    ("aws:apigateway/integration:Integration", "uri"),
    ("aws:sfn/stateMachine:StateMachine", "definition"),
    ("aws:bedrock/agentAgentActionGroup:AgentAgentActionGroup", "actionGroupExecutor"),
    ("aws:lambda/invocation:Invocation", "functionName"),
    # A function URL's HTTP(S) client waits for the reply (BUFFERED: the Invoke API; RESPONSE_STREAM:
    # InvokeWithResponseStream) and gets the error: https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html,
    # https://docs.aws.amazon.com/lambda/latest/dg/config-rs-invoke-furls.html ("The invoke mode determines which API
    # operation Lambda uses to invoke your function").
    (FUNCTION_URL, "functionName"),
)
#: A permission for calls through the function's URL only, synchronous whoever the principal (SYNC_SOURCES above):
#: the action `lambda:InvokeFunctionUrl`, or `lambda:InvokeFunction` with `invokedViaFunctionUrl`, which new URLs
#: also need since October 2025 (Lambda Developer Guide, https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html;
#: pulumi_aws/lambda_/permission.py `invoked_via_function_url`: "Lambda Function URL invoke permission").
INVOKE_URL_ACTION = "lambda:invokefunctionurl"


def _url_only(permission: PolicyResource) -> bool:
    action = text(get(permission.props, "action")).lower()  # IAM action names ignore case
    return action == INVOKE_URL_ACTION or truthy(get(permission.props, "invokedViaFunctionUrl"))


def _mentions(resource: PolicyResource, key: str, function: PolicyResource) -> bool:
    """Input `key` of `resource` points at the function: a dependency, its id, or its ARN/name inside."""
    if refers_to(resource, key, function):
        return True
    value = get(resource.props, key)
    if value is None:
        return False
    blob = value if isinstance(value, str) else json.dumps(_plain_json(value))
    names = [text(get(function.props, "arn")), text(get(function.props, "name"))]
    return any(n and re.search(rf"{re.escape(n)}(?![\w-])", blob) for n in names)


def _plain_json(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _plain_json(value[k]) for k in value}
    if is_list(value):
        return [_plain_json(v) for v in value]
    return value


def invocation_modes(args: StackValidationArgs, function: PolicyResource) -> set[str]:
    """ "async" and/or "sync": how the stack's resources invoke the function (empty: nobody in the stack)."""
    modes: set[str] = set()
    for permission in resources_of(args, PERMISSION):
        if _mentions(permission, "function", function):  # a dependency or an id first (refers_to), then a text
            principal = text(get(permission.props, "principal"))
            modes.add("sync" if _url_only(permission) or principal in SYNC_PRINCIPALS else "async")
    for kind, sources in (("async", ASYNC_SOURCES), ("sync", SYNC_SOURCES)):
        for resource_type, key in sources:
            if any(_mentions(r, key, function) for r in resources_of(args, resource_type)):
                modes.add(kind)
    return modes


def _check_failure_destination(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    configs = resources_of(args, EVENT_INVOKE_CONFIG)
    # CloudFront invokes Lambda@Edge functions synchronously only: no asynchronous failure to catch.
    edge = edge_function_urns(args)

    def check(function: PolicyResource) -> None:
        if function.urn in edge:
            return
        if text(get(function.props, "deadLetterConfig", "targetArn")):
            return
        if invocation_modes(args, function) == {"sync"}:
            return  # only synchronous callers: they get the error and own the retry (not_applicable)
        for config in configs:
            if refers_to(config, "functionName", function) and text(
                get(config.props, "destinationConfig", "onFailure", "destination")
            ):
                return
        report_on(report_violation, function, "no dead-letter queue and no on-failure destination.")

    tolerant(resources_of(args, FUNCTION), check)


FAILURE_DESTINATION = PolicySpec(
    name="lambda-failure-destination",
    description="Every Lambda function invoked asynchronously has a dead-letter queue or an on-failure destination.",
    explanation=(
        "Asynchronous invocations (S3, SNS, EventBridge, schedules, log subscriptions) that keep failing are "
        "otherwise dropped silently. Functions only invoked synchronously (API Gateway, function URLs, Step "
        "Functions, Bedrock agents, event source mappings) are exempt: their caller gets the error. A function "
        "nothing in the stack invokes is treated as asynchronous. Fix: dead_letter_config={'target_arn': "
        "queue.arn} or a FunctionEventInvokeConfig with destination_config.on_failure."
    ),
    principles=("P179", "P020"),
    severity=Severity.MEDIUM,
    category=Category.RELIABILITY,
    kind=Kind.STACK,
    validate=_check_failure_destination,
    resource_types=(FUNCTION, EVENT_INVOKE_CONFIG),
)


def _function_log_group_names(function: PolicyResource, *, edge: bool) -> set[str]:
    base = text(get(function.props, "name")) or function.name
    # Lambda@Edge logs to `/aws/lambda/us-east-1.<name>` in each Region it runs in (CloudFront Developer Guide,
    # "Lambda@Edge CloudWatch metrics and logs").
    names = {f"/aws/lambda/us-east-1.{base}"} if edge else {f"/aws/lambda/{base}"}
    custom = text(get(function.props, "loggingConfig", "logGroup"))
    if custom:
        names.add(custom)
    return names


def _check_log_group(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    groups = resources_of(args, LOG_GROUP)
    edge = edge_function_urns(args)

    def check(function: PolicyResource) -> None:
        wanted = _function_log_group_names(function, edge=function.urn in edge)
        if any(text(get(g.props, "name")) in wanted for g in groups):
            return
        if any(d.resource_type == LOG_GROUP for d in function.property_dependencies.get("loggingConfig", [])):
            return
        report_on(
            report_violation,
            function,
            f"no log group managed by the stack ({' or '.join(sorted(wanted))}); Lambda would create one that "
            "never expires and is not KMS-encrypted.",
        )

    tolerant(resources_of(args, FUNCTION), check)


LOG_GROUP_POLICY = PolicySpec(
    name="lambda-log-group",
    description="Every Lambda function logs to a log group the stack manages (retention and KMS apply).",
    explanation=(
        "A log group Lambda creates on first run keeps logs forever, unencrypted by the platform key. Fix: create "
        "aws.cloudwatch.LogGroup with retention_in_days and kms_key_id and point logging_config.log_group at it."
    ),
    principles=("P129", "P146", "P141"),
    severity=Severity.MEDIUM,
    category=Category.GOVERNANCE,
    kind=Kind.STACK,
    validate=_check_log_group,
    resource_types=(FUNCTION,),
)


def _validate_retention(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    days = get(args.props, "retentionInDays")
    if not isinstance(days, int | float) or days <= 0:
        report_violation(f"{args.name}: the log group never expires (retentionInDays is not set).", None)


LOG_RETENTION = PolicySpec(
    name="log-group-retention",
    description="Every CloudWatch log group has a retention period.",
    explanation=(
        "Logs without retention grow (and cost) forever and keep personal data longer than needed. Fix: set "
        "retention_in_days from the stack's logRetentionDays."
    ),
    principles=("P146", "P129"),
    severity=Severity.MEDIUM,
    category=Category.GOVERNANCE,
    kind=Kind.RESOURCE,
    validate=_validate_retention,
    resource_types=(LOG_GROUP,),
)


def _validate_public(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type == FUNCTION_URL and get(args.props, "authorizationType") == "NONE":
        report_violation(f"{args.name}: the function URL has authorizationType NONE (public).", None)
    if args.resource_type == PERMISSION and get(args.props, "principal") == "*":
        # Principal '*' with PrincipalOrgID is everyone of one organisation; with SourceAccount (or an
        # account-bearing SourceArn) only a service acting for that account's resources (U7).
        pending = Pending()
        condition = permission_condition(args.props, pending)
        if narrows_caller(condition, ("aws:PrincipalOrgID",)) or pins_source_owner(condition):
            return
        pending.settle()
        report_violation(f"{args.name}: the permission lets principal '*' invoke the function.", None)


NO_PUBLIC = PolicySpec(
    name="lambda-no-public-access",
    description="No Lambda function URL without auth and no invoke permission for principal '*'.",
    explanation=(
        "Either makes the function callable by anyone on the internet. Fix: front functions with API Gateway "
        "and an authorizer, use authorization_type AWS_IAM, and grant invoke to a service principal with source_arn."
    ),
    principles=("P186", "P140"),
    severity=Severity.CRITICAL,
    category=Category.SECURITY,
    kind=Kind.RESOURCE,
    validate=_validate_public,
    resource_types=(FUNCTION_URL, PERMISSION),
)


#: Lambda AddPermission turns SourceArn into `ArnLike AWS:SourceArn`, SourceAccount into `StringEquals
#: AWS:SourceAccount` and PrincipalOrgID into `StringEquals aws:PrincipalOrgID` on the function's policy
#: statement (Lambda API reference, AddPermission); each is judged as that condition (iamlang.conditions).
_PERMISSION_CONDITIONS = (
    ("sourceArn", "ArnLike", "aws:SourceArn"),
    ("sourceAccount", "StringEquals", "aws:SourceAccount"),
    ("principalOrgId", "StringEquals", "aws:PrincipalOrgID"),
)
_SERVICE_PRINCIPAL = re.compile(r"^[a-z0-9.-]+\.amazon(aws)?\.com(\.cn)?$")
_ARN_ACCOUNT_FIELD = 4


def permission_condition(props: Any, pending: Pending) -> dict[str, dict[str, Any]]:
    """The Condition block AWS writes for a lambda.Permission's source and organisation inputs."""
    condition: dict[str, dict[str, Any]] = {}
    for key, operator, condition_key in _PERMISSION_CONDITIONS:
        value = pending.read(functools.partial(get, props, key))
        if isinstance(value, str):
            condition.setdefault(operator, {})[condition_key] = value
    return condition


def pins_source_owner(condition: Mapping[str, Any]) -> bool:
    """Whether only resources of a named account (or organisation) can make the service invoke.

    aws:SourceAccount (or aws:SourceOrgID) names the owner; aws:SourceArn does only when the ARN has an
    account field: an S3 bucket ARN (`arn:aws:s3:::name`) has none, and "you could delete the bucket and
    another account could create a bucket with the same name" (Lambda Developer Guide, "Granting Lambda
    function access to AWS services", https://docs.aws.amazon.com/lambda/latest/dg/permissions-function-services.html).
    """
    if narrows_caller(condition, ("aws:SourceAccount", "aws:SourceOrgID")):
        return True
    arn = text(get(condition, "ArnLike", "aws:SourceArn"))
    fields = arn.split(":", _ARN_ACCOUNT_FIELD + 1)
    has_account = len(fields) > _ARN_ACCOUNT_FIELD and bool(fields[_ARN_ACCOUNT_FIELD])
    return has_account and narrows_caller(condition, ("aws:SourceArn",))


def _validate_permission_source(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    pending = Pending()
    principal = text(pending.read(lambda: get(args.props, "principal")))
    if not _SERVICE_PRINCIPAL.match(principal):
        pending.settle()
        return
    # Alexa skills name the caller by the skill id the invoker must supply (AddPermission EventSourceToken).
    token = text(pending.read(lambda: get(args.props, "eventSourceToken")))
    condition = permission_condition(args.props, pending)
    if token or pins_source_owner(condition):
        return  # narrowed by what is known; an unknown rest cannot widen it
    if pending.first is None:
        need = (
            "source_account (an S3 bucket ARN names no account) and source_arn"
            if principal.split(".", 1)[0] == "s3"
            else "source_arn (the ARN of the rule, topic, API or agent) or source_account"
        )
        report_violation(
            f"{args.name}: the permission lets {principal} invoke the function for any account's resources; "
            f"set {need}.",
            None,
        )
    pending.settle()


PERMISSION_SOURCE = PolicySpec(
    name="lambda-permission-source-scoped",
    description="A Lambda invoke permission for an AWS service names the source resource or account.",
    explanation=(
        "Without SourceArn or SourceAccount any resource of that service in any account (another account's "
        "bucket, topic or rule) can make the service invoke the function: the confused-deputy problem. An S3 "
        "bucket ARN carries no account, so S3 needs SourceAccount as well (Lambda Developer Guide, 'Granting "
        "Lambda function access to AWS services'). Fix: source_arn=<rule/topic/API/agent>.arn, and for S3 "
        "source_account=<account id>."
    ),
    principles=("P137", "P140", "P186"),
    severity=Severity.HIGH,
    category=Category.SECURITY,
    kind=Kind.RESOURCE,
    validate=_validate_permission_source,
    resource_types=(PERMISSION,),
)


def _validate_secrets(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    pending = Pending()
    environment = pending.read(lambda: get(args.props, "environment"), None)
    # A secret anywhere inside makes the SDK mark the whole input secret: the graph then holds the
    # placeholder for `environment` (or `variables`) itself, and the secret is in the environment all the same.
    if isinstance(environment, str) and environment in OFFLINE_SECRET_VALUES:
        report_violation(f"{args.name}: the environment holds a Pulumi secret (secure: config).", None)
        return
    variables = pending.read(lambda: get(args.props, "environment", "variables"), None) or {}
    if isinstance(variables, str):
        if variables in OFFLINE_SECRET_VALUES:
            report_violation(f"{args.name}: the environment variables hold a Pulumi secret (secure: config).", None)
        return
    found = []

    def reason_of(key: str) -> str:
        return secret_reason(key, variables[key])

    for key in sorted(str(k) for k in variables):
        reason = pending.read(functools.partial(reason_of, key), "")
        if reason:
            found.append(f"{key} ({reason})")
    if found:
        report_violation(f"{args.name}: environment variables hold secrets: {', '.join(found)}.", None)
    pending.settle()


NO_SECRETS = PolicySpec(
    name="lambda-no-secrets-in-environment",
    description="Lambda environment variables hold no secret values (pass ARNs of Secrets Manager/SSM instead).",
    explanation=(
        "Environment values are visible to anyone who can read the function configuration and end up in state "
        "files. Fix: store the secret in Secrets Manager or SSM SecureString and pass its ARN or name."
    ),
    principles=("P141", "P187"),
    severity=Severity.HIGH,
    category=Category.SECURITY,
    kind=Kind.RESOURCE,
    validate=_validate_secrets,
    resource_types=(FUNCTION,),
)

POLICIES: list[PolicySpec] = [
    TRACING,
    FAILURE_DESTINATION,
    LOG_GROUP_POLICY,
    LOG_RETENTION,
    NO_PUBLIC,
    PERMISSION_SOURCE,
    NO_SECRETS,
]
