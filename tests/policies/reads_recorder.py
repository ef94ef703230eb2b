"""Which inputs the pack's security and governance rules read, per resource type, recorded while they run.

Why: `policies.security_values.SECURITY_VALUES` lists the inputs whose unknown value must not pass unseen;
it is meant to be exactly what the rules read (less identity and wiring keys, and the documents
`iam-document-unknown` owns). Recording is how a test keeps it so: every read through pulumi_policy's
unknown-checking proxy passes `_raise_if_unknown(key, value, path)`, and the recorder roots each resource's
path at its type, on the template's own graphs (stack rules included), on one resource of every type a
resource rule names, and (review2 F9b) with every stack rule on one graph holding one resource of every type any
of the rules names, every output set: a stack rule over a type the template lacks is recorded too.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

import pulumi_policy.proxy as proxy
import pytest

import preflight.policy_runner as runner
from policies.sdk import native_output_names, output_names
from policies.spec import Kind, PolicySpec
from preflight.findings import Level
from preflight.graph import ResourceGraph, ResourceNode


def filled_node(type_: str) -> ResourceNode:
    """One resource of `type_` with every output set to "x" (aws-native types by their own SDK's names): every
    value known and non-empty, and every id equal, so a stack rule links each resource to every other."""
    names = output_names(type_) or native_output_names(type_)
    props = {n: "x" for n in names if n not in {"id", "urn"}}
    return ResourceNode(f"urn:pulumi:prod::p::{type_}::x", type_, "x", True, "", "", props, props)


def settings_of(policies: list[PolicySpec]) -> dict[str, runner.PolicySetting]:
    return {p.name: runner.PolicySetting(Level.MANDATORY) for p in policies}


def record_reads(
    monkeypatch: pytest.MonkeyPatch, policies: list[PolicySpec], graphs: Iterable[ResourceGraph]
) -> dict[str, set[str]]:
    """type -> the top-level inputs `policies` read, on `graphs`, on one filled resource per type a resource rule
    names, and by the stack rules on one graph of one filled resource per type any rule names."""
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
        runner.run_policies(graph, policies=stack_rules, config=settings_of(stack_rules))
    for policy in resource_rules:
        for type_ in policy.resource_types:
            node = filled_node(type_)
            run(ResourceGraph("p", "prod", [node]), node, policy)
    named = sorted({type_ for policy in policies for type_ in policy.resource_types})
    filled = ResourceGraph("p", "prod", [filled_node(type_) for type_ in named])
    runner.run_policies(filled, policies=stack_rules, config=settings_of(stack_rules))
    return dict(reads)
