"""Business rules deciding whether an answer may go out unreviewed (pure).

An answer is escalated to human review when any rule fires; the reasons are recorded in the audit
trail and in ``EscalationRequested``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from functions.shared.events import EscalationReason, ModelAnswered


def escalation_reasons(answered: ModelAnswered, threshold: float) -> list[EscalationReason]:
    """Return why ``answered`` needs a human, in a stable order; empty means "accept".

    Rules: the guardrail intervened; every tier errored (``model_unavailable``); the answer is empty; the
    model broke the output format;
    confidence is below ``threshold``; the chosen answer was cut off at ``maxTokens``
    (Converse ``stopReason`` ``max_tokens``).

    Examples
    --------
    >>> from functions.shared.events import ModelAnswered
    >>> example = ModelAnswered.model_json_schema()["examples"][0]
    >>> escalation_reasons(ModelAnswered.model_validate(example), threshold=0.7)
    []
    >>> escalation_reasons(ModelAnswered.model_validate(example), threshold=0.95)
    ['low_confidence']
    """
    reasons: list[EscalationReason] = []
    if answered.guardrail_intervened:
        reasons.append("guardrail_intervened")
    if answered.skipped and not answered.attempts and not answered.cached:
        reasons.append("model_unavailable")
    if not answered.answer.strip():
        reasons.append("empty_answer")
    if not answered.well_formed:
        reasons.append("malformed_output")
    if answered.confidence < threshold:
        reasons.append("low_confidence")
    chosen = [attempt for attempt in answered.attempts if attempt.tier == answered.tier]
    if chosen and chosen[-1].stop_reason == "max_tokens":
        reasons.append("truncated")
    return reasons
