"""What the CI roles may do, as reviewable tables and pure functions that render IAM documents.

The deploy roles get the services the platform deploys and nothing else, on ARNs in this account and
region; IAM writes are limited to roles and policies named `<prefix>-*`, and the bootstrap's own
bucket, keys and roles are protected by explicit denies. The preview role reads only (no object data,
no item data, no log events, no secret values) and may write nothing but Pulumi's lock files.

No statement allows `*` or a whole service (`lambda:*`); verb families such as `lambda:Get*` are
used where a resource type has many read calls the provider makes during refresh.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from bootstrap_settings import GITHUB_OIDC_AUDIENCE, GITHUB_OIDC_HOST

Statement = dict[str, Any]
PolicyDocument = dict[str, Any]

#: Regional ARN scope of a service in this account: `arn:aws:lambda:us-east-1:123456789012:*`.
_REGIONAL = "arn:{partition}:{service}:{region}:{account}:*"


@dataclass(frozen=True)
class ServiceAccess:
    """One AWS service the platform deploys: what a preview reads and what a deploy also writes."""

    service: str
    #: Which shared managed policy carries its deploy statement (one policy cannot hold them all).
    group: str
    read: tuple[str, ...]
    write: tuple[str, ...]
    resources: tuple[str, ...] = (_REGIONAL,)


#: The services of the platform's components (components/), one row each. Adding a component that
#: uses a new service means adding its row here and re-running the bootstrap.
SERVICES: tuple[ServiceAccess, ...] = (
    ServiceAccess(
        "lambda",
        "compute",
        read=("lambda:Get*", "lambda:List*"),
        write=(
            "lambda:Create*",
            "lambda:Delete*",
            "lambda:Update*",
            "lambda:Put*",
            "lambda:Publish*",
            "lambda:TagResource",
            "lambda:UntagResource",
            "lambda:AddPermission",
            "lambda:RemovePermission",
        ),
    ),
    ServiceAccess(
        "states",
        "compute",
        read=("states:Describe*", "states:List*"),
        write=(
            "states:CreateStateMachine",
            "states:CreateStateMachineAlias",
            "states:DeleteStateMachine",
            "states:DeleteStateMachineAlias",
            "states:DeleteStateMachineVersion",
            "states:UpdateStateMachine",
            "states:UpdateStateMachineAlias",
            "states:PublishStateMachineVersion",
            "states:TagResource",
            "states:UntagResource",
        ),
    ),
    ServiceAccess(
        "events",
        "compute",
        read=("events:Describe*", "events:List*"),
        write=(
            "events:CreateEventBus",
            "events:DeleteEventBus",
            "events:PutRule",
            "events:DeleteRule",
            "events:EnableRule",
            "events:DisableRule",
            "events:PutTargets",
            "events:RemoveTargets",
            "events:CreateArchive",
            "events:DeleteArchive",
            "events:UpdateArchive",
            "events:PutPermission",
            "events:RemovePermission",
            "events:TagResource",
            "events:UntagResource",
        ),
    ),
    ServiceAccess(
        "scheduler",
        "compute",
        read=("scheduler:Get*", "scheduler:List*"),
        write=(
            "scheduler:CreateSchedule",
            "scheduler:DeleteSchedule",
            "scheduler:UpdateSchedule",
            "scheduler:CreateScheduleGroup",
            "scheduler:DeleteScheduleGroup",
            "scheduler:TagResource",
            "scheduler:UntagResource",
        ),
    ),
    ServiceAccess(
        "dynamodb",
        "data",
        # Describe*/List* only: GetItem, Query and Scan read data, which neither role needs.
        read=("dynamodb:Describe*", "dynamodb:ListTagsOfResource"),
        write=(
            "dynamodb:CreateTable",
            "dynamodb:DeleteTable",
            "dynamodb:UpdateTable",
            "dynamodb:UpdateTimeToLive",
            "dynamodb:UpdateContinuousBackups",
            "dynamodb:TagResource",
            "dynamodb:UntagResource",
        ),
    ),
    ServiceAccess(
        "sqs",
        "data",
        read=("sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:ListQueueTags", "sqs:ListDeadLetterSourceQueues"),
        write=("sqs:CreateQueue", "sqs:DeleteQueue", "sqs:SetQueueAttributes", "sqs:TagQueue", "sqs:UntagQueue"),
    ),
    ServiceAccess(
        "sns",
        "data",
        read=(
            "sns:GetTopicAttributes",
            "sns:GetSubscriptionAttributes",
            "sns:ListSubscriptionsByTopic",
            "sns:ListTagsForResource",
        ),
        write=(
            "sns:CreateTopic",
            "sns:DeleteTopic",
            "sns:SetTopicAttributes",
            "sns:Subscribe",
            "sns:Unsubscribe",
            "sns:SetSubscriptionAttributes",
            "sns:TagResource",
            "sns:UntagResource",
        ),
    ),
    ServiceAccess(
        "logs",
        "data",
        # No GetLogEvents/FilterLogEvents: the roles manage log groups, they do not read logs.
        read=("logs:Describe*", "logs:ListTagsForResource", "logs:ListTagsLogGroup", "logs:GetDataProtectionPolicy"),
        write=(
            "logs:CreateLogGroup",
            "logs:DeleteLogGroup",
            "logs:PutRetentionPolicy",
            "logs:DeleteRetentionPolicy",
            "logs:AssociateKmsKey",
            "logs:DisassociateKmsKey",
            "logs:PutMetricFilter",
            "logs:DeleteMetricFilter",
            "logs:PutSubscriptionFilter",
            "logs:DeleteSubscriptionFilter",
            "logs:PutDataProtectionPolicy",
            "logs:DeleteDataProtectionPolicy",
            "logs:TagResource",
            "logs:UntagResource",
            "logs:TagLogGroup",
            "logs:UntagLogGroup",
        ),
    ),
    ServiceAccess(
        "cloudwatch",
        "data",
        read=("cloudwatch:Describe*", "cloudwatch:GetDashboard", "cloudwatch:ListTagsForResource"),
        write=(
            "cloudwatch:PutMetricAlarm",
            "cloudwatch:PutCompositeAlarm",
            "cloudwatch:DeleteAlarms",
            "cloudwatch:PutDashboard",
            "cloudwatch:DeleteDashboards",
            "cloudwatch:TagResource",
            "cloudwatch:UntagResource",
        ),
    ),
    ServiceAccess(
        "xray",
        "data",
        read=("xray:GetGroup", "xray:GetSamplingRules", "xray:ListTagsForResource"),
        write=(
            "xray:CreateGroup",
            "xray:DeleteGroup",
            "xray:UpdateGroup",
            "xray:CreateSamplingRule",
            "xray:DeleteSamplingRule",
            "xray:UpdateSamplingRule",
            "xray:TagResource",
            "xray:UntagResource",
        ),
    ),
    ServiceAccess(
        "kms",
        "data",
        # The platform's own customer-managed keys. No Encrypt/Decrypt: deploying a key needs neither.
        read=("kms:DescribeKey", "kms:GetKeyPolicy", "kms:GetKeyRotationStatus", "kms:ListResourceTags"),
        write=(
            "kms:CreateAlias",
            "kms:DeleteAlias",
            "kms:UpdateAlias",
            "kms:EnableKeyRotation",
            "kms:PutKeyPolicy",
            "kms:ScheduleKeyDeletion",
            "kms:UpdateKeyDescription",
            "kms:TagResource",
            "kms:UntagResource",
        ),
    ),
    ServiceAccess(
        "s3",
        "data",
        # Bucket configuration only: no GetObject on the platform's data.
        read=(
            "s3:GetBucket*",
            "s3:GetAccelerateConfiguration",
            "s3:GetEncryptionConfiguration",
            "s3:GetLifecycleConfiguration",
            "s3:GetReplicationConfiguration",
            "s3:GetIntelligentTieringConfiguration",
        ),
        write=(
            "s3:CreateBucket",
            "s3:DeleteBucket",
            "s3:DeleteBucketPolicy",
            "s3:PutBucket*",
            "s3:PutEncryptionConfiguration",
            "s3:PutLifecycleConfiguration",
            "s3:PutAccelerateConfiguration",
            "s3:PutIntelligentTieringConfiguration",
            "s3:ListBucket",
            "s3:ListBucketVersions",
            # Objects Pulumi manages in the platform's own buckets (the state bucket is not `<prefix>-*`).
            "s3:PutObject",
            "s3:GetObject",
            "s3:DeleteObject",
        ),
        resources=("arn:{partition}:s3:::{prefix}-*", "arn:{partition}:s3:::{prefix}-*/*"),
    ),
    ServiceAccess(
        "schemas",
        "compute",
        read=("schemas:Describe*", "schemas:List*"),
        write=(
            "schemas:CreateRegistry",
            "schemas:DeleteRegistry",
            "schemas:UpdateRegistry",
            "schemas:CreateSchema",
            "schemas:DeleteSchema",
            "schemas:UpdateSchema",
            "schemas:TagResource",
            "schemas:UntagResource",
        ),
    ),
    ServiceAccess(
        "apigateway",
        "compute",
        # API Gateway's IAM actions are the HTTP verbs of its management API.
        read=("apigateway:GET",),
        write=("apigateway:POST", "apigateway:PUT", "apigateway:PATCH", "apigateway:DELETE"),
        resources=("arn:{partition}:apigateway:{region}::/*",),
    ),
    ServiceAccess(
        "cloudtrail",
        "governance",
        read=(
            "cloudtrail:DescribeTrails",
            "cloudtrail:GetTrail",
            "cloudtrail:GetTrailStatus",
            "cloudtrail:GetEventSelectors",
            "cloudtrail:ListTags",
        ),
        write=(
            "cloudtrail:CreateTrail",
            "cloudtrail:DeleteTrail",
            "cloudtrail:UpdateTrail",
            "cloudtrail:StartLogging",
            "cloudtrail:PutEventSelectors",
            "cloudtrail:AddTags",
            "cloudtrail:RemoveTags",
        ),
    ),
    ServiceAccess(
        "config",
        "governance",
        read=("config:Describe*", "config:ListTagsForResource"),
        write=(
            "config:PutConfigRule",
            "config:DeleteConfigRule",
            "config:PutConformancePack",
            "config:DeleteConformancePack",
            "config:TagResource",
            "config:UntagResource",
        ),
    ),
    ServiceAccess(
        "budgets",
        "governance",
        read=("budgets:ViewBudget", "budgets:ListTagsForResource"),
        write=("budgets:ModifyBudget", "budgets:TagResource", "budgets:UntagResource"),
        resources=("arn:{partition}:budgets::{account}:budget/*",),
    ),
    ServiceAccess(
        "bedrock",
        "compute",
        read=("bedrock:Get*", "bedrock:List*"),
        write=(
            "bedrock:CreateAgent",
            "bedrock:UpdateAgent",
            "bedrock:DeleteAgent",
            "bedrock:PrepareAgent",
            "bedrock:CreateAgentAlias",
            "bedrock:UpdateAgentAlias",
            "bedrock:DeleteAgentAlias",
            "bedrock:CreateAgentActionGroup",
            "bedrock:UpdateAgentActionGroup",
            "bedrock:DeleteAgentActionGroup",
            "bedrock:AssociateAgentKnowledgeBase",
            "bedrock:DisassociateAgentKnowledgeBase",
            "bedrock:CreateKnowledgeBase",
            "bedrock:UpdateKnowledgeBase",
            "bedrock:DeleteKnowledgeBase",
            "bedrock:CreateDataSource",
            "bedrock:UpdateDataSource",
            "bedrock:DeleteDataSource",
            "bedrock:CreateGuardrail",
            "bedrock:UpdateGuardrail",
            "bedrock:DeleteGuardrail",
            "bedrock:CreateGuardrailVersion",
            "bedrock:TagResource",
            "bedrock:UntagResource",
        ),
        resources=(_REGIONAL, "arn:{partition}:bedrock:{region}::foundation-model/*"),
    ),
)

#: Calls that IAM authorizes only on `Resource: "*"` (they act on no particular resource).
ACCOUNT_LEVEL_READ: tuple[str, ...] = (
    "kms:ListAliases",
    "logs:DescribeLogGroups",
    "logs:DescribeResourcePolicies",
    "logs:ListLogDeliveries",
    "logs:GetLogDelivery",
    "xray:GetEncryptionConfig",
    "bedrock:ListFoundationModels",
    "bedrock:GetModelInvocationLoggingConfiguration",
)
ACCOUNT_LEVEL_WRITE: tuple[str, ...] = (
    "kms:CreateKey",
    "lambda:CreateEventSourceMapping",
    "logs:CreateLogDelivery",
    "logs:UpdateLogDelivery",
    "logs:DeleteLogDelivery",
    "logs:PutResourcePolicy",
    "logs:DeleteResourcePolicy",
    "states:ValidateStateMachineDefinition",
    # Account-wide singletons the dev stack owns (Pulumi.dev.yaml `owns`): Config recorder, Bedrock logging.
    "config:PutConfigurationRecorder",
    "config:DeleteConfigurationRecorder",
    "config:PutDeliveryChannel",
    "config:DeleteDeliveryChannel",
    "config:StartConfigurationRecorder",
    "config:StopConfigurationRecorder",
    "bedrock:PutModelInvocationLoggingConfiguration",
    "bedrock:DeleteModelInvocationLoggingConfiguration",
)

#: IAM on the platform's own roles and policies (`<prefix>-*`).
IAM_ROLE_READ: tuple[str, ...] = (
    "iam:GetRole",
    "iam:GetRolePolicy",
    "iam:ListRolePolicies",
    "iam:ListAttachedRolePolicies",
    "iam:ListInstanceProfilesForRole",
    "iam:ListRoleTags",
    "iam:GetPolicy",
    "iam:GetPolicyVersion",
    "iam:ListPolicyVersions",
    "iam:ListPolicyTags",
)
IAM_ROLE_WRITE: tuple[str, ...] = (
    "iam:CreateRole",
    "iam:DeleteRole",
    "iam:UpdateRole",
    "iam:UpdateRoleDescription",
    "iam:UpdateAssumeRolePolicy",
    "iam:PutRolePolicy",
    "iam:DeleteRolePolicy",
    "iam:TagRole",
    "iam:UntagRole",
    "iam:CreatePolicy",
    "iam:DeletePolicy",
    "iam:CreatePolicyVersion",
    "iam:DeletePolicyVersion",
    "iam:TagPolicy",
    "iam:UntagPolicy",
)
IAM_ATTACH: tuple[str, ...] = ("iam:AttachRolePolicy", "iam:DetachRolePolicy")

#: Services the platform's roles are passed to (`iam:PassRole` is allowed for these only).
PASS_ROLE_SERVICES: tuple[str, ...] = (
    "lambda.amazonaws.com",
    "states.amazonaws.com",
    "events.amazonaws.com",
    "scheduler.amazonaws.com",
    "bedrock.amazonaws.com",
    "config.amazonaws.com",
)

#: What no CI role may do to the bootstrap's buckets, keys, aliases, roles and policies, whatever else allows
#: it (the deploy roles' `<prefix>-*` grants never match them; these denies keep it so if names change).
PROTECTED_BUCKET_ACTIONS: tuple[str, ...] = (
    "s3:DeleteBucket",
    "s3:DeleteBucketPolicy",
    "s3:PutBucketPolicy",
    "s3:PutBucketVersioning",
    "s3:PutBucketPublicAccessBlock",
    "s3:PutEncryptionConfiguration",
    "s3:PutLifecycleConfiguration",
    "s3:PutBucketLogging",
    "s3:PutBucketOwnershipControls",
    "s3:DeleteObjectVersion",
)
PROTECTED_KEY_ACTIONS: tuple[str, ...] = (
    "kms:ScheduleKeyDeletion",
    "kms:DisableKey",
    "kms:DisableKeyRotation",
    "kms:PutKeyPolicy",
    "kms:CreateGrant",
    "kms:TagResource",
    "kms:UntagResource",
)
PROTECTED_ALIAS_ACTIONS: tuple[str, ...] = ("kms:CreateAlias", "kms:DeleteAlias", "kms:UpdateAlias")
PROTECTED_ROLE_ACTIONS: tuple[str, ...] = (
    "iam:DeleteRole",
    "iam:UpdateRole",
    "iam:UpdateAssumeRolePolicy",
    "iam:PutRolePolicy",
    "iam:DeleteRolePolicy",
    "iam:AttachRolePolicy",
    "iam:DetachRolePolicy",
    "iam:PutRolePermissionsBoundary",
    "iam:DeleteRolePermissionsBoundary",
    "iam:TagRole",
    "iam:UntagRole",
)
PROTECTED_POLICY_ACTIONS: tuple[str, ...] = (
    "iam:CreatePolicyVersion",
    "iam:DeletePolicy",
    "iam:DeletePolicyVersion",
    "iam:SetDefaultPolicyVersion",
    "iam:TagPolicy",
    "iam:UntagPolicy",
)

#: IAM's size quotas, in characters without whitespace: all inline policies of a role together, and
#: one managed policy.
INLINE_POLICY_LIMIT = 10_240
MANAGED_POLICY_LIMIT = 6_144


@dataclass(frozen=True)
class Scope:
    """Where the roles act: this account and region, the platform's prefix, the bootstrap's resources."""

    partition: str
    account: str
    region: str
    prefix: str
    state_bucket_arn: str
    state_key_arn: str
    log_bucket_arn: str
    bootstrap_path: str

    def fill(self, patterns: Iterable[str], service: str = "") -> list[str]:
        return [
            p.format(
                partition=self.partition, service=service, region=self.region, account=self.account, prefix=self.prefix
            )
            for p in patterns
        ]

    def iam_names(self, stack: str = "") -> list[str]:
        """The platform's roles and policies: `<prefix>-<stack>-*` for one stack, `<prefix>-*` for all."""
        name = f"{self.prefix}-{stack}-*" if stack else f"{self.prefix}-*"
        return [
            f"arn:{self.partition}:iam::{self.account}:role/{name}",
            f"arn:{self.partition}:iam::{self.account}:policy/{name}",
        ]


