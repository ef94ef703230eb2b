"""The resource graph's own data model (bench/MUTATION.md run J3): URN parts, each node and graph field through
`to_dict`/`from_dict` and back, what only the wire keeps (the plaintext of secrets, notes, invented values), the
defaults of a short record, the judged view, and graph.json's exact text."""

# ruff: noqa: E501  (expected records read as tables)
from __future__ import annotations

import json
from typing import Any

from preflight.graph import ResourceGraph, ResourceNode, UnrunApply, urn_name, urn_project, urn_stack

URN = "urn:pulumi:prod::shop::aws:s3/bucket:Bucket::orders::eu"


def _node(**extra: Any) -> ResourceNode:
    fields: dict[str, Any] = {
        "urn": URN,
        "type": "aws:s3/bucket:Bucket",
        "name": "orders::eu",
        "custom": True,
        "parent": "p",
        "provider": "pv",
        "inputs": {"a": 1},
        "outputs": {"b": 2},
    }
    return ResourceNode(**{**fields, **extra})


def test_urn_parts() -> None:
    assert (urn_name(URN), urn_project(URN), urn_stack(URN)) == ("orders::eu", "shop", "prod")
    assert (urn_name("a::b::c"), urn_project("a::b::c"), urn_stack("dev::p")) == ("c", "", "dev")


def test_a_node_round_trips_field_by_field() -> None:
    node = _node(
        id="i-1",
        dependencies=("d1", "d2"),
        property_dependencies={"k": ("d1",)},
        protect=True,
        secret_inputs={"a": "s"},
        secret_outputs={"b": "t"},
    )
    data = node.to_dict()
    assert data == {
        "urn": URN,
        "type": "aws:s3/bucket:Bucket",
        "name": "orders::eu",
        "custom": True,
        "parent": "p",
        "provider": "pv",
        "inputs": {"a": 1},
        "outputs": {"b": 2},
        "id": "i-1",
        "dependencies": ["d1", "d2"],
        "property_dependencies": {"k": ["d1"]},
        "protect": True,
    }
    assert node.to_dict(wire=True) == {**data, "secret_inputs": {"a": "s"}, "secret_outputs": {"b": "t"}}
    assert _node().to_dict(wire=True) == {**_node().to_dict()}  # no secrets: nothing more on the wire
    back = ResourceNode.from_dict(node.to_dict(wire=True), wire=True)
    assert back == node and (back.secret_inputs, back.secret_outputs) == ({"a": "s"}, {"b": "t"})
    plain = ResourceNode.from_dict(node.to_dict(wire=True))
    assert (plain.secret_inputs, plain.secret_outputs) == (None, None)  # a file never carries the plaintext
    short = ResourceNode.from_dict({"urn": URN, "type": "t:m:T", "name": "n"})
    assert short == ResourceNode(
        urn=URN,
        type="t:m:T",
        name="n",
        custom=True,
        parent="",
        provider="",
        inputs={},
        outputs={},
        id="",
        dependencies=(),
        property_dependencies={},
        protect=False,
    )
    assert ResourceNode.from_dict({"urn": URN, "type": "t", "name": "n", "custom": 0, "protect": 1}).custom is False


def test_the_judged_view_holds_the_plaintext() -> None:
    node = _node(secret_inputs={"a": "s"})
    judged = node.judged()
    assert (judged.inputs, judged.outputs, judged.secret_inputs, judged.secret_outputs) == (
        {"a": "s"},
        {"b": 2},
        None,
        None,
    )
    assert _node().judged() is not None and _node(secret_outputs={"b": "t"}).judged().outputs == {"b": "t"}
    plain = _node()
    assert plain.judged() is plain
    graph = ResourceGraph("shop", "prod", [node, plain], {"aws:region": "eu-west-1"}, "export")
    view = graph.judged()
    assert [r.inputs for r in view] == [{"a": "s"}, {"a": 1}]
    assert (view.project, view.stack, view.config, view.source) == (
        "shop",
        "prod",
        {"aws:region": "eu-west-1"},
        "export",
    )
    clean = ResourceGraph("shop", "prod", [plain])
    assert clean.judged() is clean


