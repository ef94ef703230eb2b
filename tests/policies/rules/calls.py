"""Call a rule directly with pulumi_policy's own argument types: no program, no synthesis.

The table tests beside this file exist to kill mutants of the rule bodies (bench/MUTATION.md): each
builds the few resources a branch needs and asserts exactly what the rule reports.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pulumi_policy import (
    PolicyCustomTimeouts,
    PolicyProviderResource,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    StackValidationArgs,
)

from policies.spec import PolicySpec

Reports = list[tuple[str, str | None]]


def urn(type_: str, name: str) -> str:
    return f"urn:pulumi:dev::x::{type_}::{name}"


def _opts() -> PolicyResourceOptions:
    return PolicyResourceOptions(
        protect=False,
        ignore_changes=[],
        delete_before_replace=None,
        aliases=[],
        custom_timeouts=PolicyCustomTimeouts(0, 0, 0),
        additional_secret_outputs=[],
    )


def provider(props: Mapping[str, Any], name: str = "aws-provider") -> PolicyProviderResource:
    """An explicit aws provider with these inputs (its region, say)."""
    return PolicyProviderResource("pulumi:providers:aws", dict(props), urn("pulumi:providers:aws", name), name)


def resource(
    type_: str,
    name: str,
    props: Mapping[str, Any],
    deps: Mapping[str, list[PolicyResource]] | None = None,
    *,
    provider: PolicyProviderResource | None = None,
) -> PolicyResource:
    """A resource as a stack policy sees it, with the dependencies of each property."""
    return PolicyResource(type_, dict(props), urn(type_, name), name, _opts(), provider, None, [], dict(deps or {}))


def run_resource(
    spec: PolicySpec,
    type_: str,
    props: Mapping[str, Any],
    name: str = "r",
    config: Mapping[str, Any] | None = None,
) -> Reports:
    """What a resource policy reports about one resource (nothing when it does not apply to the type)."""
    reports: Reports = []
    args = ResourceValidationArgs(type_, dict(props), urn(type_, name), name, _opts(), None, dict(config or {}))
    if spec.applies_to(type_):
        spec.validate(args, lambda message, urn=None: reports.append((message, urn)))
    return reports


def run_stack(
    spec: PolicySpec, resources: Sequence[PolicyResource], config: Mapping[str, Any] | None = None
) -> Reports:
    """What a stack policy reports about the stack."""
    reports: Reports = []
    args = StackValidationArgs(list(resources), dict(config) if config is not None else None)
    spec.validate(args, lambda message, urn=None: reports.append((message, urn)))
    return reports


def run_one(
    spec: PolicySpec,
    type_: str,
    props: Mapping[str, Any],
    name: str = "r",
    config: Mapping[str, Any] | None = None,
    others: Sequence[PolicyResource] = (),
) -> Reports:
    """What a stack policy reports about one resource (beside `others`), a report on it as None, as run_resource
    gives it: the cases of a rule that became a stack rule read the same."""
    own = resource(type_, name, props)
    return [(message, None if at == own.urn else at) for message, at in run_stack(spec, [own, *others], config)]
