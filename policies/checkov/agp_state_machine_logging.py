"""CKV_AGP_3: a Step Functions state machine logs errors (or everything) with execution data.

Principles: P129 (CloudWatch Logs across all components), P021 (audit trails for workflows),
P147 (audit trails for AI decisions). Log levels are ALL, ERROR, FATAL, OFF (botocore
`stepfunctions/2016-11-23` `LogLevel`); only ALL and ERROR record the failed steps a person needs to audit a run.
"""

from __future__ import annotations

from typing import Any

from agp_checklib import block, has_key, scalar, text
from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

ACCEPTED_LEVELS = ("ALL", "ERROR")


class StateMachineLogsExecutionData(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure the state machine logs at level ALL or ERROR with execution data (P129, P021)",
            id="CKV_AGP_3",
            categories=[CheckCategories.LOGGING],
            supported_resources=["aws_sfn_state_machine"],
            guideline="Set logging_configuration {level = ERROR (or ALL), include_execution_data = true, "
            "log_destination = <log group ARN>:*} (agentic-platform P129, P021, P147).",
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        logging = block(conf, "logging_configuration")
        if logging is None:
            return CheckResult.FAILED
        level_ok = text(scalar(logging, "level")) in ACCEPTED_LEVELS
        data_ok = scalar(logging, "include_execution_data") is True
        if level_ok and data_ok and has_key(logging, "log_destination"):
            return CheckResult.PASSED
        return CheckResult.FAILED


check = StateMachineLogsExecutionData()
