"""Issue 12 §3: end to end under injected faults, one at a time, with exact counts of every outcome.

For each fault: one outcome event, at most one audit record of each kind, one review case per escalation,
one successful WebSocket push, one ``ResultDelivered``, no model call paid twice, and the status the caller
got. Faults answer at the HTTP layer (tests/functions/pipeline.py), so botocore's own retries run first: a
fault that fires ``SDK_ATTEMPTS`` times defeats them once and the platform's retries must cope.
"""

from __future__ import annotations

import time
import uuid
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError

from functions.decide import handler as decide
from functions.deliver import handler as deliver
from functions.shared import constants as c
from functions.shared import effects, idempotency
from functions.shared.events import ModelAnswered
from functions.shared.review import FIELDS, ReviewNotice
from tests.functions.conftest import ENVIRONMENT
from tests.functions.pipeline import (
    ALICE,
    ALICE_CONNECTION,
    PARTIAL_FAILURE,
    SDK_ATTEMPTS,
    THROTTLED,
    Call,
    Response,
    World,
    context_for,
    converse_on,
    error,
    harness_client,
    put_events_of,
    table,
)

IDEMPOTENCY = ENVIRONMENT[c.ENV_IDEMPOTENCY_TABLE_NAME]
CACHE = ENVIRONMENT[c.ENV_CACHE_TABLE_NAME]
AUDIT = ENVIRONMENT[c.ENV_AUDIT_TABLE_NAME]
CONNECTIONS = ENVIRONMENT[c.ENV_CONNECTIONS_TABLE_NAME]


def expect_one_outcome(world: World, request_id: str, outcome: str, *, pushed: int = 1) -> dict[str, Any]:
    """Exactly one of everything for ``request_id``; returns the outcome event's detail."""
    assert world.outcomes() == Counter({request_id: 1}), world.outcomes()
    (detail,) = world.events(outcome)
    assert [d["request_id"] for d in world.events("ModelAnswered")] in ([request_id], [])
    records = Counter(item["record"]["S"] for item in world.audit() if item["request_id"]["S"] == request_id)
    assert records and max(records.values()) == 1
    world.assert_audit_append_only()  # ... and none was overwritten on the way (the count above cannot tell)
    reviews = review_cases(world)
    assert [r["request_id"] for r in reviews] == ([request_id] if outcome == "EscalationRequested" else [])
    assert len(world.sockets.pushes) == pushed
    assert [d["outcome"] for d in world.events("ResultDelivered")] == [outcome]
    paid = Counter(world.models.paid)
    assert all(count == 1 for count in paid.values()), paid  # no model call paid twice
    world.assert_cost_recorded_is_cost_paid()  # ... and what decide recorded is what those calls cost
    assert world.deliver_failures == []
    return detail


def review_cases(world: World) -> list[dict[str, Any]]:
    """The review queue's messages, each checked to be a :class:`ReviewNotice`: the case, never the caller (no
    ``subject``, no ``connection_id``) and never the prompt or an answer."""
    cases = world.reviews()
    for case in cases:
        assert set(case) == set(FIELDS), case  # exactly the documented shape, whichever sender
        ReviewNotice.model_validate(case)
        text = str(case)
        assert "alice" not in text and "conn-1" not in text and "answer from" not in text and "[case" not in text
    return cases


def decision(world: World, request_id: str) -> dict[str, Any]:
    (item,) = [i for i in world.audit() if i["request_id"]["S"] == request_id and i["record"]["S"] == "decision"]
    return item


def run_one(world: World, **submit: Any) -> str:
    status, body, _ = world.submit(**submit)
    assert status == 202, body
    world.settle()
    return str(body["request_id"])


# --- the happy path ----------------------------------------------------------------------------------


def test_happy_path(world: World) -> None:
    request_id = run_one(world)

    detail = expect_one_outcome(world, request_id, "DecisionMade")
    assert detail["tier"] == "micro"
    assert world.sockets.pushes[0][1]["answer"] == "answer from micro"
    assert [tier for _, tier in world.models.paid] == ["micro"]
    assert decision(world, request_id)["cost_usd"]["N"] != "0"


# --- DynamoDB throttling, of each table, at each point of the request ------------------------------------


@pytest.mark.parametrize("skip", range(0, 16, 3))
def test_idempotency_table_throttled(world: World, skip: int) -> None:
    fault = world.inject("throttle idempotency", table(IDEMPOTENCY), THROTTLED, skip=skip)

    request_id = run_one(world)

    assert fault.fired == SDK_ATTEMPTS, "the fault must have hit the pipeline"
    expect_one_outcome(world, request_id, "DecisionMade")


