"""Issue 12 §2, end to end: a WebSocket connection is its opener's, and only its opener's results reach it.

Connections are opened and closed through the real ``$connect``/``$disconnect`` handler (as the authorizer
hands it the caller's ``sub``), requests go through ingest, the workflow and deliver
(tests/functions/pipeline.py), and the WebSocket management API fake records every push.
"""

from __future__ import annotations

import json
from collections import Counter

from functions.shared import constants as c
from functions.shared.events import RequestReceived
from tests.functions.conftest import ENVIRONMENT
from tests.functions.pipeline import ALICE, ALICE_CONNECTION, World


def _statuses(world: World) -> list[str]:
    return [d["status"] for d in world.events("ResultDelivered")]


def test_bob_naming_alices_connection_gets_no_push_and_alice_gets_hers_once(world: World) -> None:
    world.connect("bob", "conn-bob")

    status, body, _ = world.submit(subject="bob", connection_id=ALICE_CONNECTION)
    world.settle()

    assert (status, body["error"]["code"]) == (403, "connection_not_yours")
    assert world.sockets.pushes == []
    assert world.bus_events == []  # refused before anything was published

    status, body, _ = world.submit(subject=ALICE, connection_id=ALICE_CONNECTION)
    world.settle()

    assert status == 202
    assert [(connection, message["request_id"]) for connection, message in world.sockets.pushes] == [
        (ALICE_CONNECTION, body["request_id"])
    ]
    assert _statuses(world) == ["delivered"]


def test_alice_gets_her_own_push_exactly_once_when_outcomes_are_redelivered(world: World) -> None:
    world.duplicate["DecisionMade"] = 2  # EventBridge delivers the outcome three times

    status, _body, _ = world.submit()
    world.settle()

    assert status == 202
    assert [connection for connection, _ in world.sockets.pushes] == [ALICE_CONNECTION]
    assert _statuses(world) == ["delivered"]


def test_a_disconnected_connection_is_not_pushed_and_the_result_stays_retrievable(world: World) -> None:
    status, body, _ = world.submit()
    world.disconnect(ALICE_CONNECTION)  # the client goes away while the request is being answered
    world.settle()

    assert status == 202
    assert world.sockets.pushes == []
    assert _statuses(world) == ["connection_unknown"]
    assert world.outcomes() == Counter({body["request_id"]: 1})
    assert world.deliver_failures == []  # an outcome, not an error EventBridge retries
    records = [i["record"]["S"] for i in world.audit() if i["request_id"]["S"] == body["request_id"]]
    # What the status API answers a polling client; the router's answer, decide's outcome marker and deliver's
    # push marker beside it.
    assert sorted(records) == sorted(
        [
            c.AUDIT_ANSWERED_RECORD,
            c.AUDIT_DECISION_RECORD,
            c.AUDIT_OUTCOME_OWNER_RECORD,
            c.AUDIT_OUTCOME_SENT_RECORD,
            f"{c.AUDIT_DELIVERY_PREFIX}DecisionMade#pushed",
            f"{c.AUDIT_DELIVERY_PREFIX}DecisionMade#published",
        ]
    )


def test_a_request_event_naming_another_callers_connection_is_not_pushed(world: World) -> None:
    """Defence in depth: a RequestReceived that did not come through ingest's check (another producer on the bus)."""
    forged = RequestReceived(
        request_id="5f1d7c2e-8a4b-4c1e-9d3f-2b6a7e9c0d11",
        prompt="What is the capital of France? [case 9000]",
        language="en",
        pii_redacted=False,
        connection_id=ALICE_CONNECTION,
        subject="mallory",
    )
    world.session.client("events").put_events(Entries=[forged.to_entry(ENVIRONMENT[c.ENV_EVENT_BUS_NAME])])
    world.settle()

    assert world.sockets.pushes == []
    assert _statuses(world) == ["connection_not_owned"]
    assert world.deliver_failures == []
    (delivered,) = world.events("ResultDelivered")
    assert json.dumps(delivered).count("mallory") == 0  # the outcome event names no caller
