"""Bedrock: guarded agents, complete guardrails, allowed models only, invocation logging (P064, P184, P189...).

Filter and action names come from the bedrock service model in botocore (`GuardrailContentFilterType`:
SEXUAL, VIOLENCE, HATE, INSULTS, MISCONDUCT, PROMPT_ATTACK; `GuardrailFilterStrength`: NONE..HIGH).
"""

from __future__ import annotations

from typing import Any

from pulumi_policy import PolicyResource, ReportViolation, ResourceValidationArgs, Severity, StackValidationArgs

from policies.lib import (
    BASELINE_SCHEMA,
    IDENTITY_POLICY_TYPES,
    ROLE_TYPE,
    Pending,
    as_list,
    get,
    grants,
    identity_documents,
    parse_document,
    provided_elsewhere,
    resources_of,
    text,
    tolerant,
    truthy,
)
from policies.managed_policies import MODEL_CALLS, model_call_statements
from policies.model_inputs import (
    AGENT,
    MODEL_TYPES,
    chosen_model,
    created_arns,
    is_pattern,
    models_used,
    routing_kind,
)
from policies.rules.iam import MANAGED_POLICY_ARN_INPUTS, attached_managed_arns
from policies.spec import Category, Kind, PolicySpec

GUARDRAIL = "aws:bedrock/guardrail:Guardrail"
INVOCATION_LOGGING = "aws:bedrockmodel/invocationLoggingConfiguration:InvocationLoggingConfiguration"
PROVIDER = "pulumi:providers:aws"

HARMFUL_CONTENT_FILTERS = ("SEXUAL", "VIOLENCE", "HATE", "INSULTS", "MISCONDUCT")
#: What an invocation log records: pulumi-aws InvocationLoggingConfigurationLoggingConfigArgs, each "Defaults to
#: `true`" (botocore bedrock LoggingConfig: "Set to include text data in the log delivery", ...; its
#: audioDataDeliveryEnabled has no pulumi-aws input). All four off, no prompt or completion is delivered (P132).
DATA_DELIVERY = (
    "textDataDeliveryEnabled",
    "imageDataDeliveryEnabled",
    "embeddingDataDeliveryEnabled",
    "videoDataDeliveryEnabled",
)


