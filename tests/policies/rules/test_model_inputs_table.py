"""Every input that chooses a model is judged by allowedModelIds, in one place (review s11 3 #5; cdk-nag style:
`ok` cases are Compliance, numbered `bad` cases Noncompliance).

The table of policies.model_inputs is checked against the installed SDKs both ways: each path is a real input, and
each input of the Bedrock modules whose name says it holds a model is in the table or set aside with its reason.
"""
# ruff: noqa: E501  (one case per line reads as a table)

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from policies import model_inputs as mi
from policies.registry import all_policies, by_name
from policies.rules import bedrock
from policies.rules import bedrock_lifecycle as bl
from policies.rules.coverage import not_judged
from preflight.findings import Level
from preflight.graph import ResourceGraph
from preflight.policy_runner import PolicySetting, run_policies
from tests.policies.conftest import custom_node, flagged, synth
from tests.policies.rules.calls import resource, run_one, run_resource
from tests.policies.sdk_input_paths import input_paths, resource_tokens

ALLOWED = {"allowedModelIds": ["amazon.nova-micro-v1:0", "amazon.nova-lite-v1:0"]}
LITE = "amazon.nova-lite-v1:0"
OPUS = "anthropic.claude-opus-4-1-20250805-v1:0"
OPUS_ARN = f"arn:aws:bedrock:us-east-1::foundation-model/{OPUS}"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
THROUGHPUT = "aws:bedrock/provisionedModelThroughput:ProvisionedModelThroughput"

#: Inputs of the Bedrock modules whose name mentions a model but that choose none.
NOT_MODEL_CHOICES = {
    "embeddingModelType": "FLOAT32 | BINARY, the vector type of the embeddings",
    "additionalModelRequestFields": "request fields passed to the model, not which model",
    "embeddingModelConfiguration.bedrockEmbeddingModelConfiguration.modelConfiguration": "dimensions and data type",
    "customModelName": "the name of the model the job creates",
    "customModelKmsKeyId": "its encryption key",
    "modelUnits": "a number of units",
    "provisionedModelName": "the name of the throughput it creates",
    "modelEnforcement.includedModels": "the models an enforced guardrail applies to, not a model the stack uses",
    "modelEnforcement.excludedModels": "the models an enforced guardrail does not apply to",
}
_MODEL_NAME = re.compile(r"(?i)model[^.]*$|(^|\.)copyFrom$")
_MODULES = (
    ("pulumi_aws", "bedrock"),
    ("pulumi_aws", "bedrockmodel"),
    ("pulumi_aws_native", "bedrock"),
    ("pulumi_aws_native", "bedrockagentcore"),
)


def _sdk_model_inputs() -> set[tuple[str, str]]:
    found = set()
    for package, service in _MODULES:
        for token in resource_tokens(package, service):
            for path in input_paths(token):
                if _MODEL_NAME.search(path) and not any(path.endswith(skip) for skip in NOT_MODEL_CHOICES):
                    found.add((token, path))
    return found


TABLE = sorted((t, p) for t, paths in mi.MODEL_INPUTS.items() for p in paths)


@pytest.mark.parametrize(("type_", "path"), TABLE)
def test_every_path_of_the_table_is_an_input_of_the_installed_sdk(type_: str, path: str) -> None:
    assert path in input_paths(type_), f"{type_}: {path} is not an input of the installed SDK"


def test_every_model_input_of_the_sdks_is_in_the_table() -> None:
    assert _sdk_model_inputs() == set(TABLE)


def _nested(path: str, value: str, *, lists: bool = True) -> dict[str, Any]:
    """`{"a": {"b": value}}` for `a.b`; with `lists`, each level a list of one item (a block the SDK types as a
    list, `variants`, `nodes`: as_list reads one value and a list alike)."""
    first, _, rest = path.partition(".")
    if not rest:
        return {first: value}
    inner = _nested(rest, value, lists=lists)
    return {first: [inner] if lists else inner}


