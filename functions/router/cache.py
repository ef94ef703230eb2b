"""Answer cache in DynamoDB, keyed by a hash of the normalised prompt (partition key ``prompt_hash``).

Only confident, well-formed, unfiltered answers are cached. Items carry a TTL attribute
``expires_at`` (epoch seconds); DynamoDB TTL deletion is not immediate, so expiry is also checked
on read. Prompts are PII-redacted by ingest before they reach the cache.
"""

from __future__ import annotations

import hashlib
import time
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from functions.shared.aws import client
from functions.shared.constants import CACHE_KEY_ATTR, TTL_ATTR


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
        """Return the unexpired cached answer for ``key``, if any."""
        response = client("dynamodb").get_item(TableName=self.table_name, Key={CACHE_KEY_ATTR: {"S": key}})
        item: dict[str, Any] | None = response.get("Item")
        if not item or int(item[TTL_ATTR]["N"]) <= (now or time.time()):
            return None
        return CachedAnswer(
            answer=item["answer"]["S"],
            confidence=float(item["confidence"]["N"]),
            tier=item["tier"]["S"],
            model_id=item["model_id"]["S"],
        )

    def put(self, key: str, answer: CachedAnswer, now: float | None = None) -> None:
        """Store ``answer`` under ``key`` for ``ttl_seconds``."""
        if self.ttl_seconds <= 0:
            return
        expires_at = int((now or time.time()) + self.ttl_seconds)
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
