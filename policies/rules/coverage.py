"""No resource passes because no rule knows its type (P148).

The pack's rules are written for pulumi-aws (`aws:`) types. A Pulumi program may create resources of any
provider: Pulumi's aws-native provider (CloudFormation-shaped, `aws-native:<service>:<Type>`), or another
cloud's. An aws-native resource is judged by the rules of its pulumi-aws twin (policies.native) or by rules
that name it (Greengrass v2, policies/rules/devices.py); every other resource of a provider the pack does not
judge would pass the gate unexamined, and checkov, which sees only what the Terraform-plan bridge maps, would
not see it either. This rule makes that visible: one finding per such resource. An aws-native resource with a
pulumi-aws twin is judged by the twin's resource rules and stack rules alike (policies.native: `PolicySpec.check`
and `policies.lib.resources_of` read the same views), so it is not reported. That holds only while every stack
rule picks resources by type through `resources_of`: tests/policies/test_bedrock_usage.py fails for any rule
function that reads `args.resources` directly outside a short, reasoned list (review4 #6).

A pulumi-aws resource is judged by type, but a permission document it sets that no rule reads (an API Gateway
REST API's `policy`, a VPC endpoint's) lets in whoever it names unjudged: every such input of the installed SDK
is in policies/grant_inputs.json, and the finding is decided by the value the program sets, not by the type
(review s10 #7): absent or empty is nothing to read, unknown is left to the unknown-value rules, set and unread
is a finding naming the input.

Level: P148 (compliance monitoring) is HIGH, so the finding is mandatory in production stacks and advisory
elsewhere, the level checkov's own findings and its "not scanned" resources get (policies.profile): a
production deploy may not include what nobody judged; in development it is a warning to read. A reviewed
resource is waived with a suppression that says who reviewed it and why (policies/suppressions.yaml).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable

from pulumi_policy import PolicyResource, ReportViolation, Severity, StackValidationArgs

from policies import native, wrappers
from policies.documents import DOCUMENT_INPUTS
from policies.grant_inputs import document_paths, set_paths
from policies.lib import Pending
from policies.registry import all_policies
from policies.rules.devices import IOT_POLICY_INPUTS
from policies.rules.resource_policies import POLICY_INPUTS, SHARE_INPUTS
from policies.spec import Category, Kind, PolicySpec

#: Packages the pack judges itself (pulumi-aws), and Pulumi's own (providers, the stack).
JUDGED_PACKAGES = frozenset({"aws", "pulumi"})
#: Providers whose resources exist only in the Pulumi state (values the engine generates: random ids and
#: passwords, time offsets): nothing is created in a cloud account, so there is nothing to judge.
STATE_ONLY_PACKAGES = frozenset({"random", "time"})


#: pulumi-aws types whose permission-document input (policies.grant_inputs) is no permission document, so no
#: permission rule has to read it.
NOT_PERMISSION_POLICIES: dict[str, str] = {
    "aws:ecr/lifecyclePolicy:LifecyclePolicy": "image expiry rules (ECR lifecycle policy), not permissions",
    "aws:cloudwatch/logDataProtectionPolicy:LogDataProtectionPolicy": "data masking rules, not permissions",
    "aws:cloudwatch/logIndexPolicy:LogIndexPolicy": "field index configuration, not permissions",
    "aws:sns/dataProtectionPolicy:DataProtectionPolicy": "data masking rules, not permissions",
    "aws:opensearch/serverlessLifecyclePolicy:ServerlessLifecyclePolicy": "index retention rules, not permissions",
    "aws:resiliencehub/resiliencyPolicy:ResiliencyPolicy": "RTO/RPO targets, not permissions",
    "aws:ses/receiptFilter:ReceiptFilter": "`policy` is Allow or Block for an IP range, not a document",
    "aws:iot/policyAttachment:PolicyAttachment": "`policy` names an IoT policy, judged on aws:iot/policy:Policy",
    # "An endpoint policy does not override or replace identity-based policies or resource-based policies", and
    # without one AWS attaches the full-access default (https://docs.aws.amazon.com/vpc/latest/privatelink/
    # vpc-endpoints-access.html): a set endpoint policy can only narrow what others grant (review s10 #7).
    "aws:ec2/vpcEndpoint:VpcEndpoint": "an endpoint policy only narrows what identity and resource policies grant",
    "aws:ec2/vpcEndpointPolicy:VpcEndpointPolicy": "an endpoint policy only narrows what other policies grant",
}
#: Types whose policy document a rule of the pack reads (every grantee input of theirs too: SHARE_INPUTS).
READ_POLICY_TYPES = frozenset({*DOCUMENT_INPUTS, *POLICY_INPUTS, *IOT_POLICY_INPUTS, *SHARE_INPUTS})


@functools.cache
def unread_documents(resource_type: str) -> tuple[str, ...]:
    """The paths of a pulumi-aws type's permission documents (policies/grant_inputs.json, from the installed
    SDK) that no rule reads: a program that sets one deploys a grant nobody judged (review s10 #3, #7)."""
    if resource_type in READ_POLICY_TYPES or resource_type in NOT_PERMISSION_POLICIES:
        return ()
    return document_paths(resource_type)


def unread_policy(resource_type: str) -> bool:
    """Whether a pulumi-aws type can carry a permission document no rule reads (whether a resource of it does is
    decided by its value: `unread_set`)."""
    return bool(unread_documents(resource_type))


def unread_set(resource: PolicyResource, pending: Pending) -> list[str]:
    """The unread document paths this resource sets. Absent or empty is nothing to read (a REST API or a gateway
    endpoint without a policy, review s10 #7); an unknown one is left to the unknown-value rules (the gate's
    security-value-unknown, preflight/deferred.py) through `pending`."""
    return set_paths(resource.props, unread_documents(resource.resource_type), pending.note)


def package(resource_type: str) -> str:
    """The provider package of a type token (`aws-native` for `aws-native:s3:Bucket`)."""
    return resource_type.split(":", 1)[0]


def _named(policies: Iterable[PolicySpec]) -> frozenset[str]:
    """Every type some rule names, resource and stack rules alike, and judges as a whole (`PolicySpec.covers_types`:
    a rule that reads only the model an aws-native Bedrock resource names does not make it judged)."""
    return frozenset(t for p in policies if p.covers_types for t in p.resource_types)


def not_judged(resource_type: str, policies: Iterable[PolicySpec]) -> bool:
    """Whether no rule of the pack judges a resource of this type (neither by name nor as a pulumi-aws twin)."""
    if package(resource_type) == "aws":
        return False  # judged by type; an unread document it sets is reported by value (unread_set)
    if package(resource_type) in JUDGED_PACKAGES | STATE_ONLY_PACKAGES:
        return False
    pack = list(policies)
    if resource_type in _named(pack):
        return False
    return not native.twin_types(resource_type)


def _custom(resource: PolicyResource) -> bool:
    """A cloud resource (it has a provider), not a component that only groups others."""
    return resource.provider is not None


def _stack_set_names(resources: Iterable[PolicyResource]) -> set[str]:
    names = set()
    for resource in resources:
        if resource.resource_type == wrappers.STACK_SET:
            name = native.plain(resource.props).get("name")
            if isinstance(name, str):
                names.add(name)
    return names


def wrapper_problems(resource: PolicyResource, stack_sets: set[str]) -> tuple[str, ...]:
    """Why (part of) what a Cloud Control / CloudFormation wrapper declares is not judged (review5 #2)."""
    props = native.plain(resource.props)
    props = props if isinstance(props, dict) else {}
    if resource.resource_type == wrappers.STACK_SET_INSTANCE and props.get("stackSetName") in stack_sets:
        return ()  # its template is the stack set's, judged there
    return native.expansion(resource.resource_type, props).problems


def _validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    pack = all_policies()
    stack_sets = _stack_set_names(args.resources)
    pending = Pending()
    for resource in args.resources:
        if not _custom(resource):
            continue
        if not_judged(resource.resource_type, pack):
            report_violation(
                f"{resource.name}: no rule of the pack judges {resource.resource_type} "
                f"(provider {package(resource.resource_type)}).",
                resource.urn,
            )
        for path in unread_set(resource, pending):
            report_violation(
                f"{resource.name}: {resource.resource_type} sets {path}, a permission document no rule of the pack "
                "reads, so who it lets in was not judged.",
                resource.urn,
            )
        for problem in (
            wrapper_problems(resource, stack_sets) if resource.resource_type in wrappers.WRAPPER_TYPES else ()
        ):
            report_violation(
                f"{resource.name}: what this {resource.resource_type} creates is not judged: {problem}.", resource.urn
            )
    pending.settle()


NOT_JUDGED = PolicySpec(
    name="resource-not-judged",
    description="Every cloud resource is judged by the pack: no provider's resources pass unexamined.",
    explanation=(
        "The pack judges pulumi-aws resources, the aws-native resources that read as a pulumi-aws twin "
        "(policies/native.py) and those its rules name; anything else, and a permission document of a pulumi-aws "
        "type no rule reads (policies/grant_inputs.json), would pass without a single check. Fix: review the "
        "resource or the document by hand and suppress this finding for it with the reviewer's reason and an "
        "expiry; for another provider's resource, express it with pulumi-aws (or add a view for a further "
        "aws-native type in policies/native.py); for a pulumi-aws document, add its type to the rule that "
        "judges such documents (POLICY_INPUTS in policies/rules/resource_policies.py)."
    ),
    principles=("P148",),
    severity=Severity.HIGH,
    category=Category.GOVERNANCE,
    kind=Kind.STACK,
    validate=_validate,
)

POLICIES: list[PolicySpec] = [NOT_JUDGED]
