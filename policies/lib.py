"""Helpers shared by the rules: safe property access, IAM documents, KMS keys, and graph lookups.

Everything here is pure (no network, no AWS). Property access goes through pulumi_policy's
unknown-checking proxy: reading a value that is unknown during preview raises `UnknownValueError`,
which the pack (CLI and offline runner alike) reports as "cannot tell yet", never as a violation.
One unknown value never hides the rest: `Pending` collects the unknowns a rule meets, the rule judges
everything that is known, and `Pending.settle()` then notes the first unknown (the runner and the CLI
both record an UnknownValueError raised after the violations as "cannot tell yet"). Policy documents
drop their unknown leaves and keep the known ones (`parse_document(..., pending)`); stack policies use
`tolerant()`, which judges every resource and notes the unknowns at the end.

What a wildcard, a public principal and a narrowing condition are is decided once, in `iamlang/`,
which components use too.
"""

from __future__ import annotations

import functools
import json
import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pulumi_policy import PolicyResource, ReportViolation, StackValidationArgs
from pulumi_policy.proxy import UnknownValueError

from iamlang import conditions, principals, wildcards
from policies.native import stack_views, twin_types
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


class Pending:
    """Unknown values met while judging: judge everything known first, then note them.

    `read(f)` returns `f()`, or `default` when it raises UnknownValueError (remembering the first);
    `settle()` raises that first error, after every known part has been judged and reported.
    """

    def __init__(self) -> None:
        self.first: UnknownValueError | None = None

    def note(self, error: UnknownValueError) -> None:
        if self.first is None:
            self.first = error

    def read(self, read: Callable[[], Any], default: Any = None) -> Any:
        try:
            return read()
        except UnknownValueError as error:
            self.note(error)
            return default

    def settle(self) -> None:
        if self.first is not None:
            raise self.first


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
    #: `NotPrincipal`: with Allow, every principal but the ones named, anonymous callers included (IAM User
    #: Guide, "AWS JSON policy elements: NotPrincipal"); with Deny, a deny for everyone but them.
    not_principal: Any = None

    @property
    def allows(self) -> bool:
        return self.effect == "Allow"

    @property
    def for_everyone(self) -> bool:
        """Whether the statement speaks to anyone at all: Principal '*' / {"AWS": "*"}, or an Allow with
        NotPrincipal ("everyone except"), which is public whatever it names (P140, P187)."""
        return principals.is_public(self.principal) or (self.allows and self.not_principal is not None)

    @property
    def wildcard_actions(self) -> list[str]:
        """What makes the actions a wildcard: NotAction, or actions with `*`/`?` (iamlang.wildcards)."""
        if self.not_actions:
            return ["NotAction"]
        return [a for a in self.actions if wildcards.is_wildcard_action(a)]

    @property
    def wildcard_resources(self) -> list[str]:
        """What makes the resources a wildcard: NotResource, `*`, or ARNs naming no resource."""
        if self.not_resources:
            return ["NotResource"]
        return [r for r in self.resources if wildcards.is_wildcard_resource(r)]


def _plain(value: Any, pending: Pending | None = None) -> Any:
    """Copy a proxy value into plain dicts/lists; unknown leaves are dropped (and noted in `pending`)."""
    if isinstance(value, Mapping):
        result: dict[str, Any] = {}
        for key in value:
            try:
                result[str(key)] = _plain(value[key], pending)
            except UnknownValueError as error:
                if pending is None:
                    raise
                pending.note(error)
        return result
    if is_list(value):
        items: list[Any] = []
        for index in range(len(value)):
            try:
                items.append(_plain(value[index], pending))
            except UnknownValueError as error:
                if pending is None:
                    raise
                pending.note(error)
        return items
    return value


def parse_document(document: Any, pending: Pending | None = None) -> list[Statement]:
    """Statements of an IAM policy document given as JSON text or an object; [] when unparseable.

    `Statement` may be one object or a list (IAM accepts both). With `pending`, unknown values are
    dropped from the statements and noted there, so the known rest is still judged.
    """
    if pending is not None:
        document = pending.read(lambda: _plain(document, pending))
    if isinstance(document, str):
        if not document.strip():
            return []
        try:
            data = json.loads(document)
        except ValueError:
            return []
    else:
        data = _plain(document, pending)
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
                not_principal=raw.get("NotPrincipal"),
            )
        )
    return statements