@pytest.mark.parametrize("operation", ["GetItem", "PutItem"])
def test_cache_table_down_degrades_to_no_cache(world: World, operation: str) -> None:
    fault = world.inject("cache down", table(CACHE, operation), THROTTLED, times=1000)

    request_id = run_one(world)

    assert fault.fired == SDK_ATTEMPTS  # one request, one cache call, never retried by the workflow
    expect_one_outcome(world, request_id, "DecisionMade")
    assert decision(world, request_id)["cached"] == {"BOOL": False}


def test_audit_table_throttled(world: World) -> None:
    fault = world.inject("throttle audit", table(AUDIT), THROTTLED)

    request_id = run_one(world)

    assert fault.fired == SDK_ATTEMPTS
    expect_one_outcome(world, request_id, "DecisionMade")


# --- PutEvents partial failure, for each event type --------------------------------------------------------


@pytest.mark.parametrize("detail_type", ["ModelAnswered", "DecisionMade", "ResultDelivered"])
def test_put_events_partial_failure_accepted_path(world: World, detail_type: str) -> None:
    fault = world.inject(f"reject {detail_type}", put_events_of(detail_type), PARTIAL_FAILURE, times=1)

    request_id = run_one(world)

    assert fault.fired == 1
    expect_one_outcome(world, request_id, "DecisionMade")


def test_put_events_partial_failure_of_an_escalation(world: World) -> None:
    world.models.confidence = {"micro": 0.2, "lite": 0.2, "pro": 0.2}
    fault = world.inject("reject escalation", put_events_of("EscalationRequested"), PARTIAL_FAILURE, times=1)

    request_id = run_one(world)

    assert fault.fired == 1
    detail = expect_one_outcome(world, request_id, "EscalationRequested")
    assert detail["reasons"] == ["low_confidence"]


def test_an_escalation_the_bus_keeps_refusing_reaches_the_reviewers_once(world: World) -> None:
    """decide sent the case, claimed the outcome, then could not publish EscalationRequested through all its
    retries: the workflow's failure path sends the reviewers no second case (review F9) and no outcome of its own
    (decide owns it: review s11 4 #4); a redelivery of the request runs decide again, which publishes it."""
    world.models.confidence = {"micro": 0.2, "lite": 0.2, "pro": 0.2}
    world.inject("reject escalation", put_events_of("EscalationRequested"), PARTIAL_FAILURE, times=1000)

    request_id = run_one(world)

    assert [r["request_id"] for r in review_cases(world)] == [request_id]
    records = {i["record"]["S"]: i for i in world.audit() if i["request_id"]["S"] == request_id}
    assert {"decision", "review_sent", c.AUDIT_OUTCOME_OWNER_RECORD} <= set(records)
    assert records[c.AUDIT_OUTCOME_OWNER_RECORD][c.OUTCOME_OWNER_ATTR] == {"S": c.OUTCOME_OWNER_DECIDE}
    assert {"workflow_failed", "escalation_sent", "outcome_sent"}.isdisjoint(records)
    assert world.events("EscalationRequested") == []  # the bus never took decide's, and no one sent another


def test_put_events_partial_failure_of_the_request(world: World) -> None:
    """ingest answers 503 with Retry-After; the client's retry with the same key is one request."""
    world.inject("reject request", put_events_of("RequestReceived"), PARTIAL_FAILURE, times=1)

    statuses, body = world.submit_until_accepted(key="k-1")
    world.settle()

    assert statuses == [503, 202]
    expect_one_outcome(world, body["request_id"], "DecisionMade")


def _outputs_put(call: Call) -> bool:
    return call.service == "s3" and call.operation == "PutObject"


def test_workflow_failure_path_escalates_once_with_its_cause(world: World) -> None:
    """decide cannot store its document at all (before it claims the outcome): the failure path tells the user
    once, with the real cause and tier."""
    world.inject("outputs bucket down", _outputs_put, S3_DOWN, times=1000)
    world.inject("reject its escalation once", put_events_of("EscalationRequested"), PARTIAL_FAILURE, times=1)

    request_id = run_one(world)

    detail = expect_one_outcome(world, request_id, "EscalationRequested")
    assert (detail["reasons"], detail["cause"], detail["tier"]) == (["workflow_failed"], "ClientError", "micro")
    # EscalationRequested stays complete: deliver needs the caller and the connection (the notice has neither).
    assert (detail["subject"], detail["connection_id"]) == ("alice", "conn-1")


def test_the_failure_paths_notice_before_any_answer_is_the_same_shape(world: World) -> None:
    """The router fails for good (its ModelAnswered never goes out): the failure path's notice has no tier and no
    claim check, and still neither the caller nor the connection."""
    world.inject("reject answers", put_events_of("ModelAnswered"), PARTIAL_FAILURE, times=1000)

    request_id = run_one(world)

    (case,) = review_cases(world)
    assert (case["request_id"], case["reasons"], case["tier"], case["case_key"]) == (
        request_id, ["workflow_failed"], None, None)  # fmt: skip
    assert case["cause"] == "EventPublishError"
    (detail,) = world.events("EscalationRequested")
    assert (detail["subject"], detail["connection_id"]) == ("alice", "conn-1")


