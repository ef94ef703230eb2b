"""Router settings, read from the environment once per container."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from functions.router.pricing import Price, parse_prices
from functions.shared import settings
from functions.shared.constants import (
    ENV_AUDIT_RETENTION_DAYS,
    ENV_AUDIT_TABLE_NAME,
    ENV_CACHE_TABLE_NAME,
    ENV_CACHE_TTL_SECONDS,
    ENV_CONFIDENCE_THRESHOLD,
    ENV_GUARDRAIL_ID,
    ENV_GUARDRAIL_VERSION,
    ENV_MAX_OUTPUT_TOKENS,
    ENV_MAX_TIER,
    ENV_MODEL_IDS,
    ENV_MODEL_PRICES,
    ENV_PROMPT_NAME,
    ENV_PROMPT_VERSION,
    ENV_PROMPTS_DIR,
    ENV_TOKEN_BUDGET,
    TIER_ORDER,
)
from functions.shared.exceptions import ConfigurationError
from functions.shared.prompts import DEFAULT_PROMPTS_DIR

DEFAULT_CONFIDENCE_THRESHOLD = 0.7
DEFAULT_TOKEN_BUDGET = 8_000
DEFAULT_MAX_OUTPUT_TOKENS = 1_024
DEFAULT_CACHE_TTL_SECONDS = 86_400
DEFAULT_PROMPT_NAME = "answer"
DEFAULT_PROMPT_VERSION = 1


@dataclass(frozen=True, slots=True)
class RouterSettings:
    """Everything the router needs besides the request."""

    model_ids: dict[str, str]
    max_tier: str
    prices: dict[str, Price]
    confidence_threshold: float
    token_budget: int
    max_output_tokens: int
    cache_table: str
    cache_ttl_seconds: int
    guardrail_id: str
    guardrail_version: str
    prompts_dir: Path
    prompt_name: str
    prompt_version: int
    audit_table: str
    audit_retention_days: int

    @property
    def allowed_tiers(self) -> list[str]:
        """The tiers the router may call: those with a model id, cheapest first (up to ``max_tier``)."""
        return [tier for tier in TIER_ORDER if tier in self.model_ids]


def _model_ids(max_tier: str) -> dict[str, str]:
    """The model of each allowed tier. Allowed tiers may have gaps (micro and pro, no lite): the deploy grants
    ``bedrock:InvokeModel`` on exactly these models, so the router never plans a tier it may not call."""
    raw = settings.as_json_object(ENV_MODEL_IDS)
    up_to_max = TIER_ORDER[: TIER_ORDER.index(max_tier) + 1]
    unknown = sorted(set(raw) - set(TIER_ORDER))
    invalid = [tier for tier in up_to_max if tier in raw and (not isinstance(raw[tier], str) or not raw[tier])]
    if unknown or invalid or max_tier not in raw:
        raise ConfigurationError(
            f"{ENV_MODEL_IDS} has no model id for tiers {[max_tier] if max_tier not in raw else invalid}"
            f"{f' and unknown tiers {unknown}' if unknown else ''}"
        )
    return {tier: raw[tier] for tier in up_to_max if tier in raw}


@cache
def load_settings() -> RouterSettings:
    """Read :class:`RouterSettings` (cached; tests call ``load_settings.cache_clear()``)."""
    max_tier = settings.require(ENV_MAX_TIER)
    if max_tier not in TIER_ORDER:
        raise ConfigurationError(f"{ENV_MAX_TIER} must be one of {TIER_ORDER}, got {max_tier!r}")
    model_ids = _model_ids(max_tier)
    return RouterSettings(
        model_ids=model_ids,
        max_tier=max_tier,
        prices=parse_prices(settings.as_json_object(ENV_MODEL_PRICES), list(model_ids)),
        confidence_threshold=settings.as_fraction(ENV_CONFIDENCE_THRESHOLD, DEFAULT_CONFIDENCE_THRESHOLD),
        token_budget=settings.as_int(ENV_TOKEN_BUDGET, DEFAULT_TOKEN_BUDGET, minimum=1),
        max_output_tokens=settings.as_int(ENV_MAX_OUTPUT_TOKENS, DEFAULT_MAX_OUTPUT_TOKENS, minimum=1),
        cache_table=settings.require(ENV_CACHE_TABLE_NAME),
        cache_ttl_seconds=settings.as_int(ENV_CACHE_TTL_SECONDS, DEFAULT_CACHE_TTL_SECONDS, minimum=0),
        guardrail_id=settings.require(ENV_GUARDRAIL_ID),
        guardrail_version=settings.require(ENV_GUARDRAIL_VERSION),
        prompts_dir=Path(settings.optional(ENV_PROMPTS_DIR, str(DEFAULT_PROMPTS_DIR))),
        prompt_name=settings.optional(ENV_PROMPT_NAME, DEFAULT_PROMPT_NAME),
        prompt_version=settings.as_int(ENV_PROMPT_VERSION, DEFAULT_PROMPT_VERSION, minimum=1),
        audit_table=settings.require(ENV_AUDIT_TABLE_NAME),
        audit_retention_days=settings.as_int(ENV_AUDIT_RETENTION_DAYS, 0, minimum=0),
    )