def document(statements: Sequence[Statement]) -> PolicyDocument:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def _allow(sid: str, actions: Iterable[str], resources: Iterable[str], **condition: Any) -> Statement:
    statement: Statement = {
        "Sid": sid,
        "Effect": "Allow",
        "Action": sorted(set(actions)),
        "Resource": sorted(set(resources)),
    }
    if condition:
        statement["Condition"] = condition
    return statement


def _deny(sid: str, actions: Iterable[str], resources: Iterable[str]) -> Statement:
    return {"Sid": sid, "Effect": "Deny", "Action": sorted(set(actions)), "Resource": sorted(set(resources))}


def state_statements(
    scope: Scope, stacks: Sequence[str], secrets_key_arns: Sequence[str], *, write: bool
) -> list[Statement]:
    """Access to Pulumi's DIY backend objects for `stacks` (`.pulumi/` in the state bucket) and their keys.

    A preview takes the stack's lock (writes and deletes an object under `.pulumi/locks/`) and reads
    the checkpoint; an update also writes the checkpoint, its history and backups. Object keys follow
    the layout of Pulumi's DIY backend: `.pulumi/{stacks,locks,history,backups}/<project>/<stack>...`.
    """
    bucket = scope.state_bucket_arn
    readable = [f"{bucket}/.pulumi/meta.yaml"]
    writable: list[str] = []
    for stack in stacks:
        readable += [f"{bucket}/.pulumi/stacks/*/{stack}.json*", f"{bucket}/.pulumi/history/*/{stack}/*"]
        writable += [f"{bucket}/.pulumi/locks/*/{stack}/*"]
        if write:
            writable += [
                f"{bucket}/.pulumi/stacks/*/{stack}.json*",
                f"{bucket}/.pulumi/history/*/{stack}/*",
                f"{bucket}/.pulumi/backups/*/{stack}/*",
            ]
    statements = [
        _allow("StateBucketList", ["s3:ListBucket", "s3:GetBucketLocation", "s3:GetBucketVersioning"], [bucket]),
        _allow("StateRead", ["s3:GetObject"], readable + writable),
        _allow("StateWrite", ["s3:PutObject", "s3:DeleteObject"], writable),
        # The bucket's objects are encrypted with the state key (SSE-KMS with a bucket key).
        _allow("StateKey", ["kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"], [scope.state_key_arn]),
        # awskms:// secrets provider: each stack's data key is decrypted with its environment's key.
        _allow("StackSecrets", ["kms:Decrypt", "kms:DescribeKey"], secrets_key_arns),
    ]
    return statements


