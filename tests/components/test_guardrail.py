"""Guardrail: content filters, PII, topics, KMS, block messages and a pinned version."""

from __future__ import annotations

import pytest

from components.guardrail import GuardrailArgs
from tests.components.conftest import RunProgram, only

PROGRAM = """
from components.kms import StackKey
from components.guardrail import Guardrail, GuardrailArgs
key = StackKey("key", settings)
Guardrail("guardrail", settings, GuardrailArgs(denied_words=("secret-project",)), key=key)
"""


def test_guardrail_defaults(run_program: RunProgram) -> None:
    graph = run_program(PROGRAM)
    guardrail = only(graph, "aws:bedrock/guardrail:Guardrail").inputs
    filters = {f["type"]: f for f in guardrail["contentPolicyConfig"]["filtersConfigs"]}
    assert set(filters) == {"HATE", "INSULTS", "SEXUAL", "VIOLENCE", "MISCONDUCT", "PROMPT_ATTACK"}
    assert filters["PROMPT_ATTACK"]["outputStrength"] == "NONE"
    assert filters["PROMPT_ATTACK"]["inputStrength"] == "HIGH"
    assert all(f["outputStrength"] == "HIGH" for t, f in filters.items() if t != "PROMPT_ATTACK")
    pii = {p["type"]: p["action"] for p in guardrail["sensitiveInformationPolicyConfig"]["piiEntitiesConfigs"]}
    assert pii["EMAIL"] == "ANONYMIZE"
    assert pii["AWS_SECRET_KEY"] == "BLOCK"
    assert guardrail["topicPolicyConfig"]["topicsConfigs"][0]["type"] == "DENY"
    assert guardrail["wordPolicyConfig"]["wordsConfigs"] == [{"text": "secret-project"}]
    assert guardrail["wordPolicyConfig"]["managedWordListsConfigs"] == [{"type": "PROFANITY"}]
    assert guardrail["kmsKeyArn"].startswith("arn:aws:kms:")
    assert guardrail["blockedInputMessaging"] and guardrail["blockedOutputsMessaging"]
    version = only(graph, "aws:bedrock/guardrailVersion:GuardrailVersion")
    assert version.inputs["guardrailArn"].startswith("arn:aws:bedrock:")


@pytest.mark.parametrize(
    "kwargs",
    [
        {"filter_strength": "NONE"},
        {"anonymized_pii": ("EMAIL",), "blocked_pii": ("EMAIL",)},
        {"blocked_input_message": ""},
    ],
)
def test_unsafe_args_are_rejected(kwargs: dict) -> None:
    with pytest.raises(ValueError):
        GuardrailArgs(**kwargs)
