"""Lambda functions: failures land somewhere, traces and logs are kept, nothing is public (P179, P131, P129)."""

from __future__ import annotations

import re
from typing import Any

from pulumi_policy import PolicyResource, ReportViolation, ResourceValidationArgs, Severity, StackValidationArgs

from policies.lib import get, refers_to, report_on, resources_of, text, tolerant
from policies.rules.edge import edge_function_urns
from policies.spec import Category, Kind, PolicySpec

FUNCTION = "aws:lambda/function:Function"
EVENT_INVOKE_CONFIG = "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig"
FUNCTION_URL = "aws:lambda/functionUrl:FunctionUrl"
PERMISSION = "aws:lambda/permission:Permission"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"

_SECRET_NAME = re.compile(r"(SECRET|PASSWORD|PASSWD|PRIVATE_KEY|API_KEY|ACCESS_KEY|TOKEN|CREDENTIAL)", re.IGNORECASE)
# References, not secrets: ARNs, SSM parameter paths, CloudFormation-style dynamic references.
_REFERENCE = re.compile(r"^(arn:|/|\{\{resolve:|ssm:|secretsmanager:)")
# Values that are secrets whatever their name: AWS access key ids, PEM private keys, bearer tokens.
_SECRET_VALUE = re.compile(r"(^(AKIA|ASIA)[A-Z0-9]{16}$)|(-----BEGIN [A-Z ]*PRIVATE KEY-----)|(^(sk|ghp|xox[bp])[-_])")


def _validate_tracing(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    # lambda TracingMode: Active | PassThrough (botocore service model).
    if get(args.props, "tracingConfig", "mode") != "Active":
        report_violation(f"{args.name}: X-Ray active tracing is off (tracingConfig.mode is not Active).", None)


TRACING = PolicySpec(
    name="lambda-active-tracing",
    description="Lambda functions have X-Ray active tracing.",
    explanation="Traces follow a request across the event-driven workflow. Fix: tracing_config={'mode': 'Active'}.",
    principles=("P131",),
    severity=Severity.LOW,
    category=Category.GOVERNANCE,
    kind=Kind.RESOURCE,
    validate=_validate_tracing,
    resource_types=(FUNCTION,),
)


def _check_failure_destination(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    configs = resources_of(args, EVENT_INVOKE_CONFIG)
    # CloudFront invokes Lambda@Edge functions synchronously only: no asynchronous failure to catch.
    edge = edge_function_urns(args)

    def check(function: PolicyResource) -> None:
        if function.urn in edge:
            return
        if text(get(function.props, "deadLetterConfig", "targetArn")):
            return
        for config in configs:
            if refers_to(config, "functionName", function) and text(
                get(config.props, "destinationConfig", "onFailure", "destination")
            ):
                return
        report_on(report_violation, function, "no dead-letter queue and no on-failure destination.")

    tolerant(resources_of(args, FUNCTION), check)


FAILURE_DESTINATION = PolicySpec(
    name="lambda-failure-destination",
    description="Every Lambda function has a dead-letter queue or an on-failure destination.",
    explanation=(
        "Asynchronous invocations that keep failing are otherwise dropped silently. Fix: dead_letter_config="
        "{'target_arn': queue.arn} or a FunctionEventInvokeConfig with destination_config.on_failure."
    ),
    principles=("P179", "P020"),
    severity=Severity.MEDIUM,
    category=Category.RELIABILITY,
    kind=Kind.STACK,
    validate=_check_failure_destination,
    resource_types=(FUNCTION,),
)


def _function_log_group_names(function: PolicyResource, edge: bool = False) -> set[str]:
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


def _looks_secret(name: str, value: Any) -> bool:
    if not isinstance(value, str) or not value:
        return False
    if _SECRET_VALUE.search(value):
        return True
    return (
        bool(_SECRET_NAME.search(name))
        and not _REFERENCE.match(value)
        and not name.upper().endswith(("_ARN", "_NAME", "_PARAMETER", "_PATH", "_ID"))
    )


def _validate_secrets(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    variables = get(args.props, "environment", "variables") or {}
    found = sorted(str(k) for k in variables if _looks_secret(str(k), variables[k]))
    if found:
        report_violation(f"{args.name}: environment variables look like secrets: {', '.join(found)}.", None)


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

POLICIES: list[PolicySpec] = [TRACING, FAILURE_DESTINATION, LOG_GROUP_POLICY, LOG_RETENTION, NO_PUBLIC, NO_SECRETS]
