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
    TIER_OF_CALL,
    Call,
    Response,
    World,
    WorldClosedError,
    error,
    running_world,
)

REQUESTS = 200
FAULT_RATE = 0.03
#: The rarer faults (issue 12 §3): a connection gone (410), malformed model output, a guardrail intervention, a
#: Bedrock 5xx of each tier, a slow model (the router outlasts a duplicate's arrival).
RARE_RATE = 0.015
#: Each kind of fault fires at least once: if chance has not fired it by then, its target's call number
#: ``FORCE_AT`` (or the next one another kind did not take) gets it (a tier is called far less often than
#: DynamoDB, so chance alone could miss one in a run).
FORCE_AT = 5
#: lite answers "unsure" this often, so pro is called (and can fail) without every request paying three tiers.
UNSURE_RATE = 0.15
SLOW_SECONDS = 20.0  # Lambda seconds (0.2 s real): below the model client's 30 s read timeout
DUPLICATED = ("RequestReceived", "DecisionMade", "EscalationRequested")
TIERS = ("micro", "lite", "pro")


class RandomFaults:
    """At ``rate``, answer a call with a fault its service can give (seeded, so a failure reproduces as far as
    the threads' order allows); rarer faults at ``RARE_RATE``, each kind at least once (``FORCE_AT``).

    Hooks in twice: as the world's ``faults_hook`` (error responses) and as its models' ``chance`` (what a paid
    model reply says, and how long it takes).
    """

    def __init__(self, rate: float, seed: int) -> None:
        self.rate = rate
        self.rng = random.Random(seed)
        self.lock = threading.Lock()  # `chance` runs outside the world's lock, in many threads at once
        self.fired: Counter[str] = Counter()
        self.calls: Counter[str] = Counter()

    def _fires(self, kind: str, target: str, rate: float) -> bool:
        """Whether fault ``kind`` answers this call to ``target`` (call it once per candidate kind)."""
        forced = not self.fired[kind] and self.calls[target] >= FORCE_AT
        if forced or self.rng.random() < rate:
            self.fired[kind] += 1
            return True
        return False

    def _first(self, target: str, candidates: list[tuple[str, float, Any]]) -> Any:
        with self.lock:
            self.calls[target] += 1
            for kind, rate, fault in candidates:
                if self._fires(kind, target, rate):
                    return fault
        return None

    def __call__(self, call: Call) -> Response | None:
        if call.service == "dynamodb":
            return self._first("dynamodb", [("dynamodb throttled", self.rate, THROTTLED)])  # type: ignore[no-any-return]
        if call.operation == "PutEvents":
            return self._first("PutEvents", [("PutEvents partial", self.rate, PARTIAL_FAILURE)])  # type: ignore[no-any-return]
        if call.operation == "Converse":
            tier = TIER_OF_CALL(call)
            return self._first(  # type: ignore[no-any-return]
                f"Converse {tier}",
                [
                    (f"Converse {tier} 429", self.rate, error(429, "ThrottlingException", "Too many requests")),
                    (f"Converse {tier} 500", RARE_RATE, error(500, "InternalServerException")),
                    (f"Converse {tier} 503", RARE_RATE, error(503, "ServiceUnavailableException")),
                ],
            )
        if call.operation == "PostToConnection":
            return self._first(  # type: ignore[no-any-return]
                "PostToConnection",
                [
                    ("PostToConnection 500", self.rate, error(500, "InternalServerError")),
                    ("PostToConnection 410", RARE_RATE, error(410, "GoneException", "the connection is gone")),
                ],
            )
        return None

    def chance(self, tier: str) -> tuple[str, float]:
        """What one paid reply of ``tier`` says (a behaviour of the fake, "" for its default) and its latency."""
        reply = self._first(
            f"reply {tier}",
            [("malformed", RARE_RATE, "malformed"), ("guardrail", RARE_RATE, "guardrail")]
            + ([("unsure", UNSURE_RATE, "unsure")] if tier == "lite" else []),
        )
        slow = self._first(f"latency {tier}", [("slow model", RARE_RATE, SLOW_SECONDS)])
        return reply or "", slow or 0.0


def test_two_hundred_concurrent_requests_under_faults(world: World) -> None:
    faults = RandomFaults(FAULT_RATE, seed=12)
    world.faults_hook = faults
    world.models.chance = faults.chance
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
    kinds = {
        "dynamodb throttled",
        "PutEvents partial",
        "PostToConnection 500",
        "PostToConnection 410",
        "malformed",
        "guardrail",
        "unsure",
        "slow model",
    } | {f"Converse {t} {code}" for t in TIERS for code in (429, 500, 503)}
    assert set(faults.fired) == kinds, f"faults that never fired: {kinds - set(faults.fired)}"  # fmt: skip
    assert world.outcomes() == Counter(dict.fromkeys(accepted, 1))
    delivered = Counter(d["request_id"] for d in world.events("ResultDelivered"))
    assert delivered == Counter(dict.fromkeys(accepted, 1))
    status = {d["request_id"]: d["status"] for d in world.events("ResultDelivered")}
    assert set(status.values()) == {"delivered", "connection_gone"}  # a 410 is an outcome, not a failure
    pushes = Counter(message["request_id"] for _connection, message in world.sockets.pushes)
    assert pushes == Counter({request_id: 1 for request_id, got in status.items() if got == "delivered"})
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
    # ... and each request's decision records what its own calls cost (issue 12 §1): every request has one,
    # unless the workflow's failure path took over (it records no cost: it has no answer to cost).
    failed = {request_id for request_id, record in records if record == "workflow_failed"}
    assert world.assert_cost_recorded_is_cost_paid() == REQUESTS - len(failed)
    assert {bill.tier for bill in world.models.bills} == set(TIERS)
    assert world.deliver_failures == []
    # ... while handlers really overlapped: invocations of one request met each other's in-progress records
    # (0 when the harness serialises invocations again: review F4b).
    assert world.environment.most > 1
    assert sum(world.in_progress_met.values()) > 0, world.in_progress_met
    # ... deliver's duplicates too
    assert world.in_progress_met_by(deliver.lambda_handler) > 0, world.in_progress_met
    print(f"in-progress records met: {dict(world.in_progress_met)}; most concurrent: {world.environment.most}; "
          f"faults fired: {dict(faults.fired)}")  # fmt: skip


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