@pytest.mark.parametrize("lists", [False, True], ids=["objects", "lists"])
@pytest.mark.parametrize(("type_", "path"), TABLE)
def test_allowed_models_judges_every_input_of_the_table(type_: str, path: str, lists: bool) -> None:
    """Compliance: the allowed model; Noncompliance 1: another one, through the same input."""
    ok, bad = _nested(path, LITE, lists=lists), _nested(path, OPUS, lists=lists)
    assert run_one(bedrock.ALLOWED_MODELS, type_, ok, name="m", config=ALLOWED) == []
    assert run_one(bedrock.ALLOWED_MODELS, type_, bad, name="m", config=ALLOWED) == [
        (
            f"m: model {OPUS} is not allowed in this stack (allowed: amazon.nova-micro-v1:0, amazon.nova-lite-v1:0).",
            None,
        )
    ]


def _grant(*statements: dict[str, Any]) -> dict[str, str]:
    return {"policy": json.dumps({"Version": "2012-10-17", "Statement": list(statements)})}


def _invoke(resource: Any, action: Any = "bedrock:InvokeModel", effect: str = "Allow") -> dict[str, Any]:
    return {"Effect": effect, "Action": action, "Resource": resource}


def _not_allowed(reference: str) -> tuple[str, None]:
    return (
        f"m: model {reference} is not allowed in this stack (allowed: amazon.nova-micro-v1:0, amazon.nova-lite-v1:0).",
        None,
    )


def _pattern(reference: str) -> tuple[str, None]:
    return (
        f"m: {reference} names every model it matches, not only those allowed in this stack (amazon.nova-micro-v1:0, amazon.nova-lite-v1:0).",
        None,
    )


LITE_ANY_REGION = f"arn:aws:bedrock:*::foundation-model/{LITE}"
PROFILE = f"arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.{LITE}"


@pytest.mark.parametrize(
    ("type_", "props", "expected"),
    [
        (ROLE_POLICY, _grant(_invoke([LITE_ANY_REGION, PROFILE])), []),
        (
            ROLE_POLICY,
            _grant(_invoke("arn:aws:bedrock:us-east-1:123456789012:agent-alias/A/B", "bedrock:InvokeModel*")),
            [],
        ),
        (ROLE_POLICY, _grant(_invoke(OPUS_ARN, effect="Deny")), []),
        (ROLE_POLICY, _grant(_invoke(OPUS_ARN, "bedrock:InvokeAgent")), []),
        (ROLE_POLICY, _grant(_invoke(OPUS_ARN)), [_not_allowed(OPUS_ARN)]),
        (ROLE_POLICY, _grant(_invoke(OPUS_ARN, "bedrock:InvokeModelWithResponseStream")), [_not_allowed(OPUS_ARN)]),
        (ROLE_POLICY, _grant(_invoke(OPUS_ARN, "bedrock:*")), [_not_allowed(OPUS_ARN)]),
        (ROLE_POLICY, _grant(_invoke("*")), [_pattern("*")]),
        (
            ROLE_POLICY,
            _grant(_invoke("arn:aws:bedrock:*::foundation-model/*")),
            [_pattern("arn:aws:bedrock:*::foundation-model/*")],
        ),
        (
            ROLE_POLICY,
            _grant(_invoke("arn:aws:bedrock:us-east-1::foundation-model/anthropic.*")),
            [_pattern("arn:aws:bedrock:us-east-1::foundation-model/anthropic.*")],
        ),
        (ROLE_POLICY, _grant(_invoke("arn:aws:bedrock:us-east-1:*:*")), [_pattern("arn:aws:bedrock:us-east-1:*:*")]),
        (
            THROUGHPUT,
            {"modelArn": OPUS_ARN, "modelUnits": 1, "commitmentDuration": "SixMonths"},
            [_not_allowed(OPUS_ARN)],
        ),
        (
            mi.PROMPT,
            {"defaultVariant": "v", "variants": [{"name": "w", "modelId": LITE}, {"name": "v", "modelId": OPUS}]},
            [_not_allowed(OPUS)],
        ),
        (
            "aws:bedrock/agentcoreGatewayTarget:AgentcoreGatewayTarget",
            _nested("targetConfiguration.inference.provider.operations.models.model", "anthropic.claude-opus-*"),
            [_pattern("anthropic.claude-opus-*")],
        ),
        (
            "aws:bedrock/agentcoreHarness:AgentcoreHarness",
            {"model": {"openaiModelConfig": {"modelId": "gpt-4o"}}},
            [_not_allowed("gpt-4o")],
        ),
        (
            ROLE_POLICY,
            _grant({"Effect": "Allow", "Action": "bedrock:InvokeModel", "NotResource": OPUS_ARN}),
            [_pattern("*")],
        ),
    ],
    ids=[
        "ok_grant_allowed_model_and_its_profile",
        "ok_grant_not_a_model",
        "ok_deny",
        "ok_other_action",
        "bad1_grant_other_model",
        "bad2_grant_stream",
        "bad3_grant_by_wildcard_action",
        "bad4_grant_every_resource",
        "bad5_grant_every_foundation_model",
        "bad6_grant_model_glob",
        "bad7_grant_wildcard_resource_part",
        "bad8_provisioned_throughput",
        "bad9_prompt_variant",
        "bad10_gateway_model_glob",
        "bad11_harness_other_provider",
        "bad12_grant_not_resource",
    ],
)
def test_allowed_models_grants_and_repro_shapes(type_: str, props: dict[str, Any], expected: list[Any]) -> None:
    assert run_one(bedrock.ALLOWED_MODELS, type_, props, name="m", config=ALLOWED) == expected


