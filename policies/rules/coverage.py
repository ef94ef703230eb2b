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

Level: P148 (compliance monitoring) is HIGH, so the finding is mandatory in production stacks and advisory
elsewhere, the level checkov's own findings and its "not scanned" resources get (policies.profile): a
production deploy may not include what nobody judged; in development it is a warning to read. A reviewed
resource is waived with a suppression that says who reviewed it and why (policies/suppressions.yaml).
"""

from __future__ import annotations

from collections.abc import Iterable

from pulumi_policy import PolicyResource, ReportViolation, Severity, StackValidationArgs

from policies import native
from policies.registry import all_policies
from policies.spec import Category, Kind, PolicySpec

#: Packages the pack judges itself (pulumi-aws), and Pulumi's own (providers, the stack).
JUDGED_PACKAGES = frozenset({"aws", "pulumi"})
#: Providers whose resources exist only in the Pulumi state (values the engine generates: random ids and
#: passwords, time offsets): nothing is created in a cloud account, so there is nothing to judge.
STATE_ONLY_PACKAGES = frozenset({"random", "time"})


def package(resource_type: str) -> str:
    """The provider package of a type token (`aws-native` for `aws-native:s3:Bucket`)."""
    return resource_type.split(":", 1)[0]


def _named(policies: Iterable[PolicySpec]) -> frozenset[str]:
    """Every type some rule names, resource and stack rules alike."""
    return frozenset(t for p in policies for t in p.resource_types)


def not_judged(resource_type: str, policies: Iterable[PolicySpec]) -> bool:
    """Whether no rule of the pack judges a resource of this type (neither by name nor as a pulumi-aws twin)."""
    if package(resource_type) in JUDGED_PACKAGES | STATE_ONLY_PACKAGES:
        return False
    pack = list(policies)
    if resource_type in _named(pack):
        return False
    return not native.twin_types(resource_type)


def _custom(resource: PolicyResource) -> bool:
    """A cloud resource (it has a provider), not a component that only groups others."""
    return resource.provider is not None


def _validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    pack = all_policies()
    for resource in args.resources:
        if not _custom(resource):
            continue
        if not_judged(resource.resource_type, pack):
            report_violation(
                f"{resource.name}: no rule of the pack judges {resource.resource_type} "
                f"(provider {package(resource.resource_type)}).",
                resource.urn,
            )


NOT_JUDGED = PolicySpec(
    name="resource-not-judged",
    description="Every cloud resource is judged by the pack: no provider's resources pass unexamined.",
    explanation=(
        "The pack judges pulumi-aws resources, the aws-native resources that read as a pulumi-aws twin "
        "(policies/native.py) and those its rules name; anything else would pass without a single check. Fix: "
        "express the resource with pulumi-aws, or review it by hand and suppress this finding for it with the "
        "reviewer's reason and an expiry; a view for a further aws-native type belongs in policies/native.py."
    ),
    principles=("P148",),
    severity=Severity.HIGH,
    category=Category.GOVERNANCE,
    kind=Kind.STACK,
    validate=_validate,
)

POLICIES: list[PolicySpec] = [NOT_JUDGED]
