"""Bedrock models as they are today: none past end of life, legacy ones flagged (P183, P015, P100, P158).

A program uses a model wherever one of its inputs names it (an agent, an inference profile, a knowledge base, a
prompt variant, a flow node, a provisioned throughput, ...: the one table of `policies.model_inputs`, which
`bedrock-allowed-models` reads too), and where an identity policy lets a role invoke it (`bedrock:InvokeModel*`
on its foundation-model or inference-profile ARN, as the router's role does for every tier). The lifecycle comes from
`policies.model_lifecycle` (AWS's "Model lifecycle" page, offline). The date is today, or the `asOf` the
stack's policy config sets (so a gate run is reproducible).
"""

from __future__ import annotations

from datetime import date

from pulumi_policy import ReportViolation, ResourceValidationArgs, Severity

from policies import model_lifecycle as lifecycle
from policies.model_inputs import MODEL_TYPES, models_used
from policies.model_lifecycle import Lifecycle
from policies.spec import Category, Kind, PolicySpec

CONFIG_SCHEMA = {"asOf": {"type": "string", "format": "date"}}


def _today(args: ResourceValidationArgs) -> date:
    configured = args.get_config().get("asOf")
    return date.fromisoformat(str(configured)) if configured else date.today()


def _check(args: ResourceValidationArgs, report_violation: ReportViolation, wanted: Lifecycle) -> None:
    today = _today(args)
    for reference in models_used(args.resource_type, args.props):
        row = lifecycle.lifecycle(reference)
        if row is None or row.status(today) is not wanted:
            continue
        if wanted is Lifecycle.END_OF_LIFE:
            report_violation(
                f"{args.name}: {row.name} ({row.model_id}, via {reference}) reached end of life on "
                f"{row.end_of_life}; every request to it fails.",
                None,
            )
        else:
            until = f"; end of life {row.end_of_life}" if row.end_of_life else ""
            report_violation(
                f"{args.name}: {row.name} ({row.model_id}, via {reference}) is Legacy since {row.legacy}{until}.", None
            )


def _validate_end_of_life(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    _check(args, report_violation, Lifecycle.END_OF_LIFE)


def _validate_legacy(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    _check(args, report_violation, Lifecycle.LEGACY)


NOT_END_OF_LIFE = PolicySpec(
    name="bedrock-model-not-end-of-life",
    description="No agent, profile, knowledge base, prompt or invoke grant uses a model past its end of life.",
    explanation=(
        "After a model's EOL date on AWS's Model lifecycle page every request to it fails, so the tier, agent or "
        "knowledge base that names it is down. Fix: move to the model that page lists as current and redeploy."
    ),
    principles=("P183", "P015"),
    severity=Severity.HIGH,
    category=Category.RELIABILITY,
    kind=Kind.RESOURCE,
    validate=_validate_end_of_life,
    resource_types=MODEL_TYPES,
    covers_types=False,
    config_schema=CONFIG_SCHEMA,
)

NOT_LEGACY = PolicySpec(
    name="bedrock-model-not-legacy",
    description="Models in use are not Legacy (AWS has set, or will set, their end of life).",
    explanation=(
        "A Legacy model is closed to new customers, may be withdrawn from accounts that stop using it and will "
        "reach end of life. Fix: plan the move to an Active model before the EOL date the message shows."
    ),
    principles=("P100", "P158"),
    severity=Severity.MEDIUM,
    category=Category.RELIABILITY,
    kind=Kind.RESOURCE,
    validate=_validate_legacy,
    resource_types=MODEL_TYPES,
    covers_types=False,
    config_schema=CONFIG_SCHEMA,
)

POLICIES: list[PolicySpec] = [NOT_END_OF_LIFE, NOT_LEGACY]