def _validate_agent_guardrail(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    configs = as_list(get(args.props, "guardrailConfigurations"))
    if not any(text(get(c, "guardrailIdentifier")) for c in configs):
        report_violation(f"{args.name}: the agent has no guardrail (guardrailConfigurations is empty).", None)


AGENT_GUARDRAIL = PolicySpec(
    name="bedrock-agent-guardrail",
    description="Every Bedrock agent runs with a guardrail.",
    explanation=(
        "Agents act on unstructured user input; without a guardrail nothing filters prompt attacks, harmful "
        "content or PII. Fix: guardrail_configurations=[{'guardrail_identifier': g.guardrail_id, "
        "'guardrail_version': version.version}]."
    ),
    principles=("P064", "P184", "P189", "P059"),
    severity=Severity.CRITICAL,
    category=Category.SECURITY,
    kind=Kind.RESOURCE,
    validate=_validate_agent_guardrail,
    resource_types=(AGENT,),
)


def _filters(props: Any) -> dict[str, Any]:
    return {text(get(f, "type")): f for f in as_list(get(props, "contentPolicyConfig", "filtersConfigs"))}


def _off(value: Any) -> bool:
    """An `*Enabled` input set to false (absent is the default, enabled)."""
    return value is not None and not truthy(value)


def filters_text(entry: Any, side: str) -> bool:
    """Whether a content filter blocks text on one side (`input` or `output`) of the model.

    It does when its strength is above NONE, its action is not NONE ("Take no action but return detection
    information in the trace response"; absent is BLOCK), its evaluation is not disabled (`inputEnabled` false:
    "The evaluation doesn't appear in the response") and its modalities, when set, include TEXT (TEXT | IMAGE):
    botocore's bedrock model, GuardrailContentFilterConfig, GuardrailContentFilterAction and GuardrailModality;
    the same inputs in pulumi-aws's GuardrailContentPolicyConfigFiltersConfigArgs (review s11 3 #3).
    """
    if entry is None or (text(get(entry, f"{side}Strength")) or "NONE") == "NONE":
        return False
    if text(get(entry, f"{side}Action")) == "NONE" or _off(get(entry, f"{side}Enabled")):
        return False
    modalities = get(entry, f"{side}Modalities")
    return modalities is None or "TEXT" in as_list(modalities)


def _validate_prompt_attack(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if not filters_text(_filters(args.props).get("PROMPT_ATTACK"), "input"):
        report_violation(f"{args.name}: the guardrail has no PROMPT_ATTACK filter on input.", None)


PROMPT_ATTACK = PolicySpec(
    name="bedrock-guardrail-prompt-attack-filter",
    description="Every guardrail filters prompt attacks (jailbreaks, prompt injection) on input.",
    explanation=(
        "Prompt injection turns the agent's tools against the platform. A filter that only detects (input_action "
        "NONE), is not evaluated (input_enabled false) or leaves out TEXT from input_modalities blocks nothing. "
        "Fix: content_policy_config.filters_configs += {'type': 'PROMPT_ATTACK', 'input_strength': 'HIGH', "
        "'output_strength': 'NONE'} (input_action BLOCK, the default)."
    ),
    principles=("P190", "P143", "P059"),
    severity=Severity.CRITICAL,
    category=Category.SECURITY,
    kind=Kind.RESOURCE,
    validate=_validate_prompt_attack,
    resource_types=(GUARDRAIL,),
)


def _validate_content_filters(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    filters = _filters(args.props)
    missing = [
        kind
        for kind in HARMFUL_CONTENT_FILTERS
        if not (filters_text(filters.get(kind), "input") and filters_text(filters.get(kind), "output"))
    ]
    if missing:
        report_violation(f"{args.name}: the guardrail does not filter {', '.join(missing)} on input and output.", None)


CONTENT_FILTERS = PolicySpec(
    name="bedrock-guardrail-content-filters",
    description="Every guardrail filters all harmful-content categories on input and output.",
    explanation=(
        "Each category (SEXUAL, VIOLENCE, HATE, INSULTS, MISCONDUCT) left out passes through unfiltered, as does "
        "one that only detects (input_action or output_action NONE), is not evaluated (input_enabled or "
        "output_enabled false) or leaves TEXT out of its modalities. Fix: add a filters_configs entry per category "
        "with input_strength and output_strength above NONE, and the actions BLOCK (the default)."
    ),
    principles=("P059", "P144", "P189"),
    severity=Severity.HIGH,
    category=Category.SECURITY,
    kind=Kind.RESOURCE,
    validate=_validate_content_filters,
    resource_types=(GUARDRAIL,),
)


def _acts(entry: Any, side: str) -> bool:
    """Whether a PII entity or regex masks or blocks on one side: its `{side}Action`, else its `action`, is BLOCK or
    ANONYMIZE (NONE: "Take no action but return detection information"), and its evaluation is not disabled
    (botocore bedrock GuardrailPiiEntityConfig, GuardrailRegexConfig, GuardrailSensitiveInformationAction)."""
    action = text(get(entry, f"{side}Action")) or text(get(entry, "action"))
    return action not in ("", "NONE") and not _off(get(entry, f"{side}Enabled"))


def _validate_pii(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    config = get(args.props, "sensitiveInformationPolicyConfig") or {}
    entries = [*as_list(get(config, "piiEntitiesConfigs")), *as_list(get(config, "regexesConfigs"))]
    if not entries:
        report_violation(f"{args.name}: the guardrail has no sensitive-information (PII) policy.", None)
    elif not any(_acts(entry, side) for entry in entries for side in ("input", "output")):
        report_violation(
            f"{args.name}: the guardrail's sensitive-information policy masks or blocks nothing (every PII entity "
            "and regex has action NONE or its evaluation disabled).",
            None,
        )


PII_POLICY = PolicySpec(
    name="bedrock-guardrail-pii-policy",
    description="Every guardrail has a sensitive-information policy (PII entities or regexes).",
    explanation=(
        "Prompts and completions carry personal data; entities whose action is NONE are only detected. Fix: "
        "sensitive_information_policy_config={'pii_entities_configs': [{'type': 'EMAIL', 'action': 'ANONYMIZE'}, "
        "...]}."
    ),
    principles=("P061", "P093", "P187"),
    severity=Severity.HIGH,
    category=Category.SECURITY,
    kind=Kind.RESOURCE,
    validate=_validate_pii,
    resource_types=(GUARDRAIL,),
)


def _judge_models(
    resource: PolicyResource, allowed: list[str], created: set[str], report_violation: ReportViolation
) -> None:
    """Each model reference of one resource against the stack's allowed models."""
    name, listed = resource.name, ", ".join(allowed)
    for reference in models_used(resource.resource_type, resource.props):
        model = chosen_model(reference)
        if model is None:
            kind = routing_kind(reference)
            if kind is not None and reference not in created:
                report_violation(
                    f"{name}: {reference} is a Bedrock {kind} this stack does not create, so the model behind it "
                    f"is unknown here and not allowed (allowed: {listed}). State it: create the {kind} in this "
                    "stack from an allowed model, or name the allowed model's foundation-model or "
                    "inference-profile ARN.",
                    resource.urn,
                )
            continue  # created here (its own model input is judged as this stack's), or not a model at all
        if is_pattern(model):
            report_violation(
                f"{name}: {reference} names every model it matches, not only those allowed in this stack ({listed}).",
                resource.urn,
            )
        elif model not in allowed:
            report_violation(
                f"{name}: model {reference} is not allowed in this stack (allowed: {listed}).", resource.urn
            )


def _check_models(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    """A stack rule, not a resource one, because an ARN that stands for a model (an application inference profile,
    a provisioned model: policies.model_inputs.routing_kind) is judged by whether this stack creates it: its model
    is then the one the creating resource names, judged here too; otherwise nothing offline can tell which model it
    is, and an unknown model is not an allowed one (review s11 4 #7)."""
    allowed = [str(m) for m in as_list(args.get_config().get("allowedModelIds"))]
    if not allowed:
        return  # no list configured for this stack: nothing to compare against
    created: set[str] = set()
    tolerant(args.resources, lambda r: created.update(created_arns(r.resource_type, r.props)))
    tolerant(resources_of(args, *MODEL_TYPES), lambda r: _judge_models(r, allowed, created, report_violation))


ALLOWED_MODELS = PolicySpec(
    name="bedrock-allowed-models",
    description="Every input that chooses a model, and every invoke grant, names only models allowed for the stack.",
    explanation=(
        "Each stack allows the models its budget is sized for (allowedModelIds in the stack's policy config, "
        "policies/config/<stack>.json); a model chosen anywhere (agent, prompt variant, flow, knowledge base, "
        "provisioned throughput, inference profile, custom model, evaluation job, an InvokeModel grant; "
        "policies/model_inputs.py) is held to it. An ARN that stands for a model without naming it (application "
        "inference profile, provisioned, custom or imported model, prompt router) passes only when this stack "
        "creates it, from an allowed model: another's hides its model, and an unknown model is not allowed. Fix: "
        "pick an allowed model, or add the model id to allowedModelIds; grant bedrock:InvokeModel on each allowed "
        "model's ARN, not a wildcard."
    ),
    principles=("P015", "P153", "P183"),
    severity=Severity.HIGH,
    category=Category.GOVERNANCE,
    kind=Kind.STACK,
    validate=_check_models,
    resource_types=MODEL_TYPES,
    covers_types=False,
    config_schema={"allowedModelIds": {"type": "array", "items": {"type": "string"}}},
)


def _resource_region(resource: PolicyResource, default_region: str) -> str:
    own = text(get(resource.props, "region"))
    if own:
        return own
    if resource.provider is not None:
        return text(get(resource.provider.props, "region")) or default_region
    return default_region


def _attached_managed_arns(resource: PolicyResource) -> list[str]:
    """The managed policy ARNs a role or attachment names (`iam.MANAGED_POLICY_ARN_INPUTS`)."""
    return attached_managed_arns(resource.resource_type, resource.props)


def _grants_model_calls(resource: PolicyResource, pending: Pending) -> bool:
    """Its own identity documents, or an AWS managed policy it attaches, let a principal call a model."""
    documents = pending.read(lambda: list(identity_documents(resource.resource_type, resource.props)), [])
    statements = [s for _, document in documents for s in parse_document(document, pending)]
    for arn in pending.read(lambda: _attached_managed_arns(resource), []):
        statements += model_call_statements(arn)
    return any(grants(statement, action) for statement in statements for action in MODEL_CALLS)


#: Bedrock resources of either provider (aws-native `aws-native:bedrock:Agent`, ... too).
_BEDROCK_PREFIXES = ("aws:bedrock/", "aws:bedrockmodel/", "aws-native:bedrock:")
#: The pulumi-aws types that carry identity policies; an aws-native role or policy is read as its views of these
#: (policies.lib.resources_of), so `aws-native:iam:ManagedPolicy` granting bedrock:InvokeModel counts (review4 #6).
IDENTITY_TYPES = (*IDENTITY_POLICY_TYPES, ROLE_TYPE, *MANAGED_POLICY_ARN_INPUTS)


def uses_bedrock(args: StackValidationArgs) -> bool:
    """A Bedrock resource (logging aside), or any identity policy that lets a principal call a model or agent."""
    for resource in args.resources:
        kind = resource.resource_type
        if kind.startswith(_BEDROCK_PREFIXES) and kind != INVOCATION_LOGGING:
            return True
    pending = Pending()
    return any(_grants_model_calls(resource, pending) for resource in resources_of(args, *IDENTITY_TYPES))


def _check_invocation_logging(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    config = args.get_config()
    if provided_elsewhere(config):
        return
    if not resources_of(args, INVOCATION_LOGGING) and not uses_bedrock(args):
        return  # a program that never calls a model has nothing to log (not applicable)
    region = str(config.get("region") or "")
    found: list[PolicyResource] = []

    def check(logging: PolicyResource) -> None:
        destinations = get(logging.props, "loggingConfig") or {}
        if not (get(destinations, "cloudwatchConfig") or get(destinations, "s3Config")):
            report_violation(f"{logging.name}: invocation logging has no CloudWatch or S3 destination.", logging.urn)
            return
        if all(_off(get(destinations, flag)) for flag in DATA_DELIVERY):
            report_violation(
                f"{logging.name}: invocation logging delivers no data (text, image, embedding and video delivery "
                "all off), so it records no prompt or completion.",
                logging.urn,
            )
            return
        if not region or _resource_region(logging, region) == region:
            found.append(logging)

    tolerant(resources_of(args, INVOCATION_LOGGING), check)
    if not found:
        report_violation(
            f"no Bedrock model-invocation logging in {region or 'the stack region'} "
            "(and the stack config does not say another stack provides it).",
            None,
        )


INVOCATION_LOGGING_POLICY = PolicySpec(
    name="bedrock-invocation-logging",
    description="A stack that calls Bedrock models has model-invocation logging in its region (here or elsewhere).",
    explanation=(
        "Invocation logs are the record of every prompt and completion. It is one setting per account and region: "
        "one stack or the organisation provides it, the others set providedBy (organization or another-stack) in "
        "their policy config. A configuration with every data delivery off delivers no prompt or completion. Fix: "
        "aws.bedrockmodel.InvocationLoggingConfiguration with a KMS-encrypted CloudWatch or S3 destination and "
        "text_data_delivery_enabled left on."
    ),
    principles=("P132", "P121", "P188"),
    severity=Severity.HIGH,
    category=Category.GOVERNANCE,
    kind=Kind.STACK,
    validate=_check_invocation_logging,
    resource_types=(INVOCATION_LOGGING,),
    config_schema={**BASELINE_SCHEMA, "region": {"type": "string"}},
)

POLICIES: list[PolicySpec] = [
    AGENT_GUARDRAIL,
    PROMPT_ATTACK,
    CONTENT_FILTERS,
    PII_POLICY,
    ALLOWED_MODELS,
    INVOCATION_LOGGING_POLICY,
]
