"""Side effects of a decision: S3 output, SNS + SQS escalation, DynamoDB audit record.

Each call is safe to repeat for the same request (fixed S3 key, audit item keyed by ``request_id``),
so a retried invocation converges instead of duplicating.
"""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from functions.shared.aws import client
from functions.shared.constants import AUDIT_KEY_ATTR, OUTPUTS_PREFIX, TTL_ATTR

if TYPE_CHECKING:
    from datetime import datetime

    from functions.shared.events import EscalationReason, ModelAnswered


def _number(value: float) -> str:
    """A DynamoDB number string in plain positional notation (no exponent)."""
    return format(Decimal(repr(value)), "f")


def output_key(answered: ModelAnswered) -> str:
    """``outputs/YYYY/MM/DD/<request_id>.json`` (date of the answer, UTC)."""
    return f"{OUTPUTS_PREFIX}{answered.occurred_at:%Y/%m/%d}/{answered.request_id}.json"


def output_document(answered: ModelAnswered) -> dict[str, Any]:
    """What is stored for an accepted answer (and pushed to the client by ``deliver``)."""
    return answered.model_dump(
        mode="json",
        include={"request_id", "prompt", "answer", "confidence", "tier", "model_id", "prompt_name",
                 "prompt_version", "language", "occurred_at"},
    )  # fmt: skip


def store_output(bucket: str, answered: ModelAnswered) -> str:
    """Put the accepted answer in the outputs bucket; return its key (bucket default encryption applies)."""
    key = output_key(answered)
    client("s3").put_object(
        Bucket=bucket,
        Key=key,
        Body=json.dumps(output_document(answered)).encode("utf-8"),
        ContentType="application/json",
    )
    return key


def request_review(topic_arn: str, queue_url: str, answered: ModelAnswered, reasons: list[EscalationReason]) -> None:
    """Queue the full case for reviewers (SQS) and notify them (SNS, without any user content)."""
    case = {"reasons": reasons, **output_document(answered)}
    client("sqs").send_message(QueueUrl=queue_url, MessageBody=json.dumps(case))
    notice = {"request_id": answered.request_id, "reasons": reasons, "confidence": answered.confidence}
    client("sns").publish(
        TopicArn=topic_arn,
        Subject="agentic-platform: human review requested",
        Message=json.dumps(notice),
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
) -> None:
    """Write the audit record of one decision (partition key ``request_id``)."""
    item: dict[str, Any] = {
        AUDIT_KEY_ATTR: {"S": answered.request_id},
        "outcome": {"S": outcome},
        "reasons": {"L": [{"S": reason} for reason in reasons]},
        "confidence": {"N": _number(answered.confidence)},
        "tier": {"S": answered.tier},
        "model_id": {"S": answered.model_id},
        "prompt": {"S": f"{answered.prompt_name}@{answered.prompt_version}"},
        "attempts": {"N": str(len(answered.attempts))},
        "input_tokens": {"N": str(answered.input_tokens)},
        "output_tokens": {"N": str(answered.output_tokens)},
        "cost_usd": {"N": _number(answered.cost_usd)},
        "cached": {"BOOL": answered.cached},
        "decided_at": {"S": decided_at.isoformat()},
    }
    if stored_key is not None:
        item["output_key"] = {"S": stored_key}
    if retention_days > 0:
        item[TTL_ATTR] = {"N": str(int((decided_at + timedelta(days=retention_days)).timestamp()))}
    client("dynamodb").put_item(TableName=table, Item=item)
