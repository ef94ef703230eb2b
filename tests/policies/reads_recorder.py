"""Which inputs the pack's security and governance rules read, per resource type, recorded while they run.

Why: `policies.security_values.SECURITY_VALUES` lists the inputs whose unknown value must not pass unseen;
it is meant to be exactly what the rules read (less identity and wiring keys, and the documents
`iam-document-unknown` owns). Recording is how a test keeps it so: every read through pulumi_policy's
unknown-checking proxy passes `_raise_if_unknown(key, value, path)`, and the recorder roots each resource's
path at its type, on the template's own graphs (stack rules included) and on one resource of every type a
resource rule names, every output set.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

import pulumi_policy.proxy as proxy
import pytest

import preflight.policy_runner as runner
from policies.sdk import output_names
from policies.spec import Kind, PolicySpec
from preflight.findings import Level
from preflight.graph import ResourceGraph, ResourceNode


def record_reads(
    monkeypatch: pytest.MonkeyPatch, policies: list[PolicySpec], graphs: Iterable[ResourceGraph]
) -> dict[str, set[str]]:
    """type -> the top-level inputs `policies` read, on `graphs` and on one filled resource per named type."""
    current = [""]
    reads: dict[str, set[str]] = defaultdict(set)
    original_raise = proxy._raise_if_unknown
    original_props = runner._stack_props

    def recording(key: Any, value: Any, path: list[str]) -> Any:
        if path and path[0].startswith("@"):
            reads[path[0][1:]].add(path[1] if len(path) > 1 else str(key))
        return original_raise(key, value, path)

    def typed_props(node: ResourceNode) -> dict[str, Any]:
        current[0] = node.type
        return original_props(node)

    monkeypatch.setattr(proxy, "_raise_if_unknown", recording)
    monkeypatch.setattr(runner, "_stack_props", typed_props)
    monkeypatch.setattr(runner, "unknown_checking_proxy", lambda props: proxy._proxy_helper(props, ["@" + current[0]]))

    def run(graph: ResourceGraph, node: ResourceNode, policy: PolicySpec) -> None:
        current[0] = node.type
        single = ResourceGraph(graph.project, graph.stack, [node])
        runner.run_policies(single, policies=[policy], config={policy.name: runner.PolicySetting(Level.MANDATORY)})

    resource_rules = [p for p in policies if p.kind is Kind.RESOURCE]
    stack_rules = [p for p in policies if p.kind is Kind.STACK]
    for graph in graphs:
        for node in graph.resources:
            for policy in resource_rules:
                if policy.applies_to(node.type):
                    run(graph, node, policy)
        settings = {p.name: runner.PolicySetting(Level.MANDATORY) for p in stack_rules}
        runner.run_policies(graph, policies=stack_rules, config=settings)
    for policy in resource_rules:
        for type_ in policy.resource_types:
            props = {n: "x" for n in output_names(type_) if n not in {"id", "urn"}}
            node = ResourceNode(f"urn:pulumi:prod::p::{type_}::x", type_, "x", True, "", "", props, props)
            run(ResourceGraph("p", "prod", [node]), node, policy)
    return dict(reads)