# --- Bedrock: throttling and 5xx of each tier; what models return ---------------------------------------

TIER_ERRORS = {
    "throttled": error(429, "ThrottlingException", "Too many requests"),
    "internal": error(500, "InternalServerException"),
    "unavailable": error(503, "ServiceUnavailableException"),
}


@pytest.mark.parametrize(
    ("tier", "kind"),
    [
        ("micro", "throttled"),
        ("lite", "throttled"),
        ("pro", "throttled"),
        ("lite", "internal"),
        ("pro", "internal"),
        ("micro", "unavailable"),
        ("pro", "unavailable"),
    ],
)
def test_a_tier_that_errors_is_skipped_and_nothing_is_paid_twice(world: World, tier: str, kind: str) -> None:
    world.models.confidence = {"micro": 0.3, "lite": 0.4, "pro": 0.95}  # every tier is tried
    fault = world.inject(f"{kind} {tier}", converse_on(tier), TIER_ERRORS[kind])

    request_id = run_one(world)

    assert fault.fired == SDK_ATTEMPTS
    paid = [t for _, t in world.models.paid]
    assert paid == [t for t in ("micro", "lite", "pro") if t != tier]
    (answered,) = world.events("ModelAnswered")
    assert [(s["tier"], s["reason"]) for s in answered["skipped"]] == [(tier, TIER_ERRORS[kind][1]["x-amzn-ErrorType"])]
    if tier == "pro":  # the confident tier failed: the best answer left is not confident enough
        assert expect_one_outcome(world, request_id, "EscalationRequested")["reasons"] == ["low_confidence"]
    else:
        assert expect_one_outcome(world, request_id, "DecisionMade")["tier"] == "pro"
    assert float(decision(world, request_id)["cost_usd"]["N"]) > 0


def test_the_router_escalating_across_tiers_records_every_paid_call(world: World) -> None:
    """micro and lite are paid for and not confident, pro answers: the decision's cost is all three calls'."""
    world.models.confidence = {"micro": 0.3, "lite": 0.4, "pro": 0.95}

    request_id = run_one(world)

    assert expect_one_outcome(world, request_id, "DecisionMade")["tier"] == "pro"
    assert [tier for _, tier in world.models.paid] == ["micro", "lite", "pro"]
    assert world.assert_cost_recorded_is_cost_paid() == 1


def test_a_cached_answer_is_free_and_only_an_answer_nobody_paid_for_is_cached(world: World) -> None:
    """The same question twice: the first is paid for (cached False, its cost), the second comes from the cache
    (cached True, $0, no call): each decision records what its own request paid."""
    first, second = run_one(world, case=7), run_one(world, case=7)

    assert [answered["cached"] for answered in world.events("ModelAnswered")] == [False, True]
    assert [bill.request_id for bill in world.models.bills] == [first]
    assert (decision(world, second)["cached"], decision(world, second)["cost_usd"]) == ({"BOOL": True}, {"N": "0.0"})
    assert world.assert_cost_recorded_is_cost_paid() == 2


def test_every_tier_unavailable_escalates_without_paying(world: World) -> None:
    world.inject("bedrock down", lambda call: call.operation == "Converse", TIER_ERRORS["unavailable"], times=1000)

    request_id = run_one(world)

    detail = expect_one_outcome(world, request_id, "EscalationRequested")
    assert "model_unavailable" in detail["reasons"]
    assert world.models.paid == []


def test_a_throttle_the_sdk_absorbs_changes_nothing(world: World) -> None:
    world.inject("one throttle", converse_on("micro"), TIER_ERRORS["throttled"], times=SDK_ATTEMPTS - 1)

    request_id = run_one(world)

    assert expect_one_outcome(world, request_id, "DecisionMade")["tier"] == "micro"


@pytest.mark.parametrize(
    ("behaviour", "reasons"),
    [
        ("malformed", ["malformed_output", "low_confidence"]),
        ("guardrail", ["guardrail_intervened", "malformed_output", "low_confidence"]),
    ],
)
def test_model_output_that_cannot_be_used_is_escalated(world: World, behaviour: str, reasons: list[str]) -> None:
    world.models.behaviour = dict.fromkeys(("micro", "lite", "pro"), behaviour)

    request_id = run_one(world)

    assert expect_one_outcome(world, request_id, "EscalationRequested")["reasons"] == reasons


