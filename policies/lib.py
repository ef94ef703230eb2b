"""Helpers shared by the rules: safe property access, IAM documents, KMS keys, and graph lookups.

Everything here is pure (no network, no AWS). Property access goes through pulumi_policy's
unknown-checking proxy: reading a value that is unknown during preview raises `UnknownValueError`,
which the pack (CLI and offline runner alike) reports as "cannot tell yet", never as a violation.
Stack policies use `tolerant()` to skip only the resource whose value is unknown.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pulumi_policy import PolicyResource, ReportViolation, StackValidationArgs
from pulumi_policy.proxy import UnknownValueError

from policies.sdk import is_taggable as sdk_is_taggable

#: Marker keys the offline engine uses for assets (code archives) in plain graphs.
_ASSET_KEY = "__asset"


def get(props: Any, *path: str | int, default: Any = None) -> Any:
    """`props[path[0]][path[1]]...`, or `default` when a step is missing (unknown values still raise)."""
    current = props
    for step in path:
        if isinstance(step, int):
            if not is_list(current) or step >= len(current):
                return default
        elif not isinstance(current, Mapping) or step not in current:
            return default
        current = current[step]
        if current is None:
            return default
    return current


def is_list(value: Any) -> bool:
    """A JSON array (a list or the proxy's Sequence), never a string."""
    return isinstance(value, Sequence) and not isinstance(value, str | bytes)


def as_list(value: Any) -> list[Any]:
    """IAM-style "one or many": a single value becomes a one-element list, None an empty one."""
    if value is None:
        return []
    if is_list(value):
        return list(value)
    return [value]


def text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def truthy(value: Any) -> bool:
    """Pulumi passes booleans as bool, but also "true"/"false" strings for some provider inputs."""
    if isinstance(value, str):
        return value.lower() == "true"
    return bool(value)


# --------------------------------------------------------------------------------------------- KMS


def is_customer_managed_key(value: Any) -> bool:
    """A KMS key id/ARN/alias that is not an AWS-managed alias (`alias/aws/<service>`)."""
    key = text(value)
    if not key:
        return False
    return "alias/aws/" not in key


# --------------------------------------------------------------------------------------------- IAM


@dataclass(frozen=True)
class Statement:
    """One IAM statement, normalised: lists everywhere, keys as IAM spells them."""

    effect: str
    actions: tuple[str, ...]
    not_actions: tuple[str, ...]
    resources: tuple[str, ...]
    not_resources: tuple[str, ...]
    principal: Any
    condition: Mapping[str, Any]

    @property
    def allows(self) -> bool:
        return self.effect == "Allow"


def _plain(value: Any) -> Any:
    """Copy a proxy value into plain dicts/lists (reading every leaf, so unknowns raise here)."""
    if isinstance(value, Mapping):
        return {str(k): _plain(value[k]) for k in value}
    if is_list(value):
        return [_plain(v) for v in value]
    return value


def parse_document(document: Any) -> list[Statement]:
    """Statements of an IAM policy document given as JSON text or an object; [] when unparseable."""
    if isinstance(document, str):
        if not document.strip():
            return []
        try:
            data = json.loads(document)
        except ValueError:
            return []
    else:
        data = _plain(document)
    if not isinstance(data, dict):
        return []
    statements = []
    for raw in as_list(data.get("Statement")):
        if not isinstance(raw, dict):
            continue
        statements.append(
            Statement(
                effect=str(raw.get("Effect", "Allow")),
                actions=tuple(str(a) for a in as_list(raw.get("Action"))),
                not_actions=tuple(str(a) for a in as_list(raw.get("NotAction"))),
                resources=tuple(str(r) for r in as_list(raw.get("Resource"))),
                not_resources=tuple(str(r) for r in as_list(raw.get("NotResource"))),
                principal=raw.get("Principal"),
                condition=raw.get("Condition") or {},
            )
        )
    return statements


#: Resource types whose `policy` input is an identity policy (what a principal may do).
IDENTITY_POLICY_TYPES = (
    "aws:iam/rolePolicy:RolePolicy",
    "aws:iam/policy:Policy",
    "aws:iam/userPolicy:UserPolicy",
    "aws:iam/groupPolicy:GroupPolicy",
)
ROLE_TYPE = "aws:iam/role:Role"


def identity_documents(resource_type: str, props: Any) -> Iterator[tuple[str, Any]]:
    """(label, document) for every identity policy a resource carries (inline policies of roles too)."""
    if resource_type in IDENTITY_POLICY_TYPES:
        yield "policy", props.get("policy")
    elif resource_type == ROLE_TYPE:
        for index, inline in enumerate(as_list(props.get("inlinePolicies"))):
            if isinstance(inline, Mapping):
                yield f"inline policy {text(inline.get('name')) or index}", inline.get("policy")


def action_matches(pattern: str, action: str) -> bool:
    """IAM action matching: case-insensitive, `*` and `?` wildcards."""
    regex = "^" + re.escape(pattern.lower()).replace(r"\*", ".*").replace(r"\?", ".") + "$"
    return re.match(regex, action.lower()) is not None


def grants(statement: Statement, action: str) -> bool:
    """Whether an Allow statement grants `action` (through Action or NotAction)."""
    if not statement.allows:
        return False
    if statement.not_actions:
        return not any(action_matches(p, action) for p in statement.not_actions)
    return any(action_matches(p, action) for p in statement.actions)


def principal_is_public(principal: Any) -> bool:
    """`"*"` or `{"AWS": "*"}` (anyone at all)."""
    if principal == "*":
        return True
    if isinstance(principal, Mapping):
        return any(v == "*" or (is_list(v) and "*" in v) for k, v in principal.items() if k == "AWS")
    return False


def service_principals(principal: Any) -> list[str]:
    if isinstance(principal, Mapping):
        return [str(s) for s in as_list(principal.get("Service"))]
    return []


# ------------------------------------------------------------------------------------------- graph


def resources_of(args: StackValidationArgs, *types: str) -> list[PolicyResource]:
    return [r for r in args.resources if r.resource_type in types]


def tolerant(resources: Iterable[PolicyResource], check: Callable[[PolicyResource], None]) -> None:
    """Run `check` on each resource; one resource's unknown value skips only that resource."""
    for resource in resources:
        try:
            check(resource)
        except UnknownValueError:
            continue


def refers_to(resource: PolicyResource, key: str, target: PolicyResource, *target_keys: str) -> bool:
    """Whether input `key` of `resource` came from `target` (property dependency) or equals one of its ids."""
    deps = resource.property_dependencies.get(key) or []
    if any(d.urn == target.urn for d in deps):
        return True
    try:
        value = get(resource.props, key)
    except UnknownValueError:
        return False
    if not isinstance(value, str) or not value:
        return False
    for target_key in ("id", "arn", "name", *target_keys):
        try:
            if get(target.props, target_key) == value:
                return True
        except UnknownValueError:
            continue
    return False


def attached(args: StackValidationArgs, target: PolicyResource, key: str, *types: str) -> list[PolicyResource]:
    """Resources of `types` whose input `key` points at `target` (e.g. the versioning of a bucket)."""
    return [r for r in resources_of(args, *types) if refers_to(r, key, target, "bucket")]


def report_on(report_violation: ReportViolation, resource: PolicyResource, message: str) -> None:
    report_violation(f"{resource.name}: {message}", resource.urn)


# ---------------------------------------------------------------------------------------- tagging

#: Whether a resource type takes tags: the same SDK introspection as `components.tagging` (the transform
#: that applies them), shared with the offline engine rather than imported from the program it judges.
#: Without pulumi_aws installed it answers False, and only resources carrying a `tags` input are checked.
is_taggable = sdk_is_taggable


def is_asset(value: Any) -> bool:
    return isinstance(value, Mapping) and _ASSET_KEY in value
