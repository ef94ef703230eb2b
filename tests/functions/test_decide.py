"""decide: rules (pure) and the handler's routing to S3 / SNS (-> review queue), events and audit (moto)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError
from pydantic import ValidationError

from functions.decide import handler as decide
from functions.decide.rules import escalation_reasons
from functions.shared.constants import AUDIT_REVIEW_SENT_RECORD
from functions.shared.events import ModelAnswered
from functions.shared.exceptions import FailurePathOwnsOutcomeError
from tests.functions.factories import envelope, new_request_id


def _answered(**changes: Any) -> dict[str, Any]:
    example = ModelAnswered.model_json_schema()["examples"][0]
    return {**example, "request_id": new_request_id(), **changes}


@pytest.mark.parametrize(
    ("changes", "reasons"),
    [
        ({}, []),
        ({"confidence": 0.69}, ["low_confidence"]),
        ({"well_formed": False}, ["malformed_output"]),
        ({"answer": "  "}, ["empty_answer"]),
        ({"guardrail_intervened": True, "confidence": 0.0}, ["guardrail_intervened", "low_confidence"]),
        (
            {"attempts": [{**_answered()["attempts"][0], "stop_reason": "max_tokens"}]},
            ["truncated"],
        ),
        (  # review F2: the router ran out of time before any tier could answer
            {
                "attempts": [],
                "answer": "",
                "confidence": 0.0,
                "well_formed": False,
                "skipped": [
                    {"tier": tier, "model_id": f"{tier}-model", "reason": "deadline"} for tier in ("micro", "lite")
                ],
            },
            ["model_unavailable", "empty_answer", "malformed_output", "low_confidence"],
        ),
    ],
    ids=["accept", "low-confidence", "malformed", "empty", "guardrail", "truncated", "deadline"],
)
def test_escalation_reasons(changes, reasons):
    assert escalation_reasons(ModelAnswered.model_validate(_answered(**changes)), threshold=0.7) == reasons


def _audit(cloud: Any, request_id: str) -> dict[str, Any]:
    key = {"request_id": {"S": request_id}, "record": {"S": "decision"}}
    return cloud.client("dynamodb").get_item(TableName="audit", Key=key)["Item"]


def test_accepted_answer_is_stored_announced_and_audited(cloud, context):
    detail = _answered()

    result = decide.lambda_handler(detail, context)

    assert result["detail_type"] == "DecisionMade"
    key = result["detail"]["output_key"]
    assert key.startswith("outputs/2025/01/01/") and key.endswith(f"{detail['request_id']}.json")
    stored = json.loads(cloud.client("s3").get_object(Bucket="agentic-outputs-test", Key=key)["Body"].read())
    assert (stored["answer"], stored["prompt"], stored["prompt_version"]) == ("Paris.", detail["prompt"], 1)
    [event] = cloud.events("DecisionMade")
    assert event["detail"] == result["detail"]
    assert cloud.review_messages() == []
    item = _audit(cloud, detail["request_id"])
    assert item["outcome"]["S"] == "accepted"
    assert item["output_key"]["S"] == key
    assert item["prompt"]["S"] == "answer@1"
    assert "e" not in item["cost_usd"]["N"].lower()  # plain decimal for DynamoDB
    assert int(item["expires_at"]["N"]) > 0  # AUDIT_RETENTION_DAYS=30 in the test environment


def test_unconfident_answer_is_escalated_to_humans(cloud, context):
    detail = _answered(confidence=0.4, connection_id=None)

    result = decide.lambda_handler(envelope("ModelAnswered", detail), context)

    assert result["detail_type"] == "EscalationRequested"
    assert result["detail"]["reasons"] == ["low_confidence"]
    key = f"outputs/2025/01/01/{detail['request_id']}.json"
    [case] = cloud.review_messages()  # exactly one message in the review queue per escalation
    assert case == {
        "schema_version": "1",
        "request_id": detail["request_id"],
        "reasons": ["low_confidence"],
        "confidence": 0.4,
        "tier": "micro",
        "case_bucket": "agentic-outputs-test",
        "case_key": key,
        "cause": None,
    }
    assert cloud.sns_notices() == [case]
    assert detail["prompt"] not in json.dumps(case) and "Paris." not in json.dumps(case)  # no user content
    stored = json.loads(cloud.client("s3").get_object(Bucket="agentic-outputs-test", Key=key)["Body"].read())
    assert (stored["answer"], stored["reasons"]) == ("Paris.", ["low_confidence"])  # the reviewers' case
    assert [e["detail"]["request_id"] for e in cloud.events("EscalationRequested")] == [detail["request_id"]]
    assert cloud.events("DecisionMade") == []
    item = _audit(cloud, detail["request_id"])
    assert item["outcome"]["S"] == "escalated"
    assert item["reasons"]["L"] == [{"S": "low_confidence"}]
    # The marker the workflow's failure path reads, so that it never sends the reviewers a second case.
    marker = cloud.client("dynamodb").get_item(
        TableName="audit", Key={"request_id": {"S": detail["request_id"]}, "record": {"S": AUDIT_REVIEW_SENT_RECORD}}
    )
    assert "Item" in marker


def test_retries_do_not_duplicate_effects(cloud, context):
    detail = _answered(confidence=0.2)

    decide.lambda_handler(detail, context)
    decide.lambda_handler(detail, context)

    assert len(cloud.review_messages()) == 1
    assert len(cloud.events("EscalationRequested")) == 1


def test_output_that_breaks_the_schema_raises(cloud, context):
    with pytest.raises(ValidationError):
        decide.lambda_handler(_answered(confidence=1.5), context)
    with pytest.raises(ValidationError):
        decide.lambda_handler(_answered(tier="ultra"), context)
    with pytest.raises(ValidationError):
        decide.lambda_handler({**_answered(), "unexpected": True}, context)


def test_storage_failures_raise_for_the_dlq(cloud, context):
    cloud.client("s3").delete_bucket(Bucket="agentic-outputs-test")

    with pytest.raises(ClientError, match="NoSuchBucket"):
        decide.lambda_handler(_answered(), context)
    assert cloud.events() == []


def test_a_retry_keeps_the_first_audit_record(cloud, context, monkeypatch):
    """The audit record is written first and conditionally: a retry after a later failure does not rewrite it."""
    from datetime import UTC, datetime  # noqa: PLC0415

    from functions.shared import effects  # noqa: PLC0415
    from functions.shared.exceptions import EventPublishError  # noqa: PLC0415

    answered = ModelAnswered.model_validate(_answered())
    first, second = datetime(2025, 1, 1, 12, tzinfo=UTC), datetime(2025, 1, 1, 13, tzinfo=UTC)

    def rejected(_event: Any, *_qualifiers: str) -> None:
        raise EventPublishError("PutEvents rejected 1 entries")

    with monkeypatch.context() as patch:
        patch.setattr(effects, "publish_once", rejected)
        with pytest.raises(EventPublishError):
            decide.decide(answered, now=first)
    decide.decide(answered, now=second)

    assert _audit(cloud, answered.request_id)["decided_at"]["S"] == first.isoformat()
    assert len(cloud.events("DecisionMade")) == 1


# --- the claim check a redelivery stores is the one the decision names (review s11 3 #12) ----------------------
# Attempt 1 records the decision (claim check: the answer's UTC day) and fails at S3; the redelivered answer may
# be dated another day. Compliant: the same day. Non-compliant before the fix: 1. accepted after midnight (the
# document went under the new day, DecisionMade named the old key: NoSuchKey in deliver); 2. escalated after
# midnight (the reviewers' case_key named a missing document); 3. a month and a year boundary.

BUCKET = "agentic-outputs-test"


def _fail_then_redeliver(cloud: Any, context: Any, first_at: str, again_at: str, **changes: Any) -> tuple[str, Any]:
    request_id = new_request_id()
    first = _answered(request_id=request_id, occurred_at=first_at, connection_id=None, **changes)
    s3 = cloud.client("s3")
    s3.delete_bucket(Bucket=BUCKET)  # S3 fails after the decision was recorded
    with pytest.raises(ClientError):
        decide.lambda_handler(first, context)
    s3.create_bucket(Bucket=BUCKET)
    result = decide.lambda_handler({**first, "occurred_at": again_at}, context)
    return request_id, result


def _stored_keys(cloud: Any) -> list[str]:
    return [o["Key"] for o in cloud.client("s3").list_objects_v2(Bucket=BUCKET).get("Contents", [])]


@pytest.mark.parametrize(
    ("first_at", "again_at", "day"),
    [
        ("2025-01-01T10:00:00Z", "2025-01-01T10:00:05Z", "2025/01/01"),  # compliant: the same day
        ("2025-01-01T23:59:58Z", "2025-01-02T00:00:03Z", "2025/01/01"),  # 1. after UTC midnight
        ("2025-01-31T23:59:59Z", "2025-02-01T00:00:01Z", "2025/01/31"),  # 3. a month boundary
        ("2025-12-31T23:59:59Z", "2026-01-01T00:00:01Z", "2025/12/31"),  # 3. a year boundary
    ],
    ids=["same-day", "1-midnight", "3-month", "3-year"],
)
def test_a_redelivered_acceptance_is_stored_where_decision_made_says(cloud, context, first_at, again_at, day):
    request_id, result = _fail_then_redeliver(cloud, context, first_at, again_at)

    key = f"outputs/{day}/{request_id}.json"
    assert result["detail"]["output_key"] == key == _audit(cloud, request_id)["output_key"]["S"]
    assert _stored_keys(cloud) == [key]


def test_noncompliance_2_a_redelivered_escalation_notice_names_the_stored_case(cloud, context):
    request_id, result = _fail_then_redeliver(
        cloud, context, "2025-01-01T23:59:58Z", "2025-01-02T00:00:03Z", confidence=0.1
    )

    assert result["detail_type"] == "EscalationRequested"
    (notice,) = cloud.review_messages()
    assert notice["case_key"] == f"outputs/2025/01/01/{request_id}.json"
    assert _stored_keys(cloud) == [notice["case_key"]]


# --- a request the workflow's failure path escalated keeps that outcome (found with review s11 3 #12) -----------
# Compliant: no failure record, decide decides. Non-compliant before the fix: 1. the failure path escalated and
# sent everything: decide published DecisionMade too; 2. it died before its EscalationRequested (3. or before its
# review case): decide published DecisionMade instead of leaving the outcome to this execution's failure path.


def _failure_path_wrote(cloud: Any, request_id: str, *records: str) -> None:
    # ClaimOutcome's item first (components/workflow.py _claim), then RecordFailure's and the effects' markers.
    owner = {"request_id": {"S": request_id}, "record": {"S": "outcome_owner"}, "owner": {"S": "workflow_failed"}}
    cloud.client("dynamodb").put_item(TableName="audit", Item=owner)
    for record in ("workflow_failed", *records):
        item = {"request_id": {"S": request_id}, "record": {"S": record}, "outcome": {"S": "workflow_failed"}}
        cloud.client("dynamodb").put_item(TableName="audit", Item=item)


def test_noncompliance_1_after_the_failure_path_escalated_decide_publishes_nothing(cloud, context):
    answered = _answered(connection_id=None)
    _failure_path_wrote(cloud, answered["request_id"], "review_sent", "escalation_sent")

    result = decide.lambda_handler(answered, context)

    assert result["detail_type"] == "EscalationRequested"
    assert result["detail"]["reasons"] == ["workflow_failed"]
    assert cloud.events() == []
    assert cloud.review_messages() == []
    assert cloud.client("s3").list_objects_v2(Bucket=BUCKET).get("KeyCount") == 0


@pytest.mark.parametrize(
    "sent", [("review_sent",), ("escalation_sent",), ()], ids=["2-no-escalation", "3-no-case", "3-none"]
)
def test_noncompliance_2_3_a_failure_path_that_died_midway_owns_the_outcome(cloud, context, sent):
    answered = _answered(connection_id=None)
    _failure_path_wrote(cloud, answered["request_id"], *sent)

    with pytest.raises(FailurePathOwnsOutcomeError):
        decide.lambda_handler(answered, context)

    assert cloud.events() == []
    assert cloud.review_messages() == []
