"""preflight.graph: URN parts as Pulumi reads them, a node's package and module, which resources a stack
deploys, the parent chain, and a graph that survives JSON (the cache and `--graph` files rely on it)."""

from __future__ import annotations

import json

import pytest

from preflight.graph import ResourceGraph, ResourceNode, urn_name, urn_project, urn_stack

STACK_URN = "urn:pulumi:dev::shop::pulumi:pulumi:Stack::shop-dev"


@pytest.mark.parametrize(
    ("urn", "name", "project", "stack"),
    [
        ("urn:pulumi:dev::shop::aws:s3/bucket:Bucket::docs", "docs", "shop", "dev"),
        ("urn:pulumi:prod::shop::aws:sqs/queue:Queue::orders::eu", "orders::eu", "shop", "prod"),
        ("urn:pulumi:dev::shop::my:comp:Comp$aws:s3/bucket:Bucket::b", "b", "shop", "dev"),
        ("not-a-urn::x", "x", "", "not-a-urn"),
        ("plain", "plain", "", "plain"),
    ],
    ids=["ok_simple", "ok_name_with_separator", "ok_parent_type_chain", "bad1_two_parts", "bad2_no_separator"],
)
def test_urn_parts(urn: str, name: str, project: str, stack: str) -> None:
    assert (urn_name(urn), urn_project(urn), urn_stack(urn)) == (name, project, stack)


def _node(urn: str, type_: str, *, custom: bool = True, parent: str = "", **extra: object) -> ResourceNode:
    return ResourceNode(
        urn=urn,
        type=type_,
        name=urn_name(urn),
        custom=custom,
        parent=parent,
        provider="",
        inputs={},
        outputs={},
        **extra,
    )  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("type_", "package", "module"),
    [
        ("aws:s3/bucket:Bucket", "aws", "s3"),
        ("aws-native:greengrassv2:Deployment", "aws-native", "greengrassv2"),
        ("pulumi:providers:aws", "pulumi", "providers"),
        ("my:component", "my", ""),
        ("bare", "bare", ""),
    ],
)
def test_package_and_module(type_: str, package: str, module: str) -> None:
    node = _node("urn:pulumi:dev::shop::x::n", type_)
    assert (node.package, node.module) == (package, module)


def _graph() -> ResourceGraph:
    component = "urn:pulumi:dev::shop::my:Api::api"
    inner = "urn:pulumi:dev::shop::my:Api$my:Part::part"
    return ResourceGraph(
        project="shop",
        stack="dev",
        resources=[
            _node(STACK_URN, "pulumi:pulumi:Stack", custom=False),
            _node("urn:pulumi:dev::shop::pulumi:providers:aws::default", "pulumi:providers:aws", parent=STACK_URN),
            _node(component, "my:Api", custom=False, parent=STACK_URN),
            _node(inner, "my:Part", custom=False, parent=component),
            _node(
                "urn:pulumi:dev::shop::aws:s3/bucket:Bucket::b",
                "aws:s3/bucket:Bucket",
                parent=inner,
                id="b-123",
                dependencies=("urn:x",),
                property_dependencies={"bucket": ("urn:y", "urn:z")},
                protect=True,
            ),
            _node("urn:pulumi:dev::shop::aws:sqs/queue:Queue::q", "aws:sqs/queue:Queue", parent="urn:missing"),
        ],
        config={"aws:region": "us-east-1"},
        source="export",
    )


def test_which_resources_a_stack_deploys() -> None:
    graph = _graph()
    assert len(graph) == 6
    assert [r.name for r in graph.custom_resources] == ["default", "b", "q"]
    assert [r.name for r in graph.managed_resources] == ["b", "q"]
    assert [r.name for r in graph.of_type("aws:sqs/queue:Queue", "my:Part")] == ["part", "q"]
    assert [r.name for r in graph.children(STACK_URN)] == ["default", "api"]
    assert graph.get("urn:nothing") is None
    assert [r.name for r in graph] == [r.name for r in graph.resources]


def test_ancestors_stop_below_the_stack_and_at_a_missing_parent() -> None:
    graph = _graph()
    bucket = graph.get("urn:pulumi:dev::shop::aws:s3/bucket:Bucket::b")
    queue = graph.get("urn:pulumi:dev::shop::aws:sqs/queue:Queue::q")
    assert bucket is not None and queue is not None
    assert [a.name for a in graph.ancestors(bucket)] == ["part", "api"]
    assert graph.ancestors(queue) == []


def test_a_graph_survives_json() -> None:
    graph = _graph()
    data = json.loads(graph.to_json())
    assert data["source"] == "export" and data["config"] == {"aws:region": "us-east-1"}
    bucket = next(r for r in data["resources"] if r["name"] == "b")
    assert bucket["dependencies"] == ["urn:x"]
    assert bucket["property_dependencies"] == {"bucket": ["urn:y", "urn:z"]}
    again = ResourceGraph.from_dict(data)
    assert again.resources == graph.resources
    assert (again.project, again.stack, again.source, again.config) == ("shop", "dev", "export", graph.config)
    assert again.get(bucket["urn"]) == graph.get(bucket["urn"])


def test_defaults_of_a_minimal_serialised_graph() -> None:
    graph = ResourceGraph.from_dict(
        {
            "project": "p",
            "stack": "s",
            "resources": [{"urn": "urn:pulumi:s::p::t:m/x:X::n", "type": "t:m/x:X", "name": "n"}],
        }
    )
    node = graph.resources[0]
    assert (graph.source, graph.config) == ("program", {})
    assert (node.custom, node.parent, node.provider, node.id, node.protect) == (True, "", "", "", False)
    assert (node.inputs, node.outputs, node.dependencies, node.property_dependencies) == ({}, {}, (), {})
    falsy = ResourceNode.from_dict({"urn": "u", "type": "t", "name": "n", "custom": 0, "protect": 1})
    assert (falsy.custom, falsy.protect) == (False, True)
