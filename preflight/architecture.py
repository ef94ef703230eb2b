"""The stack at the level people think in: components and what they do to each other.

A reviewer thinks "the API invokes ingest, ingest publishes to the bus", not "an apigatewayv2
Integration's integrationUri depends on a lambda Function". This module folds the resource graph
into *parts* and *links*:

- a part is one component (the outermost `ComponentResource` below the composition root, e.g.
  `Function ingest` with its role, log group and dead-letter queue inside), or, for resources that no
  component owns (foreign programs), one group per layer and AWS service (`sqs`, `lambda`, ...);
- a link aggregates every resource dependency and IAM grant from one part to another, with the
  kinds of use it carries (`invokes`, `publishes`, `reads`, `writes`, `encrypts`, ...).

Grants read principal -> resource whichever component created them: a `RolePolicy` that the storage
component attaches to decide's role (`bucket.grant_write(fn)` style) is a link decide -> storage.

Only the graph is read (no cloud, no pack), so the Markdown report and its tests share one model.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from preflight.graph import STACK_TYPE, ResourceGraph, ResourceNode
from preflight.layers import LAYERS, component_layer, has_layers, is_composition_root, layer_of

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

#: Kinds of use, strongest first; a link's label shows the strongest few. `uses` and `depends on`
#: (a configuration reference or an explicit `depends_on`) only show when nothing stronger links the pair.
KINDS = (
    "invokes",
    "starts",
    "publishes",
    "sends",
    "consumes",
    "replies",
    "screens",
    "retrieves",
    "reads",
    "writes",
    "alerts",
    "watches",
    "logs to",
    "encrypts",
    "grants",
    "uses",
    "depends on",
)
WEAK_KINDS = frozenset({"uses", "depends on"})
_RANK = {kind: i for i, kind in enumerate(KINDS)}

#: IAM actions with a kind of their own (service:Action, lower case); others go by their verb below.
#: Action names: AWS Service Authorization Reference, https://docs.aws.amazon.com/service-authorization/latest/reference/
_ACTION_KINDS = {
    "lambda:invokefunction": "invokes",
    "lambda:invokeasync": "invokes",
    "states:startexecution": "starts",
    "states:startsyncexecution": "starts",
    "events:putevents": "publishes",
    "sns:publish": "publishes",
    "sqs:sendmessage": "sends",
    "sqs:receivemessage": "consumes",
    "sqs:deletemessage": "consumes",
    "execute-api:manageconnections": "replies",
    "execute-api:invoke": "invokes",
    "bedrock:applyguardrail": "screens",
    "bedrock:retrieve": "retrieves",
    "bedrock:retrieveandgenerate": "retrieves",
    "bedrock:invokemodel": "invokes",
    "bedrock:invokeagent": "invokes",
}
_READ_VERBS = ("get", "list", "describe", "query", "scan", "batchget", "read", "select", "retrieve")
_WRITE_VERBS = ("put", "update", "delete", "batchwrite", "create", "write", "restore", "abort")

#: Which AWS modules (of the resource a grant points at) each IAM service prefix acts on, so a policy
#: that grants `dynamodb:PutItem` and `kms:Decrypt` reads as "writes" to the table and "encrypts" to the key.
_ACTION_MODULES = {
    "kms": ("kms",),
    "dynamodb": ("dynamodb",),
    "s3": ("s3",),
    "s3vectors": ("s3",),
    "lambda": ("lambda",),
    "events": ("cloudwatch",),
    "states": ("sfn",),
    "sns": ("sns",),
    "sqs": ("sqs",),
    "bedrock": ("bedrock", "bedrockmodel"),
    "execute-api": ("apigatewayv2", "apigateway"),
    "logs": ("cloudwatch",),
}

#: Properties whose dependency says what a resource does to the target (else by the target's type).
_PROPERTY_KINDS = {
    "dimensions": "watches",
    "alarmActions": "alerts",
    "okActions": "alerts",
    "insufficientDataActions": "alerts",
    "targetBucket": "logs to",
    "guardrailConfigurations": "screens",
    "guardrailConfiguration": "screens",
    "knowledgeBaseId": "retrieves",
    "actionGroupExecutor": "invokes",
    "integrationUri": "invokes",
    "environment": "uses",
}
_TARGET_KINDS = {
    "aws:lambda/function:Function": "invokes",
    "aws:sfn/stateMachine:StateMachine": "starts",
    "aws:cloudwatch/eventBus:EventBus": "publishes",
    "aws:sns/topic:Topic": "publishes",
    "aws:sqs/queue:Queue": "sends",
    "aws:kms/key:Key": "encrypts",
    "aws:kms/alias:Alias": "encrypts",
    "aws:bedrock/guardrail:Guardrail": "screens",
}
#: Resources that only look at what they reference (a dashboard's widgets name functions and queues,
#: which would otherwise read as "invokes" and "sends").
_MONITOR_TYPES = frozenset(
    {
        "aws:cloudwatch/dashboard:Dashboard",
        "aws:cloudwatch/metricAlarm:MetricAlarm",
        "aws:cloudwatch/compositeAlarm:CompositeAlarm",
    }
)
_GRANT_TYPES = ("aws:iam/rolePolicy:RolePolicy", "aws:iam/rolePolicyAttachment:RolePolicyAttachment")
_PERMISSION_TYPE = "aws:lambda/permission:Permission"


@dataclass(frozen=True)
class Part:
    """One box of the picture: a component, or a group of component-less resources of one service."""

    key: str
    kind: str
    name: str
    layer: str
    resources: tuple[ResourceNode, ...]

    @property
    def is_component(self) -> bool:
        return bool(self.name)

    @property
    def title(self) -> str:
        """`Function ingest`, `Guardrail` (when the name repeats the kind) or `sqs` for a group."""
        if not self.name:
            return self.kind
        if self.name.lower() == self.kind.lower():
            return self.kind
        return f"{self.kind} {self.name}"

    def type_summary(self, limit: int = 3) -> str:
        """`Queue x2, QueuePolicy x2` for a group: what kinds of resource it holds (`Function router`
        when it holds one)."""
        if len(self.resources) == 1:
            return f"{_short_type(self.resources[0].type)} {self.resources[0].name}"
        counts = Counter(_short_type(r.type) for r in self.resources)
        ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
        shown = [f"{kind} x{n}" if n > 1 else kind for kind, n in ordered[:limit]]
        if len(ordered) > limit:
            shown.append(f"+{len(ordered) - limit} more")
        return ", ".join(shown)


@dataclass(frozen=True)
class Link:
    """Everything `source` does to `target`, aggregated over their resources."""

    source: str
    target: str
    kinds: frozenset[str]

    def shown_kinds(self, limit: int | None = 2) -> list[str]:
        """The strongest kinds (all when `limit` is None), weak ones only when nothing stronger links the pair."""
        strong = sorted((k for k in self.kinds if k not in WEAK_KINDS), key=_RANK.__getitem__)
        return (strong or sorted(self.kinds, key=_RANK.__getitem__))[:limit]


@dataclass
class Architecture:
    """Parts in layer order and the links between them."""

    parts: dict[str, Part]
    links: dict[tuple[str, str], Link]
    part_of: dict[str, str] = field(default_factory=dict)
    #: Whether the layers are this template's own (a program of its components: preflight.layers.has_layers). A
    #: foreign program's parts are still grouped and ordered by layer (entrance left, data right), but a picture
    #: does not label them with this template's layer names: naming its queue "Decisioning" would be made up.
    layered: bool = True

    def part_for(self, urn: str) -> Part | None:
        key = self.part_of.get(urn)
        return self.parts.get(key) if key else None

    def locate(self, urn: str, name: str, type_: str) -> Part | None:
        """The part holding a finding's resource: by URN, else by name and type (checkov findings
        and findings read from a preview may carry no URN of this graph); None when stack-wide."""
        found = self.part_for(urn) if urn else None
        if found is None and name:
            found = next(
                (p for p in self.parts.values() for r in p.resources if (r.name, r.type) == (name, type_)), None
            )
        return found

    def by_layer(self) -> dict[str, list[Part]]:
        layers: dict[str, list[Part]] = {layer: [] for layer in LAYERS}
        for part in self.parts.values():
            layers.setdefault(part.layer, []).append(part)
        return {layer: members for layer, members in layers.items() if members}


def _short_type(type_: str) -> str:
    return type_.rsplit(":", maxsplit=1)[-1] if type_.count(":") == 2 else type_


def _roots(graph: ResourceGraph) -> set[str]:
    """URNs of the components that only compose others: the stack, `agentic:platform:*`, and (for a
    foreign program) a lone top-level component that holds further components, level by level, so a
    program wrapped in one `App` component still shows its parts rather than one box."""
    roots = {n.urn for n in graph if n.type == STACK_TYPE or (not n.custom and is_composition_root(n))}
    while True:
        tops = [n for n in graph if not n.custom and n.urn not in roots and n.parent in roots]
        if len(tops) != 1 or not any(not child.custom for child in graph.children(tops[0].urn)):
            return roots
        roots.add(tops[0].urn)


def _owner(node: ResourceNode, graph: ResourceGraph, roots: set[str]) -> ResourceNode | None:
    """The outermost component above `node` that is not a composition root (None if none)."""
    owner = None
    for ancestor in graph.ancestors(node):
        if ancestor.custom or ancestor.urn in roots:
            continue
        owner = ancestor
    return owner


def _majority_layer(nodes: Iterable[ResourceNode], graph: ResourceGraph) -> str:
    """A foreign program's component sits where most of its resources do (ties: the earlier layer)."""
    votes = Counter(layer_of(n, graph) for n in nodes)
    rank = {layer: i for i, layer in enumerate(LAYERS)}
    return sorted(votes.items(), key=lambda item: (-item[1], rank.get(item[0], len(rank))))[0][0]