def test_a_truncated_answer_is_never_served_from_the_cache(world: World) -> None:
    """Review F6: a confident answer cut off at maxTokens is escalated, and not cached: the same question again
    is answered by a model again (paid again, attempts visible to decide) and escalated again, not accepted."""
    world.models.behaviour = dict.fromkeys(("micro", "lite", "pro"), "truncated")

    first, second = run_one(world, case=1), run_one(world, case=1)  # the same prompt, two requests

    assert [answered["cached"] for answered in world.events("ModelAnswered")] == [False, False]
    assert [tier for _, tier in world.models.paid] == ["micro", "micro"]
    assert world.outcomes() == Counter({first: 1, second: 1})
    assert [d["reasons"] for d in world.events("EscalationRequested")] == [["truncated"], ["truncated"]]
    assert world.events("DecisionMade") == []
    assert world.assert_cost_recorded_is_cost_paid() == 2  # each paid its own call, neither is "cached"


@pytest.mark.parametrize("behaviour", ["no_usage", "not_json"])
def test_a_reply_without_usage_is_unknown_cost_not_free(world: World, behaviour: str) -> None:
    world.models.behaviour = {"micro": behaviour}

    request_id = run_one(world)

    item = decision(world, request_id)
    assert item["cost_known"] == {"BOOL": False}
    (answered,) = world.events("ModelAnswered")
    assert answered["attempts"][0]["usage_known"] is False
    assert answered["cost_known"] is False
    assert world.assert_cost_recorded_is_cost_paid() == 1


# --- the WebSocket --------------------------------------------------------------------------------------


def test_connection_gone_is_an_outcome(world: World) -> None:
    world.sockets.gone.add("conn-1")

    request_id = run_one(world)

    expect_one_outcome(world, request_id, "DecisionMade", pushed=0)
    assert [d["status"] for d in world.events("ResultDelivered")] == ["connection_gone"]


@pytest.mark.parametrize(("skip", "statuses"), [(0, [503, 202]), (1, [202])])
def test_connections_table_throttled(world: World, skip: int, statuses: list[int]) -> None:
    """The connection look-up fails through botocore's retries: ingest's (skip 0) answers 503 with Retry-After and
    the client's retry is one request; deliver's (skip 1) fails the invocation, and Lambda's asynchronous retry
    pushes once."""
    fault = world.inject("throttle connections", table(CONNECTIONS, "GetItem"), THROTTLED, skip=skip)

    got, body = world.submit_until_accepted(key="k-conn")
    world.settle()

    assert fault.fired == SDK_ATTEMPTS, "the fault must have hit the pipeline"
    assert got == statuses
    expect_one_outcome(world, body["request_id"], "DecisionMade")
    assert [d["status"] for d in world.events("ResultDelivered")] == ["delivered"]


def test_websocket_500_is_retried_and_pushed_once(world: World) -> None:
    fault = world.inject("ws 500", lambda call: call.operation == "PostToConnection", error(500, "InternalServerError"))

    request_id = run_one(world)

    assert fault.fired == SDK_ATTEMPTS
    expect_one_outcome(world, request_id, "DecisionMade")
    assert [d["status"] for d in world.events("ResultDelivered")] == ["delivered"]


# --- duplicate delivery of each event; a slow router --------------------------------------------------------


@pytest.mark.parametrize("detail_type", ["RequestReceived", "DecisionMade"])
def test_duplicate_delivery_accepted_path(world: World, detail_type: str) -> None:
    world.duplicate[detail_type] = 1

    request_id = run_one(world)

    expect_one_outcome(world, request_id, "DecisionMade")


@pytest.mark.parametrize("detail_type", ["RequestReceived", "EscalationRequested"])
def test_duplicate_delivery_escalated_path(world: World, detail_type: str) -> None:
    world.models.confidence = {"micro": 0.2, "lite": 0.2, "pro": 0.2}
    world.duplicate[detail_type] = 1

    request_id = run_one(world)

    expect_one_outcome(world, request_id, "EscalationRequested")


@pytest.mark.parametrize("outcome", ["DecisionMade", "EscalationRequested"])
def test_duplicates_of_an_outcome_while_the_first_deliver_still_pushes(world: World, outcome: str) -> None:
    """Three deliveries of one outcome event at once (a real invocation each, overlapping): the later ones meet
    the first one's in-progress record while it still pushes, are retried (Lambda's asynchronous retries) and
    get its result back: one push, one ``ResultDelivered``, one audit record of each kind."""
    if outcome == "EscalationRequested":
        world.models.confidence = {"micro": 0.2, "lite": 0.2, "pro": 0.2}
    world.sockets.delay = 0.1  # the push takes a while: the duplicates arrive while it is in flight
    world.duplicate[outcome] = 2

    request_id = run_one(world)

    expect_one_outcome(world, request_id, outcome)
    assert world.in_progress_met_by(deliver.lambda_handler) >= 2, world.in_progress_met  # both met the first
    markers = [i["record"]["S"] for i in world.audit() if i["record"]["S"].startswith("delivery#")]
    assert sorted(markers) == [f"delivery#{outcome}#published", f"delivery#{outcome}#pushed"]


