"""Whether a Condition block narrows who may use a statement (P140, P137).

A condition only narrows access when both its operator and its value do (IAM User Guide, "IAM JSON
policy elements: Condition operators" and "Condition keys ... IfExists", "Null condition operator",
"Single-valued vs. multivalued context keys"):

- negated operators (`StringNotEquals`, `ArnNotLike`, `NotIpAddress`, ...) match every caller but a few;
- `...IfExists` matches callers whose request lacks the key, and `Null` only tests presence;
- `ForAllValues:` matches a request that carries no value for the key at all;
- a `*`-only value of a `...Like` operator (`StringLike "*"`) matches everything;
- `Bool`, `Numeric...` and `Date...` keys such as `aws:SecureTransport` describe the request, not the
  caller: a public principal with `Bool aws:SecureTransport=true` is still anyone at all.

Only keys that identify the caller or the calling resource narrow a principal: the account, org,
principal ARN, source ARN/account, source VPC/endpoint and source IP keys of the global condition
context keys page (reference_policies_condition-keys.html).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

#: Global condition keys that say who (or which resource) is calling, lower-cased.
CALLER_KEYS = frozenset(
    {
        "aws:principalaccount",
        "aws:principalarn",
        "aws:principalorgid",
        "aws:principalorgpaths",
        "aws:userid",
        "aws:sourceaccount",
        "aws:sourcearn",
        "aws:sourceorgid",
        "aws:sourceorgpaths",
        "aws:sourceowner",
        "aws:sourcevpc",
        "aws:sourcevpce",
        "aws:sourceip",
        "aws:vpcsourceip",
    }
)
#: The keys the confused-deputy guidance asks a service trust policy to carry (IAM User Guide, "The
#: confused deputy problem": aws:SourceArn, aws:SourceAccount, aws:SourceOrgID, aws:SourceOrgPaths).
SOURCE_KEYS = frozenset({"aws:sourceaccount", "aws:sourcearn", "aws:sourceorgid", "aws:sourceorgpaths"})

#: Positive (matching) operators, lower-cased, without set prefixes or IfExists.
_POSITIVE_OPERATORS = frozenset(
    {"stringequals", "stringequalsignorecase", "stringlike", "arnequals", "arnlike", "ipaddress"}
)
_LIKE_OPERATORS = frozenset({"stringlike", "arnlike"})


def _values(value: Any) -> list[Any]:
    if isinstance(value, list | tuple):
        return list(value)
    return [value]


def _value_narrows(operator: str, value: Any) -> bool:
    """A value that matches only some callers (unknown values count: they are ids the cloud fills in)."""
    values = _values(value)
    if not values:
        return False
    for item in values:
        if not isinstance(item, str):
            continue  # an unknown or computed value: cannot be "*"
        wild = item.strip() in ("", "*") or (operator in _LIKE_OPERATORS and set(item) <= set("*?"))
        if operator == "ipaddress" and item.strip() in ("0.0.0.0/0", "::/0"):
            wild = True
        if wild:
            return False
    return True


def narrowing_keys(condition: Mapping[str, Any]) -> set[str]:
    """The caller-identifying keys (lower-cased) this Condition really restricts."""
    found: set[str] = set()
    for raw_operator, block in condition.items():
        # `ForAllValues:...` and `...IfExists` are never positive operators here: only `ForAnyValue:` keeps
        # the meaning of the operator it prefixes.
        operator = str(raw_operator).lower().removeprefix("foranyvalue:")
        if operator not in _POSITIVE_OPERATORS:
            continue
        if not isinstance(block, Mapping):
            continue
        for key, value in block.items():
            lowered = str(key).lower()
            if lowered in CALLER_KEYS and _value_narrows(operator, value):
                found.add(lowered)
    return found


def narrows_caller(condition: Mapping[str, Any], keys: Iterable[str] = CALLER_KEYS) -> bool:
    """Whether the Condition restricts the caller through at least one of `keys`."""
    return bool(narrowing_keys(condition) & {k.lower() for k in keys})