APP_PROFILE = "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abcd1234efgh"
PROVISIONED = "arn:aws:bedrock:us-east-1:123456789012:provisioned-model/abcd1234efgh"
CUSTOM = "arn:aws:bedrock:us-east-1:123456789012:custom-model/amazon.nova-lite-v1:0/abc"
IMPORTED = "arn:aws:bedrock:us-east-1:123456789012:imported-model/abc123"
ROUTER = "arn:aws:bedrock:us-east-1:123456789012:default-prompt-router/anthropic.claude:1"
LITE_ARN = f"arn:aws:bedrock:us-east-1::foundation-model/{LITE}"
#: What the stack creates, with the ARN each has of its own (the gate's fabricated ARNs have these shapes,
#: preflight/arn_shapes.py): a profile and a throughput made from Nova Lite, and a custom model.
MADE = [
    resource(mi.INFERENCE_PROFILE, "prof", {"modelSource": {"copyFrom": LITE_ARN}, "arn": APP_PROFILE}),
    resource(THROUGHPUT, "pt", {"modelArn": LITE_ARN, "provisionedModelArn": PROVISIONED}),
    resource("aws:bedrock/customModel:CustomModel", "cm", {"baseModelIdentifier": LITE_ARN, "customModelArn": CUSTOM}),
    resource(
        "aws-native:bedrock:ApplicationInferenceProfile",
        "nprof",
        {"modelSource": {"copyFrom": LITE_ARN}, "inferenceProfileArn": APP_PROFILE.replace("abcd", "nnnn")},
    ),
]


def _unknown(reference: str, kind: str) -> tuple[str, None]:
    return (
        f"m: {reference} is a Bedrock {kind} this stack does not create, so the model behind it is unknown here and not allowed (allowed: amazon.nova-micro-v1:0, amazon.nova-lite-v1:0). State it: create the {kind} in this stack from an allowed model, or name the allowed model's foundation-model or inference-profile ARN.",
        None,
    )


def _prompt(model_id: str) -> dict[str, Any]:
    return {"defaultVariant": "v", "variants": [{"name": "v", "modelId": model_id}]}


