"""Issue 12 §3: many requests at once, with faults at a low rate everywhere, and still exact counts.

Requests are submitted from several client threads; the workflow's executions run concurrently in moto's
interpreter threads. Faults fire at random (seeded) on DynamoDB, EventBridge, Bedrock and the WebSocket API.
"""

from __future__ import annotations

import contextlib
import random
import threading
from collections import Counter
from typing import Any

import pytest

from functions.deliver import handler as deliver
from tests.functions.conftest import ACCOUNT
from tests.functions.pipeline import (
    PARTIAL_FAILURE,
    THROTTLED,
    Call,
    Response,
    World,
    WorldClosedError,
    error,
    running_world,
)

REQUESTS = 200
FAULT_RATE = 0.03
DUPLICATED = ("RequestReceived", "DecisionMade", "EscalationRequested")


class RandomFaults:
    """At ``rate``, answer a call with the fault its service can give (seeded, so a failure reproduces)."""

    def __init__(self, rate: float, seed: int) -> None:
        self.rate = rate
        self.rng = random.Random(seed)
        self.fired: Counter[str] = Counter()

    def __call__(self, call: Call) -> Response | None:
        fault: Response | None = None
        if call.service == "dynamodb":
            fault = THROTTLED
        elif call.operation == "PutEvents":
            fault = PARTIAL_FAILURE
        elif call.operation == "Converse":
            fault = error(429, "ThrottlingException", "Too many requests")
        elif call.operation == "PostToConnection":
            fault = error(500, "InternalServerError")
        if fault is None or self.rng.random() >= self.rate:
            return None
        self.fired[call.operation] += 1
        return fault


def test_two_hundred_concurrent_requests_under_faults(world: World) -> None:
    faults = RandomFaults(FAULT_RATE, seed=12)
    world.faults_hook = faults
    world.models.confidence = {"micro": 0.6, "lite": 0.8, "pro": 0.9}  # micro escalates to lite
    # EventBridge delivers every eighth RequestReceived, DecisionMade and EscalationRequested twice: two executions
    # of one request, or two deliver invocations of one outcome, run at once, so the second meets the first's
    # in-progress records (the router's, decide's, deliver's).
    world.duplicate_if = lambda event: event["detail-type"] in DUPLICATED and event["id"][-1] in "01"

    users = {number: f"user-{number % 7}" for number in range(REQUESTS)}
    connection_of = {user: world.connect(user, f"conn-{user}") for user in set(users.values())}

    def client(number: int) -> tuple[list[int], dict[str, Any]]:
        prompt = "What is the capital of France?" if number % 5 else "Explain why the sky is blue, step by step."
        user = users[number]
        return world.submit_until_accepted(prompt, key=f"key-{number}", subject=user, connection_id=connection_of[user])

    results = world.clients(client, REQUESTS, workers=8)
    world.settle()

    accepted = {body["request_id"] for _statuses, body in results}
    assert len(accepted) == REQUESTS
    assert all(statuses[-1] == 202 for statuses, _body in results)
    assert sum(faults.fired.values()) > 0, "faults must have fired"
    assert world.outcomes() == Counter(dict.fromkeys(accepted, 1))
    delivered = Counter(d["request_id"] for d in world.events("ResultDelivered"))
    assert delivered == Counter(dict.fromkeys(accepted, 1))
    pushes = Counter(message["request_id"] for _connection, message in world.sockets.pushes)
    assert pushes == Counter(dict.fromkeys(accepted, 1))
    caller_of = {body["request_id"]: users[number] for number, (_statuses, body) in enumerate(results)}
    assert all(connection == connection_of[caller_of[m["request_id"]]] for connection, m in world.sockets.pushes)
    escalated = {d["request_id"] for d in world.events("EscalationRequested")}
    reviews = Counter(r["request_id"] for r in world.reviews())
    assert reviews == Counter(dict.fromkeys(escalated, 1))
    records = Counter((i["request_id"]["S"], i["record"]["S"]) for i in world.audit())
    assert set(records.values()) == {1}
    assert {request_id for request_id, _record in records} == accepted
    world.assert_audit_append_only()
    paid = Counter(world.models.paid)
    assert set(paid.values()) == {1}, [k for k, v in paid.items() if v > 1]
    assert world.deliver_failures == []
    # ... while handlers really overlapped: invocations of one request met each other's in-progress records
    # (0 when the harness serialises invocations again: review F4b).
    assert world.environment.most > 1
    assert sum(world.in_progress_met.values()) > 0, world.in_progress_met
    # ... deliver's duplicates too
    assert world.in_progress_met_by(deliver.lambda_handler) > 0, world.in_progress_met
    print(f"in-progress records met: {dict(world.in_progress_met)}; most concurrent: {world.environment.most}")


class ClientFailedError(RuntimeError):
    """What the failing run below raises from one of its client threads."""


def test_a_failing_client_stops_the_others_and_leaves_no_client_thread(world: World) -> None:
    def client(number: int) -> Any:
        if number == 2:
            raise ClientFailedError("client 2 failed")
        return world.submit_until_accepted(key=f"key-{number}", connection_id=None)

    with pytest.raises(ClientFailedError):
        world.clients(client, 40, workers=4)

    assert world.threads() == []
    with pytest.raises(WorldClosedError):  # what the other clients got at their next request: they stopped
        world.submit(key="after-the-failure")


def test_a_failed_run_stops_its_executions_and_leaves_no_thread_behind(monkeypatch: pytest.MonkeyPatch) -> None:
    """A run that fails (here: simply ends) while its executions are still in the router: the world's teardown
    (`running_world`'s, as pytest runs it after a failed test) stops and joins every thread it started before
    moto's mock ends, so none of them runs on into a later test's mock."""
    before = set(threading.enumerate())
    fixture = running_world(monkeypatch)
    world = next(fixture)
    world.models.delay = 600.0  # each execution's router is still waiting for its model when the run fails
    for number in range(3):
        assert world.submit_until_accepted(key=f"key-{number}", connection_id=None)[0][-1] == 202
    for event in world._drain(world.capture_url):
        world._start({**event, "account": ACCOUNT})  # as settle() does: moto's SQS target drops it

    with contextlib.suppress(StopIteration):
        next(fixture)

    assert len(world.stopped) == 3  # they were in flight, and were stopped
    assert [thread.name for thread in set(threading.enumerate()) - before] == []
