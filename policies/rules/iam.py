"""IAM least privilege for every role, policy and trust relationship (P135, P136, P137, P140, P186).

Documents are parsed from what the engine receives: role `inlinePolicies[*].policy`, the `policy` of
RolePolicy/Policy/UserPolicy/GroupPolicy, and role `assumeRolePolicy` (JSON text).
"""

from __future__ import annotations

import re
from typing import Any

from pulumi_policy import ReportViolation, ResourceValidationArgs, Severity

from policies.lib import (
    IDENTITY_POLICY_TYPES,
    ROLE_TYPE,
    Statement,
    as_list,
    get,
    grants,
    identity_documents,
    parse_document,
    service_principals,
    text,
)
from policies.spec import Category, Kind, PolicySpec

IAM_PRINCIPLES = ("P135", "P137", "P140", "P186")
DOCUMENT_TYPES = (ROLE_TYPE, *IDENTITY_POLICY_TYPES)
ATTACHMENT_TYPES = (
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    "aws:iam/policyAttachment:PolicyAttachment",
    "aws:iam/userPolicyAttachment:UserPolicyAttachment",
    "aws:iam/groupPolicyAttachment:GroupPolicyAttachment",
)

#: AWS managed policies that grant (near) full control of an account.
ADMIN_MANAGED_POLICIES = ("AdministratorAccess", "PowerUserAccess", "IAMFullAccess")
_MANAGED_ARN = re.compile(r"^arn:aws[\w-]*:iam::aws:policy/(?:[\w+=,.@-]+/)*([\w+=,.@-]+)$")

#: Action verbs that only read. Anything else on Resource '*' is a write on everything.
_READ_VERBS = (
    "Get",
    "List",
    "Describe",
    "Head",
    "BatchGet",
    "Query",
    "Scan",
    "Search",
    "Lookup",
    "Detect",
    "Retrieve",
    "View",
    "Check",
    "Validate",
)
#: Actions AWS does not allow to be scoped to a resource (Service Authorization Reference: no resource
#: types listed for them), so Resource '*' is the only valid value.
UNSCOPABLE_ACTIONS = frozenset(
    a.lower()
    for a in (
        "xray:PutTraceSegments",
        "xray:PutTelemetryRecords",
        "cloudwatch:PutMetricData",
        "ec2:CreateNetworkInterface",
        "ec2:DeleteNetworkInterface",
        "ec2:AssignPrivateIpAddresses",
        "ec2:UnassignPrivateIpAddresses",
        "logs:CreateLogDelivery",
        "logs:PutResourcePolicy",
        "logs:UpdateLogDelivery",
        "logs:DeleteLogDelivery",
    )
)

#: Bedrock actions that run a model; their resources must be model or inference-profile ARNs.
BEDROCK_INVOKE_ACTIONS = ("bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream")
_MODEL_ARN = re.compile(
    r"^arn:aws[\w-]*:bedrock:[a-z0-9*-]*:(\d{12})?:"
    r"(foundation-model|inference-profile|application-inference-profile|provisioned-model|custom-model)/[^*]+$"
)

#: Service principals whose trust policies support aws:SourceAccount / aws:SourceArn (the services'
#: "cross-service confused deputy prevention" guides). Lambda execution roles and API Gateway do not;
#: nor CloudTrail's CloudWatch Logs role, which AWS documents without conditions and CreateTrail validates
#: by assuming it (awscloudtrail/latest/userguide/send-cloudtrail-events-to-cloudwatch-logs.html).
CONDITIONED_SERVICES = (
    "bedrock.amazonaws.com",
    "states.amazonaws.com",
    "scheduler.amazonaws.com",
    "config.amazonaws.com",
    "pipes.amazonaws.com",
)
_SOURCE_KEYS = ("aws:sourceaccount", "aws:sourcearn", "aws:sourceorgid")


def _statements(args: ResourceValidationArgs) -> list[tuple[str, Statement]]:
    found: list[tuple[str, Statement]] = []
    for label, document in identity_documents(args.resource_type, args.props):
        found.extend((label, s) for s in parse_document(document))
    return found


def _policy(
    name: str, description: str, explanation: str, validate: Any, types: tuple[str, ...], **kw: Any
) -> PolicySpec:
    return PolicySpec(
        name=name,
        description=description,
        explanation=explanation,
        principles=kw.pop("principles", IAM_PRINCIPLES),
        severity=kw.pop("severity", Severity.HIGH),
        category=Category.SECURITY,
        kind=Kind.RESOURCE,
        validate=validate,
        resource_types=types,
    )


