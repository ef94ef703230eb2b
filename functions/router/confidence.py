"""Parse the model's ``{"answer": ..., "confidence": ...}`` reply (pure).

Models do not always obey the output format: code fences, prose around the JSON, a percentage
instead of a fraction. Whatever cannot be read strictly is marked ``well_formed=False`` and gets
the confidence it states in a recognisable way, else 0 — so a confused answer escalates.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

_FENCE = re.compile(r"^```[a-zA-Z]*\s*|\s*```$")
_LOOSE_CONFIDENCE = re.compile(r"confidence\"?\s*[:=]\s*(\d+(?:\.\d+)?)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class ParsedOutput:
    """What the router keeps from one model reply."""

    answer: str
    confidence: float
    well_formed: bool


def _strict(text: str) -> ParsedOutput | None:
    start, end = text.find("{"), text.rfind("}")
    if start < 0 or end <= start:
        return None
    try:
        data = json.loads(text[start : end + 1])
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    answer, confidence = data.get("answer"), data.get("confidence")
    if not isinstance(answer, str) or isinstance(confidence, bool) or not isinstance(confidence, int | float):
        return None
    if not 0.0 <= confidence <= 1.0:
        return None
    return ParsedOutput(answer=answer.strip(), confidence=float(confidence), well_formed=True)


def parse_model_output(text: str) -> ParsedOutput:
    """Extract answer and confidence from a model reply.

    Examples
    --------
    >>> parse_model_output('{"answer": "Paris.", "confidence": 0.92}')
    ParsedOutput(answer='Paris.', confidence=0.92, well_formed=True)
    >>> parse_model_output("Paris, I think. Confidence: 0.4")
    ParsedOutput(answer='Paris, I think. Confidence: 0.4', confidence=0.4, well_formed=False)
    >>> parse_model_output("no idea")
    ParsedOutput(answer='no idea', confidence=0.0, well_formed=False)
    """
    cleaned = _FENCE.sub("", text.strip())
    strict = _strict(cleaned)
    if strict is not None:
        return strict
    loose = _LOOSE_CONFIDENCE.search(cleaned)
    confidence = 0.0
    if loose is not None:
        value = float(loose.group(1))
        confidence = value if value <= 1.0 else (value / 100 if value <= 100 else 0.0)
    return ParsedOutput(answer=cleaned, confidence=confidence, well_formed=False)
