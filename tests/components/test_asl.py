"""ASL builder: defaults for Retry/Catch everywhere, transition checks, service integration shapes."""

from __future__ import annotations

import pytest

from components import asl

FN = "arn:aws:lambda:us-east-1:123456789012:function:f"


def _simple() -> dict[str, dict]:
    return {
        "Work": asl.lambda_invoke(FN, next_state="Done"),
        "Done": asl.succeed(),
        "Fallback": asl.sns_publish("arn:aws:sns:us-east-1:123456789012:t", next_state="Failed"),
        "Failed": asl.fail("Failed", "failed"),
    }


def test_every_task_gets_default_retry_and_catch() -> None:
    definition = asl.definition("Work", _simple(), catch_to="Fallback")
    work = definition["States"]["Work"]
    assert work["Retry"] == [dict(r) for r in asl.DEFAULT_RETRY]
    assert work["Catch"] == [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Fallback"}]


def test_fallback_path_never_catches_into_itself() -> None:
    fallback = asl.definition("Work", _simple(), catch_to="Fallback")["States"]["Fallback"]
    assert fallback["Retry"]
    assert [c["Next"] for c in fallback["Catch"]] == ["Failed"]


def test_explicit_retry_is_kept() -> None:
    states = _simple()
    states["Work"] = asl.lambda_invoke(FN, next_state="Done", retry=[{"ErrorEquals": ["X"], "MaxAttempts": 1}])
    assert asl.definition("Work", states)["States"]["Work"]["Retry"] == [{"ErrorEquals": ["X"], "MaxAttempts": 1}]


def test_tasks_inside_parallel_and_map_get_retry_and_catch() -> None:
    inner = asl.branch("Inner", {"Inner": asl.lambda_invoke(FN, end=True)})
    states = {
        "Fan": asl.parallel([inner, inner], next_state="Each"),
        "Each": asl.map_state(inner, items_path="$.items", next_state="Done"),
        "Done": asl.succeed(),
        "Failed": asl.fail("F", "f"),
    }
    definition = asl.definition("Fan", states, catch_to="Failed")
    tasks = asl.task_states(definition)
    assert set(tasks) == {"Fan/Inner", "Each/Inner"}
    for task in tasks.values():
        assert task["Retry"]
        assert task["Catch"][0]["Next"] == "BranchFailed"
    branch = definition["States"]["Fan"]["Branches"][0]["States"]
    assert branch["BranchFailed"]["Type"] == "Fail"
    assert definition["States"]["Fan"]["Catch"][0]["Next"] == "Failed"
    assert definition["States"]["Each"]["Catch"][0]["Next"] == "Failed"
    assert definition["States"]["Each"]["ItemProcessor"]["ProcessorConfig"] == {"Mode": "INLINE"}


@pytest.mark.parametrize(
    ("states", "start", "catch_to", "message"),
    [
        ({"A": asl.pass_state(next_state="Nope")}, "A", None, "unknown state 'Nope'"),
        ({"A": asl.succeed()}, "B", None, "StartAt 'B'"),
        ({"A": asl.succeed()}, "A", "Missing", "catch_to 'Missing'"),
        ({"A": {"Type": "Pass"}}, "A", None, "neither has Next nor End"),
    ],
)
def test_invalid_definitions_are_rejected(states: dict, start: str, catch_to: str | None, message: str) -> None:
    with pytest.raises(asl.AslError, match=message):
        asl.definition(start, states, catch_to=catch_to)


def test_state_needs_exactly_one_of_next_or_end() -> None:
    with pytest.raises(asl.AslError):
        asl.pass_state()
    with pytest.raises(asl.AslError):
        asl.pass_state(next_state="A", end=True)


def test_service_integration_resources_and_parameters() -> None:
    assert asl.bedrock_invoke_model("amazon.nova-micro-v1:0", {"x": 1}, end=True)["Resource"] == (
        "arn:aws:states:::bedrock:invokeModel"
    )
    put = asl.dynamodb_put_item("t", {"id": {"S.$": "$.id"}}, end=True)
    assert put["Resource"] == "arn:aws:states:::dynamodb:putItem"
    assert put["ResultPath"] is None
    events = asl.events_put_events("bus", "src", "Type", detail_path="$.d", end=True)
    assert events["Resource"] == "arn:aws:states:::events:putEvents"
    assert events["Parameters"]["Entries"] == [
        {"EventBusName": "bus", "Source": "src", "DetailType": "Type", "Detail.$": "$.d"}
    ]
    assert asl.sns_publish("arn:aws:sns:us-east-1:1:t", end=True)["Resource"] == "arn:aws:states:::sns:publish"
    invoke = asl.lambda_invoke(FN, end=True)
    assert invoke["Parameters"] == {"FunctionName": FN, "Payload.$": "$"}


def test_to_json_is_stable() -> None:
    definition = asl.definition("Work", _simple(), catch_to="Fallback")
    assert asl.to_json(definition) == asl.to_json(asl.definition("Work", _simple(), catch_to="Fallback"))


# --- worst-case duration (issue 12, rtmisc #4) -------------------------------------------------------------


def _timed(**extra: object) -> dict:
    state = asl.task(asl.SNS_PUBLISH, parameters={}, end=True, timeout_seconds=10)
    return {**state, **extra}


def test_a_task_takes_every_attempt_at_its_timeout_plus_each_retriers_waits() -> None:
    retry = [
        {"ErrorEquals": ["A"], "MaxAttempts": 0},
        {"ErrorEquals": ["B"], "IntervalSeconds": 5, "MaxAttempts": 3, "BackoffRate": 2.0},  # 5 + 10 + 20
        {"ErrorEquals": ["C"]},  # ASL defaults: 3 attempts from 1 s, doubling: 1 + 2 + 4
    ]
    # 1 + 3 + 3 attempts of 10 s, plus 35 s and 7 s of waits
    assert asl.state_worst_case_seconds("T", _timed(Retry=retry)) == 7 * 10 + 35 + 7


def test_max_delay_caps_each_wait() -> None:
    retry = [{"ErrorEquals": ["B"], "IntervalSeconds": 10, "MaxAttempts": 3, "MaxDelaySeconds": 15}]
    assert asl.state_worst_case_seconds("T", _timed(Retry=retry)) == 4 * 10 + 10 + 15 + 15


def test_the_worst_case_is_the_slowest_path_over_next_catch_and_choice() -> None:
    definition = {
        "StartAt": "First",
        "States": {
            "First": {**_timed(Retry=[{"ErrorEquals": ["X"], "MaxAttempts": 0}]), "End": False, "Next": "Pick",
                      "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Slow"}]},
            "Pick": asl.choice([{"Variable": "$.x", "IsPresent": True, "Next": "Fast"}], default="Done"),
            "Fast": _timed(Retry=[{"ErrorEquals": ["X"], "MaxAttempts": 0}]),
            "Slow": {"Type": "Wait", "Seconds": 300, "Next": "Done"},
            "Done": asl.succeed(),
        },
    }  # fmt: skip
    definition["States"]["First"].pop("End")
    assert asl.worst_case_seconds(definition) == 10 + 300


@pytest.mark.parametrize(
    ("states", "message"),
    [
        pytest.param({"T": asl.task(asl.SNS_PUBLISH, end=True, retry=[])}, "no TimeoutSeconds", id="no-timeout"),
        pytest.param({"T": {"Type": "Pass", "Next": "T"}}, "loop", id="loop"),
        pytest.param({"T": {"Type": "Wait", "SecondsPath": "$.s", "End": True}}, "no bound", id="wait-path"),
    ],
)
def test_a_duration_without_bound_is_an_error(states: dict, message: str) -> None:
    with pytest.raises(asl.AslError, match=message):
        asl.worst_case_seconds({"StartAt": "T", "States": states})
