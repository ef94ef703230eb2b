"""The device edge: IoT policies and Greengrass v2 components and deployments, anyone's (P077-P083).

IoT: a device may connect only as its own thing (client id `${iot:Connection.Thing.ThingName}`) and
publish or subscribe only under topics carrying its thing name; no `iot:*`, no `*` resources, and no
policy attached (to a thing, group or certificate) that lets one device act as another (AWS IoT Core
Developer Guide, "Thing policy variables", https://docs.aws.amazon.com/iot/latest/developerguide/thing-policy-variables.html).

Greengrass v2 (Pulumi's aws-native provider, `aws-native:greengrassv2:*`; pulumi-aws has no Greengrass v2):
component artifacts come from an encrypted bucket of the stack with a pinned digest (P081), components do
not run as root, and deployments target a thing group (a fleet), never one device by accident or `*`.
Recipe fields from the AWS IoT Greengrass V2 Developer Guide, "AWS IoT Greengrass component recipe
reference" (`Manifests[].Artifacts[].Uri/Digest/Algorithm`, `Manifests[].Lifecycle`, `RequiresPrivilege`,
`ComponentConfiguration`, the nucleus `runWithDefault.posixUser`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

import yaml
from pulumi_policy import PolicyResource, ReportViolation, ResourceValidationArgs, Severity, StackValidationArgs

from policies.lib import as_list, get, parse_document, refers_to, report_on, resources_of, text, tolerant
from policies.spec import Category, Kind, PolicySpec

IOT_POLICY = "aws:iot/policy:Policy"
#: Where `iot-policy-least-privilege` reads an IoT policy's document (policies.rules.document_unknown reads it too).
IOT_POLICY_INPUTS = {IOT_POLICY: "policy"}
IOT_POLICY_ATTACHMENT = "aws:iot/policyAttachment:PolicyAttachment"
COMPONENT_VERSION = "aws-native:greengrassv2:ComponentVersion"
DEPLOYMENT = "aws-native:greengrassv2:Deployment"
BUCKET_TYPES = ("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2")
BUCKET_ENCRYPTION = (
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
)

THING_NAME = "${iot:Connection.Thing.ThingName}"
#: Actions whose resource is a client id or a topic; each must be bound to the thing name.
_BOUND_ACTIONS = ("iot:connect", "iot:publish", "iot:receive", "iot:subscribe", "iot:retainpublish")
ROOT_USERS = ("root", "0")
#: The Greengrass core device data-plane actions AWS documents on Resource "*" only ("Minimal AWS IoT policy
#: for AWS IoT Greengrass V2 core devices", https://docs.aws.amazon.com/greengrass/v2/developerguide/device-auth.html#greengrass-core-minimal-iot-policy).
#: A statement of only these may use "*"; any other action next to them may not.
GREENGRASS_CORE_STAR_ACTIONS = (
    "greengrass:getcomponentversionartifact",
    "greengrass:resolvecomponentcandidates",
    "greengrass:getdeploymentconfiguration",
    "greengrass:listthinggroupsforcoredevice",
)


# ----------------------------------------------------------------------------------------- IoT policies


def iot_policy_problems(document: Any) -> list[str]:
    """Why an IoT policy document lets a device do more than be itself (empty when it does not)."""
    problems: list[str] = []
    for statement in parse_document(document):
        if not statement.allows:
            continue
        actions = [a.lower() for a in statement.actions]
        if statement.not_actions or any(a == "*" or a.endswith(":*") for a in actions):  # iot:*, any service:*
            problems.append(f"wildcard actions {sorted(statement.actions or statement.not_actions)}")
        core_only = bool(actions) and all(a in GREENGRASS_CORE_STAR_ACTIONS for a in actions)
        if statement.not_resources or (any(r == "*" for r in statement.resources) and not core_only):
            problems.append(f"'*' resources for {sorted(statement.actions)}")
            continue
        for action in actions:
            if action not in _BOUND_ACTIONS:
                continue
            unbound = [r for r in statement.resources if THING_NAME not in r]
            if unbound:
                problems.append(f"{action} on {unbound} is not bound to {THING_NAME}")
    return list(dict.fromkeys(problems))


def _validate_iot_policy(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    for problem in iot_policy_problems(get(args.props, IOT_POLICY_INPUTS[args.resource_type])):
        report_violation(f"{args.name}: {problem}.", None)


IOT_LEAST_PRIVILEGE = PolicySpec(
    name="iot-policy-least-privilege",
    description="IoT policies name exact actions and resources, with client ids and topics bound to the thing name.",
    explanation=(
        "A device certificate is the device's identity; a policy with iot:* or '*' lets any holder read and "
        "write every topic. Fix: iot:Connect on client/${iot:Connection.Thing.ThingName}, iot:Publish/Receive on "
        "topic/<prefix>/${iot:Connection.Thing.ThingName}/..., iot:Subscribe on topicfilter/... likewise."
    ),
    principles=("P135", "P140", "P186"),
    severity=Severity.HIGH,
    category=Category.SECURITY,
    kind=Kind.RESOURCE,
    validate=_validate_iot_policy,
    resource_types=(IOT_POLICY,),
)


def _check_attachments(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    policies = resources_of(args, IOT_POLICY)

    def check(attachment: PolicyResource) -> None:
        for policy in policies:
            if refers_to(attachment, "policy", policy) and iot_policy_problems(get(policy.props, "policy")):
                report_on(
                    report_violation,
                    attachment,
                    f"attaches {policy.name}, which lets a device act beyond its own thing name, to "
                    f"{text(get(attachment.props, 'target')) or 'a target'}.",
                )

    tolerant(resources_of(args, IOT_POLICY_ATTACHMENT), check)


IOT_NO_SHARED_IDENTITY = PolicySpec(
    name="iot-attached-policy-bound-to-thing",
    description="No IoT policy is attached to a device, group or certificate unless it binds each device to itself.",
    explanation=(
        "An attached policy whose client ids or topics are not ${iot:Connection.Thing.ThingName}-bound lets one "
        "device connect as, or publish for, another. Fix: bind the policy to the thing name, then attach it."
    ),
    principles=("P186", "P140"),
    severity=Severity.CRITICAL,
    category=Category.SECURITY,
    kind=Kind.STACK,
    validate=_check_attachments,
    resource_types=(IOT_POLICY_ATTACHMENT,),
)


# ------------------------------------------------------------------------------------------ Greengrass


def recipe_of(value: Any) -> dict[str, Any]:
    """The component recipe (JSON or YAML text) as a dict; {} when it cannot be read."""
    if isinstance(value, Mapping):
        return json.loads(json.dumps(dict(value), default=str))
    if not isinstance(value, str) or not value.strip():
        return {}
    try:
        loaded = yaml.safe_load(value)  # JSON is YAML too
    except yaml.YAMLError:
        return {}
    return loaded if isinstance(loaded, dict) else {}


def _artifacts(recipe: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    for manifest in as_list(recipe.get("Manifests")):
        if isinstance(manifest, Mapping):
            for artifact in as_list(manifest.get("Artifacts")):
                if isinstance(artifact, Mapping):
                    yield artifact


def _encrypted_bucket_names(args: StackValidationArgs) -> set[str]:
    names: set[str] = set()
    encryption = resources_of(args, *BUCKET_ENCRYPTION)
    for bucket in resources_of(args, *BUCKET_TYPES):
        if any(refers_to(config, "bucket", bucket, "bucket") for config in encryption):
            names.update(n for n in (text(get(bucket.props, "bucket")), text(get(bucket.props, "id"))) if n)
    return names


def _check_artifacts(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    buckets = _encrypted_bucket_names(args)

    def check(component: PolicyResource) -> None:
        recipe = recipe_of(get(component.props, "inlineRecipe"))
        for artifact in _artifacts(recipe):
            uri = text(artifact.get("Uri"))
            bucket = uri.removeprefix("s3://").split("/", 1)[0] if uri.startswith("s3://") else ""
            if bucket not in buckets:
                report_on(
                    report_violation,
                    component,
                    f"artifact {uri or '(no Uri)'} is not in an encrypted bucket of this stack.",
                )
            if not text(artifact.get("Digest")) or text(artifact.get("Algorithm")).upper() not in (
                "SHA-256",
                "SHA-384",
                "SHA-512",
            ):
                report_on(
                    report_violation,
                    component,
                    f"artifact {uri or '(no Uri)'} has no pinned digest (Digest and Algorithm).",
                )

    tolerant(resources_of(args, COMPONENT_VERSION), check)


GREENGRASS_ARTIFACTS = PolicySpec(
    name="greengrass-artifacts-pinned",
    description="Greengrass component artifacts come from an encrypted bucket of the stack, each with a pinned digest.",
    explanation=(
        "A device runs whatever the artifact URI serves; a pinned digest makes a swapped or truncated object "
        "fail verification on the device (P081). Fix: upload artifacts to the stack's KMS-encrypted, versioned "
        "bucket and put Digest (base64 SHA-256) and Algorithm: SHA-256 on every artifact of the recipe."
    ),
    principles=("P081", "P141"),
    severity=Severity.HIGH,
    category=Category.SECURITY,
    kind=Kind.STACK,
    validate=_check_artifacts,
    resource_types=(COMPONENT_VERSION,),
)


def _posix_user(recipe: Mapping[str, Any]) -> str:
    config = recipe.get("ComponentConfiguration") or {}
    defaults = config.get("DefaultConfiguration") if isinstance(config, Mapping) else None
    if isinstance(defaults, Mapping):
        run_with = defaults.get("runWithDefault") or defaults.get("RunWith") or {}
        if isinstance(run_with, Mapping):
            return text(run_with.get("posixUser"))
    return ""


def root_problems(recipe: Mapping[str, Any]) -> list[str]:
    problems: list[str] = []
    user = _posix_user(recipe).split(":", 1)[0]
    if user in ROOT_USERS:
        problems.append(f"its default posixUser is {user}")
    for manifest in as_list(recipe.get("Manifests")):
        lifecycle = manifest.get("Lifecycle") if isinstance(manifest, Mapping) else None
        for step, body in (lifecycle or {}).items() if isinstance(lifecycle, Mapping) else ():
            if isinstance(body, Mapping) and body.get("RequiresPrivilege") in (True, "true", "True"):
                problems.append(f"lifecycle step {step} requires privilege (runs as root)")
    return problems


def _validate_not_root(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    for problem in root_problems(recipe_of(get(args.props, "inlineRecipe"))):
        report_violation(f"{args.name}: {problem}.", None)


GREENGRASS_NOT_ROOT = PolicySpec(
    name="greengrass-component-not-root",
    description="Greengrass components run as an unprivileged user, never as root.",
    explanation=(
        "A component that runs as root can read the device's private key and change the nucleus. Fix: no "
        "RequiresPrivilege in the lifecycle and no root posixUser; the nucleus runs components as ggc_user."
    ),
    principles=("P135", "P083"),
    severity=Severity.HIGH,
    category=Category.SECURITY,
    kind=Kind.RESOURCE,
    validate=_validate_not_root,
    resource_types=(COMPONENT_VERSION,),
)


def _validate_target(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    target = text(get(args.props, "targetArn"))
    if ":thinggroup/" not in target or target.endswith("/") or "*" in target:
        report_violation(f"{args.name}: the deployment targets {target or '(nothing)'}, not one thing group.", None)


GREENGRASS_TARGET = PolicySpec(
    name="greengrass-deployment-targets-group",
    description="Greengrass deployments target one thing group (the fleet), not a single thing or a wildcard.",
    explanation=(
        "Fleets are managed as groups: a deployment to a single thing is forgotten when the device is replaced, "
        "and a wildcard is never what was meant. Fix: target_arn=thing_group.arn."
    ),
    principles=("P081", "P135"),
    severity=Severity.MEDIUM,
    category=Category.GOVERNANCE,
    kind=Kind.RESOURCE,
    validate=_validate_target,
    resource_types=(DEPLOYMENT,),
)

POLICIES: list[PolicySpec] = [
    IOT_LEAST_PRIVILEGE,
    IOT_NO_SHARED_IDENTITY,
    GREENGRASS_ARTIFACTS,
    GREENGRASS_NOT_ROOT,
    GREENGRASS_TARGET,
]
