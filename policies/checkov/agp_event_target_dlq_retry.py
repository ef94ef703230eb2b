"""CKV_AGP_4: an EventBridge target has a dead-letter queue and an explicit retry policy.

Principles: P179 (never deploy orchestration without error handling and retry logic), P020
(fine-grained error handling and retries), P002 (asynchronous decoupling must not lose events).
"""

from __future__ import annotations

from typing import Any

from agp_checklib import block, has_key
from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck


class EventTargetHasDlqAndRetry(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure the EventBridge target has a dead-letter queue and a retry policy (P179)",
            id="CKV_AGP_4",
            categories=[CheckCategories.GENERAL_SECURITY],
            supported_resources=["aws_cloudwatch_event_target"],
            guideline="Set dead_letter_config {arn = <SQS queue ARN>} and retry_policy {maximum_retry_attempts, "
            "maximum_event_age_in_seconds} (agentic-platform P179, P020).",
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        dlq = block(conf, "dead_letter_config")
        retry = block(conf, "retry_policy")
        has_dlq = dlq is not None and has_key(dlq, "arn")
        has_retry = retry is not None and (
            has_key(retry, "maximum_retry_attempts") or has_key(retry, "maximum_event_age_in_seconds")
        )
        return CheckResult.PASSED if has_dlq and has_retry else CheckResult.FAILED


check = EventTargetHasDlqAndRetry()