#: Resource types whose `policy` input is an identity policy (what a principal may do).
IDENTITY_POLICY_TYPES = (
    "aws:iam/rolePolicy:RolePolicy",
    "aws:iam/policy:Policy",
    "aws:iam/userPolicy:UserPolicy",
    "aws:iam/groupPolicy:GroupPolicy",
    "aws:ssoadmin/permissionSetInlinePolicy:PermissionSetInlinePolicy",
)
#: The input holding the identity policy, where it is not `policy`: an IAM Identity Center permission set's
#: inline policy applies to every user and group assigned the permission set (pulumi-aws 7 `inline_policy`).
IDENTITY_POLICY_INPUTS = {"aws:ssoadmin/permissionSetInlinePolicy:PermissionSetInlinePolicy": "inlinePolicy"}
ROLE_TYPE = "aws:iam/role:Role"


def identity_documents(resource_type: str, props: Any) -> Iterator[tuple[str, Any]]:
    """(label, document) for every identity policy a resource carries (inline policies of roles too)."""
    if resource_type in IDENTITY_POLICY_TYPES:
        yield "policy", props.get(IDENTITY_POLICY_INPUTS.get(resource_type, "policy"))
    elif resource_type == ROLE_TYPE:
        for index, inline in enumerate(as_list(props.get("inlinePolicies"))):
            if isinstance(inline, Mapping):
                yield f"inline policy {text(inline.get('name')) or index}", inline.get("policy")


action_matches = wildcards.action_matches


def grants(statement: Statement, action: str) -> bool:
    """Whether an Allow statement grants `action` (through Action or NotAction)."""
    if not statement.allows:
        return False
    if statement.not_actions:
        return not any(action_matches(p, action) for p in statement.not_actions)
    return any(action_matches(p, action) for p in statement.actions)


principal_is_public = principals.is_public
service_principals = principals.services


def publicly_allowed(statement: Statement) -> bool:
    """An Allow for anyone (`*`, or NotPrincipal) that no caller-identifying condition narrows (iamlang.conditions)."""
    return statement.allows and statement.for_everyone and not conditions.narrows_caller(statement.condition)


# ------------------------------------------------------------------------------ account baseline

#: Settings of the account-wide requirements (trail, Config recorder, budget, Bedrock invocation logging):
#: `providedBy: organization` when the organisation provides them to every account (an organisation trail,
#: a delegated Config aggregator, budgets managed centrally), `providedBy: another-stack` (or the older
#: `providedElsewhere: true`) when one stack of the same account does. The gate also reads it once for all
#: of them from the stack file (`preflight:accountBaseline`, see policies.profile).
PROVIDED_BY = ("organization", "another-stack")
BASELINE_SCHEMA: dict[str, Any] = {
    "providedElsewhere": {"type": "boolean"},
    "providedBy": {"type": "string", "enum": list(PROVIDED_BY)},
}


def provided_elsewhere(config: Mapping[str, Any]) -> bool:
    """Whether the policy's settings say the organisation or another stack provides the requirement."""
    return bool(config.get("providedElsewhere")) or config.get("providedBy") in PROVIDED_BY


#: The Pulumi packages whose resources live in an AWS account (pulumi-aws and pulumi-aws-native type tokens).
AWS_PACKAGES = frozenset({"aws", "aws-native"})
#: Why the account baseline is not asked of a stack that deploys nothing into AWS (the gate's note).
NO_AWS_RESOURCES = "the stack deploys no AWS resource (providers, stack references, outputs and data sources are not)"


def deploys_aws_resources(resources: Sequence[PolicyResource]) -> bool:
    """Whether any resource of the stack is an AWS resource (a `aws:` or `aws-native:` type).

    The account baseline (trail, Config recorder, budget) exists to audit and bound what a stack deploys into
    an AWS account (issue 11 §2: stack-wide requirements apply only where they mean something). Providers
    (`pulumi:providers:aws`), stack references and the stack itself are `pulumi:` types; data sources
    (`get_*`) are calls, not resources; components group resources and deploy nothing of their own.
    """
    return any(r.resource_type.split(":", 1)[0] in AWS_PACKAGES for r in resources)


def require_aws_resources(args: StackValidationArgs) -> None:
    """Mark a baseline policy not applicable (cdk-nag's NOT_APPLICABLE, pulumi-policy's `not_applicable`)
    when the stack deploys no AWS resource; the gate lists the reason among its notes."""
    if not deploys_aws_resources(args.resources):
        args.not_applicable(NO_AWS_RESOURCES)


# ------------------------------------------------------------------------------------------- graph


