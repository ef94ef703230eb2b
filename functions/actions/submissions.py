"""Which request an agent submission is: a retry of one the session submitted, or a new request (review s11 3 #8).

Bedrock's action-group event names the agent session, never the tool call: it has no invocation id (input format
in docs.aws.amazon.com/bedrock/latest/userguide/agents-lambda.html#agents-lambda-input), and whoever calls
``InvokeAgent`` chooses the ``sessionId`` and reuses it "across requests to continue the same conversation"
(botocore 1.44.8 bedrock-agent-runtime ``InvokeAgent.sessionId``). So the event alone cannot tell a retried tool
call from a user who asks the same thing again later in the same session.

Time tells them apart, with the figure that bounds "once" everywhere (``IDEMPOTENCY_TTL_SECONDS``): within it,
Powertools answers a repeated submission with its stored result; a submission that still reaches
:func:`claim` within it lost its idempotency record on the way (a store failure after the publish, a 503) and
is the same request. Past it, the submission is a new request and gets a new id: before, it was published
again under the first request's id, the workflow's records folded it into that request, and the agent said
"accepted" for work that never ran.

Each request's ``submitted`` record in the append-only audit table (conditional put, kept as long as the
request's other records) says which session submitted it (a SHA-256 digest: the audit table needs no session
id) and when. Ids are ``uuid5`` of the session, the prompt and a generation number, so a claim is found again
by anyone retrying the same submission: generation ``g`` is taken by the first submission, reused by its
retries within the window, and a submission after that window moves on to ``g + 1``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from functions.shared import audit
from functions.shared.constants import AUDIT_KEY_ATTR, AUDIT_SORT_ATTR, AUDIT_SUBMITTED_RECORD

if TYPE_CHECKING:
    from functions.actions.models import SubmitCommand

#: The ``submitted`` record's attribute naming the submitting session (hex SHA-256 of its id).
SESSION_DIGEST_ATTR = "session_sha256"
#: When the submission was first accepted (ISO 8601, UTC).
SUBMITTED_AT_ATTR = "recorded_at"
#: Generations one session may use for one prompt. A generation is retired only once it is older than the
#: window, and records live ``AUDIT_RETENTION_DAYS``: 7 years / (15 days + 1 hour) is 170 in prod.
MAX_GENERATIONS = 256


class GenerationsExhaustedError(Exception):
    """The session submitted this prompt ``MAX_GENERATIONS`` times, each past the window: answered as a 503."""


def claim(
    table: str,
    command: SubmitCommand,
    *,
    window_seconds: int,
    retention_days: int,
    now: datetime | None = None,
) -> str:
    """The request id of this submission, recording it as the session's when it is a new request.

    Raises
    ------
    GenerationsExhaustedError
        When every generation is taken by an earlier submission (see ``MAX_GENERATIONS``).
    botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError
        When the audit table fails (the caller answers 503; a retry claims the same id).
    """
    moment = now or datetime.now(UTC)
    window = timedelta(seconds=window_seconds)
    digest = command.session_digest()
    for generation in range(MAX_GENERATIONS):
        request_id = command.request_id(generation)
        item = {
            AUDIT_KEY_ATTR: {"S": request_id},
            AUDIT_SORT_ATTR: {"S": AUDIT_SUBMITTED_RECORD},
            SUBMITTED_AT_ATTR: {"S": moment.isoformat()},
            SESSION_DIGEST_ATTR: {"S": digest},
            **audit.expiry(retention_days, moment),
        }
        if audit.put_once(table, item):
            return request_id
        earlier = audit.get(table, request_id, AUDIT_SUBMITTED_RECORD)
        if earlier is None:  # deleted by the table's TTL between the two calls: the id is free again
            audit.put_once(table, item)  # False only if a retry of this very submission just wrote it
            return request_id
        submitted_at = datetime.fromisoformat(earlier[SUBMITTED_AT_ATTR]["S"])
        if moment - submitted_at < window:
            return request_id  # the same submission, retried after its idempotency record was lost
    raise GenerationsExhaustedError(f"{MAX_GENERATIONS} submissions of one prompt in one session")


def submitted_by(item: dict[str, dict[str, str]] | None, command_digest: str) -> bool:
    """Whether the ``submitted`` record ``item`` names the session whose digest is ``command_digest``."""
    return item is not None and item.get(SESSION_DIGEST_ATTR, {}).get("S") == command_digest
