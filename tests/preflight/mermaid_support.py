"""Reading the report's Mermaid back (a strict parser of the subset it emits) and a pull request's base.

The parser fails on any line outside that subset, so a test that parses a diagram also checks it is
well formed; the render test (test_diagram_render.py) checks that a real Mermaid draws it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import pytest

from preflight.graph import ResourceGraph, ResourceNode

if TYPE_CHECKING:
    from collections.abc import Iterable

_ID = r"[A-Za-z][A-Za-z0-9_]*"
_LABEL = r'[^"\[\]{}()<>|#;]*'
_NODE = re.compile(rf'^    ({_ID})\["({_LABEL}(?:<br/>{_LABEL})*)"\]$')
_SUBGRAPH = re.compile(rf'^  subgraph ({_ID})\["({_LABEL})"\]$')
_INVISIBLE = re.compile(rf"^  ({_ID}) ~~~ ({_ID})$")
_EDGE = re.compile(rf'^  ({_ID}) (-->|---|-\.->|-\.-)(?:\|"({_LABEL})"\|)? ({_ID})$')
_CLASSDEF = re.compile(rf"^  classDef ({_ID}) ([a-z-]+:[^;\s]+(?:,[a-z-]+:[^;,]+)*)$")
_CLASS = re.compile(rf"^  class ({_ID}(?:,{_ID})*) ({_ID})$")
_LINKSTYLE = re.compile(r"^  linkStyle (\d+(?:,\d+)*) ([a-z-]+:[^;\s]+(?:,[a-z-]+:[^;,]+)*)$")
_KEYWORDS = {"end", "subgraph", "graph", "flowchart", "class", "classDef", "style", "linkStyle", "click"}


@dataclass(frozen=True)
class Edge:
    """One arrow as the reader sees it: back arrows (`◀` labels) turned the right way round."""

    source: str
    target: str
    label: str
    dotted: bool
    index: int


@dataclass
class Diagram:
    subgraphs: dict[str, str] = field(default_factory=dict)
    nodes: dict[str, str] = field(default_factory=dict)  # id -> label
    layer: dict[str, str] = field(default_factory=dict)  # node id -> subgraph title
    edges: list[Edge] = field(default_factory=list)  # drawn arrows (invisible legend links left out)
    classes: dict[str, set[str]] = field(default_factory=dict)  # node id -> classes
    class_defs: dict[str, str] = field(default_factory=dict)
    link_styles: dict[int, str] = field(default_factory=dict)

    def title(self, node: str) -> str:
        return self.nodes[node].split("<br/>")[0]

    def node(self, title: str) -> str:
        """The id of the box whose first label line is `title`."""
        found = [n for n in self.nodes if self.title(n) == title]
        assert len(found) == 1, f"expected one box titled {title!r}, found {found} in {sorted(self.nodes.values())}"
        return found[0]

    def edge(self, source: str, target: str) -> Edge:
        """The arrow from the box titled `source` to the box titled `target`."""
        a, b = self.node(source), self.node(target)
        found = [e for e in self.edges if (e.source, e.target) == (a, b)]
        assert found, f"no arrow {source} -> {target}; arrows: {self.readable_edges()}"
        return found[0]

    def has_edge(self, source: str, target: str) -> bool:
        a, b = self.node(source), self.node(target)
        return any((e.source, e.target) == (a, b) for e in self.edges)

    def readable_edges(self) -> list[str]:
        return [f"{self.title(e.source)} -[{e.label}]-> {self.title(e.target)}" for e in self.edges]


def mermaid_blocks(text: str) -> list[list[str]]:
    """The lines of each ```mermaid block of a Markdown text."""
    blocks: list[list[str]] = []
    current: list[str] | None = None
    for line in text.splitlines():
        if line == "```mermaid":
            current = []
        elif line == "```" and current is not None:
            blocks.append(current)
            current = None
        elif current is not None:
            current.append(line)
    assert current is None, "unclosed mermaid block"
    return blocks


