"""Policy-document helpers: every IAM statement a component writes goes through here.

Least privilege is the easy path (P135, P137, P140, P186): a statement names exact actions on exact
resources, and a wildcard in either is rejected with ValueError when the component is constructed,
long before anything reaches AWS. Documents are rendered with `pulumi.Output.json_dumps`, so ARNs
that are still unknown (Outputs) can be used directly.

Examples
--------
>>> doc = policy_document([statement(["s3:GetObject"], [bucket.arn.apply(lambda a: f"{a}/*")])])
>>> role_policy(role, "reader", [statement(["sqs:SendMessage"], [queue.arn])], parent=self)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pulumi
import pulumi_aws as aws

# One definition of "wildcard" for components and the policy pack (iamlang/__init__.py says why it lives
# in neither).
from iamlang.wildcards import is_wildcard_action, is_wildcard_resource

POLICY_VERSION = "2012-10-17"

#: A role to attach policies to: the Role resource itself, or its name.
RoleRef = aws.iam.Role | pulumi.Input[str]


def _check_action(action: str) -> None:
    if not isinstance(action, str) or ":" not in action:
        raise ValueError(f"IAM action must be 'service:Action', got {action!r}")
    if is_wildcard_action(action):
        raise ValueError(f"wildcard IAM action {action!r}: name the exact actions (P135 least privilege)")


def _check_resource(resource: object) -> None:
    # Outputs are ARNs of resources this program creates; only literal text can be checked here.
    if isinstance(resource, str):
        if is_wildcard_resource(resource):
            raise ValueError(f"wildcard IAM resource {resource!r}: name the exact resource ARN (P135)")
        if not resource.startswith("arn:"):
            raise ValueError(f"IAM resource must be an ARN, got {resource!r}")


def statement(
    actions: Sequence[str],
    resources: Sequence[pulumi.Input[str]],
    conditions: Mapping[str, Mapping[str, Any]] | None = None,
    *,
    effect: str = "Allow",
    sid: str | None = None,
    principal: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """One IAM statement with exact actions and resources.

    `resources` may hold Outputs (ARNs of resources being created); literal strings must be ARNs
    and may end in `/*` only below a named resource (`arn:aws:s3:::bucket/*`), never be `*`.
    Raises ValueError for an empty list, a wildcard action or a wildcard resource.
    """
    if effect not in ("Allow", "Deny"):
        raise ValueError(f"effect must be Allow or Deny, got {effect!r}")
    if not actions:
        raise ValueError("a statement needs at least one action")
    if not resources:
        raise ValueError("a statement needs at least one resource")
    for action in actions:
        _check_action(action)
    for resource in resources:
        _check_resource(resource)
    result: dict[str, Any] = {}
    if sid:
        result["Sid"] = sid
    result["Effect"] = effect
    if principal is not None:
        result["Principal"] = dict(principal)
    result["Action"] = sorted(set(actions))
    result["Resource"] = list(resources)
    if conditions:
        result["Condition"] = {op: dict(values) for op, values in conditions.items()}
    return result


def policy_document(statements: Sequence[Mapping[str, Any]]) -> pulumi.Output[str]:
    """A policy document as JSON text (an Output, since statements may hold Outputs)."""
    if not statements:
        raise ValueError("a policy document needs at least one statement")
    return pulumi.Output.json_dumps({"Version": POLICY_VERSION, "Statement": [dict(s) for s in statements]})


def service_trust(
    service: str,
    account_id: pulumi.Input[str],
    source_arn: pulumi.Input[str] | None = None,
    *,
    source_arn_like: bool = False,
) -> pulumi.Output[str]:
    """A role trust policy for one AWS service, usable only on behalf of this account (confused deputy).

    `service` is the principal (`lambda.amazonaws.com`); the statement is conditioned on
    `aws:SourceAccount` and, when given, `aws:SourceArn` (ArnLike when `source_arn_like`).
    """
    if not service.endswith(".amazonaws.com") or "*" in service:
        raise ValueError(f"service principal must be '<service>.amazonaws.com', got {service!r}")
    conditions: dict[str, dict[str, Any]] = {"StringEquals": {"aws:SourceAccount": account_id}}
    if source_arn is not None:
        conditions["ArnLike" if source_arn_like else "ArnEquals"] = {"aws:SourceArn": source_arn}
    return pulumi.Output.json_dumps(
        {
            "Version": POLICY_VERSION,
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": service},
                    "Action": "sts:AssumeRole",
                    "Condition": conditions,
                }
            ],
        }
    )


def documented_service_trust(service: str) -> pulumi.Output[str]:
    """A role trust policy in the exact form a service documents, without confused-deputy conditions.

    Only for roles the service validates by assuming them at configuration time and whose documented
    trust carries no aws:SourceAccount/aws:SourceArn: API Gateway's account-level CloudWatch role
    (https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html) and CloudTrail's
    CloudWatch Logs role, which CreateTrail assumes before the trail exists
    (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/send-cloudtrail-events-to-cloudwatch-logs.html,
    role CloudTrail_CloudWatchLogs_Role). Everything else uses `service_trust`.
    """
    if service not in DOCUMENTED_UNCONDITIONED_TRUST:
        raise ValueError(f"{service} is not documented with an unconditioned trust; use service_trust")
    return pulumi.Output.json_dumps(
        {
            "Version": POLICY_VERSION,
            "Statement": [{"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}],
        }
    )


#: Services whose documented role trust has no conditions (documented_service_trust).
DOCUMENTED_UNCONDITIONED_TRUST = ("apigateway.amazonaws.com", "cloudtrail.amazonaws.com")


def role_key(role: RoleRef, name: str | None = None) -> str:
    """A stable token naming a role in logical resource names (the Role's logical name or its name).

    A role given as an Output name has no value at construction time: pass `name` explicitly, so the
    logical name of the policy (and so its URN) does not change between runs.
    """
    if name:
        return name
    if isinstance(role, aws.iam.Role):
        return role._name  # the logical name is the stable handle we have
    if isinstance(role, str):
        return role
    raise ValueError("the role is an Output: pass name=... so the grant's logical name is stable")


def role_name(role: RoleRef) -> pulumi.Input[str]:
    """The role's name, for `aws.iam.RolePolicy(role=...)`."""
    if isinstance(role, aws.iam.Role):
        return role.name
    return role


def role_policy(
    role: RoleRef,
    name: str,
    statements: Sequence[Mapping[str, Any]],
    *,
    parent: pulumi.Resource | None = None,
    opts: pulumi.ResourceOptions | None = None,
) -> aws.iam.RolePolicy:
    """Attach an inline policy built from `statements` to `role`.

    `name` is the logical resource name; it must be unique in the stack (component grant methods
    compose it from their own name, the grant and the role).
    """
    options = pulumi.ResourceOptions(parent=parent) if parent is not None else pulumi.ResourceOptions()
    if opts is not None:
        options = pulumi.ResourceOptions.merge(options, opts)
    return aws.iam.RolePolicy(name, role=role_name(role), policy=policy_document(statements), opts=options)
