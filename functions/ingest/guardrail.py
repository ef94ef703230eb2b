"""Screen a prompt with Amazon Bedrock ``ApplyGuardrail`` (PII redaction + content policies).

Request/response shapes follow botocore's ``bedrock-runtime`` 2023-09-30 service model:
``ApplyGuardrail(guardrailIdentifier, guardrailVersion, source=INPUT|OUTPUT, content=[{"text": {"text"}}])``
returns ``action`` (``NONE`` | ``GUARDRAIL_INTERVENED``), ``outputs[].text`` and ``assessments``
whose policy findings carry an ``action`` (e.g. sensitive information: ``ANONYMIZED`` | ``BLOCKED`` |
``NONE``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Final

from functions.shared.aws import client

INTERVENED: Final = "GUARDRAIL_INTERVENED"
_NON_BLOCKING_ACTIONS: Final = frozenset({"ANONYMIZED", "NONE"})


@dataclass(frozen=True, slots=True)
class Screening:
    """Outcome of screening one prompt."""

    blocked: bool
    text: str
    redacted: bool
    message: str | None = None


def _finding_actions(node: Any) -> Iterator[str]:
    """Yield every ``action`` string found in (nested) assessment findings."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "action" and isinstance(value, str):
                yield value
            else:
                yield from _finding_actions(value)
    elif isinstance(node, list):
        for item in node:
            yield from _finding_actions(item)


def interpret(response: dict[str, Any], original: str) -> Screening:
    """Turn an ``ApplyGuardrail`` response into a :class:`Screening` (pure, unit-testable).

    The prompt is *blocked* when the guardrail intervened and any finding's action is something
    other than ``ANONYMIZED``/``NONE`` (a denied topic, a content filter, a blocked PII type...).
    When every intervention is an anonymisation, the guardrail's output text is the redacted prompt.
    """
    if response.get("action") != INTERVENED:
        return Screening(blocked=False, text=original, redacted=False)
    outputs = [item.get("text", "") for item in response.get("outputs", []) if isinstance(item, dict)]
    output_text = "".join(outputs)
    actions = set(_finding_actions(response.get("assessments", [])))
    if actions - _NON_BLOCKING_ACTIONS or not output_text:
        return Screening(blocked=True, text="", redacted=False, message=output_text or None)
    return Screening(blocked=False, text=output_text, redacted=True)


def screen(prompt: str, guardrail_id: str, guardrail_version: str) -> Screening:
    """Apply the guardrail to a user prompt (``source=INPUT``).

    Raises
    ------
    botocore.exceptions.ClientError
        On throttling or service errors; the caller maps them to 503.
    """
    response = client("bedrock-runtime").apply_guardrail(
        guardrailIdentifier=guardrail_id,
        guardrailVersion=guardrail_version,
        source="INPUT",
        content=[{"text": {"text": prompt}}],
    )
    return interpret(response, prompt)