def _group_key(layer: str, service: str) -> str:
    return f"group:{layer}:{service}"


def build(graph: ResourceGraph) -> Architecture:
    """The parts and links of `graph` (deterministic: parts in layer order, then by title)."""
    members: dict[str, list[ResourceNode]] = {}
    heads: dict[str, tuple[str, str, str | None]] = {}  # key -> (kind, name, layer or None)
    part_of: dict[str, str] = {}
    roots = _roots(graph)
    for node in graph.custom_resources:
        if node.package == "pulumi":
            continue
        owner = _owner(node, graph, roots)
        if owner is not None:
            key = f"{owner.type}::{owner.name}"
            heads.setdefault(key, (_short_type(owner.type), owner.name, component_layer(owner)))
        else:
            service = node.module or node.package
            layer = layer_of(node, graph)
            key = _group_key(layer, service)
            heads.setdefault(key, (service, "", layer))
        members.setdefault(key, []).append(node)
        part_of[node.urn] = key
    parts: list[Part] = []
    for key, nodes in members.items():
        kind, name, declared = heads[key]
        parts.append(Part(key, kind, name, declared or _majority_layer(nodes, graph), tuple(nodes)))
    order = {layer: i for i, layer in enumerate(LAYERS)}
    parts.sort(key=lambda p: (order.get(p.layer, len(order)), not p.is_component, p.title.lower(), p.key))
    arch = Architecture({p.key: p for p in parts}, {}, part_of, layered=has_layers(graph))
    kinds: dict[tuple[str, str], set[str]] = {}
    for node in graph.custom_resources:
        source = part_of.get(node.urn)
        if source is None:
            continue
        for src, dst, kind in _uses(node, source, graph, part_of):
            if src != dst:
                kinds.setdefault((src, dst), set()).add(kind)
    position = {p.key: i for i, p in enumerate(parts)}
    for src, dst in sorted(kinds, key=lambda pair: (position[pair[0]], position[pair[1]])):
        arch.links[(src, dst)] = Link(src, dst, frozenset(kinds[(src, dst)]))
    return arch


