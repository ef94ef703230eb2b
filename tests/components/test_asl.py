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
