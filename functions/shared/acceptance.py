"""What may go out unreviewed: the business rules decide applies, and the one predicate the cache obeys (pure).

Its own module in ``functions.shared`` so that the router and decide judge an answer by the same rules
without the router importing decide's package: the router caches exactly what decide would accept
(:func:`acceptable`), so a cache hit, which carries no attempts, can never smuggle past decide an answer it
would have escalated (a truncated one: the ``max_tokens`` stop reason lives only on the attempts).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from functions.shared.events import EscalationReason, ModelAnswered

#: The router's tier skip reason when a tier could not finish inside the invocation's remaining time
#: (``functions.router.engine``); an answer whose every tier was skipped is ``model_unavailable``.
DEADLINE_SKIP = "deadline"


def escalation_reasons(answered: ModelAnswered, threshold: float) -> list[EscalationReason]:
    """Return why ``answered`` needs a human, in a stable order; empty means "accept".

    Rules: the guardrail intervened; every tier errored or ran out of time (``model_unavailable``); the
    answer is empty; the model broke the output format; confidence is below ``threshold``; the chosen answer
    was cut off at ``maxTokens`` (Converse ``stopReason`` ``max_tokens``).

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


def acceptable(answered: ModelAnswered, threshold: float) -> bool:
    """Whether ``answered`` is a fresh model answer decide accepts as it is: what the cache may keep.

    A cached answer is never cached again (it was judged when it was fresh, and it carries no attempts).

    Examples
    --------
    >>> from functions.shared.events import ModelAnswered
    >>> example = ModelAnswered.model_json_schema()["examples"][0]
    >>> acceptable(ModelAnswered.model_validate(example), threshold=0.7)
    True
    >>> acceptable(ModelAnswered.model_validate({**example, "cached": True}), threshold=0.7)
    False
    """
    return not answered.cached and not escalation_reasons(answered, threshold)