@pytest.mark.parametrize(
    ("type_", "props", "others", "expected"),
    [
        (ROLE_POLICY, _grant(_invoke([APP_PROFILE, PROVISIONED])), MADE, []),
        (mi.PROMPT, _prompt(APP_PROFILE), MADE, []),
        (THROUGHPUT, {"modelArn": CUSTOM}, MADE, []),
        (mi.AGENT, {"foundationModel": APP_PROFILE.replace("abcd", "nnnn")}, MADE, []),
        (
            ROLE_POLICY,
            _grant(_invoke([APP_PROFILE, PROVISIONED])),
            [],
            [_unknown(APP_PROFILE, "application-inference-profile"), _unknown(PROVISIONED, "provisioned-model")],
        ),
        (mi.PROMPT, _prompt(APP_PROFILE), [], [_unknown(APP_PROFILE, "application-inference-profile")]),
        (THROUGHPUT, {"modelArn": CUSTOM}, MADE[:2], [_unknown(CUSTOM, "custom-model")]),
        (mi.AGENT, {"foundationModel": IMPORTED}, MADE, [_unknown(IMPORTED, "imported-model")]),
        (ROLE_POLICY, _grant(_invoke(ROUTER)), MADE, [_unknown(ROUTER, "default-prompt-router")]),
        (
            ROLE_POLICY,
            _grant(_invoke("arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/*")),
            MADE,
            [
                _unknown(
                    "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/*",
                    "application-inference-profile",
                )
            ],
        ),
        (
            mi.PROMPT,
            _prompt(APP_PROFILE.replace("us-east-1", "us-west-2")),
            MADE,
            [_unknown(APP_PROFILE.replace("us-east-1", "us-west-2"), "application-inference-profile")],
        ),
        (
            ROLE_POLICY,
            _grant(_invoke("arn:aws:bedrock:us-east-1:123456789012:marketplace/model-endpoint/all-access")),
            MADE,
            [_unknown("arn:aws:bedrock:us-east-1:123456789012:marketplace/model-endpoint/all-access", "marketplace")],
        ),
    ],
    ids=[
        "ok_grant_profile_and_throughput_the_stack_makes",
        "ok_prompt_on_the_stacks_profile",
        "ok_throughput_of_the_stacks_custom_model",
        "ok_agent_on_the_stacks_native_profile",
        "bad1_repro_grant_profile_and_provisioned_made_elsewhere",
        "bad2_repro_prompt_on_a_profile_made_elsewhere",
        "bad3_throughput_of_a_custom_model_made_elsewhere",
        "bad4_agent_on_an_imported_model",
        "bad5_grant_default_prompt_router",
        "bad6_grant_every_application_profile",
        "bad7_profile_arn_of_another_region",
        "bad8_marketplace_endpoint",
    ],
)
def test_allowed_models_routing_arns_the_stack_does_not_create(
    type_: str, props: dict[str, Any], others: list[Any], expected: list[Any]
) -> None:
    """review s11 4 #7: an ARN that stands for a model passes only when this stack creates it (from an allowed
    model, judged on the creating resource); another's hides its model, and an unknown model is not allowed."""
    assert run_one(bedrock.ALLOWED_MODELS, type_, props, name="m", config=ALLOWED, others=others) == expected


def test_allowed_models_without_a_list_judges_no_routing_arn() -> None:
    """Compliance: no allowedModelIds for the stack, nothing to hold a model to (as for a named model)."""
    assert run_one(bedrock.ALLOWED_MODELS, ROLE_POLICY, _grant(_invoke(APP_PROFILE)), config={}) == []


@pytest.mark.parametrize(
    ("reference", "kind"),
    [
        (APP_PROFILE, "application-inference-profile"),
        (PROVISIONED, "provisioned-model"),
        (CUSTOM, "custom-model"),
        ("arn:aws:bedrock:us-east-1:1:custom-model-deployment/x", "custom-model-deployment"),
        (IMPORTED, "imported-model"),
        ("arn:aws:bedrock:us-east-1:1:prompt-router/x", "prompt-router"),
        (ROUTER, "default-prompt-router"),
        (PROFILE, None),
        (LITE_ARN, None),
        ("arn:aws:bedrock:us-east-1:1:agent/A", None),
        ("arn:aws:bedrock:us-east-1:1:async-invoke/x", None),
        ("arn:aws:s3:::provisioned-model/x", None),
        ("provisioned-model/x", None),
    ],
)
def test_routing_kind(reference: str, kind: str | None) -> None:
    assert mi.routing_kind(reference) == kind


@pytest.mark.parametrize(
    ("reference", "model"),
    [
        ("*", "*"),
        ("arn:aws:bedrock:us-east-1::foundation-model/*", "*"),
        ("arn:aws:bedrock:us-east-1:1:inference-profile/eu.amazon.nova-lite-v1:0", LITE),
        ("arn:aws:bedrock:us-east-1:1:custom-model/x", None),
        ("arn:aws:bedrock:us-east-1:1:provisioned-model/x", None),
        ("arn:aws:bedrock:us-east-1:1:agent/*", None),
        ("arn:aws:s3:::foundation-model/x", None),
        ("arn:aws:*:*:*:*", "arn:aws:*:*:*:*"),
        ("arn:aws:bedrock", None),
    ],
)
def test_chosen_model(reference: str, model: str | None) -> None:
    assert mi.chosen_model(reference) == model