def _protect(scope: Scope, secrets_key_arns: Sequence[str]) -> list[Statement]:
    role_arn = f"arn:{scope.partition}:iam::{scope.account}:role{scope.bootstrap_path}*"
    policy_arn = f"arn:{scope.partition}:iam::{scope.account}:policy{scope.bootstrap_path}*"
    alias_arn = f"arn:{scope.partition}:kms:{scope.region}:{scope.account}:alias/{scope.prefix}-pulumi-*"
    return [
        _deny(
            "ProtectBootstrapBuckets",
            PROTECTED_BUCKET_ACTIONS,
            [
                scope.state_bucket_arn,
                f"{scope.state_bucket_arn}/*",
                scope.log_bucket_arn,
                f"{scope.log_bucket_arn}/*",
            ],
        ),
        _deny("ProtectBootstrapKeys", PROTECTED_KEY_ACTIONS, [scope.state_key_arn, *secrets_key_arns]),
        _deny("ProtectBootstrapAliases", PROTECTED_ALIAS_ACTIONS, [alias_arn]),
        _deny("ProtectBootstrapRoles", PROTECTED_ROLE_ACTIONS, [role_arn]),
        _deny("ProtectBootstrapPolicies", PROTECTED_POLICY_ACTIONS, [policy_arn]),
    ]