def _validate_wildcard_action(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    for label, statement in _statements(args):
        if not statement.allows:
            continue
        if statement.not_actions:
            report_violation(f"{args.name}: {label} allows NotAction (every action but a few).", None)
            continue
        wild = [a for a in statement.actions if a == "*" or a.endswith(":*")]
        if wild:
            report_violation(f"{args.name}: {label} allows wildcard actions {', '.join(wild)}.", None)


NO_WILDCARD_ACTION = _policy(
    "iam-no-wildcard-action",
    "IAM policies allow exact actions, never '*' or 'service:*'.",
    "Wildcard actions grant everything a service can do, now and in future. Fix: list the exact actions the "
    "code calls (components.iam.statement rejects wildcards at construction).",
    _validate_wildcard_action,
    DOCUMENT_TYPES,
    severity=Severity.CRITICAL,
)


def _managed_policy_arns(args: ResourceValidationArgs) -> list[str]:
    if args.resource_type == ROLE_TYPE:
        return [text(a) for a in as_list(get(args.props, "managedPolicyArns"))]
    return [text(get(args.props, "policyArn"))]


def _validate_admin(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    for arn in _managed_policy_arns(args):
        match = _MANAGED_ARN.match(arn)
        if match and match.group(1) in ADMIN_MANAGED_POLICIES:
            report_violation(f"{args.name}: attaches the AWS managed policy {match.group(1)}.", None)


NO_ADMIN = _policy(
    "iam-no-admin-managed-policies",
    "No role, user or group gets AdministratorAccess, PowerUserAccess or IAMFullAccess.",
    "These managed policies give (near) full control of the account. Fix: write a scoped policy with the "
    "exact actions and resources.",
    _validate_admin,
    (ROLE_TYPE, *ATTACHMENT_TYPES),
    severity=Severity.CRITICAL,
)


def _is_read_only(action: str) -> bool:
    if ":" not in action or "*" in action:
        return False
    verb = action.split(":", 1)[1]
    return verb.startswith(_READ_VERBS)


def _validate_wildcard_resource(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    for label, statement in _statements(args):
        if not statement.allows or "*" not in statement.resources:
            continue
        writes = [a for a in statement.actions if not _is_read_only(a) and a.lower() not in UNSCOPABLE_ACTIONS]
        if writes or statement.not_actions:
            report_violation(f"{args.name}: {label} allows {', '.join(writes) or 'NotAction'} on Resource '*'.", None)


NO_WILDCARD_RESOURCE = _policy(
    "iam-no-wildcard-resource-for-writes",
    "Actions that change things name their resources; only read-only or unscopable actions use '*'.",
    "A write on Resource '*' reaches every resource of that kind in the account. Fix: name the ARNs "
    "(use the resources' .arn outputs).",
    _validate_wildcard_resource,
    DOCUMENT_TYPES,
)


def _validate_passrole(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    for label, statement in _statements(args):
        if not grants(statement, "iam:PassRole"):
            continue
        broad = [r for r in statement.resources if r == "*" or r.endswith(":role/*")] or (
            ["NotResource"] if statement.not_resources else []
        )
        if broad:
            report_violation(f"{args.name}: {label} allows iam:PassRole on {', '.join(broad)}.", None)


PASSROLE = _policy(
    "iam-passrole-scoped",
    "iam:PassRole names the exact roles it may pass.",
    "PassRole on '*' lets a principal hand any role (including admin roles) to a service. Fix: set Resource to "
    "the role ARNs and add Condition {StringEquals: {iam:PassedToService: <service>}}.",
    _validate_passrole,
    DOCUMENT_TYPES,
    severity=Severity.CRITICAL,
)


def _validate_bedrock_invoke(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    for label, statement in _statements(args):
        if not any(grants(statement, a) for a in BEDROCK_INVOKE_ACTIONS):
            continue
        bad = [r for r in statement.resources if not _MODEL_ARN.match(r)] or (
            ["NotResource"] if statement.not_resources else []
        )
        if bad:
            report_violation(f"{args.name}: {label} allows Bedrock model invocation on {', '.join(bad)}.", None)


BEDROCK_INVOKE = _policy(
    "iam-bedrock-invoke-scoped",
    "bedrock:InvokeModel* is scoped to foundation-model or inference-profile ARNs of named models.",
    "Invoking any model bypasses tiered model selection and its cost controls. Fix: set Resource to "
    "arn:aws:bedrock:<region>::foundation-model/<model id> (and the inference-profile ARN when one is used).",
    _validate_bedrock_invoke,
    DOCUMENT_TYPES,
    principles=("P136", "P135", "P183", "P186"),
)


def _has_source_condition(statement: Statement) -> bool:
    for values in statement.condition.values():
        if isinstance(values, dict) and any(str(k).lower() in _SOURCE_KEYS for k in values):
            return True
    return False


def _validate_trust(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    for statement in parse_document(get(args.props, "assumeRolePolicy")):
        if not statement.allows:
            continue
        services = [s for s in service_principals(statement.principal) if s in CONDITIONED_SERVICES]
        if services and not _has_source_condition(statement):
            report_violation(
                f"{args.name}: the trust policy lets {', '.join(services)} assume the role without an "
                "aws:SourceAccount or aws:SourceArn condition.",
                None,
            )


TRUST_CONDITIONED = _policy(
    "iam-service-trust-conditioned",
    "Service trust policies carry aws:SourceAccount/aws:SourceArn where the service supports them.",
    "Without them another account's resource of the same service can make AWS assume this role (the "
    "confused-deputy problem). Fix: add Condition {StringEquals: {aws:SourceAccount: <account>}, ArnLike: "
    "{aws:SourceArn: <the agent/state machine ARN pattern>}}.",
    _validate_trust,
    (ROLE_TYPE,),
    principles=("P137", "P140", "P186"),
)

POLICIES: list[PolicySpec] = [
    NO_WILDCARD_ACTION,
    NO_ADMIN,
    NO_WILDCARD_RESOURCE,
    PASSROLE,
    BEDROCK_INVOKE,
    TRUST_CONDITIONED,
]
