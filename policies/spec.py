"""The anatomy of a policy (after cdk-nag's rules): one job, metadata in one place.

A `PolicySpec` holds the name, the one-line description, the longer explanation with the fix,
the principle ids it enforces, a severity and a validation function written against
pulumi_policy's own argument types, so the very same function runs under the Pulumi CLI
(`--policy-pack policies`) and in the offline gate. Policies are pure: no network, no AWS calls.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import UnknownValueError

from policies.native import native_args, twin_types


class Kind(StrEnum):
    RESOURCE = "resource"
    STACK = "stack"


class Category(StrEnum):
    """What a policy protects; the default enforcement profile depends on it (cost is special)."""

    SECURITY = "security"
    GOVERNANCE = "governance"
    RELIABILITY = "reliability"
    COST = "cost"


ResourceCheck = Callable[[ResourceValidationArgs, ReportViolation], None]
StackCheck = Callable[[StackValidationArgs, ReportViolation], None]


@dataclass(frozen=True)
class PolicySpec:
    """One policy: metadata plus a pure validation function.

    Attributes
    ----------
    name:
        kebab-case id, unique in the pack (it is the key in `policies/config/<stack>.json`).
    description:
        One line saying what must hold.
    explanation:
        Why, and how to fix it; shown with every violation.
    principles:
        Ids from `shared/principles.yaml` this policy enforces (e.g. ("P101", "P104")).
    severity:
        pulumi_policy Severity (LOW, MEDIUM, HIGH, CRITICAL).
    category:
        security, governance, reliability or cost.
    validate:
        `f(args, report_violation)` with pulumi_policy's ResourceValidationArgs (kind RESOURCE) or
        StackValidationArgs (kind STACK). It must tolerate unknown values (pulumi_policy raises
        UnknownValueError on access; the pack treats that as "cannot tell yet", not a failure).
    resource_types:
        Type tokens a resource policy looks at; empty means every resource.
    config_schema:
        Optional JSON-schema `properties` for per-stack settings this policy reads from its config
        entry (e.g. allowed regions), as CrossGuard's PolicyConfigSchema.
    """

    name: str
    description: str
    explanation: str
    principles: tuple[str, ...]
    severity: Severity
    category: Category
    kind: Kind
    validate: Callable[[Any, ReportViolation], None]
    resource_types: tuple[str, ...] = ()
    config_schema: dict[str, Any] | None = None
    #: False for a rule that judges one input of the types it names (a model id, policies.model_inputs): naming an
    #: aws-native type then does not make the type judged, so `resource-not-judged` (policies.rules.coverage) still
    #: reports an aws-native Bedrock agent, whose guardrail no rule reads (review s11 3 #5).
    covers_types: bool = True

    def applies_to(self, resource_type: str) -> bool:
        """Whether the policy judges the type: it names it, names none, or names its pulumi-aws twin."""
        if not self.resource_types or resource_type in self.resource_types:
            return True
        return not twin_types(resource_type).isdisjoint(self.resource_types)

    def check(self, args: Any, report_violation: ReportViolation) -> None:
        """Run `validate`; an aws-native resource the policy does not name is judged as its pulumi-aws views.

        Each view of the types the policy names is validated in turn (policies.native); an unknown value in one
        view does not hide the others, and is raised after them ("cannot tell yet", as for any resource).
        """
        if self.kind is Kind.STACK or not self.resource_types or args.resource_type in self.resource_types:
            self.validate(args, report_violation)
            return
        unknown: UnknownValueError | None = None
        for view in native_args(args, self.resource_types):
            try:
                self.validate(view, report_violation)
            except UnknownValueError as error:
                unknown = unknown or error
        if unknown is not None:
            raise unknown

    def to_crossguard(self, level: EnforcementLevel | None = None) -> ResourceValidationPolicy | StackValidationPolicy:
        """The pulumi_policy object the CLI runs (built lazily: constructing a PolicyPack serves gRPC)."""
        from pulumi_policy import PolicyConfigSchema  # noqa: PLC0415

        schema = PolicyConfigSchema(properties=self.config_schema) if self.config_schema else None
        description = f"{self.description} [{', '.join(self.principles)}]"
        if self.kind is Kind.STACK:
            return StackValidationPolicy(
                name=self.name,
                description=description,
                validate=self.validate,
                enforcement_level=level,
                config_schema=schema,
                severity=self.severity,
                remediation_steps=self.explanation,
            )

        def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
            if self.applies_to(args.resource_type):
                self.check(args, report_violation)

        return ResourceValidationPolicy(
            name=self.name,
            description=description,
            validate=validate,
            enforcement_level=level,
            config_schema=schema,
            severity=self.severity,
            remediation_steps=self.explanation,
        )
