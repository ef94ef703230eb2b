"""Step Functions and EventBridge rules called directly, with the exact message of each Noncompliance case."""

from __future__ import annotations

import json
from typing import Any

import pytest

from policies.rules import workflows as wf
from tests.policies.rules.calls import run_resource

SAFE = {
    "Type": "Task",
    "Resource": "arn:aws:states:::lambda:invoke",
    "Retry": [{"ErrorEquals": ["States.ALL"]}],
    "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "F"}],
}
BARE = {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke"}


def _machine(states: dict[str, Any]) -> dict[str, Any]:
    return {"StartAt": next(iter(states), "A"), "States": states}


def test_task_states_are_found_at_every_depth_with_their_path() -> None:
    definition = _machine(
        {
            "X": "not a state",
            "A": BARE,
            "P": {"Type": "Parallel", "Branches": [_machine({"B": SAFE}), "not a branch", _machine({"C": BARE})]},
            "M": {"Type": "Map", "ItemProcessor": _machine({"D": BARE}), "Iterator": _machine({"E": SAFE})},
            "L": {"Type": "Map", "Iterator": _machine({"F": BARE}), "ItemProcessor": "not a processor"},
            "W": {"Type": "Wait", "Seconds": 1},
        }
    )
    assert [where for where, _ in wf.task_states(definition)] == [
        "A",
        "P.Branches[0].B",
        "P.Branches[2].C",
        "M.ItemProcessor.D",
        "M.Iterator.E",
        "L.Iterator.F",
    ]
    assert list(wf.task_states({"States": ["A"]})) == []
    assert list(wf.task_states({})) == []


@pytest.mark.parametrize(
    ("definition", "messages"),
    [
        (_machine({"A": SAFE}), []),
        (json.dumps(_machine({"A": SAFE})), []),
        (_machine({"W": {"Type": "Pass"}}), []),
        (_machine({"A": BARE}), ["Task state A has no Retry and no Catch."]),
        (_machine({"A": {**SAFE, "Retry": []}}), ["Task state A has no Retry."]),
        (_machine({"A": {**SAFE, "Catch": None}}), ["Task state A has no Catch."]),
        (json.dumps(_machine({"A": SAFE, "B": BARE})), ["Task state B has no Retry and no Catch."]),
        ("{not json", ["the definition is not valid Amazon States Language JSON."]),
        (json.dumps(["States"]), ["the definition is not valid Amazon States Language JSON."]),
        # No definition input: the aws-native view of a machine whose definition is an S3 object (policies.native;
        # pulumi-aws requires `definition`).
        (
            None,
            [
                "the definition is not in the program (an S3 object), so its Task states cannot be checked "
                "for Retry and Catch."
            ],
        ),
    ],
    ids=[
        "ok",
        "ok_text",
        "ok_no_task",
        "bad1_neither",
        "bad2_no_retry",
        "bad3_no_catch",
        "bad4_second_of_two",
        "bad5_not_json",
        "bad6_not_object",
        "bad7_none",
    ],
)
def test_retry_catch(definition: Any, messages: list[str]) -> None:
    props = {} if definition is None else {"definition": definition}
    expected = [(f"sm: {m}", None) for m in messages]
    assert run_resource(wf.RETRY_CATCH, wf.STATE_MACHINE, props, name="sm") == expected


GOOD_LOG = {"level": "ERROR", "includeExecutionData": True, "logDestination": "arn:aws:logs:us-east-1:1:log-group:g:*"}


@pytest.mark.parametrize(
    ("config", "problems"),
    [
        (GOOD_LOG, None),
        ({**GOOD_LOG, "level": "ALL", "includeExecutionData": "true"}, None),
        ({**GOOD_LOG, "level": "FATAL"}, "level is FATAL (want ALL or ERROR)"),
        ({**GOOD_LOG, "level": None}, "level is unset (want ALL or ERROR)"),
        ({**GOOD_LOG, "includeExecutionData": False}, "includeExecutionData is not true"),
        ({**GOOD_LOG, "logDestination": ""}, "no logDestination"),
        (None, "level is unset (want ALL or ERROR); includeExecutionData is not true; no logDestination"),
    ],
    ids=["ok", "ok_all", "bad1_fatal", "bad2_unset_level", "bad3_no_data", "bad4_no_destination", "bad5_nothing"],
)
def test_logging(config: dict[str, Any] | None, problems: str | None) -> None:
    props = {} if config is None else {"loggingConfiguration": config}
    expected = [] if problems is None else [(f"sm: execution logging: {problems}.", None)]
    assert run_resource(wf.LOGGING, wf.STATE_MACHINE, props, name="sm") == expected


@pytest.mark.parametrize(
    ("props", "flagged"),
    [
        ({"tracingConfiguration": {"enabled": True}}, False),
        ({"tracingConfiguration": {"enabled": False}}, True),
        ({}, True),
    ],
    ids=["ok", "bad1_off", "bad2_unset"],
)
def test_tracing(props: dict[str, Any], flagged: bool) -> None:
    expected = [("sm: X-Ray tracing is off (tracingConfiguration.enabled is not true).", None)] if flagged else []
    assert run_resource(wf.TRACING, wf.STATE_MACHINE, props, name="sm") == expected


DLQ = {"arn": "arn:aws:sqs:us-east-1:123456789012:dlq"}
NO_DLQ = "no dead-letter queue (deadLetterConfig.arn)"
NO_RETRY = "no retryPolicy (maximumRetryAttempts or maximumEventAgeInSeconds)"


@pytest.mark.parametrize(
    ("props", "problems"),
    [
        ({"deadLetterConfig": DLQ, "retryPolicy": {"maximumRetryAttempts": 0}}, None),
        ({"deadLetterConfig": DLQ, "retryPolicy": {"maximumEventAgeInSeconds": 60}}, None),
        ({"retryPolicy": {"maximumRetryAttempts": 3}}, NO_DLQ),
        ({"deadLetterConfig": DLQ}, NO_RETRY),
        ({"deadLetterConfig": DLQ, "retryPolicy": {}}, NO_RETRY),
        ({}, f"{NO_DLQ} and {NO_RETRY}"),
    ],
    ids=["ok_attempts", "ok_age", "bad1_no_dlq", "bad2_no_retry", "bad3_empty_retry", "bad4_neither"],
)
def test_event_target(props: dict[str, Any], problems: str | None) -> None:
    expected = [] if problems is None else [(f"t: EventBridge target has {problems}.", None)]
    assert run_resource(wf.EVENT_TARGET_POLICY, wf.EVENT_TARGET, props, name="t") == expected