def service_groups() -> list[str]:
    """The names of the deploy roles' managed service policies, in table order."""
    return list(dict.fromkeys(svc.group for svc in SERVICES))


def deploy_service_policies(scope: Scope) -> dict[str, PolicyDocument]:
    """The platform's services, as the managed policies every deploy role shares (one per `group`)."""
    groups: dict[str, list[Statement]] = {}
    for svc in SERVICES:
        statement = _allow(
            f"Deploy{svc.service.capitalize()}", svc.read + svc.write, scope.fill(svc.resources, svc.service)
        )
        groups.setdefault(svc.group, []).append(statement)
    return {group: document(statements) for group, statements in groups.items()}


def deploy_policy(
    scope: Scope, stack: str, secrets_key_arn: str, all_secrets_key_arns: Sequence[str]
) -> PolicyDocument:
    """The inline part of a deploy role: its stack's state and secrets key, the platform's IAM, the denies."""
    statements = state_statements(scope, [stack], [secrets_key_arn], write=True)
    statements += [
        _allow("AccountLevel", ACCOUNT_LEVEL_READ + ACCOUNT_LEVEL_WRITE, ["*"]),
        # Physical names carry the stack (components/settings.py `name`): dev cannot touch prod's roles.
        _allow("PlatformIam", IAM_ROLE_READ + IAM_ROLE_WRITE, scope.iam_names(stack)),
        # Only AWS's service-role policies and the platform's own: never AdministratorAccess.
        _allow(
            "PlatformIamAttach",
            IAM_ATTACH,
            scope.iam_names(stack)[:1],
            ArnLike={
                "iam:PolicyARN": [
                    f"arn:{scope.partition}:iam::aws:policy/service-role/*",
                    f"arn:{scope.partition}:iam::{scope.account}:policy/{scope.prefix}-{stack}-*",
                ]
            },
        ),
        _allow(
            "PassPlatformRoles",
            ["iam:PassRole"],
            scope.iam_names(stack)[:1],
            StringEquals={"iam:PassedToService": list(PASS_ROLE_SERVICES)},
        ),
    ]
    return document(statements + _protect(scope, all_secrets_key_arns))