def test_a_duplicate_request_while_a_slow_router_still_runs(world: World) -> None:
    """The second execution meets the first one's in-progress record: it waits, it does not escalate."""
    world.models.delay = 0.3
    world.duplicate["RequestReceived"] = 1

    request_id = run_one(world)

    expect_one_outcome(world, request_id, "DecisionMade")
    assert not [i for i in world.audit() if i["record"]["S"] == "workflow_failed"]


# --- the router's deadline across tiers (review F2) ------------------------------------------------------------


@pytest.mark.parametrize(
    ("micro", "answered_by", "reasons"),
    [
        # two reads time out, the third answers: 90 s of the router's 120 s for one paid, unconfident answer
        ([40, 40, 30], ["micro"], ["low_confidence"]),
        # every read times out: 3 x 30 s and nothing to show
        ([40], [], ["model_unavailable", "empty_answer", "malformed_output", "low_confidence"]),
    ],
)
def test_slow_tiers_never_run_the_router_past_its_timeout(
    world: World, micro: list[float], answered_by: list[str], reasons: list[str]
) -> None:
    """Review F2: micro then lite and pro would take longer than the router's timeout. Lambda would kill it,
    the paid attempts would be lost and the retry would pay them again. The router gives each tier only what
    is left (less its publishing margin) and skips what cannot finish: one answer, each paid call once."""
    world.models.confidence = {"micro": 0.3, "lite": 0.4, "pro": 0.95}
    world.models.latency = {"micro": micro, "lite": [25], "pro": [25]}

    request_id = run_one(world)

    assert world.timeouts == []  # the workflow never saw the router time out
    assert [tier for _, tier in world.models.paid] == answered_by
    (answered,) = world.events("ModelAnswered")
    skipped = [(s["tier"], s["reason"]) for s in answered["skipped"]]
    assert skipped[-1] == ("pro", "deadline"), skipped  # no time left for it
    assert dict(skipped)["lite"] in ("ReadTimeoutError", "deadline")  # cut short by what was left, or skipped
    detail = expect_one_outcome(world, request_id, "EscalationRequested")
    assert detail["reasons"] == reasons
    assert [(s["tier"], s["reason"]) for s in answered["skipped"]][:-1] == skipped[:-1]


# --- ingest: the caller's status ------------------------------------------------------------------------------


def test_idempotency_store_failing_after_the_publish_is_one_request(world: World) -> None:
    """ingest's store fails after RequestReceived is out (its success write): 503, then the retry is the same
    request id, and the pipeline treats the second RequestReceived as the duplicate it is."""
    world.inject("ingest store", table(IDEMPOTENCY, "UpdateItem"), THROTTLED)  # Powertools' save_success

    statuses, body = world.submit_until_accepted(key="k-2")
    world.settle()

    assert statuses[0] == 503 and statuses[-1] == 202 and set(statuses[1:-1]) <= {409}
    assert len(world.events("RequestReceived")) == 2  # published twice, under one request id
    expect_one_outcome(world, body["request_id"], "DecisionMade")


def test_idempotency_store_throttled_is_a_503_with_retry_after(world: World) -> None:
    world.inject("ingest store", table(IDEMPOTENCY, "PutItem"), THROTTLED)

    status, body, headers = world.submit(key="k-3")

    assert (status, body["error"]["code"], headers["retry-after"]) == (503, "unavailable", "2")
    world.settle()
    assert world.events("RequestReceived") == []


# --- an effect's "completed" write fails, then a later step of the same invocation (review F5) -------------


def completion_of(function: str, result: str = "") -> Callable[[Call], bool]:
    """Powertools' ``save_success`` of the effect ``function`` (module.qualname): its UpdateItem, keyed
    ``<function name>.<module.qualname>#<hash>`` (persistence/base.py ``configure``), whose stored response
    contains ``result`` (the detail-type, for the one publish effect every event type shares)."""

    def match(call: Call) -> bool:
        if not table(IDEMPOTENCY, "UpdateItem")(call):
            return False
        key = call.body.get("Key", {}).get(c.IDEMPOTENCY_KEY_ATTR, {}).get("S", "")
        stored = call.body.get("ExpressionAttributeValues", {}).get(":response_data", {}).get("S", "")
        return f".{function}#" in key and result in stored

    return match


def audit_put_of(record: str) -> Callable[[Call], bool]:
    return lambda call: table(AUDIT, "PutItem")(call) and call.body["Item"]["record"]["S"] == record


