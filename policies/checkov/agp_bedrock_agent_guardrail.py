"""CKV_AGP_1: a Bedrock agent runs behind a guardrail.

Principles: P059 (apply Bedrock Guardrails), P064 and P184 (never deploy agents or models without
guardrails), P189 (never production AI without safety controls).
"""

from __future__ import annotations

from typing import Any

from agp_checklib import block, has_key
from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck


class BedrockAgentHasGuardrail(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure the Bedrock agent has a guardrail attached (P059, P064)",
            id="CKV_AGP_1",
            categories=[CheckCategories.AI_AND_ML],
            supported_resources=["aws_bedrockagent_agent"],
            guideline="Set guardrail_configuration {guardrail_identifier, guardrail_version} on the agent "
            "(agentic-platform P059, P064, P184).",
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        guardrail = block(conf, "guardrail_configuration")
        if guardrail is not None and has_key(guardrail, "guardrail_identifier"):
            return CheckResult.PASSED
        return CheckResult.FAILED


check = BedrockAgentHasGuardrail()