def policy_size(policy: PolicyDocument) -> int:
    """Characters IAM counts against its size quotas (it ignores whitespace)."""
    return len(json.dumps(policy, separators=(",", ":")))


def preview_policy(scope: Scope, stacks: Sequence[str], secrets_key_arns: Sequence[str]) -> PolicyDocument:
    """What `pulumi preview --refresh` of every platform stack needs: reads, and Pulumi's lock files."""
    statements = state_statements(scope, stacks, secrets_key_arns, write=False)
    for svc in SERVICES:
        statements.append(_allow(f"Read{svc.service.capitalize()}", svc.read, scope.fill(svc.resources, svc.service)))
    statements += [
        _allow("AccountLevelRead", ACCOUNT_LEVEL_READ, ["*"]),
        _allow("PlatformIamRead", IAM_ROLE_READ, scope.iam_names()),
    ]
    return document(statements + _protect(scope, secrets_key_arns))


def github_trust_policy(provider_arn: str, subjects: Sequence[str]) -> PolicyDocument:
    """Trust for GitHub Actions OIDC tokens whose `sub` is exactly one of `subjects` (no wildcards)."""
    return document(
        [
            {
                "Sid": "GitHubActionsOidc",
                "Effect": "Allow",
                "Principal": {"Federated": provider_arn},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {
                    "StringEquals": {
                        f"{GITHUB_OIDC_HOST}:aud": GITHUB_OIDC_AUDIENCE,
                        f"{GITHUB_OIDC_HOST}:sub": list(subjects),
                    },
                },
            }
        ]
    )