ESCALATE = {"micro": 0.2, "lite": 0.2, "pro": 0.2}
Match = Callable[[Call], bool]
#: effect -> (its completion write, a later failure of the same invocation and its response, the outcome, the
#: models' confidence). Each later failure fails the invocation once (a throttle through botocore's retries).
COMPLETIONS: dict[str, tuple[Match, Match, Response, str, dict[str, float] | None]] = {
    "answer": (completion_of("functions.router.handler._answer"), put_events_of("ModelAnswered"), PARTIAL_FAILURE,
               "DecisionMade", None),
    "publish ModelAnswered": (completion_of("functions.shared.effects._publish", "ModelAnswered"),
                              completion_of("functions.router.handler.lambda_handler"), THROTTLED, "DecisionMade",
                              None),
    "publish DecisionMade": (completion_of("functions.shared.effects._publish", "DecisionMade"),
                             audit_put_of(c.AUDIT_OUTCOME_SENT_RECORD), THROTTLED, "DecisionMade", None),
    "publish EscalationRequested": (completion_of("functions.shared.effects._publish", "EscalationRequested"),
                                    audit_put_of(c.AUDIT_OUTCOME_SENT_RECORD), THROTTLED, "EscalationRequested",
                                    ESCALATE),
    "review notice": (completion_of("functions.decide.actions._notify"), audit_put_of(c.AUDIT_REVIEW_SENT_RECORD),
                      THROTTLED, "EscalationRequested", ESCALATE),
    "push": (completion_of("functions.deliver.handler._push"), audit_put_of("delivery#DecisionMade#pushed"),
             THROTTLED, "DecisionMade", None),
    "publish ResultDelivered": (completion_of("functions.shared.effects._publish", "ResultDelivered"),
                                audit_put_of("delivery#DecisionMade#published"), THROTTLED, "DecisionMade", None),
}  # fmt: skip


@pytest.mark.parametrize("effect", list(COMPLETIONS))
def test_an_effect_whose_completion_write_failed_is_not_repeated(world: World, effect: str) -> None:
    """The effect succeeded, its "completed" write failed (through botocore's retries), then a later step of
    the same invocation failed: the retry must not meet the effect's INPROGRESS record and, once that expires,
    perform the effect again (a second push, notice, event or paid model call)."""
    completion, later, response, outcome, confidence = COMPLETIONS[effect]
    if confidence is not None:
        world.models.confidence = confidence
    written = world.inject(f"{effect} completion", completion, THROTTLED)
    failed = world.inject(f"after {effect}", later, response, times=1 if response is PARTIAL_FAILURE else SDK_ATTEMPTS)

    request_id = run_one(world)

    assert (written.fired, failed.fired) == (SDK_ATTEMPTS, failed.times), "both faults must have hit"
    expect_one_outcome(world, request_id, outcome)
    assert not [i for i in world.audit() if i["record"]["S"] == "workflow_failed"]


@pytest.mark.parametrize(
    ("effect", "later", "outcome"),
    [
        ("functions.decide.actions._notify", "EscalationRequested", "EscalationRequested"),
        ("functions.deliver.handler._push", "ResultDelivered", "DecisionMade"),
    ],
)
def test_an_effect_never_recorded_complete_is_guarded_by_its_audit_marker(
    world: World, effect: str, later: str, outcome: str
) -> None:
    """The completion write fails through every retry: the effect is returned anyway and its audit marker,
    appended next, is what the retry (after the invocation failed later) reads, so it is not repeated."""
    if outcome == "EscalationRequested":
        world.models.confidence = ESCALATE
    never = world.inject("completion never written", completion_of(effect), THROTTLED, times=1000)
    world.inject(f"reject {later}", put_events_of(later), PARTIAL_FAILURE, times=1)

    request_id = run_one(world)

    assert never.fired == SDK_ATTEMPTS * (1 + len(effects.COMPLETION_RETRY_PAUSES))
    expect_one_outcome(world, request_id, outcome)


# --- every audit record expires with the stack's retention (rtmisc #2) -----------------------------------------


def expect_every_audit_item_expires(world: World, request_id: str) -> set[str]:
    """Every audit item of the request carries ``expires_at`` (DynamoDB TTL, epoch seconds) about
    ``AUDIT_RETENTION_DAYS`` from now, whoever wrote it (decide, deliver, the workflow's dynamodb:putItem)."""
    retention = int(ENVIRONMENT[c.ENV_AUDIT_RETENTION_DAYS]) * 86_400
    now = time.time()
    items = [i for i in world.audit() if i["request_id"]["S"] == request_id]
    for item in items:
        assert c.TTL_ATTR in item, item["record"]["S"]
        assert abs(int(item[c.TTL_ATTR]["N"]) - (now + retention)) < 3_600, item["record"]["S"]
    return {i["record"]["S"] for i in items}


