"""The pulumi-aws (classic) view of Pulumi aws-native resources, so the pack's rules judge both providers.

Pulumi's aws-native provider (`aws-native:<service>:<Type>`) takes CloudFormation-shaped inputs: the camelCase of
the CloudFormation property names (`AssumeRolePolicyDocument` -> `assumeRolePolicyDocument`), and policy documents
as objects, not JSON text. The pack's rules are written against pulumi-aws inputs. Rather than teaching every rule a
second vocabulary (type by type, rule by rule), this module says once, per aws-native type, which pulumi-aws
resources it amounts to and with which inputs: an `aws-native:iam:Role` is an `aws:iam/role:Role` (trust policy,
inline policies, managed policy ARNs); an `aws-native:iam:User` is the UserPolicy and UserPolicyAttachmentsExclusive
of its inline and managed policies; an `aws-native:sso:PermissionSet` the ssoadmin exclusive managed policy
attachment and inline policy of its `ManagedPolicies` and `InlinePolicy`; an `aws-native:logs:LogGroup` is a
LogGroup and, when it carries one, a LogResourcePolicy; an `aws-native:s3:Bucket` is a BucketV2 and the companions
of the settings it carries inline (public access block, versioning, default encryption, logging, lifecycle), which
point at it as pulumi-aws companions point at their bucket (`Twin.links`), so the S3 stack rules join them; an
`aws-native:stepfunctions:StateMachine` is an sfn StateMachine (its definition substituted, its first log
destination the `logDestination`), so the workflow rules judge it and the functions it invokes count as invoked
synchronously. Tags, a
`{key, value}` list in most aws-native types, are a map in every view (policies.tags). Where a type only renames
inputs, one table says so (`RENAMES`: twin type and `{aws-native name: pulumi-aws name}`, read by one generic
translate); the functions below are the types whose views nest, split or multiply. `PolicySpec.check` runs a
resource rule over these views, so every document rule (wildcards, admin, public, the Service Authorization
Reference checks, federated trust) and every resource rule of the twin (encryption, rotation, retention, public
access) judges the aws-native resource too, and a finding still names the aws-native resource.

Stack rules see the same views: `policies.lib.resources_of` (and `attached`, built on it) returns, beside the
stack's pulumi-aws resources of the types asked for, the views of those types of its aws-native resources
(`stack_views`), each a PolicyResource with the aws-native resource's name, URN, parent and dependencies, so a
native function is held to the stack rules of functions (tracing, log group, failure destination) and a native
log group or event invoke config counts as the function's. aws-native types without a view here, and without a
rule of their own (Greengrass v2, `policies/rules/devices.py`), are reported by `resource-not-judged`
(`policies/rules/coverage.py`), never passed silently.

Input names are those of the installed pulumi-aws-native 1.84.0 (each resource class's `_internal_init`,
pulumi/pulumi-aws-native sdk/python/pulumi_aws_native/<service>/<type>.py, whose snake_case names Pulumi sends
as camelCase); their meaning is that of the CloudFormation resource reference,
https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-template-resource-type-ref.html
(`tests/policies/test_native.py` checks every name, nested ones such as `sseSpecification.sseEnabled` too, against
the SDK's input types, and every twin input against pulumi-aws).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from pulumi_policy import PolicyResource, ResourceValidationArgs
from pulumi_policy.proxy import _DictProxy, _ListProxy, unknown_checking_proxy

from policies import wrappers
from policies.tags import tag_map

#: One view: a pulumi-aws type token and the inputs the aws-native resource amounts to for it.
View = tuple[str, dict[str, Any]]
Translate = Callable[[Mapping[str, Any]], Iterator[View]]


def _pick(props: Mapping[str, Any], **names: str) -> dict[str, Any]:
    """`{classic: props[native]}` for each `classic=native` pair the resource sets (absent ones are left out)."""
    return {classic: props[native] for classic, native in names.items() if props.get(native) is not None}


def _items(value: Any) -> list[Any]:
    """A list input as a list (absent or not a list: none)."""
    return list(value) if isinstance(value, list) else []


def _unknown_list(value: Any) -> bool:
    """A list input that is a string is an unknown marker (pulumi_policy's UNKNOWN_*_VALUE): pass it on, so the
    rule meets it and says "cannot tell yet" instead of judging an empty list."""
    return isinstance(value, str)


def _role(props: Mapping[str, Any]) -> Iterator[View]:
    # AWS::IAM::Role: AssumeRolePolicyDocument, Policies[{PolicyName, PolicyDocument}], ManagedPolicyArns.
    inline: Any = [
        {"name": p.get("policyName"), "policy": p.get("policyDocument")}
        for p in _items(props.get("policies"))
        if isinstance(p, Mapping)
    ]
    view = _pick(
        props,
        assumeRolePolicy="assumeRolePolicyDocument",
        managedPolicyArns="managedPolicyArns",
        permissionsBoundary="permissionsBoundary",
        name="roleName",
        path="path",
        maxSessionDuration="maxSessionDuration",
        tags="tags",
    )
    if _unknown_list(props.get("policies")):
        inline = props["policies"]
    if inline:
        view["inlinePolicies"] = inline
    yield "aws:iam/role:Role", view


def _principal(kind: str) -> Translate:
    """AWS::IAM::User / AWS::IAM::Group: inline `Policies` and `ManagedPolicyArns` of the user or group."""
    singular, name_key = ("user", "userName") if kind == "user" else ("group", "groupName")
    policy_type = f"aws:iam/{singular}Policy:{singular.capitalize()}Policy"
    exclusive = f"aws:iam/{singular}PolicyAttachmentsExclusive:{singular.capitalize()}PolicyAttachmentsExclusive"

    def translate(props: Mapping[str, Any]) -> Iterator[View]:
        if _unknown_list(props.get("policies")):
            yield policy_type, {"policy": props["policies"], **_pick(props, **{singular: name_key})}
        for policy in _items(props.get("policies")):
            if isinstance(policy, Mapping):
                view = {"name": policy.get("policyName"), "policy": policy.get("policyDocument")}
                yield policy_type, {**view, **_pick(props, **{singular: name_key})}
        if props.get("managedPolicyArns") is not None:
            yield exclusive, _pick(props, policyArns="managedPolicyArns", **{name_key: name_key})

    return translate


SSO_MANAGED = "aws:ssoadmin/managedPolicyAttachmentsExclusive:ManagedPolicyAttachmentsExclusive"
SSO_INLINE = "aws:ssoadmin/permissionSetInlinePolicy:PermissionSetInlinePolicy"


def _permission_set(props: Mapping[str, Any]) -> Iterator[View]:
    """AWS::SSO::PermissionSet: `ManagedPolicies` (AWS managed policy ARNs, the complete list, as the exclusive
    attachment sets it) and `InlinePolicy` (review2 s10 #7), judged as the pulumi-aws ssoadmin attachments."""
    owner = _pick(props, instanceArn="instanceArn")
    if props.get("managedPolicies") is not None:
        yield SSO_MANAGED, {**_pick(props, managedPolicyArns="managedPolicies"), **owner}
    if props.get("inlinePolicy") is not None:
        yield SSO_INLINE, {**_pick(props, inlinePolicy="inlinePolicy"), **owner}


def _topic_policy(props: Mapping[str, Any]) -> Iterator[View]:
    # AWS::SNS::TopicPolicy: one PolicyDocument for the Topics listed (pulumi-aws: one TopicPolicy per `arn`).
    topics = _items(props.get("topics")) or [None]
    for topic in topics:
        yield "aws:sns/topicPolicy:TopicPolicy", {"arn": topic, **_pick(props, policy="policyDocument")}


def _table(props: Mapping[str, Any]) -> Iterator[View]:
    # AWS::DynamoDB::Table: SSESpecification{SSEEnabled, KMSMasterKeyId},
    # PointInTimeRecoverySpecification{PointInTimeRecoveryEnabled}, TimeToLiveSpecification{AttributeName, Enabled}.
    view = _pick(props, name="tableName", billingMode="billingMode", tags="tags")
    sse = props.get("sseSpecification")
    if isinstance(sse, Mapping):
        view["serverSideEncryption"] = _pick(sse, enabled="sseEnabled", kmsKeyArn="kmsMasterKeyId")
    pitr = props.get("pointInTimeRecoverySpecification")
    if isinstance(pitr, Mapping):
        view["pointInTimeRecovery"] = _pick(pitr, enabled="pointInTimeRecoveryEnabled")
    ttl = props.get("timeToLiveSpecification")
    if isinstance(ttl, Mapping):
        view["ttl"] = _pick(ttl, attributeName="attributeName", enabled="enabled")
    yield "aws:dynamodb/table:Table", view


def _log_group(props: Mapping[str, Any]) -> Iterator[View]:
    # AWS::Logs::LogGroup: KmsKeyId, RetentionInDays, and a ResourcePolicyDocument of its own.
    yield (
        "aws:cloudwatch/logGroup:LogGroup",
        _pick(
            props,
            name="logGroupName",
            kmsKeyId="kmsKeyId",
            retentionInDays="retentionInDays",
            logGroupClass="logGroupClass",
            tags="tags",
        ),
    )
    if props.get("resourcePolicyDocument") is not None:
        yield (
            "aws:cloudwatch/logResourcePolicy:LogResourcePolicy",
            _pick(props, policyDocument="resourcePolicyDocument"),
        )


def _repository(props: Mapping[str, Any]) -> Iterator[View]:
    # AWS::ECR::Repository: RepositoryPolicyText is the repository policy (pulumi-aws: a RepositoryPolicy).
    if props.get("repositoryPolicyText") is not None:
        yield (
            "aws:ecr/repositoryPolicy:RepositoryPolicy",
            _pick(props, policy="repositoryPolicyText", repository="repositoryName"),
        )


def _event_bus(props: Mapping[str, Any]) -> Iterator[View]:
    # AWS::Events::EventBus: KmsKeyIdentifier (named alike) and an inline Policy.
    yield (
        "aws:cloudwatch/eventBus:EventBus",
        _pick(
            props, name="name", kmsKeyIdentifier="kmsKeyIdentifier", deadLetterConfig="deadLetterConfig", tags="tags"
        ),
    )
    if props.get("policy") is not None:
        yield "aws:cloudwatch/eventBusPolicy:EventBusPolicy", _pick(props, policy="policy", eventBusName="name")


STATE_MACHINE = "aws:sfn/stateMachine:StateMachine"


def _state_machine(props: Mapping[str, Any]) -> Iterator[View]:
    # AWS::StepFunctions::StateMachine: Definition (an object) or DefinitionString with DefinitionSubstitutions
    # (`${key}` placeholders, replaced before the state machine is created), StateMachineType,
    # LoggingConfiguration{Level, IncludeExecutionData, Destinations[{CloudWatchLogsLogGroup{LogGroupArn}}]},
    # TracingConfiguration{Enabled}, EncryptionConfiguration{Type, KmsKeyId, KmsDataKeyReusePeriodSeconds}
    # (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-stepfunctions-statemachine.html).
    # pulumi-aws takes one `logDestination` (pulumi_aws/sfn/_inputs.py StateMachineLoggingConfigurationArgs), and a
    # definition in S3 (DefinitionS3Location) is none the pack can read: the view then has no `definition`.
    view = _pick(props, name="stateMachineName", roleArn="roleArn", type="stateMachineType", tags="tags")
    definition = props.get("definition")
    if definition is None:
        definition = props.get("definitionString")
        substitutions = props.get("definitionSubstitutions")
        if isinstance(definition, str) and isinstance(substitutions, Mapping):
            for key in list(substitutions):
                value = substitutions.get(key)
                value = str(value).lower() if isinstance(value, bool) else value
                if isinstance(value, (str, int)):
                    definition = definition.replace("${" + str(key) + "}", str(value))
    if definition is not None:
        view["definition"] = definition
    logging = props.get("loggingConfiguration")
    if isinstance(logging, Mapping):
        classic = _pick(logging, level="level", includeExecutionData="includeExecutionData")
        destinations = logging.get("destinations")
        first = destinations[0] if isinstance(destinations, list) and destinations else None
        group = first.get("cloudWatchLogsLogGroup") if isinstance(first, Mapping) else None
        if isinstance(group, Mapping) and group.get("logGroupArn") is not None:
            classic["logDestination"] = group.get("logGroupArn")
        elif _unknown_list(destinations):
            classic["logDestination"] = destinations
        view["loggingConfiguration"] = classic
    tracing = props.get("tracingConfiguration")
    if isinstance(tracing, Mapping):
        view["tracingConfiguration"] = _pick(tracing, enabled="enabled")
    encryption = props.get("encryptionConfiguration")
    if isinstance(encryption, Mapping):
        view["encryptionConfiguration"] = _pick(
            encryption, type="type", kmsKeyId="kmsKeyId", kmsDataKeyReusePeriodSeconds="kmsDataKeyReusePeriodSeconds"
        )
    yield STATE_MACHINE, view


# AWS::S3::Bucket carries inline what pulumi-aws 7 splits into a bucket and its companion resources, each with a
# `bucket` input (policies/rules/s3.py joins them to the bucket through it). Nested names are those of
# pulumi_aws_native/s3/_inputs.py (BucketPublicAccessBlockConfigurationArgs, BucketEncryptionArgs,
# BucketServerSideEncryptionRuleArgs, BucketLoggingConfigurationArgs, BucketRuleArgs, BucketTransitionArgs, ...)
# and of pulumi_aws/s3/_inputs.py on the twin side (BucketServerSideEncryptionConfigurationV2RuleArgs,
# BucketLifecycleConfigurationV2RuleArgs, ...); meaning: the AWS::S3::Bucket reference,
# https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-s3-bucket.html
BUCKET = "aws:s3/bucketV2:BucketV2"
BUCKET_PUBLIC_ACCESS_BLOCK = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
BUCKET_VERSIONING = "aws:s3/bucketVersioningV2:BucketVersioningV2"
BUCKET_SSE = "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2"
BUCKET_LOGGING = "aws:s3/bucketLoggingV2:BucketLoggingV2"
BUCKET_LIFECYCLE = "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2"


def _canned_acl(access_control: Any) -> Any:
    """CloudFormation's AccessControl (`PublicRead`, pulumi_aws_native.s3.BucketAccessControl) as the canned ACL
    S3 and pulumi-aws name (`public-read`): the same words, kebab-case
    (https://docs.aws.amazon.com/AmazonS3/latest/userguide/acl-overview.html#canned-acl)."""
    if not isinstance(access_control, str):
        return access_control
    return re.sub(r"(?<!^)(?=[A-Z])", "-", access_control).lower()


def _lifecycle_rule(rule: Mapping[str, Any]) -> dict[str, Any]:
    """One BucketRule (ExpirationInDays, Transitions[{TransitionInDays}], NoncurrentVersionTransitions, ...) as a
    pulumi-aws lifecycle rule (expiration.days, transitions[].days, noncurrentVersionTransitions[].noncurrentDays);
    the single `Transition`/`NoncurrentVersionTransition` forms count as one more transition."""
    view = _pick(rule, id="id", status="status", prefix="prefix")
    expiration = _pick(rule, days="expirationInDays", date="expirationDate")
    expiration |= _pick(rule, expiredObjectDeleteMarker="expiredObjectDeleteMarker")
    if expiration:
        view["expiration"] = expiration
    transitions = _items(rule.get("transitions")) + [t for t in [rule.get("transition")] if isinstance(t, Mapping)]
    if transitions:
        view["transitions"] = [
            _pick(t, days="transitionInDays", date="transitionDate", storageClass="storageClass")
            for t in transitions
            if isinstance(t, Mapping)
        ]
    noncurrent = rule.get("noncurrentVersionExpiration")
    if isinstance(noncurrent, Mapping):
        view["noncurrentVersionExpiration"] = _pick(
            noncurrent, noncurrentDays="noncurrentDays", newerNoncurrentVersions="newerNoncurrentVersions"
        )
    elif rule.get("noncurrentVersionExpirationInDays") is not None:
        view["noncurrentVersionExpiration"] = {"noncurrentDays": rule["noncurrentVersionExpirationInDays"]}
    single = rule.get("noncurrentVersionTransition")
    noncurrent_transitions = _items(rule.get("noncurrentVersionTransitions")) + (
        [single] if isinstance(single, Mapping) else []
    )
    if noncurrent_transitions:
        view["noncurrentVersionTransitions"] = [
            _pick(t, noncurrentDays="transitionInDays", storageClass="storageClass")
            for t in noncurrent_transitions
            if isinstance(t, Mapping)
        ]
    return view


def _bucket(props: Mapping[str, Any]) -> Iterator[View]:
    """The bucket (name, tags, canned ACL) and one companion per inline configuration it carries; each companion
    names the bucket by `bucketName` when set, and always by a dependency on the resource (TWINS' links)."""
    bucket = _pick(props, bucket="bucketName", tags="tags")
    if props.get("accessControl") is not None:
        bucket["acl"] = _canned_acl(props["accessControl"])
    yield BUCKET, bucket
    named = _pick(props, bucket="bucketName")
    block = props.get("publicAccessBlockConfiguration")
    if isinstance(block, Mapping):
        flags = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
        yield BUCKET_PUBLIC_ACCESS_BLOCK, {**named, **_pick(block, **{f: f for f in flags})}
    versioning = props.get("versioningConfiguration")
    if isinstance(versioning, Mapping):
        yield BUCKET_VERSIONING, {**named, "versioningConfiguration": _pick(versioning, status="status")}
    encryption = props.get("bucketEncryption")
    if isinstance(encryption, Mapping):
        rules: Any = []
        for rule in _items(encryption.get("serverSideEncryptionConfiguration")):
            if isinstance(rule, Mapping):
                view = _pick(rule, bucketKeyEnabled="bucketKeyEnabled")
                default = rule.get("serverSideEncryptionByDefault")
                if isinstance(default, Mapping):
                    view["applyServerSideEncryptionByDefault"] = _pick(
                        default, sseAlgorithm="sseAlgorithm", kmsMasterKeyId="kmsMasterKeyId"
                    )
                rules.append(view)
        if _unknown_list(encryption.get("serverSideEncryptionConfiguration")):
            rules = encryption["serverSideEncryptionConfiguration"]
        yield BUCKET_SSE, {**named, "rules": rules}
    logging = props.get("loggingConfiguration")
    if isinstance(logging, Mapping):
        yield (
            BUCKET_LOGGING,
            {**named, **_pick(logging, targetBucket="destinationBucketName", targetPrefix="logFilePrefix")},
        )
    lifecycle = props.get("lifecycleConfiguration")
    if isinstance(lifecycle, Mapping):
        rules = [_lifecycle_rule(r) for r in _items(lifecycle.get("rules")) if isinstance(r, Mapping)]
        if _unknown_list(lifecycle.get("rules")):
            rules = lifecycle["rules"]
        yield BUCKET_LIFECYCLE, {**named, "rules": rules}


#: aws-native types whose pulumi-aws view is one resource with the same values under other names:
#: `(twin type, {aws-native input: pulumi-aws input})`, each read from the CloudFormation resource reference.
RENAMES: Mapping[str, tuple[str, Mapping[str, str]]] = {
    # AWS::IAM::RolePolicy, UserPolicy, GroupPolicy: PolicyDocument, PolicyName and the owner's name.
    "aws-native:iam:RolePolicy": (
        "aws:iam/rolePolicy:RolePolicy",
        {"policyDocument": "policy", "policyName": "name", "roleName": "role"},
    ),
    "aws-native:iam:UserPolicy": (
        "aws:iam/userPolicy:UserPolicy",
        {"policyDocument": "policy", "policyName": "name", "userName": "user"},
    ),
    "aws-native:iam:GroupPolicy": (
        "aws:iam/groupPolicy:GroupPolicy",
        {"policyDocument": "policy", "policyName": "name", "groupName": "group"},
    ),
    # AWS::IAM::ManagedPolicy: PolicyDocument, ManagedPolicyName, Path, Description.
    "aws-native:iam:ManagedPolicy": (
        "aws:iam/policy:Policy",
        {"policyDocument": "policy", "managedPolicyName": "name", "path": "path", "description": "description"},
    ),
    # Resource policies of their own: the document becomes the twin's `policy` (`policyDocument` for logs).
    "aws-native:s3:BucketPolicy": (
        "aws:s3/bucketPolicy:BucketPolicy",
        {"policyDocument": "policy", "bucket": "bucket"},
    ),
    "aws-native:sqs:QueueInlinePolicy": (
        "aws:sqs/queuePolicy:QueuePolicy",
        {"policyDocument": "policy", "queue": "queueUrl"},
    ),
    "aws-native:sns:TopicInlinePolicy": (
        "aws:sns/topicPolicy:TopicPolicy",
        {"policyDocument": "policy", "topicArn": "arn"},
    ),
    "aws-native:secretsmanager:ResourcePolicy": (
        "aws:secretsmanager/secretPolicy:SecretPolicy",
        {"resourcePolicy": "policy", "secretId": "secretArn", "blockPublicPolicy": "blockPublicPolicy"},
    ),
    "aws-native:logs:ResourcePolicy": (
        "aws:cloudwatch/logResourcePolicy:LogResourcePolicy",
        {"policyDocument": "policyDocument", "policyName": "policyName"},
    ),
    # AWS::KMS::Key: KeyPolicy, EnableKeyRotation, KeySpec (default SYMMETRIC_DEFAULT), KeyUsage.
    "aws-native:kms:Key": (
        "aws:kms/key:Key",
        {
            "keyPolicy": "policy",
            "enableKeyRotation": "enableKeyRotation",
            "keySpec": "customerMasterKeySpec",
            "keyUsage": "keyUsage",
            "rotationPeriodInDays": "rotationPeriodInDays",
            "description": "description",
            "tags": "tags",
        },
    ),
    # AWS::Lambda::Function: the inputs the pack reads are named alike (Environment.Variables, KmsKeyArn, ...).
    "aws-native:lambda:Function": (
        "aws:lambda/function:Function",
        {
            "functionName": "name",
            **{
                name: name
                for name in (
                    "environment",
                    "kmsKeyArn",
                    "role",
                    "runtime",
                    "handler",
                    "memorySize",
                    "timeout",
                    "tracingConfig",
                    "deadLetterConfig",
                    "loggingConfig",
                    "layers",
                    "vpcConfig",
                    "tags",
                )
            },
        },
    ),
    # AWS::Lambda::Permission: FunctionName is pulumi-aws's `function`.
    "aws-native:lambda:Permission": (
        "aws:lambda/permission:Permission",
        {
            "functionName": "function",
            **{
                name: name
                for name in (
                    "action",
                    "principal",
                    "sourceArn",
                    "sourceAccount",
                    "principalOrgId",
                    "functionUrlAuthType",
                    "eventSourceToken",
                )
            },
        },
    ),
    # AWS::Lambda::Url: AuthType (AWS_IAM | NONE) is pulumi-aws's `authorizationType`.
    "aws-native:lambda:Url": (
        "aws:lambda/functionUrl:FunctionUrl",
        {"authType": "authorizationType", "targetFunctionArn": "functionName", "qualifier": "qualifier"},
    ),
    # AWS::Lambda::EventInvokeConfig: DestinationConfig{OnFailure{Destination}}, FunctionName, named alike.
    "aws-native:lambda:EventInvokeConfig": (
        "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig",
        {
            name: name
            for name in (
                "functionName",
                "qualifier",
                "destinationConfig",
                "maximumRetryAttempts",
                "maximumEventAgeInSeconds",
            )
        },
    ),
    # AWS::SQS::Queue: KmsMasterKeyId, SqsManagedSseEnabled (named alike); the policy is a QueueInlinePolicy.
    "aws-native:sqs:Queue": (
        "aws:sqs/queue:Queue",
        {
            "queueName": "name",
            **{n: n for n in ("kmsMasterKeyId", "sqsManagedSseEnabled", "fifoQueue", "redrivePolicy", "tags")},
        },
    ),
    # AWS::SNS::Topic: KmsMasterKeyId; the policy is a TopicPolicy or TopicInlinePolicy.
    "aws-native:sns:Topic": (
        "aws:sns/topic:Topic",
        {"topicName": "name", **{n: n for n in ("kmsMasterKeyId", "fifoTopic", "tags")}},
    ),
    # AWS::SecretsManager::Secret: KmsKeyId; the policy is an AWS::SecretsManager::ResourcePolicy.
    "aws-native:secretsmanager:Secret": (
        "aws:secretsmanager/secret:Secret",
        {n: n for n in ("name", "kmsKeyId", "description", "tags")},
    ),
}


def _renamed(twin: str, names: Mapping[str, str]) -> Translate:
    """The one translate of every RENAMES entry: each input the resource sets, under its pulumi-aws name."""

    def translate(props: Mapping[str, Any]) -> Iterator[View]:
        yield twin, {classic: props[native] for native, classic in names.items() if props.get(native) is not None}

    return translate


#: In `Twin.links`: the view's input points at the aws-native resource itself (a bucket's companions at it).
SELF = ""


@dataclass(frozen=True)
class Twin:
    """How one aws-native type reads as pulumi-aws resources: the types its views can have, the views, and the
    property dependencies its stack views carry (`links`: view type -> {view input: the aws-native input it was
    read from, or SELF}), so stack rules join a view to the resources it points at as they join pulumi-aws ones:
    a native bucket's versioning view depends, through `bucket`, on the bucket, whose view has the same URN."""

    types: frozenset[str]
    translate: Translate
    links: Mapping[str, Mapping[str, str]] = field(default_factory=dict)


def _twin(translate: Translate, *types: str, links: Mapping[str, Mapping[str, str]] | None = None) -> Twin:
    return Twin(frozenset(types), translate, links or {})


#: aws-native type -> the pulumi-aws resources it amounts to (`tests/policies/test_native.py` checks that every
#: view has one of the declared types, so `PolicySpec.applies_to` can ask without translating).
TWINS: Mapping[str, Twin] = {
    "aws-native:iam:Role": _twin(_role, "aws:iam/role:Role"),
    "aws-native:iam:User": _twin(
        _principal("user"),
        "aws:iam/userPolicy:UserPolicy",
        "aws:iam/userPolicyAttachmentsExclusive:UserPolicyAttachmentsExclusive",
    ),
    "aws-native:iam:Group": _twin(
        _principal("group"),
        "aws:iam/groupPolicy:GroupPolicy",
        "aws:iam/groupPolicyAttachmentsExclusive:GroupPolicyAttachmentsExclusive",
    ),
    "aws-native:sso:PermissionSet": _twin(_permission_set, SSO_MANAGED, SSO_INLINE),
    "aws-native:sns:TopicPolicy": _twin(_topic_policy, "aws:sns/topicPolicy:TopicPolicy"),
    "aws-native:dynamodb:Table": _twin(_table, "aws:dynamodb/table:Table"),
    "aws-native:logs:LogGroup": _twin(
        _log_group, "aws:cloudwatch/logGroup:LogGroup", "aws:cloudwatch/logResourcePolicy:LogResourcePolicy"
    ),
    "aws-native:ecr:Repository": _twin(_repository, "aws:ecr/repositoryPolicy:RepositoryPolicy"),
    "aws-native:stepfunctions:StateMachine": _twin(_state_machine, STATE_MACHINE),
    "aws-native:events:EventBus": _twin(
        _event_bus, "aws:cloudwatch/eventBus:EventBus", "aws:cloudwatch/eventBusPolicy:EventBusPolicy"
    ),
    "aws-native:s3:Bucket": _twin(
        _bucket,
        BUCKET,
        BUCKET_PUBLIC_ACCESS_BLOCK,
        BUCKET_VERSIONING,
        BUCKET_SSE,
        BUCKET_LOGGING,
        BUCKET_LIFECYCLE,
        links={
            **{
                companion: {"bucket": SELF}
                for companion in (BUCKET_PUBLIC_ACCESS_BLOCK, BUCKET_VERSIONING, BUCKET_SSE, BUCKET_LIFECYCLE)
            },
            BUCKET_LOGGING: {"bucket": SELF, "targetBucket": "loggingConfiguration"},
        },
    ),
    **{native: _twin(_renamed(twin, names), twin) for native, (twin, names) in RENAMES.items()},
}


#: Every pulumi-aws type some aws-native type reads as: what a Cloud Control / CloudFormation wrapper can declare.
ALL_TWIN_TYPES = frozenset(t for twin in TWINS.values() for t in twin.types)


def twin_types(resource_type: str) -> frozenset[str]:
    """The pulumi-aws types an aws-native type (or a wrapper declaring aws-native resources) reads as."""
    if resource_type in wrappers.READABLE:
        return ALL_TWIN_TYPES
    twin = TWINS.get(resource_type)
    return twin.types if twin is not None else frozenset()


def expansion(resource_type: str, props: Mapping[str, Any]) -> wrappers.Expansion:
    """What a Cloud Control / CloudFormation wrapper declares, judged through the views of its aws-native types."""
    return wrappers.expand(resource_type, props, lambda native_type: native_type in TWINS)


def _linked_views(
    resource_type: str, props: Mapping[str, Any]
) -> Iterator[tuple[str, dict[str, Any], Mapping[str, str]]]:
    """(view type, view inputs, the view's links) of an aws-native resource or of a wrapper's declared resources
    (a declared resource's links keep only SELF: the wrapper stands for it, its other inputs are CFN names)."""
    if resource_type in wrappers.READABLE:
        for item in expansion(resource_type, props).declared:
            twin = TWINS.get(item.native_type)
            if twin is None:
                continue
            for kind, view in twin.translate(item.native_props()):
                own = {key: SELF for key, source in twin.links.get(kind, {}).items() if source == SELF}
                yield kind, view, own
        return
    twin = TWINS.get(resource_type)
    if twin is None:
        return
    for kind, view in twin.translate(props):
        yield kind, view, twin.links.get(kind, {})


def views(resource_type: str, props: Mapping[str, Any]) -> list[View]:
    """The pulumi-aws views of one aws-native resource's plain inputs (unknown values stay as they are)."""
    # tags are a map in pulumi-aws, most often a {key, value} list in aws-native: one shape for every view
    return [
        (kind, {**view, "tags": tag_map(view["tags"])} if "tags" in view else view)
        for kind, view, _links in _linked_views(resource_type, props)
    ]


def plain(value: Any) -> Any:
    """A copy of `value` with pulumi_policy's unknown-checking proxies taken off (their `__target`), at every
    depth, so translating never reads an unknown value; the unknown markers themselves are kept."""
    if isinstance(value, _DictProxy | _ListProxy):
        value = value["__target"]
    if isinstance(value, Mapping):
        return {str(key): plain(value[key]) for key in value}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    return value


#: Outputs a stack view keeps from the aws-native resource, so stack rules can match references to it by value
#: (policies.lib.refers_to compares "id", "arn" and "name"): AWS::Lambda::Function and most types return Arn.
_IDENTITY_OUTPUTS = ("arn",)


def stack_views(resource: PolicyResource, types: Collection[str]) -> Iterator[PolicyResource]:
    """The views of the given pulumi-aws types of one stack resource (an aws-native one; none for the others).

    Everything but the type and the properties is the resource's own (name, URN, options, provider, parent,
    dependencies), so what a stack rule reports names the aws-native resource; the properties are re-wrapped in
    the unknown-checking proxy, as in `native_args`.
    """
    if twin_types(resource.resource_type).isdisjoint(types):
        return
    props_of = plain(resource.props)
    source = props_of if isinstance(props_of, Mapping) else {}
    for resource_type, view, links in _linked_views(resource.resource_type, source):
        if resource_type not in types:
            continue
        props = {**view, "tags": tag_map(view["tags"])} if "tags" in view else view
        kept = {key: source[key] for key in _IDENTITY_OUTPUTS if source.get(key) is not None and key not in props}
        yield PolicyResource(
            resource_type,
            unknown_checking_proxy({**props, **kept}),
            resource.urn,
            resource.name,
            resource.opts,
            resource.provider,
            resource.parent,
            resource.dependencies,
            _linked(resource, links),
        )


def _linked(resource: PolicyResource, links: Mapping[str, str]) -> dict[str, list[PolicyResource]]:
    """The resource's property dependencies, with each linked view input's added: the resource itself for SELF,
    else those of the aws-native input the view input was read from."""
    dependencies = dict(resource.property_dependencies)
    for key, source in links.items():
        found = [resource] if source == SELF else list(resource.property_dependencies.get(source) or [])
        dependencies[key] = [*dependencies.get(key, []), *found]
    return dependencies


def native_args(args: ResourceValidationArgs, types: Collection[str]) -> Iterator[ResourceValidationArgs]:
    """The resource's views of the given pulumi-aws types, as the arguments a rule of those types takes.

    The name, URN, options, provider and policy settings are the resource's own, so a finding names the
    aws-native resource; the inputs are re-wrapped in the unknown-checking proxy, so an unknown value still
    reads as "cannot tell yet".
    """
    props_of = plain(args.props)
    native = props_of if isinstance(props_of, Mapping) else {}
    for resource_type, props in views(args.resource_type, native):
        if resource_type in types:
            view = ResourceValidationArgs(
                resource_type,
                unknown_checking_proxy(props),
                args.urn,
                args.name,
                args.opts,
                args.provider,
                args.get_config(),
                getattr(args, "stack_tags", None),
            )
            setattr(view, _WRITTEN, _written_names(native, props))
            yield view


#: The attribute of a view's arguments holding `{view input: aws-native input}` (`written_name`).
_WRITTEN = "_native_written_names"


def _written_names(native: Mapping[str, Any], view: Mapping[str, Any]) -> dict[str, str]:
    """Each view input with the aws-native input it was read from, where that is certain (`written_as`)."""
    names = {key: written_as(native, value) for key, value in view.items()}
    return {key: name for key, name in names.items() if name is not None}


def strings(value: Any) -> Iterator[str]:
    """Every string in `value`, a mapping's keys too."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from strings(key)
            yield from strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from strings(item)


def written_as(native: Mapping[str, Any], value: Any, marks: Collection[str] = ()) -> str | None:
    """The aws-native input (of the resource's inputs `native`) a view's input `value` was read from: the one input
    that is `value` itself (a `_pick` or a RENAMES entry passes it on: `assumeRolePolicy` is the program's
    `assumeRolePolicyDocument`), or the one equal to it; else, given `marks` (strings only one input can hold, such
    as values invented offline), the first input by name holding one of them (a view that rebuilds a nested setting,
    a table's `sseSpecification.kmsMasterKeyId` read as `serverSideEncryption.kmsKeyArn`). None when not certain."""
    for same in (lambda item: item is value, lambda item: item == value):
        found = [name for name, item in native.items() if same(item)]
        if len(found) == 1:
            return found[0]
    marked = set(marks) & set(strings(value))
    return next((name for name in sorted(native) if marked & set(strings(native[name]))), None)


def written_name(args: Any, key: str) -> str:
    """The input `key` of a rule's arguments as the program wrote it: an aws-native view's input under its aws-native
    name when it passes that input on unchanged, else `key` (a finding names what the program wrote, issue 11)."""
    names = getattr(args, _WRITTEN, None)
    return names.get(key, key) if isinstance(names, dict) else key
