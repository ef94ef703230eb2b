"""Which architectural layer a resource belongs to: Interface, Processing, Inference, Decisioning,
Storage or Governance (the five-layer architecture of the principles, plus the governance baseline),
and the two edge tiers when a stack has them: Edge (network edge, P084) and Devices (device edge, P083).

Components declare their layer in their type token's module (`agentic:<module>:<Type>`); plain
resources are placed by their AWS service. The nearest component ancestor wins.
"""

from __future__ import annotations

from preflight.graph import ResourceGraph, ResourceNode

LAYERS = ("Interface", "Processing", "Inference", "Decisioning", "Storage", "Governance", "Edge", "Devices")

_COMPONENT_MODULES = {
    "api": "Interface",
    "interface": "Interface",
    "function": "Processing",
    "events": "Processing",
    "workflow": "Processing",
    "processing": "Processing",
    "agent": "Inference",
    "guardrail": "Inference",
    "knowledge": "Inference",
    "inference": "Inference",
    "prompts": "Inference",
    "decisioning": "Decisioning",
    "escalation": "Decisioning",
    "storage": "Storage",
    "governance": "Governance",
    "observability": "Governance",
    "security": "Governance",
    "edge": "Edge",
    "devices": "Devices",
}

_AWS_MODULES = {
    "apigateway": "Interface",
    "apigatewayv2": "Interface",
    "cognito": "Interface",
    "lambda": "Processing",
    "sfn": "Processing",
    "scheduler": "Processing",
    "pipes": "Processing",
    "schemas": "Processing",
    "bedrock": "Inference",
    "bedrockmodel": "Inference",
    "sagemaker": "Inference",
    "opensearch": "Inference",
    "sns": "Decisioning",
    "sqs": "Decisioning",
    "s3": "Storage",
    "dynamodb": "Storage",
    "kms": "Governance",
    "cloudtrail": "Governance",
    "cfg": "Governance",
    "budgets": "Governance",
    "iam": "Governance",
    "cloudwatch": "Governance",
    "cloudfront": "Edge",
    "wafv2": "Edge",
    "iot": "Devices",
    "greengrassv2": "Devices",  # aws-native:greengrassv2:*
}


def has_layers(graph: ResourceGraph) -> bool:
    """Whether the program is built from this template's components (`agentic:*` types).

    The five layers describe this template's architecture; another program's resources are not placed in
    them (its `plan` shows types only), since naming its queue "Decisioning" would be made up.
    """
    return any(node.package == "agentic" for node in graph.resources)


#: The composition root's module: `agentic:platform:AgenticPlatform` wires the components together and
#: is no layer of its own, so nothing is placed or drawn by it.
_ROOT_MODULE = "platform"


def is_composition_root(node: ResourceNode) -> bool:
    """Whether `node` is the component that only composes the others (`agentic:platform:*`)."""
    return node.package == "agentic" and node.module == _ROOT_MODULE


def component_layer(node: ResourceNode) -> str | None:
    """The layer an `agentic:<module>:<Type>` component declares by its module; None for others."""
    if node.package != "agentic":
        return None
    return _COMPONENT_MODULES.get(node.module)


def layer_of(node: ResourceNode, graph: ResourceGraph | None = None) -> str:
    """The layer of `node`: its own component module, its nearest component ancestor's, or its service's."""
    own = component_layer(node)
    if own:
        return own
    if graph is not None:
        for ancestor in graph.ancestors(node):
            found = component_layer(ancestor)
            if found and not is_composition_root(ancestor):
                return found
    if node.module == "cloudwatch" and node.type.split(":")[-1].startswith("Event"):
        return "Processing"
    return _AWS_MODULES.get(node.module, "Processing" if node.package == "aws" else "Governance")
