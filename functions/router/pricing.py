"""Estimated cost of model calls from per-1k-token prices supplied by settings (pure).

Prices are deploy-time configuration (``MODEL_PRICES``), never constants in code:
``{"micro": {"input_per_1k": 0.0, "output_per_1k": 0.0}, ...}`` in USD.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from functions.shared.exceptions import ConfigurationError


class Price(BaseModel):
    """USD per 1,000 input and output tokens of one tier."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    input_per_1k: float = Field(ge=0.0)
    output_per_1k: float = Field(ge=0.0)

    def cost(self, input_tokens: int, output_tokens: int) -> float:
        """Estimated USD cost of one call.

        Examples
        --------
        >>> Price(input_per_1k=0.5, output_per_1k=2.0).cost(1000, 500)
        1.5
        """
        return input_tokens / 1000 * self.input_per_1k + output_tokens / 1000 * self.output_per_1k


def parse_prices(raw: dict[str, Any], tiers: list[str]) -> dict[str, Price]:
    """Validate the ``MODEL_PRICES`` object; every tier in ``tiers`` must have a price."""
    missing = [tier for tier in tiers if tier not in raw]
    if missing:
        raise ConfigurationError(f"MODEL_PRICES has no price for tiers {missing}")
    try:
        return {tier: Price.model_validate(raw[tier]) for tier in tiers}
    except ValidationError as exc:
        raise ConfigurationError(f"MODEL_PRICES is invalid: {exc}") from exc
