"""The platform workflow's ASL executed by moto's Step Functions interpreter.

moto (>= 5.0) parses and runs ASL when the backend is configured with
`@mock_aws(config={"stepfunctions": {"execute_state_machine": True}})` (docstring of
`moto.stepfunctions.models.StepFunctionBackend`); without it executions return static data. DynamoDB,
SNS and EventBridge integrations run against moto's own services. Invoking a Lambda function in moto
needs Docker, so the two Lambda tasks are served by scripted fakes patched in at
`lambda_eval_utils._invoke_lambda_function` (the interpreter's single Lambda call site).
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws
from moto.stepfunctions.parser.asl.component.common.retry import retrier_decl
from moto.stepfunctions.parser.asl.component.state.exec.state_task import lambda_eval_utils

from components.workflow import request_pipeline
from functions.shared import review
from functions.shared.constants import EVENT_SOURCE
from functions.shared.events import EscalationRequested
from functions.shared.review import ReviewNotice

REGION = "us-east-1"
ACCOUNT = "123456789012"
ROUTER_ARN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:router"
DECIDE_ARN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:decide"
REQUEST_ID = "5f1d7c2e-8a4b-4c1e-9d3f-2b6a7e9c0d11"

Script = Callable[[dict[str, Any]], dict[str, Any]]


def _event() -> dict[str, Any]:
    return {
        "version": "0",
        "source": EVENT_SOURCE,
        "detail-type": "RequestReceived",
        "detail": {
            "schema_version": "1",
            "request_id": REQUEST_ID,
            "occurred_at": "2025-01-01T12:00:00Z",
            "prompt": "What is the capital of France?",
            "language": "en",
            "pii_redacted": False,
            "connection_id": "Ab12Cd34=",
            "subject": "alice",
        },
    }


def _answer(payload: dict[str, Any]) -> dict[str, Any]:
    return {"request_id": payload["detail"]["request_id"], "answer": "Paris.", "confidence": 0.93, "tier": "micro"}


def _error(error_type: str) -> dict[str, Any]:
    return {"errorType": error_type, "errorMessage": f"{error_type} raised by the fake"}


class FakeLambdas:
    """Scripted responses per function ARN; a script returning {"errorType": ...} is a function error."""

    def __init__(self) -> None:
        self.scripts: dict[str, list[Script]] = {}
        self.calls: dict[str, int] = {}

    def script(self, arn: str, *responses: Script) -> None:
        self.scripts[arn] = list(responses)

    def invoke(self, parameters: dict[str, Any], region: str, state_credentials: Any) -> dict[str, Any]:
        arn = parameters["FunctionName"]
        payload = json.loads(parameters["Payload"])
        count = self.calls.get(arn, 0)
        self.calls[arn] = count + 1
        responses = self.scripts[arn]
        result = responses[min(count, len(responses) - 1)](payload)
        if "errorType" in result:
            return {"StatusCode": 200, "FunctionError": "Unhandled", "Payload": result}
        return {"StatusCode": 200, "Payload": result}


class Waits:
    """Stands in for `time` in moto's retrier: records each Retry wait instead of sleeping it."""

    def __init__(self) -> None:
        self.seconds: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.seconds.append(seconds)


@pytest.fixture
def waits(monkeypatch: pytest.MonkeyPatch) -> Waits:
    recorded = Waits()
    monkeypatch.setattr(retrier_decl, "time", recorded)
    return recorded


@pytest.fixture
def fakes(monkeypatch: pytest.MonkeyPatch, waits: Waits) -> FakeLambdas:
    fake = FakeLambdas()
    monkeypatch.setattr(lambda_eval_utils, "_invoke_lambda_function", fake.invoke)
    return fake


