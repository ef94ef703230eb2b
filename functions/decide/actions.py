"""Side effects of a decision: the audit record (first, conditional), the S3 document, the review notice.

Order matters (docs/delivery-guarantees.md): the audit record is written first with a condition, so a retry
finds it instead of overwriting it; the document has a fixed key and fixed content, so writing it again
changes nothing; the review notice goes through :func:`functions.shared.effects.once`, so reviewers get
one per escalation. The outcome event is published last, by the handler.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any, cast

from botocore.exceptions import ClientError

from functions.shared import audit
from functions.shared.aws import client
from functions.shared.constants import (
    AUDIT_DECISION_RECORD,
    AUDIT_KEY_ATTR,
    AUDIT_OUTCOME_OWNER_RECORD,
    AUDIT_REVIEW_SENT_RECORD,
    AUDIT_SORT_ATTR,
    OUTCOME_OWNER_ATTR,
    OUTCOME_OWNER_DECIDE,
    OUTPUTS_PREFIX,
    TTL_ATTR,
)
from functions.shared.effects import effect_key, once
from functions.shared.review import ReviewNotice

if TYPE_CHECKING:
    from functions.shared.events import EscalationReason, ModelAnswered, Tier

#: DynamoDB's error code when a ConditionExpression is false (botocore dynamodb service model).
CONDITION_FAILED = "ConditionalCheckFailedException"
#: S3's answer to ``PutObject(IfNoneMatch="*")`` when the key exists (botocore s3 PutObject ``IfNoneMatch``).
PRECONDITION_FAILED = "PreconditionFailed"
PRECONDITION_STATUS = 412


def _number(value: float) -> str:
    """A DynamoDB number string in plain positional notation (no exponent)."""
    return format(Decimal(repr(value)), "f")


def output_key(answered: ModelAnswered) -> str:
    """``outputs/YYYY/MM/DD/<request_id>.json`` (date of the answer, UTC)."""
    return f"{OUTPUTS_PREFIX}{answered.occurred_at:%Y/%m/%d}/{answered.request_id}.json"


def output_document(answered: ModelAnswered, reasons: list[EscalationReason] | None = None) -> dict[str, Any]:
    """What is stored for a decision (pushed to the client by ``deliver``; read by reviewers when escalated)."""
    document = answered.model_dump(
        mode="json",
        include={"request_id", "prompt", "answer", "confidence", "tier", "model_id", "prompt_name",
                 "prompt_version", "language", "occurred_at"},
    )  # fmt: skip
    if reasons:
        document["reasons"] = list(reasons)
    return document


def store_output(bucket: str, key: str, answered: ModelAnswered, reasons: list[EscalationReason]) -> None:
    """Store the decision's document under ``key`` in the outputs bucket unless it is there already.

    ``key`` is the claim check the ``decision`` record names, never one computed again from the answer in hand:
    a redelivery may carry an answer dated another UTC day (:func:`output_key` uses the answer's date), and the
    document must be where ``DecisionMade`` and the reviewers' notice say it is (review s11 3 #12). The claim
    check is written once (``IfNoneMatch="*"``: S3 answers ``412 Precondition Failed`` when the key exists,
    botocore s3 PutObject), so a redelivery with a different model answer never rewrites the document the audit
    record and the pushed result refer to.
    """
    try:
        client("s3").put_object(
            Bucket=bucket,
            Key=key,
            Body=json.dumps(output_document(answered, reasons), sort_keys=True).encode("utf-8"),
            ContentType="application/json",
            IfNoneMatch="*",
        )
    except ClientError as error:
        status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        if error.response.get("Error", {}).get("Code") != PRECONDITION_FAILED and status != PRECONDITION_STATUS:
            raise


def review_notice(
    answered: ModelAnswered,
    reasons: list[EscalationReason],
    bucket: str,
    key: str,
    *,
    confidence: float | None = None,
    tier: Tier | None = None,
) -> dict[str, Any]:
    """The reviewers' notice (:class:`functions.shared.review.ReviewNotice`, the shape the workflow's failure
    path sends too): identifiers and a claim check, never the caller or user content (SNS may fan out to e-mail).

    ``confidence`` and ``tier`` default to the answer's (a recorded decision passes its own).
    """
    notice = ReviewNotice(
        request_id=answered.request_id,
        reasons=list(reasons),
        confidence=answered.confidence if confidence is None else confidence,
        tier=tier or answered.tier,
        case_bucket=bucket,
        case_key=key,
    )
    return notice.model_dump(mode="json")


@once()
def _notify(*, item: dict[str, Any]) -> dict[str, Any]:
    response = client("sns").publish(
        TopicArn=item["topic_arn"],
        Subject="agentic-platform: human review requested",
        Message=json.dumps(item["notice"], sort_keys=True),
    )
    return {"message_id": response["MessageId"]}


def request_review(
    topic_arn: str,
    notice: dict[str, Any],
    *,
    audit_table: str | None = None,
    retention_days: int = 0,
    check_marker: bool = False,
) -> None:
    """Notify reviewers once per request. The review queue is subscribed to the topic, so this one
    message is also the queue's one case (components/escalation.py).

    With ``audit_table``, the notice is then recorded there (``review_sent``), so that the workflow's failure
    path, which cannot read this function's idempotency records, does not send the reviewers a second case
    when a later step of this request fails for good. With ``check_marker`` (a decision an earlier attempt
    recorded), that marker is read first: a notice that went out is not sent again after its idempotency record
    expired.
    """
    request_id = notice["request_id"]
    if audit_table is not None and check_marker and recorded(audit_table, request_id, AUDIT_REVIEW_SENT_RECORD):
        return
    _notify(item={"effect_key": effect_key("review", request_id), "topic_arn": topic_arn, "notice": notice})
    if audit_table is not None:
        record_once(audit_table, request_id, AUDIT_REVIEW_SENT_RECORD, retention_days=retention_days)


def recorded(table: str, request_id: str, record: str) -> bool:
    """Whether the audit table holds ``record`` for the request (strongly consistent read)."""
    return audit.get(table, request_id, record) is not None


def record_once(
    table: str,
    request_id: str,
    record: str,
    *,
    retention_days: int = 0,
    attributes: dict[str, Any] | None = None,
) -> bool:
    """Append the marker ``record`` of a request to the audit table once; False when it was there already.

    It expires with the request's other records (``retention_days``, like the ``decision``; 0 keeps it).
    """
    item = {
        AUDIT_KEY_ATTR: {"S": request_id},
        AUDIT_SORT_ATTR: {"S": record},
        "recorded_at": {"S": datetime.now(UTC).isoformat()},
        **(attributes or {}),
        **audit.expiry(retention_days),
    }
    return audit.put_once(table, item)


def outcome_owner(table: str, request_id: str) -> str | None:
    """Who owns the request's outcome (its ``outcome_owner`` record, strongly consistent read), or None yet."""
    item = audit.get(table, request_id, AUDIT_OUTCOME_OWNER_RECORD)
    return None if item is None else str(item.get(OUTCOME_OWNER_ATTR, {}).get("S", ""))