def test_unrun_applies() -> None:
    assert UnrunApply("m.py:3", 2, ("u1",)).to_dict() == {"at": "m.py:3", "count": 2, "sources": ["u1"]}
    assert UnrunApply("m.py:3", 1, (), "lib.py:9").to_dict() == {
        "at": "m.py:3",
        "count": 1,
        "sources": [],
        "via": "lib.py:9",
    }
    assert UnrunApply.from_dict({"at": "m.py:3"}) == UnrunApply("m.py:3", 1, (), "")
    assert UnrunApply.from_dict({"at": 7, "count": "3", "sources": [5], "via": "v"}) == UnrunApply("7", 3, ("5",), "v")


def _graph() -> ResourceGraph:
    return ResourceGraph(
        project="shop", stack="prod", resources=[_node(secret_inputs={"a": "s"})], config={"aws:region": "eu-west-1"}, source="export",
        notes=["a note"], remote_components=["urn:r"], reads=[_node(name="read")], unrun_applies=[UnrunApply("m.py:3", 2)],
        stack_references={"file": "f.json"}, invented={"vpc-1": "aws:ec2/getVpc:getVpc"},
    )  # fmt: skip


def test_a_graph_round_trips_and_only_the_wire_keeps_notes_and_invented_values() -> None:
    graph = _graph()
    data = graph.to_dict()
    assert data == {
        "project": "shop", "stack": "prod", "source": "export", "config": {"aws:region": "eu-west-1"},
        "resources": [_node().to_dict()], "remote_components": ["urn:r"], "reads": [_node(name="read").to_dict()],
        "unrun_applies": [{"at": "m.py:3", "count": 2, "sources": []}], "stack_references": {"file": "f.json"},
    }  # fmt: skip
    wire = graph.to_dict(wire=True)
    assert wire == {
        **data,
        "resources": [graph.resources[0].to_dict(wire=True)],
        "notes": ["a note"],
        "invented": {"vpc-1": "aws:ec2/getVpc:getVpc"},
    }
    back = ResourceGraph.from_dict(wire, wire=True)
    assert (back.project, back.stack, back.source, back.config, back.notes, back.remote_components) == (
        "shop",
        "prod",
        "export",
        {"aws:region": "eu-west-1"},
        ["a note"],
        ["urn:r"],
    )
    assert (back.reads, back.unrun_applies, back.stack_references, back.invented) == (
        graph.reads,
        graph.unrun_applies,
        {"file": "f.json"},
        {"vpc-1": "aws:ec2/getVpc:getVpc"},
    )
    assert back.resources[0].secret_inputs == {"a": "s"}
    from_file = ResourceGraph.from_dict(wire)
    assert (from_file.notes, from_file.invented, from_file.resources[0].secret_inputs) == ([], {}, None)
    short = ResourceGraph.from_dict({"project": "p", "stack": "s", "resources": []})
    assert (
        short.config,
        short.source,
        short.notes,
        short.remote_components,
        short.reads,
        short.unrun_applies,
        short.stack_references,
        short.invented,
    ) == ({}, "program", [], [], [], [], {}, {})
    assert ResourceGraph("p", "s", []).to_dict() == {
        "project": "p",
        "stack": "s",
        "source": "program",
        "config": {},
        "resources": [],
    }


def test_graph_json_is_sorted_and_indented() -> None:
    graph = ResourceGraph("p", "s", [], {"b": 1, "a": 2})
    assert graph.to_json() == json.dumps(graph.to_dict(), indent=2, sort_keys=True)
    assert graph.to_json().startswith('{\n  "config": {\n    "a": 2,\n    "b": 1\n  },\n  "project": "p"')


def test_the_wire_keeps_the_reads_secrets_and_tolerates_missing_parts() -> None:
    read = _node(name="read", secret_outputs={"b": "t"})
    graph = ResourceGraph("p", "s", [], reads=[read])
    wire = graph.to_dict(wire=True)
    assert wire["reads"] == [read.to_dict(wire=True)]
    assert ResourceGraph.from_dict(wire, wire=True).reads[0].secret_outputs == {"b": "t"}
    bare = ResourceGraph.from_dict({"project": "p", "stack": "s", "resources": []}, wire=True)
    assert (bare.notes, bare.invented) == ([], {})
    assert read.judged().secret_outputs is None and read.judged().outputs == {"b": "t"}
