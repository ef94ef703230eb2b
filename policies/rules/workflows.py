"""Step Functions and EventBridge: every failure is retried, caught and visible (P020, P179, P021, P131).

The state machine definition is parsed as Amazon States Language: Task states are found at the top
level and inside Parallel `Branches` and Map `Iterator` (legacy) or `ItemProcessor`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import ReportViolation, ResourceValidationArgs, Severity

from policies.lib import as_list, get, text, truthy
from policies.spec import Category, Kind, PolicySpec

STATE_MACHINE = "aws:sfn/stateMachine:StateMachine"
EVENT_TARGET = "aws:cloudwatch/eventTarget:EventTarget"


def task_states(definition: Mapping[str, Any], path: str = "") -> Iterator[tuple[str, Mapping[str, Any]]]:
    """(path, state) for every Task state, nested Parallel branches and Map processors included."""
    states = definition.get("States")
    if not isinstance(states, Mapping):
        return
    for name, state in states.items():
        if not isinstance(state, Mapping):
            continue
        where = f"{path}{name}"
        kind = state.get("Type")
        if kind == "Task":
            yield where, state
        elif kind == "Parallel":
            for index, branch in enumerate(as_list(state.get("Branches"))):
                if isinstance(branch, Mapping):
                    yield from task_states(branch, f"{where}.Branches[{index}].")
        elif kind == "Map":
            for key in ("ItemProcessor", "Iterator"):
                processor = state.get(key)
                if isinstance(processor, Mapping):
                    yield from task_states(processor, f"{where}.{key}.")


def _definition(props: Any) -> Mapping[str, Any] | None:
    raw = get(props, "definition")
    if isinstance(raw, Mapping):
        return raw
    try:
        parsed = json.loads(text(raw))
    except ValueError:
        return None
    return parsed if isinstance(parsed, Mapping) else None


def _validate_retry_catch(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if get(args.props, "definition") is None:  # an aws-native state machine's DefinitionS3Location (policies.native)
        report_violation(
            f"{args.name}: the definition is not in the program (an S3 object), so its Task states "
            "cannot be checked for Retry and Catch.",
            None,
        )
        return
    definition = _definition(args.props)
    if definition is None:
        report_violation(f"{args.name}: the definition is not valid Amazon States Language JSON.", None)
        return
    for where, state in task_states(definition):
        missing = [k for k in ("Retry", "Catch") if not as_list(state.get(k))]
        if missing:
            report_violation(f"{args.name}: Task state {where} has no {' and no '.join(missing)}.", None)


RETRY_CATCH = PolicySpec(
    name="state-machine-task-retry-catch",
    description="Every Task state (nested Parallel and Map states too) has Retry and Catch.",
    explanation=(
        "A Task without Retry fails the execution on the first throttle; without Catch the failure is not "
        "routed to a compensating or escalation state. Fix: add Retry (e.g. States.TaskFailed with backoff) and "
        "Catch [States.ALL -> a failure-handling state] to every Task."
    ),
    principles=("P179", "P020"),
    severity=Severity.HIGH,
    category=Category.RELIABILITY,
    kind=Kind.RESOURCE,
    validate=_validate_retry_catch,
    resource_types=(STATE_MACHINE,),
)


def _validate_logging(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    # stepfunctions LogLevel: ALL | ERROR | FATAL | OFF (botocore service model).
    level = get(args.props, "loggingConfiguration", "level")
    problems = []
    if level not in ("ALL", "ERROR"):
        problems.append(f"level is {level or 'unset'} (want ALL or ERROR)")
    if not truthy(get(args.props, "loggingConfiguration", "includeExecutionData")):
        problems.append("includeExecutionData is not true")
    if not text(get(args.props, "loggingConfiguration", "logDestination")):
        problems.append("no logDestination")
    if problems:
        report_violation(f"{args.name}: execution logging: {'; '.join(problems)}.", None)


LOGGING = PolicySpec(
    name="state-machine-logging",
    description="State machines log to CloudWatch at ALL or ERROR with execution data.",
    explanation=(
        "Execution history expires; logs with execution data are the audit trail of each AI decision. Fix: "
        "logging_configuration={'level': 'ERROR', 'include_execution_data': True, 'log_destination': "
        "f'{log_group.arn}:*'}."
    ),
    principles=("P021", "P129", "P147"),
    severity=Severity.MEDIUM,
    category=Category.GOVERNANCE,
    kind=Kind.RESOURCE,
    validate=_validate_logging,
    resource_types=(STATE_MACHINE,),
)


def _validate_tracing(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if not truthy(get(args.props, "tracingConfiguration", "enabled")):
        report_violation(f"{args.name}: X-Ray tracing is off (tracingConfiguration.enabled is not true).", None)


TRACING = PolicySpec(
    name="state-machine-tracing",
    description="State machines have X-Ray tracing on.",
    explanation="Traces connect each workflow step to the functions and models it calls. Fix: "
    "tracing_configuration={'enabled': True}.",
    principles=("P131",),
    severity=Severity.LOW,
    category=Category.GOVERNANCE,
    kind=Kind.RESOURCE,
    validate=_validate_tracing,
    resource_types=(STATE_MACHINE,),
)


def _validate_target(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    problems = []
    if not text(get(args.props, "deadLetterConfig", "arn")):
        problems.append("no dead-letter queue (deadLetterConfig.arn)")
    retry = get(args.props, "retryPolicy") or {}
    if get(retry, "maximumRetryAttempts") is None and get(retry, "maximumEventAgeInSeconds") is None:
        problems.append("no retryPolicy (maximumRetryAttempts or maximumEventAgeInSeconds)")
    if problems:
        report_violation(f"{args.name}: EventBridge target has {' and '.join(problems)}.", None)


EVENT_TARGET_POLICY = PolicySpec(
    name="event-target-dlq-retry",
    description="Every EventBridge target has a dead-letter queue and an explicit retry policy.",
    explanation=(
        "Events EventBridge cannot deliver are dropped after its default retries. Fix: dead_letter_config="
        "{'arn': dlq.arn} and retry_policy={'maximum_retry_attempts': ..., 'maximum_event_age_in_seconds': ...}. "
        "(The only judge of this rule: the former checkov check CKV_AGP_4 is retired.)"
    ),
    principles=("P179", "P002", "P020"),
    severity=Severity.MEDIUM,
    category=Category.RELIABILITY,
    kind=Kind.RESOURCE,
    validate=_validate_target,
    resource_types=(EVENT_TARGET,),
)

POLICIES: list[PolicySpec] = [RETRY_CATCH, LOGGING, TRACING, EVENT_TARGET_POLICY]