def test_the_failure_paths_audit_records_expire_with_the_retention(world: World) -> None:
    world.inject("outputs bucket down", _outputs_put, S3_DOWN, times=1000)  # decide fails before its claim

    request_id = run_one(world)

    records = expect_every_audit_item_expires(world, request_id)
    assert {c.AUDIT_OUTCOME_OWNER_RECORD, c.AUDIT_FAILURE_RECORD, c.AUDIT_REVIEW_SENT_RECORD,
            c.AUDIT_ESCALATION_SENT_RECORD} <= records  # fmt: skip


def test_the_failure_paths_audit_records_expire_before_any_answer_too(world: World) -> None:
    world.inject("reject answers", put_events_of("ModelAnswered"), PARTIAL_FAILURE, times=1000)

    request_id = run_one(world)

    records = expect_every_audit_item_expires(world, request_id)
    assert {c.AUDIT_OUTCOME_OWNER_RECORD, c.AUDIT_FAILURE_RECORD, c.AUDIT_REVIEW_SENT_RECORD,
            c.AUDIT_ESCALATION_SENT_RECORD} <= records  # fmt: skip


def test_the_happy_paths_audit_records_expire_with_the_retention(world: World) -> None:
    request_id = run_one(world)

    assert {c.AUDIT_DECISION_RECORD, c.AUDIT_OUTCOME_OWNER_RECORD} <= expect_every_audit_item_expires(world, request_id)


# --- redeliveries that must not change what the first attempt decided (review s11 3 #8, #11, #12) -------------

#: S3's XML error for a 500 (botocore's s3 parser reads the code from the body).
S3_DOWN: Response = (500, {"content-type": "application/xml"},
                     b"<Error><Code>InternalError</Code><Message>injected fault</Message></Error>")  # fmt: skip
BUCKET = ENVIRONMENT[c.ENV_OUTPUTS_BUCKET_NAME]


def _s3_put(call: Call) -> bool:
    return call.service == "s3" and call.operation == "PutObject"


def _expire_idempotency_records() -> None:
    """What DynamoDB's TTL does to Powertools' records once ``IDEMPOTENCY_TTL_SECONDS`` passed."""
    ddb = harness_client("dynamodb")
    for item in ddb.scan(TableName=IDEMPOTENCY)["Items"]:
        ddb.delete_item(TableName=IDEMPOTENCY, Key={c.IDEMPOTENCY_KEY_ATTR: item[c.IDEMPOTENCY_KEY_ATTR]})


def _replay_request(world: World, request_id: str) -> None:
    (received,) = [e for e in world.bus_events if e["detail-type"] == "RequestReceived"
                   and e["detail"]["request_id"] == request_id]  # fmt: skip
    world._start(received)
    world.settle()


def _one_outcome_after_replay(world: World, request_id: str, outcome: str, *, cases: int) -> None:
    """:func:`expect_one_outcome` for a replayed request, which publishes ``ModelAnswered`` again (documented:
    informational, no consumer) but nothing else twice; ``cases``: review cases not yet read from the queue."""
    assert world.outcomes() == Counter({request_id: 1}), world.outcomes()
    assert len(world.events(outcome)) == 1
    other = "DecisionMade" if outcome == "EscalationRequested" else "EscalationRequested"
    assert world.events(other) == []
    assert [r["request_id"] for r in review_cases(world)] == [request_id] * cases
    assert [m["type"] for _c, m in world.sockets.pushes] == ["escalated" if other == "DecisionMade" else "result"]
    assert [d["outcome"] for d in world.events("ResultDelivered")] == [outcome]
    assert all(count == 1 for count in Counter(world.models.paid).values())
    assert world.deliver_failures == []
    world.assert_audit_append_only()


def test_a_redelivered_answer_dated_the_next_day_is_stored_where_the_decision_says(world: World) -> None:
    """#12: decide records its decision, then S3 fails past botocore's retries; the redelivered answer (a re-made
    ``ModelAnswered``, decide's EventBridge input) is dated after UTC midnight. Before, the document went under
    the new day's key while ``DecisionMade`` named the recorded one: deliver met NoSuchKey on every try (DLQ)."""
    request_id = str(uuid.uuid4())
    example = ModelAnswered.model_json_schema()["examples"][0]
    first = {**example, "request_id": request_id, "occurred_at": "2025-01-01T23:59:58Z",
             "connection_id": ALICE_CONNECTION, "subject": ALICE}  # fmt: skip
    fault = world.inject("s3 down", _s3_put, S3_DOWN)
    with world.environment, pytest.raises(ClientError):
        decide.lambda_handler(first, context_for("decide"))
    assert fault.fired == SDK_ATTEMPTS

    with world.environment:
        result = decide.lambda_handler({**first, "occurred_at": "2025-01-02T00:00:03Z"}, context_for("decide"))
    world.settle()

    key = f"outputs/2025/01/01/{request_id}.json"
    assert result["detail"]["output_key"] == key == decision(world, request_id)["output_key"]["S"]
    s3 = harness_client("s3")
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET)["Contents"]] == [key]
    assert world.deliver_failures == []
    assert world.outcomes() == Counter({request_id: 1})
    assert [m["type"] for _c, m in world.sockets.pushes] == ["result"]
    assert [d["outcome"] for d in world.events("ResultDelivered")] == ["DecisionMade"]
    world.assert_audit_append_only()


