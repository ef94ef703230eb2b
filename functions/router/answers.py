"""The router's paid answer as a durable record in the audit table (review F1, docs/delivery-guarantees.md).

The answer's keyed effect (``answer#<id>``) is a Powertools record and expires after
``IDEMPOTENCY_TTL_SECONDS``; a replay of ``RequestReceived`` after that (an archive replay, a redrive) would pay
for the models again. So the router appends the answer once to the append-only audit table, kept
``AUDIT_RETENTION_DAYS`` like decide's records, and reads it before calling any model: a request that was
answered is answered with *that* answer again, which is also the one decide's ``decision`` was made on.

The record holds the ``ModelAnswered`` detail without the prompt, which the replayed request carries itself
(the audit table keeps no prompt: decide records the template, never the text).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from functions.shared import audit
from functions.shared.constants import AUDIT_ANSWERED_RECORD
from functions.shared.events import ModelAnswered

if TYPE_CHECKING:
    from functions.shared.events import RequestReceived

#: The attribute holding the answer (``ModelAnswered`` as JSON, without ``prompt``).
ANSWER_ATTR = "answer"


def recall(table: str, request: RequestReceived) -> ModelAnswered | None:
    """The answer recorded for ``request`` by an earlier invocation (consistent read), or None."""
    item = audit.get(table, request.request_id, AUDIT_ANSWERED_RECORD)
    if item is None:
        return None
    return ModelAnswered.model_validate({**json.loads(item[ANSWER_ATTR]["S"]), "prompt": request.prompt})


def record(table: str, answered: ModelAnswered, retention_days: int) -> bool:
    """Append ``answered`` as the request's ``answered`` record once; False when an earlier attempt had.

    Called after the models answered and before anything is published: if this write fails, the invocation
    fails, and its retry gets the paid answer back from the keyed effect and records it then.
    """
    body = answered.model_dump_json(exclude={"prompt"})
    return audit.append_once(
        table, answered.request_id, AUDIT_ANSWERED_RECORD, {ANSWER_ATTR: {"S": body}}, retention_days
    )
