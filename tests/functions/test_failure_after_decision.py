"""Issue 12 §1: the workflow's failure path sends no second, different outcome (review 5, F3).

decide published ``DecisionMade`` and then failed for good (its own handler record's completion write throttled
on every attempt). The failure path reads the ``decision`` and ``outcome_sent`` records first and ends in
``AlreadyDecided``: one outcome, one push, no review case, no ``workflow_failed`` record.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from functions.shared import constants as c
from tests.functions.conftest import ENVIRONMENT
from tests.functions.pipeline import THROTTLED, World, table

IDEMPOTENCY = ENVIRONMENT[c.ENV_IDEMPOTENCY_TABLE_NAME]


def _decide_handler_record(call: Any) -> bool:
    base = table(IDEMPOTENCY, "UpdateItem")
    return base(call) and "functions.decide.handler.lambda_handler#" in json.dumps(call.body.get("Key", {}))


def test_decide_failing_after_its_outcome_went_out_gets_no_escalation(world: World) -> None:
    fault = world.inject("decide's own completion write", _decide_handler_record, THROTTLED, times=10_000)
    status, body, _ = world.submit()
    assert status == 202
    world.settle()

    assert fault.fired > 0
    request_id = body["request_id"]
    assert world.outcomes() == Counter({request_id: 1}), world.outcomes()
    assert len(world.events("DecisionMade")) == 1
    assert world.events("EscalationRequested") == []
    assert [m["type"] for _c, m in world.sockets.pushes] == ["result"]
    assert world.reviews() == []
    records = {i["record"]["S"] for i in world.audit()}
    assert c.AUDIT_FAILURE_RECORD not in records and c.AUDIT_REVIEW_SENT_RECORD not in records
    world.assert_audit_append_only()
