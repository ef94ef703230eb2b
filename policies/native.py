"""The pulumi-aws (classic) view of Pulumi aws-native resources, so the pack's rules judge both providers.

Pulumi's aws-native provider (`aws-native:<service>:<Type>`) takes CloudFormation-shaped inputs: the
camelCase of the CloudFormation property names (`AssumeRolePolicyDocument` -> `assumeRolePolicyDocument`),
and policy documents as objects, not JSON text. The pack's rules are written against pulumi-aws inputs.
Rather than teaching every rule a second vocabulary (type by type, rule by rule), this module says once, per
aws-native type, which pulumi-aws resources it amounts to and with which inputs: an `aws-native:iam:Role` is an
`aws:iam/role:Role` (trust policy, inline policies, managed policy ARNs); an `aws-native:iam:User` is the
UserPolicy and UserPolicyAttachmentsExclusive of its inline and managed policies; an `aws-native:logs:LogGroup`
is a LogGroup and, when it carries one, a LogResourcePolicy. Where a type only renames inputs, one table says
so (`RENAMES`: twin type and `{aws-native name: pulumi-aws name}`, read by one generic translate); the
functions below are the types whose views nest, split or multiply. `PolicySpec.check` runs a resource rule over
these views, so every document rule (wildcards, admin, public, the Service Authorization Reference checks,
federated trust) and every resource rule of the twin (encryption, rotation, retention, public access) judges
the aws-native resource too, and a finding still names the aws-native resource.

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

from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from pulumi_policy import PolicyResource, ResourceValidationArgs
from pulumi_policy.proxy import _DictProxy, _ListProxy, unknown_checking_proxy

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


@dataclass(frozen=True)
class Twin:
    """How one aws-native type reads as pulumi-aws resources: the types its views can have, and the views."""

    types: frozenset[str]
    translate: Translate


def _twin(translate: Translate, *types: str) -> Twin:
    return Twin(frozenset(types), translate)


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
    "aws-native:sns:TopicPolicy": _twin(_topic_policy, "aws:sns/topicPolicy:TopicPolicy"),
    "aws-native:dynamodb:Table": _twin(_table, "aws:dynamodb/table:Table"),
    "aws-native:logs:LogGroup": _twin(
        _log_group, "aws:cloudwatch/logGroup:LogGroup", "aws:cloudwatch/logResourcePolicy:LogResourcePolicy"
    ),
    "aws-native:ecr:Repository": _twin(_repository, "aws:ecr/repositoryPolicy:RepositoryPolicy"),
    "aws-native:events:EventBus": _twin(
        _event_bus, "aws:cloudwatch/eventBus:EventBus", "aws:cloudwatch/eventBusPolicy:EventBusPolicy"
    ),
    **{native: _twin(_renamed(twin, names), twin) for native, (twin, names) in RENAMES.items()},
}


def twin_types(resource_type: str) -> frozenset[str]:
    """The pulumi-aws types an aws-native type reads as (empty for every other type)."""
    twin = TWINS.get(resource_type)
    return twin.types if twin is not None else frozenset()


def views(resource_type: str, props: Mapping[str, Any]) -> list[View]:
    """The pulumi-aws views of one aws-native resource's plain inputs (unknown values stay as they are)."""
    twin = TWINS.get(resource_type)
    return list(twin.translate(props)) if twin is not None else []


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
    for resource_type, props in views(resource.resource_type, source):
        if resource_type not in types:
            continue
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
            resource.property_dependencies,
        )


def native_args(args: ResourceValidationArgs, types: Collection[str]) -> Iterator[ResourceValidationArgs]:
    """The resource's views of the given pulumi-aws types, as the arguments a rule of those types takes.

    The name, URN, options, provider and policy settings are the resource's own, so a finding names the
    aws-native resource; the inputs are re-wrapped in the unknown-checking proxy, so an unknown value still
    reads as "cannot tell yet".
    """
    props_of = plain(args.props)
    for resource_type, props in views(args.resource_type, props_of if isinstance(props_of, Mapping) else {}):
        if resource_type in types:
            yield ResourceValidationArgs(
                resource_type,
                unknown_checking_proxy(props),
                args.urn,
                args.name,
                args.opts,
                args.provider,
                args.get_config(),
                getattr(args, "stack_tags", None),
            )
