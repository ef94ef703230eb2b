"""CKV_AGP_2: a Bedrock guardrail filters prompt attacks (jailbreaks and prompt injection) on input.

Principles: P190 (never ignore prompt injection protection), P059 (apply Bedrock Guardrails for
content filtering). The filter type is PROMPT_ATTACK (bedrock `GuardrailContentFilterType`, botocore
service model `bedrock/2023-04-20`); it applies to input, so its input strength must not be NONE.
"""

from __future__ import annotations

from typing import Any

from agp_checklib import block, blocks, scalar, text
from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck


class GuardrailFiltersPromptAttacks(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure the Bedrock guardrail has a prompt-attack content filter on input (P190)",
            id="CKV_AGP_2",
            categories=[CheckCategories.AI_AND_ML],
            supported_resources=["aws_bedrock_guardrail"],
            guideline="Add content_policy_config.filters_config {type = PROMPT_ATTACK, input_strength = HIGH, "
            "output_strength = NONE} (agentic-platform P190, P059).",
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        policy = block(conf, "content_policy_config")
        for item in blocks(policy or {}, "filters_config"):
            if text(scalar(item, "type")) == "PROMPT_ATTACK" and text(scalar(item, "input_strength")) != "NONE":
                return CheckResult.PASSED
        return CheckResult.FAILED


check = GuardrailFiltersPromptAttacks()
