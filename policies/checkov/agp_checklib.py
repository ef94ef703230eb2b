"""Helpers shared by the CKV_AGP_* checks: reading checkov's view of a plan resource.

checkov hands a check each resource as a dict whose scalar values are one-element lists
(`{"name": ["x"]}`) and whose nested blocks are lists of dicts (`{"ttl": [{"enabled": [True]}]}`);
a value Terraform knows only after apply is null (checkov/terraform/plan_parser.py `_hclify`).
"""

from __future__ import annotations

from typing import Any

#: The key checkov stores a plan resource's address under (CustomAttributes.TF_RESOURCE_ADDRESS).
ADDRESS_KEY = "__address__"


def scalar(conf: dict[str, Any], key: str) -> Any:
    """The value of a scalar attribute, None when absent or unknown until apply."""
    value = conf.get(key)
    if isinstance(value, list):
        return value[0] if value else None
    return value


def has_key(conf: dict[str, Any], key: str) -> bool:
    """The attribute is set: a value, or a reference Terraform resolves at apply (null in the plan)."""
    if key not in conf:
        return False
    value = scalar(conf, key)
    return value is None or value != ""


def blocks(conf: dict[str, Any], key: str) -> list[dict[str, Any]]:
    """The nested blocks under `key` (a Terraform block is always a list in plan JSON)."""
    value = conf.get(key)
    if isinstance(value, dict):
        return [value]
    if isinstance(value, list):
        found: list[dict[str, Any]] = []
        for item in value:
            if isinstance(item, dict):
                found.append(item)
            elif isinstance(item, list):
                found.extend(i for i in item if isinstance(i, dict))
        return found
    return []


def block(conf: dict[str, Any], key: str) -> dict[str, Any] | None:
    found = blocks(conf, key)
    return found[0] if found else None


def text(value: Any) -> str:
    return value if isinstance(value, str) else ""
