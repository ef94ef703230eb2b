"""Decide settings, read from the environment once per container."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from functions.shared import settings
from functions.shared.constants import (
    ENV_AUDIT_RETENTION_DAYS,
    ENV_AUDIT_TABLE_NAME,
    ENV_DECISION_CONFIDENCE_THRESHOLD,
    ENV_ESCALATION_TOPIC_ARN,
    ENV_OUTPUTS_BUCKET_NAME,
)

DEFAULT_DECISION_CONFIDENCE_THRESHOLD = 0.7


@dataclass(frozen=True, slots=True)
class DecideSettings:
    """Where decisions go."""

    confidence_threshold: float
    outputs_bucket: str
    escalation_topic_arn: str
    audit_table: str
    audit_retention_days: int


@cache
def load_settings() -> DecideSettings:
    """Read :class:`DecideSettings` (cached; tests call ``load_settings.cache_clear()``)."""
    return DecideSettings(
        confidence_threshold=settings.as_fraction(
            ENV_DECISION_CONFIDENCE_THRESHOLD, DEFAULT_DECISION_CONFIDENCE_THRESHOLD
        ),
        outputs_bucket=settings.require(ENV_OUTPUTS_BUCKET_NAME),
        escalation_topic_arn=settings.require(ENV_ESCALATION_TOPIC_ARN),
        audit_table=settings.require(ENV_AUDIT_TABLE_NAME),
        audit_retention_days=settings.as_int(ENV_AUDIT_RETENTION_DAYS, 0, minimum=0),
    )
