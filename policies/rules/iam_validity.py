"""IAM documents checked against AWS's Service Authorization Reference (P135, P137, P140, P186).

Four rules, one job each, over every document `policies.documents` finds (identity, trust, key, bucket,
queue, topic and other resource policies): the actions exist; actions that take no resource type (or
only optional ones the statement does not name) are left on `Resource: "*"`; a statement's resources
are of a type its actions act on; and its condition keys are ones AWS puts in those actions' request
context. IAM itself accepts most such mistakes without a word and then never matches the statement: an
Allow that does not allow (AccessDenied at run time) or a Deny that does not deny. The facts come from
`policies.iam_reference` (the pinned SAR dataset), so the rules run offline on any program.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterator
from typing import Any

from pulumi_policy import ReportViolation, ResourceValidationArgs, Severity

from policies import iam_reference as ref
from policies.documents import DOCUMENT_TYPES, Document, documents
from policies.lib import Statement, text
from policies.spec import Category, Kind, PolicySpec

PRINCIPLES = ("P135", "P137", "P140", "P186")


def _statements(args: ResourceValidationArgs) -> Iterator[tuple[Document, str, Statement]]:
    for document in documents(args.resource_type, args.props):
        for index, statement in enumerate(document.statements, start=1):
            yield document, f"{args.name}: {document.label} statement {index} ({statement.effect})", statement


def _spec(
    name: str, description: str, explanation: str, validate: Callable[[Any, ReportViolation], None]
) -> PolicySpec:
    return PolicySpec(
        name=name,
        description=description,
        explanation=explanation,
        principles=PRINCIPLES,
        severity=Severity.HIGH,
        category=Category.SECURITY,
        kind=Kind.RESOURCE,
        validate=validate,
        resource_types=DOCUMENT_TYPES,
    )


# ---------------------------------------------------------------------------------- actions exist


def _suggestion(pattern: str) -> str:
    parts = ref.split_action(pattern)
    if parts is None:
        return " (an action is written service:Action)"
    found = ref.service(parts[0])
    if found is None:
        close = difflib.get_close_matches(parts[0].lower(), ref.service_prefixes(), n=1)
        return f" (no service prefix {parts[0]!r}{f'; did you mean {close[0]!r}?' if close else ''})"
    names = [a.name for a in found.actions.values()]
    close = difflib.get_close_matches(parts[1], names, n=1)
    return f" (did you mean {found.prefix}:{close[0]}?)" if close else ""


def _validate_actions_exist(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    for _document, where, statement in _statements(args):
        if not statement.actions and not statement.not_actions:
            # IAM requires one of the two in every statement: in the IAM User Guide's "Grammar of the IAM JSON
            # policy language" (reference_policies_grammar.html) a <statement>'s <action_block> ("Action" or
            # "NotAction") is not optional, and IAM rejects such a document (MalformedPolicyDocument). A
            # rendering that lost them (review s10 #2: get_policy_document's `not_actions`) hides what was meant.
            report_violation(f"{where}: the statement has neither Action nor NotAction.", None)
        for pattern in (*statement.actions, *statement.not_actions):
            if not ref.action_exists(pattern):
                report_violation(f"{where}: {pattern!r} is not an AWS action{_suggestion(pattern)}.", None)


ACTION_EXISTS = _spec(
    "iam-action-exists",
    "Every action in every IAM document (identity, trust and resource policies) is a real AWS action.",
    "A misspelt or invented action is accepted by IAM for identity policies and then matches nothing, so the "
    "permission is missing at run time (or the Deny denies nothing); resource policies such as bucket and key "
    "policies reject the document at deploy time. Fix: use the action's exact name from the Service "
    "Authorization Reference (any case); a wildcard must match at least one action. A statement with neither "
    "Action nor NotAction is rejected by IAM (MalformedPolicyDocument).",
    _validate_actions_exist,
)


# ------------------------------------------------------------------- unscopable actions on Resource *


def _matches_star(resource: str) -> bool:
    return ref.arn_matches(resource, "*", literal_pattern=True)


def _validate_unscopable(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    for _document, where, statement in _statements(args):
        resources = statement.resources
        if not resources or statement.not_resources or any(_matches_star(r) for r in resources):
            continue  # a trust policy (no Resource), NotResource, or "*" is present
        for name in statement.actions:
            found = ref.action(name)
            if found is None or found.has_required_resource:
                continue  # unknown (iam-action-exists) or wildcard; required types: iam-resource-matches-action
            if not found.scopable:
                report_violation(
                    f"{where}: {found.qualified} takes no resource type, so only Resource '*' can match it; "
                    f"here it is scoped to {', '.join(resources)}.",
                    None,
                )
            elif not any(found.matches_resource(r) for r in resources):
                types = ", ".join(t.name for t in found.resource_types)
                report_violation(
                    f"{where}: {found.qualified} can be scoped only to {types} (all optional), which "
                    f"{', '.join(resources)} are not; without Resource '*' it never matches.",
                    None,
                )


UNSCOPABLE_ON_STAR = _spec(
    "iam-unscopable-action-on-star",
    "Actions that take no resource type (or only optional ones the statement does not name) use Resource '*'.",
    "For such actions IAM compares the statement's Resource with '*', so a statement scoped to ARNs never "
    "matches: AccessDenied at run time (for example cognito-idp:CreateUserPool, bedrock:CreateAgent, "
    "xray:PutTraceSegments). Fix: move the action into a statement with Resource '*' and restrict it with a "
    "condition key it supports (aws:RequestTag/..., aws:RequestedRegion) instead.",
    _validate_unscopable,
)


# ------------------------------------------------------------- resources of the actions' types


def _candidates(pattern: str) -> tuple[ref.Action, ...]:
    if pattern.strip() == "*":
        return ()
    return ref.expand(pattern)


def _describe(action: ref.Action) -> str:
    return "; ".join(f"{t.name}: {t.arn}" for t in action.resource_types if t.arn) or "none"


def _is_pattern(action: str) -> bool:
    return "*" in action or "?" in action


def _check_actions(where: str, statement: Statement, report_violation: ReportViolation) -> None:
    for pattern in statement.actions:
        candidates = _candidates(pattern)
        if not candidates or any(a.matches_resource(r) for a in candidates for r in statement.resources):
            continue
        if len(candidates) == 1 and not candidates[0].has_required_resource:
            continue  # one action without a required type: iam-unscopable-action-on-star says why
        expected = _describe(candidates[0]) if len(candidates) == 1 else "their resource types"
        report_violation(
            f"{where}: no resource in {', '.join(statement.resources)} is of a type {pattern} acts on "
            f"({expected}), so the statement never matches it.",
            None,
        )


def _check_resources(where: str, statement: Statement, report_violation: ReportViolation) -> None:
    if any(a.strip() == "*" for a in statement.actions):
        return
    exact = [ref.action(p) for p in statement.actions if not _is_pattern(p)]
    if any(a is None or not a.has_required_resource for a in exact):
        return  # unknown actions (iam-action-exists) or ones iam-unscopable-action-on-star judges
    actions = [a for p in statement.actions for a in ref.expand(p)]
    if not actions:
        return
    for resource in statement.resources:
        if _matches_star(resource):
            continue
        if not any(a.matches_resource(resource) for a in actions):
            report_violation(
                f"{where}: {resource} is not of any resource type the statement's actions act on "
                f"({', '.join(statement.actions)}); it grants nothing.",
                None,
            )


def _validate_resources(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    for _document, where, statement in _statements(args):
        if not statement.resources or statement.not_actions or statement.not_resources:
            continue
        _check_actions(where, statement, report_violation)
        _check_resources(where, statement, report_violation)


RESOURCE_MATCHES_ACTION = _spec(
    "iam-resource-matches-action",
    "A statement's resources match the ARN pattern of a resource type its actions act on.",
    "IAM matches Resource against the ARN of the resource each action acts on, as the Service Authorization "
    "Reference defines it (s3:ListBucket on the bucket, s3:GetObject on bucket/key, a CloudWatch dashboard "
    "with no region). A resource of another shape silently never matches: AccessDenied at run time, or a Deny "
    "that denies nothing. Fix: use the ARN pattern the message shows (or the resource's .arn output).",
    _validate_resources,
)


# --------------------------------------------------------------------------------- condition keys


def _tolerates_missing_key(operator: str) -> bool:
    """...IfExists and Null hold when the key is absent, so an unsupported key changes nothing (IAM User Guide,
    "Condition operators", https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html).
    """
    base = operator.split(":", 1)[-1]
    return base.endswith("IfExists") or base == "Null"


def _validate_condition_keys(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    for _document, where, statement in _statements(args):
        if statement.not_actions or not statement.actions:
            continue
        for operator, block in statement.condition.items():
            if not isinstance(block, dict) or _tolerates_missing_key(str(operator)):
                continue
            for key in block:
                if not any(ref.condition_key_valid(a, text(key)) for a in statement.actions):
                    report_violation(
                        f"{where}: condition key {key!r} ({operator}) is neither global nor one that "
                        f"{', '.join(statement.actions)} take, so the condition is never true.",
                        None,
                    )


CONDITION_KEYS_VALID = _spec(
    "iam-condition-key-valid",
    "Every condition key is a global key or one the statement's actions support.",
    "A key that is not in the request context of the action makes its condition false (unless the operator "
    "is ...IfExists or Null): an Allow that never allows, a Deny that never denies. Fix: use a key the "
    "Service Authorization Reference lists for the action or its resource types (aws:ResourceTag/... only "
    "where the service supports tag-based authorisation), or a global key (aws:SourceArn, aws:PrincipalArn).",
    _validate_condition_keys,
)

POLICIES: list[PolicySpec] = [ACTION_EXISTS, UNSCOPABLE_ON_STAR, RESOURCE_MATCHES_ACTION, CONDITION_KEYS_VALID]