def _uses(
    node: ResourceNode, owner: str, graph: ResourceGraph, part_of: Mapping[str, str]
) -> Iterable[tuple[str, str, str]]:
    """(source part, target part, kind) for every cross-part use by one resource."""
    if node.type in _GRANT_TYPES:
        yield from _grant(node, owner, graph, part_of)
        return
    if node.type == _PERMISSION_TYPE:
        yield from _permission(node, owner, part_of)
        return
    seen: set[str] = set()
    for prop, urns in node.property_dependencies.items():
        for urn in urns:
            seen.add(urn)
            target = part_of.get(urn)
            dependency = graph.get(urn)
            if target is None or dependency is None:
                continue
            kind = _PROPERTY_KINDS.get(prop) or (
                "watches" if node.type in _MONITOR_TYPES else _TARGET_KINDS.get(dependency.type, "uses")
            )
            yield owner, target, kind
    for urn in node.dependencies:
        if urn not in seen and urn in part_of:
            yield owner, part_of[urn], "depends on"


def _permission(node: ResourceNode, owner: str, part_of: Mapping[str, str]) -> Iterable[tuple[str, str, str]]:
    """A Lambda permission: whoever its `sourceArn` names (else its component) invokes the function."""
    callers = {part_of[u] for u in node.property_dependencies.get("sourceArn", ()) if u in part_of} or {owner}
    for urn in node.property_dependencies.get("function", ()):
        if urn in part_of:
            for caller in sorted(callers):
                yield caller, part_of[urn], "invokes"


