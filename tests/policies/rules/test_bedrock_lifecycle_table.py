"""bedrock-model-not-end-of-life and bedrock-model-not-legacy called directly: where each resource type names
a model, which grants count, the date that decides, and the exact message.

Dates and models are those of `policies.model_lifecycle` (AWS's "Model lifecycle" page): Nova Premier is
Legacy from 2026-03-13 and end of life on 2026-09-14; Nova Pro is Active.
"""
# ruff: noqa: E501  (one case per line reads as a table)

from __future__ import annotations

import json
from typing import Any

import pytest

from policies import model_inputs as mi
from policies.rules import bedrock_lifecycle as bl
from tests.policies.rules.calls import run_resource

PREMIER = "amazon.nova-premier-v1:0"
PREMIER_ARN = f"arn:aws:bedrock:us-east-1::foundation-model/{PREMIER}"
PRO = "amazon.nova-pro-v1:0"
LEGACY_DAY = {"asOf": "2026-06-01"}
EOL_DAY = {"asOf": "2026-09-14"}
POLICY = "aws:iam/policy:Policy"


def _eol(reference: str) -> str:
    return f"r: Nova Premier ({PREMIER}, via {reference}) reached end of life on 2026-09-14; every request to it fails."


def _legacy(reference: str) -> str:
    return f"r: Nova Premier ({PREMIER}, via {reference}) is Legacy since 2026-03-13; end of life 2026-09-14."


def _grant(*statements: dict[str, Any]) -> dict[str, str]:
    return {"policy": json.dumps({"Version": "2012-10-17", "Statement": list(statements)})}


def _invoke(action: Any, resource: Any, effect: str = "Allow") -> dict[str, Any]:
    return {"Effect": effect, "Action": action, "Resource": resource}


@pytest.mark.parametrize(
    ("type_", "props", "reference"),
    [
        (mi.AGENT, {"foundationModel": PREMIER}, PREMIER),
        (mi.AGENT, {"foundationModel": "us." + PREMIER}, "us." + PREMIER),
        (mi.INFERENCE_PROFILE, {"modelSource": {"copyFrom": PREMIER_ARN}}, PREMIER_ARN),
        (mi.KNOWLEDGE_BASE, {"knowledgeBaseConfiguration": {"vectorKnowledgeBaseConfiguration": {"embeddingModelArn": PREMIER_ARN}}}, PREMIER_ARN),
        (mi.PROMPT, {"variants": [{"modelId": PRO}, {"modelId": PREMIER}]}, PREMIER),
        (POLICY, _grant(_invoke("bedrock:InvokeModel", PREMIER_ARN)), PREMIER_ARN),
        (POLICY, _grant(_invoke("bedrock:InvokeModelWithResponseStream", [PREMIER_ARN])), PREMIER_ARN),
        (POLICY, _grant(_invoke("bedrock:Invoke*", PREMIER_ARN)), PREMIER_ARN),
    ],
    ids=["bad1_agent", "bad2_agent_profile_id", "bad3_inference_profile", "bad4_knowledge_base", "bad5_prompt_variant",
         "bad6_invoke_grant", "bad7_stream_grant", "bad8_wildcard_grant"],
)  # fmt: skip
def test_each_kind_of_reference(type_: str, props: dict[str, Any], reference: str) -> None:
    assert run_resource(bl.NOT_END_OF_LIFE, type_, props, config=EOL_DAY) == [(_eol(reference), None)]
    assert run_resource(bl.NOT_LEGACY, type_, props, config=EOL_DAY) == []
    assert run_resource(bl.NOT_LEGACY, type_, props, config=LEGACY_DAY) == [(_legacy(reference), None)]
    assert run_resource(bl.NOT_END_OF_LIFE, type_, props, config=LEGACY_DAY) == []


@pytest.mark.parametrize(
    ("type_", "props"),
    [
        (mi.AGENT, {"foundationModel": PRO}),
        (mi.AGENT, {"modelSource": {"copyFrom": PREMIER_ARN}}),
        (mi.INFERENCE_PROFILE, {"foundationModel": PREMIER}),
        (mi.PROMPT, {"variants": []}),
        (POLICY, _grant(_invoke("bedrock:InvokeModel", PREMIER_ARN, effect="Deny"))),
        (POLICY, _grant(_invoke("bedrock:ListFoundationModels", PREMIER_ARN))),
        (POLICY, _grant(_invoke("bedrock:InvokeModel", "arn:aws:bedrock:us-east-1::foundation-model/unknown.model-v1:0"))),
        ("aws:s3/bucketPolicy:BucketPolicy", _grant({**_invoke("bedrock:InvokeModel", PREMIER_ARN), "Principal": "*"})),
    ],
    ids=["ok_active_model", "ok_input_of_another_type", "ok_input_of_another_type_2", "ok_no_variant", "ok_deny", "ok_other_action",
         "ok_unknown_model", "ok_resource_policy_is_not_a_use"],
)  # fmt: skip
def test_what_is_not_a_use_of_a_retired_model(type_: str, props: dict[str, Any]) -> None:
    for spec, day in ((bl.NOT_END_OF_LIFE, EOL_DAY), (bl.NOT_LEGACY, LEGACY_DAY)):
        if spec.applies_to(type_):
            assert run_resource(spec, type_, props, config=day) == []


def test_every_reference_once_in_order() -> None:
    props = {
        "variants": [{"modelId": PREMIER}, {"modelId": PREMIER}, {"modelId": "amazon.nova-sonic-v1:0"}, {"modelId": ""}]
    }
    assert mi.models_used(mi.PROMPT, props) == [PREMIER, "amazon.nova-sonic-v1:0"]
    assert [m for m, _ in run_resource(bl.NOT_END_OF_LIFE, mi.PROMPT, props, config=EOL_DAY)] == [
        _eol(PREMIER),
        "r: Nova Sonic (amazon.nova-sonic-v1:0, via amazon.nova-sonic-v1:0) reached end of life on 2026-09-14; every request to it fails.",
    ]


def test_the_day_before_end_of_life_is_still_legacy() -> None:
    props = {"foundationModel": PREMIER}
    assert run_resource(bl.NOT_END_OF_LIFE, mi.AGENT, props, config={"asOf": "2026-09-13"}) == []
    assert run_resource(bl.NOT_LEGACY, mi.AGENT, props, config={"asOf": "2026-09-13"}) == [(_legacy(PREMIER), None)]
    assert run_resource(bl.NOT_LEGACY, mi.AGENT, props, config={"asOf": "2026-03-12"}) == []