def _native(type_: str, name: str, inputs: dict[str, Any]) -> Any:
    return custom_node(type_, name, inputs, provider="urn:pulumi:prod::p::pulumi:providers:aws-native::default")


def test_aws_native_model_inputs_are_judged_through_the_pack() -> None:
    """The gate's own runner (PolicySpec.check, the pack's registration) judges aws-native types by name."""
    nodes = [
        _native("aws-native:bedrock:Prompt", "bad1_native_prompt", {"variants": [{"name": "v", "modelId": OPUS}]}),
        _native("aws-native:bedrock:Agent", "bad2_native_agent", {"agentName": "a", "foundationModel": OPUS_ARN}),
        _native("aws-native:bedrock:Prompt", "ok_native_prompt", {"variants": [{"name": "v", "modelId": LITE}]}),
    ]
    name = "bedrock-allowed-models"
    run = run_policies(
        ResourceGraph("p", "prod", nodes),
        policies=[by_name()[name]],
        config={name: PolicySetting(Level.MANDATORY, ALLOWED)},
    )
    assert not run.undetermined, run.undetermined
    assert {f.resource for f in run.findings} == {"bad1_native_prompt", "bad2_native_agent"}


def test_a_model_rule_does_not_make_an_aws_native_type_judged() -> None:
    """A native agent's guardrail is read by no rule: naming its model input leaves it to resource-not-judged."""
    assert not_judged("aws-native:bedrock:Agent", all_policies()) is True
    assert not_judged("aws-native:bedrockagentcore:Memory", all_policies()) is True
    assert all(not by_name()[p].covers_types for p in (bedrock.ALLOWED_MODELS.name, bl.NOT_END_OF_LIFE.name))


def test_the_lifecycle_rules_read_the_same_table() -> None:
    """One place: a provisioned throughput of a model past its end of life is flagged as an agent's would be."""
    premier = "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-premier-v1:0"
    assert [
        m for m, _ in run_resource(bl.NOT_END_OF_LIFE, THROUGHPUT, {"modelArn": premier}, config={"asOf": "2026-09-14"})
    ] == [
        f"r: Nova Premier (amazon.nova-premier-v1:0, via {premier}) reached end of life on 2026-09-14; every request to it fails."
    ]


ROUTING_PROGRAM = """
import json
lite = "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-lite-v1:0"
elsewhere = "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abcd1234efgh"
provisioned = "arn:aws:bedrock:us-east-1:123456789012:provisioned-model/abcd1234efgh"
profile = aws.bedrock.InferenceProfile("ok_profile", name="prof", model_source={"copy_from": lite})
pt = aws.bedrock.ProvisionedModelThroughput("ok_pt", provisioned_model_name="pt", model_arn=lite, model_units=1)
role = aws.iam.Role("ok_role", assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}))
def grant(arns):
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "bedrock:InvokeModel", "Resource": list(arns)}]})
aws.iam.RolePolicy("ok_grant", role=role.id, policy=pulumi.Output.all(profile.arn, pt.provisioned_model_arn).apply(grant))
aws.iam.RolePolicy("bad1_grant", role=role.id, policy=grant([elsewhere, provisioned]))
def prompt(name, model_id):
    aws.bedrock.AgentPrompt(name, name=name, default_variant="v", variants=[{"name": "v", "model_id": model_id,
        "template_type": "TEXT", "template_configuration": {"text": {"text": "{{q}}", "input_variables": [{"name": "q"}]}}}])
prompt("ok_prompt", profile.arn)
prompt("bad2_prompt", elsewhere)
"""


def test_allowed_models_knows_the_arns_the_program_creates(tmp_path: Any) -> None:
    """The repro's program (review s11 4 models2) through the gate's synthesis: the profile and throughput it makes
    get AWS's ARN shapes (preflight/arn_shapes.py), so granting and prompting them passes; others' do not."""
    graph = synth(tmp_path, ROUTING_PROGRAM, stack="prod")
    assert flagged(graph, "bedrock-allowed-models", ALLOWED) == {"bad1_grant", "bad2_prompt"}
