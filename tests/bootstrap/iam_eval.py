"""A small IAM evaluator for identity policies: explicit deny, then allow, else implicit deny.

Why not moto: `moto.iam.access_control.IAMPolicyStatement` (moto 5.2.5) evaluates only `StringEquals`
conditions, ignores every other operator (`ArnLike`, `StringLike`, `Null`, `...IfExists`), treats a
missing context key as a match, and turns an Allow whose condition fails into an explicit DENY, which
would hide exactly the mistakes these tests look for (a `iam:PolicyARN` condition that does not match,
a tag condition on a service that never sends the tag).

What this follows (AWS IAM User Guide):
- evaluation logic, explicit deny beats allow, no allow is an implicit deny:
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
- `Action` matches case-insensitively, `Resource` case-sensitively, `*` and `?` wildcards:
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html
- condition operators, `...IfExists`, `Null`; a positive operator on a missing key is false, a negated
  one (`StringNotEquals`, `ArnNotLike`, ...) is true; `ForAnyValue` on a missing key is false,
  `ForAllValues` true:
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
- several operators, keys and values: operators and keys are ANDed, the values of one key ORed.

Not modelled (not needed for the CI roles): resource-based policies, permission boundaries, SCPs,
session policies, policy variables, numeric and date operators (they raise, so nothing passes silently).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from functools import lru_cache
from typing import Any

Context = Mapping[str, str | Sequence[str]]


class Decision(Enum):
    ALLOWED = "allowed"
    EXPLICIT_DENY = "explicitly denied"
    IMPLICIT_DENY = "not allowed"


@dataclass(frozen=True)
class Request:
    """One authorised call: the IAM action, the resource ARN it is authorised on, its context keys."""

    action: str
    resource: str
    context: Context = field(default_factory=dict)


class UnsupportedConditionError(ValueError):
    """A condition operator this evaluator does not implement (raised, never ignored)."""


@lru_cache(maxsize=4096)
def _pattern(glob: str, case_sensitive: bool) -> re.Pattern[str]:
    return re.compile(_translate(glob), 0 if case_sensitive else re.IGNORECASE)


def _translate(glob: str) -> str:
    """IAM wildcards only: `*` any run, `?` one character; everything else literal (no `[...]` classes)."""
    return "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in glob) + r"\Z"


def matches(glob: str, value: str, *, case_sensitive: bool = True) -> bool:
    return _pattern(glob, case_sensitive).match(value) is not None


def arn_matches(pattern: str, value: str) -> bool:
    """IAM's ARN condition operators: `ArnEquals` and `ArnLike` alike (wildcards in both), part by part.

    "Amazon Resource Name (ARN) condition operators" (IAM User Guide, reference_policies_elements_condition_operators
    .html#Conditions_ARN): for ArnEquals and ArnLike, "Case-sensitive matching of the ARN. Each of the six
    colon-delimited components of the ARN is checked separately and each can include multi-character match
    wildcards (*) or single-character match wildcards (?)". So a wildcard never spans a colon, and a pattern with
    fewer than six parts (`arn:aws:*`) matches nothing; the last part, the resource, may itself hold colons.
    """
    pattern_parts, value_parts = pattern.split(":", 5), value.split(":", 5)
    if len(pattern_parts) != 6 or len(value_parts) != 6:
        return False
    return all(matches(p, v) for p, v in zip(pattern_parts, value_parts, strict=True))


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return [value] if isinstance(value, str | bool | int) else list(value)


def _values(context: Context, key: str) -> list[str] | None:
    # Condition keys are case-insensitive (tag keys in them are not, which this keeps by exact lookup first).
    if key in context:
        return [str(v) for v in _as_list(context[key])]
    lowered = {k.lower(): v for k, v in context.items()}
    if key.lower() in lowered:
        return [str(v) for v in _as_list(lowered[key.lower()])]
    return None


_STRING_OPS = {
    "StringEquals": (lambda p, v: p == v),
    "StringEqualsIgnoreCase": (lambda p, v: p.lower() == v.lower()),
    "StringLike": matches,
    "ArnEquals": arn_matches,
    "ArnLike": arn_matches,
    "Bool": (lambda p, v: p.lower() == v.lower()),
}
_NEGATED = {
    "StringNotEquals": "StringEquals",
    "StringNotEqualsIgnoreCase": "StringEqualsIgnoreCase",
    "StringNotLike": "StringLike",
    "ArnNotEquals": "ArnEquals",
    "ArnNotLike": "ArnLike",
}


def _condition_holds(operator: str, key: str, expected: Any, context: Context) -> bool:
    qualifier, _, op = operator.rpartition(":")
    if_exists = op.endswith("IfExists")
    op = op.removesuffix("IfExists")
    actual = _values(context, key)
    patterns = [str(p) for p in _as_list(expected)]
    if op == "Null":
        return (actual is None) == (patterns[0].lower() == "true")
    negated = op in _NEGATED
    base = _NEGATED.get(op, op)
    if base not in _STRING_OPS:
        raise UnsupportedConditionError(operator)
    test = _STRING_OPS[base]
    if actual is None:
        if if_exists or qualifier == "ForAllValues":
            return True
        return negated and qualifier != "ForAnyValue"
    if qualifier == "ForAllValues":
        hits = [any(test(p, v) for p in patterns) for v in actual]
        return all(not h for h in hits) if negated else all(hits)
    # Single-valued, or ForAnyValue: some value matches some pattern.
    hit = any(test(p, v) for p in patterns for v in actual)
    return not hit if negated else hit


def _statement_applies(statement: Mapping[str, Any], request: Request) -> bool:
    if "Action" in statement:
        if not any(matches(a, request.action, case_sensitive=False) for a in _as_list(statement["Action"])):
            return False
    elif any(matches(a, request.action, case_sensitive=False) for a in _as_list(statement["NotAction"])):
        return False
    if "Resource" in statement:
        if not any(matches(r, request.resource) for r in _as_list(statement["Resource"])):
            return False
    elif any(matches(r, request.resource) for r in _as_list(statement["NotResource"])):
        return False
    for operator, keys in statement.get("Condition", {}).items():
        for key, expected in keys.items():
            if not _condition_holds(operator, key, expected, request.context):
                return False
    return True


def statements(document: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    found = document.get("Statement", [])
    return [found] if isinstance(found, Mapping) else list(found)


def evaluate(documents: Iterable[Mapping[str, Any]], request: Request) -> Decision:
    """The decision of IAM for `request` under the identity policies `documents` (one principal's)."""
    allowed = False
    for doc in documents:
        for st in statements(doc):
            if not _statement_applies(st, request):
                continue
            if st["Effect"] == "Deny":
                return Decision.EXPLICIT_DENY
            allowed = True
    return Decision.ALLOWED if allowed else Decision.IMPLICIT_DENY