def test_a_replay_after_the_failure_path_escalated_keeps_that_outcome(world: World) -> None:
    """#12's sibling: decide recorded its decision and failed at S3 on every attempt; the failure path told the
    user "escalated". A replay of the request after the idempotency records expired, with S3 back, made decide
    publish ``DecisionMade`` as well: a second, different outcome pushed to the user."""
    fault = world.inject("s3 down", _s3_put, S3_DOWN, times=10_000)
    request_id = run_one(world)
    assert fault.fired > SDK_ATTEMPTS
    expect_one_outcome(world, request_id, "EscalationRequested")
    fault.times = 0
    _expire_idempotency_records()

    _replay_request(world, request_id)

    _one_outcome_after_replay(world, request_id, "EscalationRequested", cases=0)  # its case was read above


def test_a_replay_after_the_failure_path_died_midway_sends_what_it_did_not(world: World) -> None:
    """The failure path recorded ``workflow_failed`` and its review case, but its ``EscalationRequested`` failed
    on every try (the execution ended Failed). The replay's decide leaves the outcome to this execution's
    failure path (``FailurePathOwnsOutcomeError``, not retried), which sends the escalation: the user hears
    "escalated", as the status says, never a ``DecisionMade`` of a request recorded as failed."""
    s3 = world.inject("s3 down", _s3_put, S3_DOWN, times=10_000)
    bus = world.inject("escalation lost", put_events_of("EscalationRequested"), PARTIAL_FAILURE, times=10_000)
    status, body, _ = world.submit()
    assert status == 202, body
    request_id = str(body["request_id"])
    world.settle()
    assert s3.fired and bus.fired
    assert world.outcomes() == Counter()
    s3.times = bus.times = 0
    _expire_idempotency_records()

    _replay_request(world, request_id)

    _one_outcome_after_replay(world, request_id, "EscalationRequested", cases=1)  # the first execution's case
    assert decision(world, request_id)  # decide's record stands; the failure record says what the user was told


def test_the_agent_asking_again_after_the_window_gets_a_new_request(world: World) -> None:
    """#8: a client reuses its Bedrock sessionId and the agent submits the same prompt after the idempotency
    window. Before, it was published under the first request's id, the router recalled the old answer, decide
    found its decision and outcome recorded, and nothing reached the user, while the agent said "accepted"."""
    prompt = "Renew my parking permit"
    status, first = world.agent(prompt=prompt)
    assert status == 200, first
    world.settle()
    _expire_idempotency_records()
    ddb = harness_client("dynamodb")
    for item in world.audit():  # the window passes
        if item["record"]["S"] == c.AUDIT_SUBMITTED_RECORD:
            when = datetime.fromisoformat(item["recorded_at"]["S"]) - timedelta(seconds=idempotency.ttl_seconds() + 1)
            ddb.put_item(TableName=AUDIT, Item={**item, "recorded_at": {"S": when.isoformat()}})

    status, second = world.agent(prompt=prompt)
    assert status == 200, second
    world.settle()

    ids = [first["request_id"], second["request_id"]]
    assert ids[0] != ids[1]
    assert world.outcomes() == Counter(dict.fromkeys(ids, 1))
    assert [d["request_id"] for d in world.events("DecisionMade")] == ids
    assert all(count == 1 for count in Counter(world.models.paid).values())  # no model call paid twice
    for request_id in ids:
        assert world.agent("/requests/{request_id}", "GET", request_id=request_id)[1]["status"] == "accepted"
    assert world.deliver_failures == []


def test_the_agent_reads_only_its_own_sessions_requests(world: World) -> None:
    """#11: the status lookup is scoped to the submitting session; another session, and any id of an HTTP
    caller's request, get the 404 an unknown id gets."""
    status, mine = world.agent(prompt="Renew my parking permit")
    assert status == 200, mine
    http_request = run_one(world)  # an HTTP caller's request, decided and pushed
    world.settle()

    lookup = "/requests/{request_id}"
    assert world.agent(lookup, "GET", request_id=mine["request_id"])[1]["status"] == "accepted"
    unknown = (404, {"code": "unknown_request", "message": "No request with this id was submitted in this session."})
    assert world.agent(lookup, "GET", request_id=mine["request_id"], session_id="another-session") == unknown
    assert world.agent(lookup, "GET", request_id=http_request) == unknown
    assert world.agent(lookup, "GET", request_id=str(uuid.uuid4())) == unknown