def parse(lines: list[str]) -> Diagram:
    """Parse and validate the renderer's Mermaid subset; fail on anything else."""
    assert lines[0] == "flowchart LR"
    diagram = Diagram()
    depth, current, edge_count = 0, "", 0
    for line in lines[1:]:
        if m := _SUBGRAPH.match(line):
            assert depth == 0, "nested subgraph"
            assert m.group(1) not in diagram.subgraphs and m.group(1) not in _KEYWORDS
            diagram.subgraphs[m.group(1)] = m.group(2)
            depth, current = 1, m.group(2)
        elif line == "    direction TB":
            assert depth == 1 and current == "Legend", "direction only in the legend"
        elif m := _INVISIBLE.match(line):
            assert depth == 0 and {m.group(1), m.group(2)} <= diagram.nodes.keys()
            ends = {diagram.layer[m.group(1)], diagram.layer[m.group(2)]}
            assert ends == {"Legend"}, "invisible links only order the legend"
            edge_count += 1
        elif line == "  end":
            assert depth == 1, "end without subgraph"
            depth = 0
        elif m := _NODE.match(line):
            assert depth == 1, f"box outside a layer: {line!r}"
            ident = m.group(1)
            assert ident not in diagram.nodes and ident not in diagram.subgraphs, f"duplicate id {ident}"
            assert ident not in _KEYWORDS
            diagram.nodes[ident] = m.group(2)
            diagram.layer[ident] = current
        elif m := _EDGE.match(line):
            assert depth == 0, "edge inside a subgraph"
            first, link, label, second = m.group(1), m.group(2), m.group(3) or "", m.group(4)
            assert first in diagram.nodes and second in diagram.nodes, f"edge to an undeclared box: {line!r}"
            back = ">" not in link
            assert back == label.startswith("◀"), f"a headless line must point back with ◀: {line!r}"
            source, target = (second, first) if back else (first, second)
            diagram.edges.append(Edge(source, target, label.removeprefix("◀").strip(), "." in link, edge_count))
            edge_count += 1
        elif m := _CLASSDEF.match(line):
            diagram.class_defs[m.group(1)] = m.group(2)
        elif m := _CLASS.match(line):
            assert m.group(2) in diagram.class_defs, f"class before its classDef: {line!r}"
            for ident in m.group(1).split(","):
                assert ident in diagram.nodes, f"class on an undeclared box: {ident}"
                diagram.classes.setdefault(ident, set()).add(m.group(2))
        elif m := _LINKSTYLE.match(line):
            for index in m.group(1).split(","):
                assert int(index) < edge_count, f"linkStyle for an edge not yet drawn: {line!r}"
                diagram.link_styles[int(index)] = m.group(2)
        else:
            pytest.fail(f"line the parser does not accept: {line!r}")
    assert depth == 0, "unbalanced subgraph/end"
    return diagram


def the_diagram(text: str) -> Diagram:
    """The one diagram of a rendered comment, parsed."""
    (block,) = mermaid_blocks(text)
    return parse(block)


# --------------------------------------------------------------------------------------------------
# A pull request against the template: what its base looked like
# --------------------------------------------------------------------------------------------------

#: The component the pull request adds (absent from the base), one it changes, one it removes.
ADDED_COMPONENT = "agentic:agent:Agent::assistant"
CHANGED_RESOURCE = "guardrail"
REMOVED_FUNCTION = "legacy"


def _under(graph: ResourceGraph, top: str) -> set[str]:
    """URNs of the component named by `type::name` and everything below it."""
    type_, name = top.rsplit("::", 1)
    roots = {n.urn for n in graph if n.type == type_ and n.name == name}
    found = set(roots)
    grew = True
    while grew:
        more = {n.urn for n in graph if n.parent in found} - found
        found |= more
        grew = bool(more)
    return found


def pull_request_base(head: ResourceGraph) -> ResourceGraph:
    """The base a pull request on `head` started from: no agent yet, another guardrail input, and a
    `Function legacy` that publishes to the bus and that the pull request deletes."""
    dropped = _under(head, ADDED_COMPONENT)
    resources: list[ResourceNode] = []
    for node in head:
        if node.urn in dropped:
            continue
        if node.name == CHANGED_RESOURCE and node.custom:
            resources.append(replace(node, inputs={**node.inputs, "blockedInputMessaging": "an older message"}))
        else:
            resources.append(node)
    resources += list(_legacy_function(head))
    return ResourceGraph(head.project, head.stack, resources, dict(head.config), head.source)


def _legacy_function(head: ResourceGraph) -> Iterable[ResourceNode]:
    ingest = next(n for n in head if n.type == "agentic:function:Function" and n.name == "ingest")
    bus = next(n for n in head if n.type == "aws:cloudwatch/eventBus:EventBus")
    prefix = ingest.urn.rsplit("::", 1)[0]
    component = replace(ingest, urn=f"{prefix}::{REMOVED_FUNCTION}", name=REMOVED_FUNCTION)
    yield component
    function_type = "aws:lambda/function:Function"
    yield ResourceNode(
        urn=f"{prefix}${function_type}::{REMOVED_FUNCTION}",
        type=function_type,
        name=REMOVED_FUNCTION,
        custom=True,
        parent=component.urn,
        provider="",
        inputs={"runtime": "python3.12"},
        outputs={},
        property_dependencies={"environment": (bus.urn,)},
    )
    policy_type = "aws:iam/rolePolicy:RolePolicy"
    yield ResourceNode(
        urn=f"{prefix}${policy_type}::{REMOVED_FUNCTION}-put-events",
        type=policy_type,
        name=f"{REMOVED_FUNCTION}-put-events",
        custom=True,
        parent=component.urn,
        provider="",
        inputs={"policy": '{"Statement": [{"Effect": "Allow", "Action": "events:PutEvents", "Resource": "*"}]}'},
        outputs={},
        property_dependencies={"policy": (bus.urn,)},
    )