def _grant(
    node: ResourceNode, owner: str, graph: ResourceGraph, part_of: Mapping[str, str]
) -> Iterable[tuple[str, str, str]]:
    """An IAM grant reads principal -> resource: the role's part uses what the policy names."""
    principals = {part_of[u] for u in node.property_dependencies.get("role", ()) if u in part_of} or {owner}
    actions = _actions(node.inputs.get("policy"))
    targets = [u for key in ("policy", "policyArn") for u in node.property_dependencies.get(key, ())]
    found = False
    for urn in targets:
        dependency = graph.get(urn)
        if urn not in part_of or dependency is None:
            continue
        found = True
        for principal in sorted(principals):
            for kind in _kinds_on(actions, dependency.module):
                yield principal, part_of[urn], kind
    if not found:  # literal ARNs: the grant's own component is what it grants on
        for principal in sorted(principals):
            for kind in _kinds_on(actions, None):
                yield principal, owner, kind


def _actions(policy: Any) -> list[str]:
    """The IAM actions of a policy document (JSON text or a mapping); [] when unreadable."""
    if isinstance(policy, str):
        try:
            policy = json.loads(policy)
        except ValueError:
            return []
    if not isinstance(policy, dict):
        return []
    statements = policy.get("Statement", [])
    statements = [statements] if isinstance(statements, dict) else statements
    actions: list[str] = []
    for statement in statements if isinstance(statements, list) else []:
        if isinstance(statement, dict) and statement.get("Effect", "Allow") == "Allow":
            value = statement.get("Action", [])
            actions += [value] if isinstance(value, str) else [a for a in value if isinstance(a, str)]
    return actions


def _kinds_on(actions: list[str], module: str | None) -> set[str]:
    """The kinds the actions carry on a resource of `module` (every action when None)."""
    kinds: set[str] = set()
    for action in actions:
        service, _, verb = action.lower().partition(":")
        if module is not None and module not in _ACTION_MODULES.get(service, (module,)):
            continue
        kinds.add(_action_kind(service, verb))
    return kinds or {"grants"}


def _action_kind(service: str, verb: str) -> str:
    if f"{service}:{verb}" in _ACTION_KINDS:
        return _ACTION_KINDS[f"{service}:{verb}"]
    if service == "kms":
        return "encrypts"
    if verb in ("*", "") or verb.startswith(_WRITE_VERBS):
        return "writes"
    if verb.startswith(_READ_VERBS):
        return "reads"
    return "grants"