class _StackIndex:
    """Lookups over one stack's resources, each built once on first use and then answered in O(1).

    Stack policies ask "which resources of these types" and "which of them point at this one" once per
    resource; answered by scanning the whole stack each time that is O(n^2) over a stack (a 2,000-resource
    program spent most of the gate in `attached`, bench/gate.py). The answers are exactly those of the
    scans they replace, in the stack's order.
    """

    def __init__(self, resources: Sequence[PolicyResource]) -> None:
        self.resources = resources
        self.size = len(resources)
        self._of_types: dict[tuple[str, ...], list[PolicyResource]] = {}
        self._refs: dict[tuple[str, tuple[str, ...]], _References] = {}

    def current(self, resources: Sequence[PolicyResource]) -> bool:
        """Whether this index still describes `resources` (the same list, not grown or shrunk)."""
        return resources is self.resources and len(resources) == self.size

    def of_types(self, types: tuple[str, ...]) -> list[PolicyResource]:
        """The resources of `types`, and the views of those types of the aws-native ones (policies.native)."""
        found = self._of_types.get(types)
        if found is None:
            wanted = set(types)
            found = self._of_types[types] = []
            # Whether a type has views of `types` is asked once per type, not once per resource (bench/SPEED.md).
            viewed: dict[str, bool] = {}
            for resource in self.resources:
                kind = resource.resource_type
                if kind in wanted:
                    found.append(resource)
                    continue
                has_views = viewed.get(kind)
                if has_views is None:
                    has_views = viewed[kind] = not twin_types(kind).isdisjoint(wanted)
                if has_views:
                    found.extend(stack_views(resource, wanted))
        return found

    def references(self, key: str, types: tuple[str, ...]) -> _References:
        found = self._refs.get((key, types))
        if found is None:
            found = self._refs[key, types] = _References(self.of_types(types), key)
        return found


class _References:
    """Resources (of some types) by what their input `key` points at: a dependency's URN, or a string value."""

    def __init__(self, resources: Sequence[PolicyResource], key: str) -> None:
        self.order = {id(r): i for i, r in enumerate(resources)}
        self.by_urn: dict[str, list[PolicyResource]] = {}
        self.by_value: dict[str, list[PolicyResource]] = {}
        for resource in resources:
            for dep in resource.property_dependencies.get(key) or []:
                self.by_urn.setdefault(dep.urn, []).append(resource)
            try:
                value = get(resource.props, key)
            except UnknownValueError:
                continue
            if isinstance(value, str) and value:
                self.by_value.setdefault(value, []).append(resource)

    def to(self, target: PolicyResource, target_keys: tuple[str, ...]) -> list[PolicyResource]:
        """What `refers_to(r, key, target, *target_keys)` holds for, in the stack's order."""
        found: dict[int, PolicyResource] = {id(r): r for r in self.by_urn.get(target.urn, ())}
        for target_key in ("id", "arn", "name", *target_keys):
            try:
                value = get(target.props, target_key)
            except UnknownValueError:
                continue
            if isinstance(value, str):
                found.update((id(r), r) for r in self.by_value.get(value, ()))
        return sorted(found.values(), key=lambda r: self.order[id(r)])


#: One index per StackValidationArgs (the runner and the CLI build one per stack policy); weak, so an
#: index lives exactly as long as the arguments it indexes.
_INDEXES: weakref.WeakKeyDictionary[StackValidationArgs, _StackIndex] = weakref.WeakKeyDictionary()


def _index(args: StackValidationArgs) -> _StackIndex:
    index = _INDEXES.get(args)
    if index is None or not index.current(args.resources):
        index = _INDEXES[args] = _StackIndex(args.resources)
    return index


def resources_of(args: StackValidationArgs, *types: str) -> list[PolicyResource]:
    """The stack's resources of `types`, in the stack's order (indexed once per stack policy run), aws-native
    resources as their pulumi-aws views of those types (policies.native.stack_views): one way for every stack
    rule to see both providers."""
    return list(_index(args).of_types(types))


def tolerant(resources: Iterable[PolicyResource], check: Callable[[PolicyResource], None]) -> None:
    """Run `check` on every resource, then note the first unknown value met (never skip the others)."""
    pending = Pending()
    for resource in resources:
        pending.read(functools.partial(check, resource))
    pending.settle()


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
    """Resources of `types` whose input `key` points at `target` (e.g. the versioning of a bucket).

    The same answer as `[r for r in resources_of(args, *types) if refers_to(r, key, target, "bucket")]`,
    from an index built once per stack policy run rather than a scan per target.
    """
    return _index(args).references(key, types).to(target, ("bucket",))


def report_on(report_violation: ReportViolation, resource: PolicyResource, message: str) -> None:
    report_violation(f"{resource.name}: {message}", resource.urn)


# ---------------------------------------------------------------------------------------- tagging

#: Whether a resource type takes tags: the same SDK introspection as `components.tagging` (the transform
#: that applies them), shared with the offline engine rather than imported from the program it judges.
#: Without pulumi_aws installed it answers False, and only resources carrying a `tags` input are checked.
is_taggable = sdk_is_taggable


def is_asset(value: Any) -> bool:
    return isinstance(value, Mapping) and _ASSET_KEY in value
