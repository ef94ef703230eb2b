"""Pure planning functions: complexity estimate, tier plan and token budget (no AWS, no I/O).

Token counts here are *estimates* (about four characters per token, a common rule of thumb for
English); real usage is always taken from the Converse response's ``usage``.
"""

from __future__ import annotations

import math
import re
from typing import Final

from functions.shared.constants import TIER_ORDER

CHARS_PER_TOKEN: Final = 4
MIN_OUTPUT_TOKENS: Final = 64
"""Below this many output tokens an answer is not worth paying for: stop escalating."""

# Upper bounds of the complexity score for starting at each tier (premier takes the rest).
TIER_THRESHOLDS: Final = {"micro": 0.25, "lite": 0.5, "pro": 0.75}

_REASONING = re.compile(
    r"\b(why|explain|compare|contrast|analy[sz]e|evaluate|prove|derive|design|architect|trade-?offs?|"
    r"step[- ]by[- ]step|reason|justify|plan|optimi[sz]e|critique|pros and cons)\b",
    re.IGNORECASE,
)
_LIST_ITEM = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+", re.MULTILINE)
_CODE_OR_MATH = re.compile(r"```|[=<>^∑∫√]|\b(?:def|class|function|select|lambda)\b", re.IGNORECASE)


def estimate_tokens(text: str) -> int:
    """Rough token count of ``text`` (``ceil(chars / 4)``, at least 1 for non-empty text)."""
    return math.ceil(len(text) / CHARS_PER_TOKEN)


def estimate_complexity(prompt: str) -> float:
    """Score how hard ``prompt`` looks, from 0 (trivial) to 1 (hard).

    Weighted features: length (0.35, saturating at 1,500 estimated tokens), reasoning verbs such as
    *why/explain/compare/design* (0.35, saturating at 3), structure — extra questions and list items
    (0.2, saturating at 4) — and code or maths (0.1).

    Examples
    --------
    >>> estimate_complexity("What is the capital of France?") < 0.25
    True
    >>> estimate_complexity("Explain and compare the trade-offs of three designs, step by step.") >= 0.25
    True
    """
    length = min(estimate_tokens(prompt) / 1500, 1.0)
    reasoning = min(len(_REASONING.findall(prompt)) / 3, 1.0)
    structure = min((max(prompt.count("?") - 1, 0) + len(_LIST_ITEM.findall(prompt))) / 4, 1.0)
    code = 1.0 if _CODE_OR_MATH.search(prompt) else 0.0
    return round(0.35 * length + 0.35 * reasoning + 0.2 * structure + 0.1 * code, 4)


def tier_for_complexity(score: float) -> str:
    """The cheapest tier considered adequate for a complexity ``score``."""
    for tier, upper in TIER_THRESHOLDS.items():
        if score < upper:
            return tier
    return TIER_ORDER[-1]


def tier_plan(score: float, max_tier: str) -> list[str]:
    """Tiers to try, in order: from the tier fitting ``score`` up to ``max_tier`` (never beyond).

    When the estimate exceeds ``max_tier``, the plan is just ``[max_tier]``.

    Examples
    --------
    >>> tier_plan(0.1, "pro")
    ['micro', 'lite', 'pro']
    >>> tier_plan(0.9, "lite")
    ['lite']
    """
    if max_tier not in TIER_ORDER:
        raise ValueError(f"unknown tier {max_tier!r}; expected one of {TIER_ORDER}")
    ceiling = TIER_ORDER.index(max_tier)
    start = min(TIER_ORDER.index(tier_for_complexity(score)), ceiling)
    return list(TIER_ORDER[start : ceiling + 1])


def output_allowance(budget: int, used: int, estimated_input: int, max_output: int) -> int | None:
    """``maxTokens`` for the next call, or ``None`` when the remaining budget cannot pay for one.

    Parameters
    ----------
    budget : int
        Total tokens (input + output, all attempts) one request may use.
    used : int
        Tokens already used by earlier attempts.
    estimated_input : int
        Estimated input tokens of the next call.
    max_output : int
        Per-call output cap.

    Examples
    --------
    >>> output_allowance(budget=1000, used=0, estimated_input=100, max_output=512)
    512
    >>> output_allowance(budget=1000, used=800, estimated_input=100, max_output=512)
    100
    >>> output_allowance(budget=1000, used=900, estimated_input=100, max_output=512) is None
    True
    """
    allowance = min(max_output, budget - used - estimated_input)
    return allowance if allowance >= MIN_OUTPUT_TOKENS else None
