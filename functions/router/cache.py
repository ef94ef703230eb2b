"""Answer cache in DynamoDB, keyed by a hash of the normalised prompt (partition key ``prompt_hash``).

Only confident, well-formed, unfiltered answers are cached. Items carry a TTL attribute
``expires_at`` (epoch seconds); DynamoDB TTL deletion is not immediate, so expiry is also checked
on read. Prompts are PII-redacted by ingest before they reach the cache.

The cache is an optimisation: when DynamoDB fails (after the SDK's retries), a read is a miss and a write
is skipped, and the request goes on without it.
"""

from __future__ import annotations

import hashlib
import time
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from aws_lambda_powertools import Logger
from botocore.exceptions import BotoCoreError, ClientError

from functions.shared.aws import client
from functions.shared.constants import CACHE_KEY_ATTR, TTL_ATTR

logger = Logger(child=True)


def normalise(prompt: str) -> str:
    """NFKC, case-fold and collapse whitespace, so trivially different prompts share an entry."""
    return " ".join(unicodedata.normalize("NFKC", prompt).casefold().split())


def cache_key(prompt: str, *, prompt_key: str, language: str, max_tier: str) -> str:
    """SHA-256 of everything that shapes the answer: template version, language, tier ceiling, prompt.

    Examples
    --------
    >>> a = cache_key("Hello  World", prompt_key="answer@1", language="en", max_tier="pro")
    >>> a == cache_key("hello world", prompt_key="answer@1", language="en", max_tier="pro")
    True
    """
    material = "\n".join((prompt_key, language, max_tier, normalise(prompt)))
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class CachedAnswer:
    """A cached answer."""

    answer: str
    confidence: float
    tier: str
    model_id: str


class AnswerCache:
    """Get/put answers in the cache table."""

    def __init__(self, table_name: str, ttl_seconds: int) -> None:
        self.table_name = table_name
        self.ttl_seconds = ttl_seconds

    def get(self, key: str, now: float | None = None) -> CachedAnswer | None:
        """Return the unexpired cached answer for ``key``, if any (None when the cache cannot be read)."""
        try:
            response = client("dynamodb").get_item(TableName=self.table_name, Key={CACHE_KEY_ATTR: {"S": key}})
        except (ClientError, BotoCoreError):
            logger.warning("answer cache read failed; answering without it", exc_info=True)
            return None
        item: dict[str, Any] | None = response.get("Item")
        if not item or int(item[TTL_ATTR]["N"]) <= (now or time.time()):
            return None
        return CachedAnswer(
            answer=item["answer"]["S"],
            confidence=float(item["confidence"]["N"]),
            tier=item["tier"]["S"],
            model_id=item["model_id"]["S"],
        )

    def put(self, key: str, answer: CachedAnswer, now: float | None = None) -> bool:
        """Store ``answer`` under ``key`` for ``ttl_seconds``; False when it was not stored."""
        if self.ttl_seconds <= 0:
            return False
        expires_at = int((now or time.time()) + self.ttl_seconds)
        try:
            self._put(key, answer, expires_at)
        except (ClientError, BotoCoreError):
            logger.warning("answer cache write failed; the answer is not cached", exc_info=True)
            return False
        return True

    def _put(self, key: str, answer: CachedAnswer, expires_at: int) -> None:
        client("dynamodb").put_item(
            TableName=self.table_name,
            Item={
                CACHE_KEY_ATTR: {"S": key},
                "answer": {"S": answer.answer},
                "confidence": {"N": str(Decimal(str(answer.confidence)))},
                "tier": {"S": answer.tier},
                "model_id": {"S": answer.model_id},
                TTL_ATTR: {"N": str(expires_at)},
            },
        )
