"""Which layer a resource sits in: its component's declared module, the nearest component ancestor's
(never the composition root's), else its AWS service; foreign programs have no layers."""

from __future__ import annotations

import pytest

from preflight.graph import STACK_TYPE, ResourceGraph, ResourceNode
from preflight.layers import component_layer, has_layers, is_composition_root, layer_of


def _node(type_: str, name: str, parent: str = "", custom: bool = True) -> ResourceNode:
    urn = f"urn:pulumi:dev::p::{type_}::{name}"
    return ResourceNode(urn, type_, name, custom, parent, "", {}, {})


STACK = _node(STACK_TYPE, "p-dev", custom=False)
ROOT = _node("agentic:platform:AgenticPlatform", "platform", STACK.urn, custom=False)
AGENT = _node("agentic:agent:Agent", "agent", ROOT.urn, custom=False)
INNER = _node("agentic:unknownmodule:Thing", "thing", AGENT.urn, custom=False)
ROLE = _node("aws:iam/role:Role", "role", INNER.urn)
LOOSE = _node("aws:sqs/queue:Queue", "queue", ROOT.urn)
GRAPH = ResourceGraph("p", "dev", [STACK, ROOT, AGENT, INNER, ROLE, LOOSE])


def test_the_nearest_component_with_a_layer_wins_and_the_root_composes_only() -> None:
    assert layer_of(ROLE, GRAPH) == "Inference"  # INNER declares no layer, AGENT does
    assert layer_of(ROLE) == "Governance"  # without the graph: its service
    assert layer_of(LOOSE, GRAPH) == "Decisioning"  # ROOT is the composition root, not a layer
    assert layer_of(AGENT, GRAPH) == "Inference"


def test_composition_root_and_component_layers() -> None:
    assert is_composition_root(ROOT) and not is_composition_root(AGENT)
    assert not is_composition_root(_node("other:platform:Root", "r", custom=False))
    assert component_layer(AGENT) == "Inference"
    assert component_layer(ROOT) is None and component_layer(INNER) is None
    assert component_layer(_node("acme:agent:Agent", "a", custom=False)) is None


@pytest.mark.parametrize(
    ("type_", "layer"),
    [
        ("aws:cloudwatch/eventRule:EventRule", "Processing"),
        ("aws:cloudwatch/eventTarget:EventTarget", "Processing"),
        ("aws:cloudwatch/metricAlarm:MetricAlarm", "Governance"),
        ("aws:s3/bucket:Bucket", "Storage"),
        ("aws:iot/thing:Thing", "Devices"),
        ("aws:cloudfront/distribution:Distribution", "Edge"),
        ("aws:ec2/instance:Instance", "Processing"),
        ("random:index/randomId:RandomId", "Governance"),
    ],
)
def test_plain_resources_by_service(type_: str, layer: str) -> None:
    assert layer_of(_node(type_, "n")) == layer


def test_only_template_programs_have_layers() -> None:
    assert has_layers(GRAPH)
    assert not has_layers(ResourceGraph("p", "dev", [STACK, ROLE, LOOSE]))
