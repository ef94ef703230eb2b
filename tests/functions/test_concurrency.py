"""Issue 12 §3: many requests at once, with faults at a low rate everywhere, and still exact counts.

Requests are submitted from several client threads; the workflow's executions run concurrently in moto's
interpreter threads. Faults fire at random (seeded) on DynamoDB, EventBridge, Bedrock and the WebSocket API.
"""

from __future__ import annotations

import random
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from tests.functions.pipeline import PARTIAL_FAILURE, THROTTLED, Call, Response, World, error

REQUESTS = 200
FAULT_RATE = 0.03


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

    users = {number: f"user-{number % 7}" for number in range(REQUESTS)}
    connection_of = {user: world.connect(user, f"conn-{user}") for user in set(users.values())}

    def client(number: int) -> tuple[list[int], dict[str, Any]]:
        prompt = "What is the capital of France?" if number % 5 else "Explain why the sky is blue, step by step."
        user = users[number]
        return world.submit_until_accepted(prompt, key=f"key-{number}", subject=user, connection_id=connection_of[user])

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(client, range(REQUESTS)))
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
    paid = Counter(world.models.paid)
    assert set(paid.values()) == {1}, [k for k, v in paid.items() if v > 1]
    assert world.deliver_failures == []
