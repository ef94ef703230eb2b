"""Issue 12 §1: "once" outlasts the idempotency records (review 5, F1).

The same event can come back after every Powertools record expired (``IDEMPOTENCY_TTL_SECONDS``): an archive
replay, a DLQ redrive. Deleting the records is what DynamoDB TTL does then. The durable audit records decide:
the recorded decision stands, the claim check is not rewritten, the outcome is not published again, deliver
neither pushes nor publishes ``ResultDelivered`` again, and reviewers get no case for an accepted request.

Bad cases (each a test below): 1. the replayed request gets a different (unconfident) answer; 2. it gets the
cached one; 3. the outcome event itself is redelivered to deliver; 4. an escalated request is replayed; 5. the
router would pay for the models again (its durable ``answered`` record, functions/router/answers.py).
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from functions.shared import constants as c
from tests.functions.conftest import ENVIRONMENT
from tests.functions.pipeline import World, harness_client

IDEMPOTENCY = ENVIRONMENT[c.ENV_IDEMPOTENCY_TABLE_NAME]
CACHE = ENVIRONMENT[c.ENV_CACHE_TABLE_NAME]
BUCKET = ENVIRONMENT[c.ENV_OUTPUTS_BUCKET_NAME]


def _expire_idempotency_records(*, cache: bool = False) -> None:
    ddb = harness_client("dynamodb")
    for item in ddb.scan(TableName=IDEMPOTENCY)["Items"]:
        ddb.delete_item(TableName=IDEMPOTENCY, Key={c.IDEMPOTENCY_KEY_ATTR: item[c.IDEMPOTENCY_KEY_ATTR]})
    if cache:  # a request the cache never kept, or one older than the cache's TTL
        for item in ddb.scan(TableName=CACHE)["Items"]:
            ddb.delete_item(TableName=CACHE, Key={c.CACHE_KEY_ATTR: item[c.CACHE_KEY_ATTR]})


def _claim_check() -> tuple[str, dict[str, Any]]:
    s3 = harness_client("s3")
    (key,) = [o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET)["Contents"]]
    return key, json.loads(s3.get_object(Bucket=BUCKET, Key=key)["Body"].read())


def _decision(world: World) -> dict[str, Any]:
    (item,) = [i for i in world.audit() if i["record"]["S"] == "decision"]
    return item


def _first_run(world: World, confidence: float = 0.9) -> str:
    world.models.confidence = {"micro": confidence, "lite": confidence, "pro": confidence}
    status, body, _ = world.submit()
    assert status == 202, body
    world.settle()
    return str(body["request_id"])


def _replay_request(world: World) -> None:
    (received,) = [e for e in world.bus_events if e["detail-type"] == "RequestReceived"]
    world._start(received)
    world.settle()


def _expect_once(world: World, request_id: str, outcome: str, pushed: str) -> None:
    assert world.outcomes() == Counter({request_id: 1}), world.outcomes()
    assert len(world.events(outcome)) == 1
    assert [m["type"] for _c, m in world.sockets.pushes] == [pushed]
    assert [d["outcome"] for d in world.events("ResultDelivered")] == [outcome]
    assert world.deliver_failures == []
    world.assert_audit_append_only()  # the replay met every record: appended once, never overwritten


def test_1_a_replay_with_a_different_answer_keeps_the_recorded_decision(world: World) -> None:
    request_id = _first_run(world)
    decision, (key, document) = _decision(world), _claim_check()
    _expire_idempotency_records(cache=True)
    world.models.confidence = {"micro": 0.2, "lite": 0.2, "pro": 0.2}  # models are not deterministic

    _replay_request(world)

    _expect_once(world, request_id, "DecisionMade", "result")
    assert world.reviews() == []  # no case for a request the audit trail says was accepted
    assert _decision(world) == decision
    assert _claim_check() == (key, document)  # the claim check is not rewritten with the new answer
    assert document["confidence"] == 0.9


def test_2_a_replay_answered_from_the_cache_is_not_published_or_pushed_again(world: World) -> None:
    request_id = _first_run(world)
    _expire_idempotency_records()

    _replay_request(world)

    _expect_once(world, request_id, "DecisionMade", "result")
    assert Counter(world.models.paid) == Counter({(1, "micro"): 1})  # the cache answered
    assert world.reviews() == []


def test_3_a_redelivered_outcome_event_is_not_pushed_again(world: World) -> None:
    request_id = _first_run(world)
    _expire_idempotency_records()
    (made,) = [e for e in world.bus_events if e["detail-type"] == "DecisionMade"]

    world._deliver(made)  # an archive replay or DLQ redrive of the outcome event
    world.settle()

    _expect_once(world, request_id, "DecisionMade", "result")


def test_4_a_replayed_escalation_sends_no_second_case(world: World) -> None:
    request_id = _first_run(world, confidence=0.2)
    assert len(world.reviews()) == 1
    _expire_idempotency_records(cache=True)

    _replay_request(world)

    _expect_once(world, request_id, "EscalationRequested", "escalated")
    assert world.reviews() == []
    assert _decision(world)["outcome"]["S"] == "escalated"


def test_5_a_replay_does_not_pay_for_the_models_again(world: World) -> None:
    """The router's side of F1: its paid answer is in the audit table (``answered``), read before any model is
    called, so a replay after the idempotency records (and the cache entry) expired answers with it again."""
    request_id = _first_run(world, confidence=0.5)  # micro, lite and pro all tried: three paid calls
    paid = Counter(world.models.paid)
    (first,) = world.events("ModelAnswered")
    _expire_idempotency_records(cache=True)

    _replay_request(world)

    assert Counter(world.models.paid) == paid  # nothing paid again
    assert sum(paid.values()) == 3
    replayed = world.events("ModelAnswered")[-1]
    assert {k: v for k, v in replayed.items() if k != "occurred_at"} == {
        k: v for k, v in first.items() if k != "occurred_at"
    }
    assert replayed["occurred_at"] == first["occurred_at"]  # the same answer, so the same claim check key
    _expect_once(world, request_id, "EscalationRequested", "escalated")
    records = Counter(item["record"]["S"] for item in world.audit() if item["request_id"]["S"] == request_id)
    assert records["answered"] == 1
