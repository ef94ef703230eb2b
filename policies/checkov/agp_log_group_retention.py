"""CKV_AGP_6: a CloudWatch log group has a retention period (logs do not pile up forever).

Principles: P146 (retention and deletion policies), P014 and P175 (no idle or unbounded cost).
It replaces checkov's CKV_AWS_338 (at least one year), skipped in .checkov.yaml because dev keeps
14 days on purpose; the per-environment minimum is a CrossGuard policy, this check only refuses "never expire".
"""

from __future__ import annotations

from typing import Any

from agp_checklib import scalar
from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck


class LogGroupHasRetention(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure the CloudWatch log group has a retention period (P146)",
            id="CKV_AGP_6",
            categories=[CheckCategories.LOGGING],
            supported_resources=["aws_cloudwatch_log_group"],
            guideline="Set retention_in_days (agentic-platform P146, P014); 0 or unset means never expire.",
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        days = scalar(conf, "retention_in_days")
        if isinstance(days, int) and not isinstance(days, bool) and days > 0:
            return CheckResult.PASSED
        return CheckResult.FAILED


check = LogGroupHasRetention()
