"""Policy documents the offline gate cannot read: a finding, never only a note (review R2).

Every IAM rule of the pack skips a document whose value is unknown ("cannot tell during preview"). Offline,
the engine fabricates the outputs a document is built from (preflight/fabricate.py), so a document that is
still unknown is one no rule judged: `Action: "*"` on `*` or `Principal: "*"` would pass unseen. An identity,
trust, key or resource policy the gate cannot read cannot pass a production gate: the finding is mandatory
in production stacks and advisory elsewhere (the checkov level rule, policies.profile.checkov_level).

Where documents live is the pack's own table (policies.documents.DOCUMENT_INPUTS, the resource-policy
inputs of policies.rules.resource_policies.POLICY_INPUTS, a role's inline policies); an aws-native resource
is read as its pulumi-aws views (policies.native.views), as the rules read it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from policies.documents import DOCUMENT_INPUTS
from policies.native import views
from policies.profile import checkov_level
from policies.rules.resource_policies import POLICY_INPUTS
from preflight.findings import Finding, Level, Source
from preflight.graph import STACK_TYPE, UNKNOWN, ResourceGraph

#: Policy name of the finding (not a pack policy: the gate's own, like policy-pack-error).
DOCUMENT_UNKNOWN = "iam-document-unknown"


def _has_unknown(value: Any) -> bool:
    if isinstance(value, str):
        return value == UNKNOWN
    if isinstance(value, Mapping):
        return any(_has_unknown(item) for item in value.values())
    if isinstance(value, list | tuple):
        return any(_has_unknown(item) for item in value)
    return False


def _document_keys(resource_type: str) -> set[str]:
    keys = {key for _, key in DOCUMENT_INPUTS.get(resource_type, ())}
    if resource_type in POLICY_INPUTS:
        keys.add(POLICY_INPUTS[resource_type])
    return keys


def unknown_documents(resource_type: str, inputs: Mapping[str, Any]) -> Iterator[str]:
    """The names of the resource's document inputs that are (or hold) a value unknown offline."""
    candidates = [(resource_type, dict(inputs))]
    candidates.extend(views(resource_type, inputs))
    seen: set[str] = set()
    for type_token, props in candidates:
        for key in sorted(_document_keys(type_token)):
            if key in props and _has_unknown(props[key]) and key not in seen:
                seen.add(key)
                yield key
        if type_token == "aws:iam/role:Role":
            inline = props.get("inlinePolicies")
            if _has_unknown(inline) and "inlinePolicies" not in seen:
                seen.add("inlinePolicies")
                yield "inlinePolicies"


def unknown_document_findings(graph: ResourceGraph, production: bool | None) -> list[Finding]:
    """One finding per resource whose policy document the gate cannot read."""
    level = Level(checkov_level(graph.stack, production))
    found = []
    for node in graph.resources:
        if node.type == STACK_TYPE:
            continue
        keys = list(unknown_documents(node.type, node.inputs))
        if not keys:
            continue
        found.append(
            Finding(
                policy=DOCUMENT_UNKNOWN,
                source=Source.CROSSGUARD,
                level=level,
                resource=node.name,
                type=node.type,
                urn=node.urn,
                principles=(),
                message=(
                    f"policy document {', '.join(keys)} is unknown offline, so no IAM rule judged it "
                    "(built from an output the engine does not fabricate)"
                ),
                fix=(
                    "Build the document from values known at preview, or report the output the engine "
                    "leaves unknown so preflight/fabricate.py fabricates it; an unread document cannot pass."
                ),
                severity="high",
            )
        )
    return found