def claim_outcome(table: str, request_id: str, *, retention_days: int = 0) -> bool:
    """Whether decide owns the request's outcome: it appends the ``outcome_owner`` record, or finds its own.

    The failure path of another execution of the request appends the same item (components/workflow.py
    ClaimOutcome), both only if absent, so exactly one of them announces an outcome however their steps
    interleave: a check before the decision write (what decide did before) is a read that a failure path
    finishing in between outdates (review s11 4 #4).
    """
    if record_once(table, request_id, AUDIT_OUTCOME_OWNER_RECORD, retention_days=retention_days,
                   attributes={OUTCOME_OWNER_ATTR: {"S": OUTCOME_OWNER_DECIDE}}):  # fmt: skip
        return True
    return outcome_owner(table, request_id) == OUTCOME_OWNER_DECIDE


@dataclass(frozen=True, slots=True)
class StoredDecision:
    """What the ``decision`` record says was decided: the request's one outcome, whatever a later answer says."""

    reasons: list[EscalationReason]
    confidence: float
    tier: Tier
    output_key: str | None


def read_decision(table: str, request_id: str) -> StoredDecision:
    """The request's recorded ``decision`` (strongly consistent read; it exists: a conditional put just lost)."""
    item = audit.get(table, request_id, AUDIT_DECISION_RECORD)
    if item is None:  # pragma: no cover - the put's condition failed, so the item is there
        raise LookupError(f"no decision record for {request_id}")
    return StoredDecision(
        reasons=[cast("EscalationReason", reason["S"]) for reason in item.get("reasons", {}).get("L", [])],
        confidence=float(item["confidence"]["N"]),
        tier=cast("Tier", item["tier"]["S"]),
        output_key=item["output_key"]["S"] if "output_key" in item else None,
    )


def write_audit(
    table: str,
    answered: ModelAnswered,
    *,
    outcome: str,
    reasons: list[EscalationReason],
    decided_at: datetime,
    retention_days: int,
    stored_key: str | None,
) -> bool:
    """Write the decision's audit record once (``request_id`` + ``record="decision"``, conditional put).

    Returns
    -------
    bool
        True when this call wrote it; False when a previous attempt already had (the record is kept as is).
    """
    item: dict[str, Any] = {
        AUDIT_KEY_ATTR: {"S": answered.request_id},
        AUDIT_SORT_ATTR: {"S": AUDIT_DECISION_RECORD},
        "outcome": {"S": outcome},
        "reasons": {"L": [{"S": reason} for reason in reasons]},
        "confidence": {"N": _number(answered.confidence)},
        "tier": {"S": answered.tier},
        "model_id": {"S": answered.model_id},
        "prompt": {"S": f"{answered.prompt_name}@{answered.prompt_version}"},
        "attempts": {"N": str(len(answered.attempts))},
        "skipped": {"L": [{"S": f"{skip.tier}:{skip.reason}"} for skip in answered.skipped]},
        "input_tokens": {"N": str(answered.input_tokens)},
        "output_tokens": {"N": str(answered.output_tokens)},
        "cost_usd": {"N": _number(answered.cost_usd)},
        "cost_known": {"BOOL": answered.cost_known},
        "cached": {"BOOL": answered.cached},
        "decided_at": {"S": decided_at.isoformat()},
    }
    if stored_key is not None:
        item["output_key"] = {"S": stored_key}
    if retention_days > 0:
        item[TTL_ATTR] = {"N": str(int((decided_at + timedelta(days=retention_days)).timestamp()))}
    return audit.put_once(table, item)
