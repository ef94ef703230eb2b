"""Issue 12 §1: two executions of one request tell the user one outcome, whatever the interleaving (review s11 4 #4).

EventBridge delivers ``RequestReceived`` at least once and names no execution, so each copy is an execution of
its own (tests/functions/pipeline.py World.settle). Execution A's router fails for good and A's failure path
escalates ("escalated" reaches the user); execution B's router answered and B's decide runs. decide read
``workflow_failed`` at its start and then wrote only its own records, so a failure path finishing after that read
was not seen: B published ``DecisionMade`` too. Both now append one item, the ``outcome_owner`` record, only if
absent (functions/decide/handler.py, components/workflow.py ``_claim``). The interleavings are made
deterministic: when decide sends a given request, A's failure path has just finished (its records are written
through the harness client with the items the ASL's dynamodb:putItem tasks write).

Compliant: no failure path: decide claims the outcome and publishes ``DecisionMade`` once.
Non-compliant (each published ``DecisionMade`` after the failure path's escalation before the fix):
1. A's failure path finishes just before B's decision write (the reviewer's reproduction);
2. ... just before B's outcome event (after B's decision, its document and its claim check are written);
3. ... just before B's decision write, with A's ``EscalationRequested`` not yet out: B fails and leaves the
   effects to its own failure path (``FailurePathOwnsOutcomeError``), still no ``DecisionMade``;
4. the other way round, through the real ASL: a failure path that meets decide's claim (decide claimed and has
   not recorded its outcome sent, as while it publishes in another execution; here its publish fails for good)
   sends no ``EscalationRequested`` of its own (before the fix it escalated a request decide was announcing).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from components import workflow
from functions.decide import handler as decide
from functions.shared import constants as c
from functions.shared.events import ModelAnswered
from functions.shared.exceptions import FailurePathOwnsOutcomeError
from tests.functions.conftest import ENVIRONMENT
from tests.functions.pipeline import (
    ALICE,
    ALICE_CONNECTION,
    PARTIAL_FAILURE,
    Call,
    World,
    context_for,
    error,
    harness_client,
    put_events_of,
)

AUDIT = ENVIRONMENT[c.ENV_AUDIT_TABLE_NAME]
EVERY_EFFECT = (c.AUDIT_FAILURE_RECORD, c.AUDIT_REVIEW_SENT_RECORD, c.AUDIT_ESCALATION_SENT_RECORD)


def _answered() -> dict[str, Any]:
    example = ModelAnswered.model_json_schema()["examples"][0]
    return {**example, "request_id": str(uuid.uuid4()), "connection_id": ALICE_CONNECTION, "subject": ALICE}


def _audit_put(record: str) -> Callable[[Call], bool]:
    def match(call: Call) -> bool:
        item = call.body.get("Item", {})
        return (
            call.service == "dynamodb"
            and call.operation == "PutItem"
            and call.body.get("TableName") == AUDIT
            and item.get(c.AUDIT_SORT_ATTR, {}).get("S") == record
        )

    return match


def _failure_path_finishes(
    world: World, request_id: str, when: Callable[[Call], bool], records: tuple[str, ...]
) -> list[bool]:
    """Before decide's first call ``when`` matches, A's failure path claims the outcome and writes ``records``."""
    done: list[bool] = []

    def interleave(call: Call) -> bool:
        if when(call) and not done:
            done.append(True)  # first: the writes below pass through this hook too
            ddb = harness_client("dynamodb")
            now = {"recorded_at": {"S": datetime.now(UTC).isoformat()}}
            key = {c.AUDIT_KEY_ATTR: {"S": request_id}}
            # ClaimOutcome's item (workflow._claim), then RecordFailure's and the effects' markers.
            owner = {c.AUDIT_SORT_ATTR: {"S": workflow.OUTCOME_OWNER_RECORD},
                     workflow.OUTCOME_OWNER_ATTR: {"S": workflow.FAILURE_RECORD}}  # fmt: skip
            ddb.put_item(TableName=AUDIT, Item={**key, **owner, **now})
            for record in records:
                ddb.put_item(
                    TableName=AUDIT, Item={**key, c.AUDIT_SORT_ATTR: {"S": record}, "outcome": {"S": record}, **now}
                )
        return False  # no fault: decide's call goes through

    world.inject("execution A's failure path finishes", interleave, error(500, "unused"))
    return done


def test_compliant_decide_alone_claims_the_outcome_and_publishes_once(world: World) -> None:
    answered = _answered()
    with world.environment:
        result = decide.lambda_handler(answered, context_for("decide"))
    world.settle()

    assert result["detail_type"] == "DecisionMade"
    assert len(world.events("DecisionMade")) == 1
    owner = next(i for i in world.audit() if i[c.AUDIT_SORT_ATTR]["S"] == c.AUDIT_OUTCOME_OWNER_RECORD)
    assert owner[c.OUTCOME_OWNER_ATTR] == {"S": c.OUTCOME_OWNER_DECIDE}


@pytest.mark.parametrize(
    "when",
    [_audit_put(c.AUDIT_DECISION_RECORD), _audit_put(c.AUDIT_OUTCOME_OWNER_RECORD)],
    ids=["noncompliance_1_before_the_decision_write", "noncompliance_2_before_the_outcome_event"],
)
def test_a_failure_path_finishing_while_decide_runs_gets_no_second_outcome(
    world: World, when: Callable[[Call], bool]
) -> None:
    answered = _answered()
    done = _failure_path_finishes(world, answered["request_id"], when, EVERY_EFFECT)
    with world.environment:
        result = decide.lambda_handler(answered, context_for("decide"))
    world.settle()

    assert done, "the interleaving must have happened"
    # The user was told "escalated" by A's failure path; B's decide must not contradict it.
    assert result["detail_type"] == "EscalationRequested", result["detail_type"]
    assert result["detail"]["reasons"] == ["workflow_failed"]
    assert world.events("DecisionMade") == []


def test_noncompliance_3_a_failure_path_still_sending_keeps_the_outcome(world: World) -> None:
    answered = _answered()
    done = _failure_path_finishes(world, answered["request_id"], _audit_put(c.AUDIT_DECISION_RECORD),
                                  (c.AUDIT_FAILURE_RECORD, c.AUDIT_REVIEW_SENT_RECORD))  # fmt: skip
    with world.environment, pytest.raises(FailurePathOwnsOutcomeError):
        decide.lambda_handler(answered, context_for("decide"))
    world.settle()

    assert done
    assert world.events("DecisionMade") == []


def test_noncompliance_4_a_failure_path_meeting_decides_claim_sends_no_second_outcome(world: World) -> None:
    world.inject("decide's outcome never reaches the bus", put_events_of("DecisionMade"), PARTIAL_FAILURE, times=1000)
    status, body, _ = world.submit()
    assert status == 202
    world.settle()

    request_id = body["request_id"]
    records = {i[c.AUDIT_SORT_ATTR]["S"]: i for i in world.audit() if i[c.AUDIT_KEY_ATTR]["S"] == request_id}
    assert records[c.AUDIT_OUTCOME_OWNER_RECORD][c.OUTCOME_OWNER_ATTR] == {"S": c.OUTCOME_OWNER_DECIDE}
    assert world.events("EscalationRequested") == []
    assert world.events("DecisionMade") == []
    assert world.reviews() == []
    assert c.AUDIT_FAILURE_RECORD not in records
    world.assert_audit_append_only()