class World:
    def __init__(self) -> None:
        self.sfn = boto3.client("stepfunctions", region_name=REGION)
        self.ddb = boto3.client("dynamodb", region_name=REGION)
        self.sqs = boto3.client("sqs", region_name=REGION)
        sns = boto3.client("sns", region_name=REGION)
        events = boto3.client("events", region_name=REGION)
        self.ddb.create_table(
            TableName="audit",
            KeySchema=[
                {"AttributeName": "request_id", "KeyType": "HASH"},
                {"AttributeName": "record", "KeyType": "RANGE"},
            ],
            AttributeDefinitions=[
                {"AttributeName": "request_id", "AttributeType": "S"},
                {"AttributeName": "record", "AttributeType": "S"},
            ],
            BillingMode="PAY_PER_REQUEST",
        )
        topic_arn = sns.create_topic(Name="escalation")["TopicArn"]
        self.reviews_url = self.sqs.create_queue(QueueName="reviews")["QueueUrl"]
        reviews_arn = self.sqs.get_queue_attributes(QueueUrl=self.reviews_url, AttributeNames=["QueueArn"])[
            "Attributes"
        ]["QueueArn"]
        sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=reviews_arn)
        events.create_event_bus(Name="bus")
        self.events_url = self.sqs.create_queue(QueueName="bus-events")["QueueUrl"]
        events_arn = self.sqs.get_queue_attributes(QueueUrl=self.events_url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        events.put_rule(Name="all", EventBusName="bus", EventPattern=json.dumps({"source": [EVENT_SOURCE]}))
        events.put_targets(Rule="all", EventBusName="bus", Targets=[{"Id": "q", "Arn": events_arn}])
        definition = request_pipeline(
            router_arn=ROUTER_ARN,
            decide_arn=DECIDE_ARN,
            audit_table="audit",
            escalation_topic_arn=topic_arn,
            bus_name="bus",
            event_source=EVENT_SOURCE,
            router_timeout_seconds=120,
            decide_timeout_seconds=30,
        )
        self.machine_arn = self.sfn.create_state_machine(
            name="pipeline",
            definition=json.dumps(definition),
            roleArn=f"arn:aws:iam::{ACCOUNT}:role/pipeline",
        )["stateMachineArn"]

    def run(self, timeout: float = 30.0, **detail: Any) -> dict[str, Any]:
        event = _event()
        event["detail"].update(detail)
        execution_arn = self.sfn.start_execution(
            stateMachineArn=self.machine_arn, name=str(uuid.uuid4()), input=json.dumps(event)
        )["executionArn"]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            described = self.sfn.describe_execution(executionArn=execution_arn)
            if described["status"] != "RUNNING":
                described["history"] = self.sfn.get_execution_history(executionArn=execution_arn)["events"]
                return described
            time.sleep(0.1)
        raise AssertionError("execution did not finish")

    def scan_audit(self) -> list[dict[str, Any]]:
        return list(self.ddb.scan(TableName="audit")["Items"])

    def messages(self, url: str) -> list[dict[str, Any]]:
        found = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
        return [json.loads(m["Body"]) for m in found]


@pytest.fixture
def world() -> Iterator[World]:
    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        yield World()


def _entered(history: list[dict[str, Any]]) -> list[str]:
    return [e["stateEnteredEventDetails"]["name"] for e in history if "stateEnteredEventDetails" in e]


def test_happy_path_routes_then_decides(world: World, fakes: FakeLambdas) -> None:
    fakes.script(ROUTER_ARN, _answer)
    fakes.script(DECIDE_ARN, lambda p: {"detail_type": "DecisionMade", "request_id": p["request_id"]})

    result = world.run()

    assert result["status"] == "SUCCEEDED"
    assert _entered(result["history"]) == ["Route", "Decide", "Done"]
    output = json.loads(result["output"])
    assert output["answer"]["Payload"]["answer"] == "Paris."
    assert output["decision"]["Payload"]["detail_type"] == "DecisionMade"
    assert fakes.calls == {ROUTER_ARN: 1, DECIDE_ARN: 1}
    assert world.ddb.scan(TableName="audit")["Items"] == []  # the failure path never ran


def test_model_failure_is_retried_then_succeeds(world: World, fakes: FakeLambdas) -> None:
    fakes.script(ROUTER_ARN, lambda _p: _error("ModelThrottledError"), _answer)
    fakes.script(DECIDE_ARN, lambda p: {"detail_type": "DecisionMade", "request_id": p["request_id"]})

    result = world.run()

    assert result["status"] == "SUCCEEDED"
    assert fakes.calls[ROUTER_ARN] == 2  # one failure, one retry (States.TaskFailed retrier)
    failed = [e for e in result["history"] if e["type"] == "TaskFailed"]
    assert [e["taskFailedEventDetails"]["error"] for e in failed] == ["ModelThrottledError"]


def test_unrecoverable_failure_escalates_without_code(world: World, fakes: FakeLambdas) -> None:
    fakes.script(ROUTER_ARN, _answer)
    fakes.script(DECIDE_ARN, lambda _p: _error("ConfigurationError"))  # non-retryable: fails fast

    result = world.run()

    assert result["status"] == "FAILED"
    assert result["error"] == "RequestFailed"
    assert _entered(result["history"])[-20:] == [
        "AuditExpiry",
        "KeptForGood",  # the event carries no audit_expires_at
        "OwnerItem",
        "ClaimOutcome",  # the outcome is this path's: decide never claimed it
        "FailureItem",
        "RecordFailure",
        "FailureDetail",
        "EscalationAfterAnswer",
        "ReviewNotice",
        "CheckReviewSent",
        "ReviewSentChoice",
        "SendReview",
        "ReviewSentItem",
        "MarkReviewSent",
        "CheckEscalationSent",
        "EscalationSentChoice",
        "SendEscalation",
        "EscalationSentItem",
        "MarkEscalationSent",
        "Failed",
    ]
    assert fakes.calls[DECIDE_ARN] == 1  # ConfigurationError is never retried
    key = {"request_id": {"S": REQUEST_ID}, "record": {"S": "workflow_failed"}}
    audit = world.ddb.get_item(TableName="audit", Key=key)["Item"]
    assert audit["outcome"] == {"S": "workflow_failed"}
    assert audit["error"] == {"S": "ConfigurationError"}
    assert "expires_at" not in audit  # no expiry came with the request: kept, as decide keeps with retention 0
    reviews = world.messages(world.reviews_url)
    assert len(reviews) == 1
    notice = json.loads(reviews[0]["Message"])
    assert notice["request_id"] == REQUEST_ID
    assert "capital of France" not in reviews[0]["Message"]  # the reviewers' notice never carries the prompt
    events = world.messages(world.events_url)
    assert [e["detail-type"] for e in events] == ["EscalationRequested"]
    detail = events[0]["detail"]
    # The reviewers get the case (the documented ReviewNotice shape), not who asked or over which socket.
    assert notice == {
        **{name: detail[name] for name in review.FROM_ESCALATION},
        "case_bucket": None,
        "case_key": None,
    }
    assert ReviewNotice.model_validate(notice).tier == "micro"
    assert detail["request_id"] == REQUEST_ID
    # The real cause and the tier that answered, not a made-up empty answer at micro.
    assert (detail["reasons"], detail["cause"], detail["tier"], detail["confidence"]) == (
        ["workflow_failed"],
        "ConfigurationError",
        "micro",
        0.93,
    )
    assert detail["connection_id"] == "Ab12Cd34="
    assert detail["subject"] == "alice"  # deliver pushes the failure notice only to this caller's connection
    EscalationRequested.model_validate(detail)


def test_failure_before_any_answer_has_no_tier(world: World, fakes: FakeLambdas) -> None:
    fakes.script(ROUTER_ARN, lambda _p: _error("ConfigurationError"))

    result = world.run()

    assert "EscalationBeforeAnswer" in _entered(result["history"])
    (event,) = world.messages(world.events_url)
    assert (event["detail"]["tier"], event["detail"]["cause"]) == (None, "ConfigurationError")
    EscalationRequested.model_validate(event["detail"])


def test_a_duplicate_execution_waits_for_the_first_and_is_not_a_failure(
    world: World, fakes: FakeLambdas, waits: Waits
) -> None:
    """A second execution for the same request meets the first one's in-progress record: it waits it out."""
    in_progress = [lambda _p: _error("IdempotencyAlreadyInProgressError")] * 3
    fakes.script(ROUTER_ARN, *in_progress, _answer)  # the first execution finished meanwhile: its stored answer
    fakes.script(DECIDE_ARN, lambda p: {"detail_type": "DecisionMade", "request_id": p["request_id"]})

    result = world.run()

    assert result["status"] == "SUCCEEDED"
    assert _entered(result["history"])[-1] == "Done"
    assert world.messages(world.reviews_url) == [] and world.messages(world.events_url) == []
    assert waits.seconds == [5, 10, 20]


def test_a_duplicate_that_never_gets_the_request_ends_quietly(world: World, fakes: FakeLambdas, waits: Waits) -> None:
    fakes.script(ROUTER_ARN, lambda _p: _error("IdempotencyAlreadyInProgressError"))

    result = world.run()

    assert result["status"] == "SUCCEEDED"
    assert _entered(result["history"])[-1] == "HandledElsewhere"
    assert world.scan_audit() == [] and world.messages(world.reviews_url) == []
    assert sum(waits.seconds) > 120  # waited longer than the router's timeout before giving up


def test_each_failure_is_escalated_once(world: World, fakes: FakeLambdas) -> None:
    """Two executions of one request both fail (a duplicate event): one audit record, one case, one event."""
    fakes.script(ROUTER_ARN, lambda _p: _error("ConfigurationError"))

    first, second = world.run(), world.run()

    assert (first["status"], second["status"]) == ("FAILED", "SUCCEEDED")
    assert _entered(second["history"])[-1] == "AlreadyEscalated"
    assert sorted(i["record"]["S"] for i in world.scan_audit()) == [
        "escalation_sent",
        "outcome_owner",
        "review_sent",
        "workflow_failed",
    ]
    assert len(world.messages(world.reviews_url)) == 1
    assert len(world.messages(world.events_url)) == 1


def _record(world: World, record: str) -> None:
    world.ddb.put_item(
        TableName="audit",
        Item={"request_id": {"S": REQUEST_ID}, "record": {"S": record}, "recorded_at": {"S": "2026-12-01T00:00:00Z"}},
    )


def test_a_case_decide_already_sent_is_not_sent_again(world: World, fakes: FakeLambdas) -> None:
    """decide sent the reviewers' case (its `review_sent` marker), then failed for good publishing its event:
    the failure path tells the user (EscalationRequested) without a second case for the reviewers (F9)."""
    fakes.script(ROUTER_ARN, _answer)
    fakes.script(DECIDE_ARN, lambda _p: _error("ConfigurationError"))
    _record(world, "review_sent")

    result = world.run()

    assert result["status"] == "FAILED"
    assert "SendReview" not in _entered(result["history"])
    assert world.messages(world.reviews_url) == []
    assert [e["detail-type"] for e in world.messages(world.events_url)] == ["EscalationRequested"]


def test_an_escalation_an_earlier_execution_could_not_send_is_sent_by_the_next(
    world: World, fakes: FakeLambdas
) -> None:
    """An earlier execution recorded the failure and notified reviewers, but the bus refused its event after
    retries: the next execution (a duplicate event, a redrive) sends only what is missing (F8)."""
    fakes.script(ROUTER_ARN, lambda _p: _error("ConfigurationError"))
    world.ddb.put_item(
        TableName="audit",
        Item={
            "request_id": {"S": REQUEST_ID},
            "record": {"S": "workflow_failed"},
            "outcome": {"S": "workflow_failed"},
        },
    )
    _record(world, "review_sent")

    result = world.run()

    entered = _entered(result["history"])
    assert "SendReview" not in entered and "SendEscalation" in entered
    assert world.messages(world.reviews_url) == []
    assert [e["detail-type"] for e in world.messages(world.events_url)] == ["EscalationRequested"]
    assert {i["record"]["S"] for i in world.scan_audit()} == {
        "outcome_owner",
        "workflow_failed",
        "review_sent",
        "escalation_sent",
    }


def test_escalation_event_matches_the_published_schema(world: World, fakes: FakeLambdas) -> None:
    fakes.script(ROUTER_ARN, lambda _p: _error("UnexpectedEventError"))
    fakes.script(DECIDE_ARN, _answer)

    result = world.run()

    assert result["status"] == "FAILED"
    assert fakes.calls == {ROUTER_ARN: 1}
    (event,) = world.messages(world.events_url)
    EscalationRequested.model_validate(event["detail"])  # the runtime's own contract accepts it


def test_the_failure_paths_records_expire_when_the_request_says(world: World, fakes: FakeLambdas) -> None:
    """rtmisc #2: `RequestReceived.audit_expires_at` (ingest's AUDIT_RETENTION_DAYS) is the TTL of every record
    the failure path writes, as decide's records carry theirs."""
    fakes.script(ROUTER_ARN, _answer)
    fakes.script(DECIDE_ARN, lambda _p: _error("ConfigurationError"))

    result = world.run(audit_expires_at=1_900_000_000)

    assert result["status"] == "FAILED"
    items = world.ddb.scan(TableName="audit")["Items"]
    assert {i["record"]["S"] for i in items} == {"outcome_owner", "workflow_failed", "review_sent", "escalation_sent"}
    assert all(i["expires_at"] == {"N": "1900000000"} for i in items), items
    failure = next(i for i in items if i["record"]["S"] == "workflow_failed")
    assert (failure["error"], failure["outcome"]) == ({"S": "ConfigurationError"}, {"S": "workflow_failed"})
