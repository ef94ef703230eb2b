"""CKV_AGP_5: a DynamoDB table holding agent sessions expires items with TTL.

Principles: P146 (retention and deletion policies for AI memory), P063 (session context
constraints), P107 (DynamoDB for session-specific outputs). A table is a session table when its
name, its address or its `purpose` tag says "session"; other tables are not this check's concern.
"""

from __future__ import annotations

from typing import Any

from agp_checklib import ADDRESS_KEY, block, scalar, text
from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck


def is_session_table(conf: dict[str, Any]) -> bool:
    names = [text(scalar(conf, "name")), text(conf.get(ADDRESS_KEY))]
    tags = block(conf, "tags") or {}
    names.append(text(scalar(tags, "purpose")))
    return any("session" in name.lower() for name in names)


class SessionTableHasTtl(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure DynamoDB session tables expire items with TTL (P146)",
            id="CKV_AGP_5",
            categories=[CheckCategories.GENERAL_SECURITY],
            supported_resources=["aws_dynamodb_table"],
            guideline='Set ttl {enabled = true, attribute_name = "expires_at"} on session tables '
            "(agentic-platform P146, P063).",
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        if not is_session_table(conf):
            return CheckResult.UNKNOWN  # not a session table: not applicable
        ttl = block(conf, "ttl")
        if ttl is not None and scalar(ttl, "enabled") is True and text(scalar(ttl, "attribute_name")):
            return CheckResult.PASSED
        return CheckResult.FAILED


check = SessionTableHasTtl()
