"""One Amazon Bedrock ``Converse`` call with the platform guardrail attached.

Shapes from botocore's ``bedrock-runtime`` 2023-09-30 service model: request ``modelId``,
``messages[{role, content[{text}]}]``, ``system[{text}]``, ``inferenceConfig{maxTokens}``,
``guardrailConfig{guardrailIdentifier, guardrailVersion, trace}``; response ``output.message.content[].text``,
``stopReason`` (e.g. ``end_turn``, ``max_tokens``, ``guardrail_intervened``, ``content_filtered``) and
``usage{inputTokens, outputTokens, totalTokens}``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final, Protocol

from functions.shared.aws import MODEL_LIMITS, CallLimits, model_client
from functions.shared.prompts import RenderedPrompt

GUARDRAIL_STOP_REASONS: Final = frozenset({"guardrail_intervened", "content_filtered"})


@dataclass(frozen=True, slots=True)
class Completion:
    """The parts of a Converse response the router uses."""

    text: str
    stop_reason: str
    input_tokens: int
    output_tokens: int
    usage_known: bool = True

    @property
    def guardrail_intervened(self) -> bool:
        """True when the guardrail (or the model's own filter) replaced the answer."""
        return self.stop_reason in GUARDRAIL_STOP_REASONS


class Converse(Protocol):
    """Signature of :func:`converse`, so the engine can be tested with a fake.

    ``limits`` bounds the call's own time (read timeout, attempts): the router's engine gives each tier what is
    left of the invocation (``functions.router.engine``), so a slow model cannot run the function past its
    timeout. A one-call function (``functions.variants``: 96 s < its 120 s) keeps the default.
    """

    def __call__(
        self, model_id: str, prompt: RenderedPrompt, max_tokens: int, limits: CallLimits = MODEL_LIMITS
    ) -> Completion: ...


def _tokens(usage: Any, name: str) -> int | None:
    value = usage.get(name) if isinstance(usage, dict) else None
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def to_completion(response: dict[str, Any]) -> Completion:
    """Extract a :class:`Completion` from a Converse response (pure).

    A 200 without a readable ``usage`` block (botocore turns a non-JSON body into ``{"message": body}``)
    was probably still billed: it is marked ``usage_known=False`` so its cost is reported unknown, not $0.
    """
    output = response.get("output")
    message = output.get("message") if isinstance(output, dict) else None
    content = message.get("content") if isinstance(message, dict) else None
    blocks = content if isinstance(content, list) else []
    usage = response.get("usage")
    input_tokens, output_tokens = _tokens(usage, "inputTokens"), _tokens(usage, "outputTokens")
    return Completion(
        text="".join(str(block["text"]) for block in blocks if isinstance(block, dict) and "text" in block),
        stop_reason=str(response.get("stopReason", "")) or "unreadable_response",
        input_tokens=input_tokens or 0,
        output_tokens=output_tokens or 0,
        usage_known=input_tokens is not None and output_tokens is not None,
    )


def make_converse(guardrail_id: str, guardrail_version: str) -> Converse:
    """A :class:`Converse` bound to the platform guardrail (every call is guarded)."""

    def converse(
        model_id: str, prompt: RenderedPrompt, max_tokens: int, limits: CallLimits = MODEL_LIMITS
    ) -> Completion:
        request: dict[str, Any] = {
            "modelId": model_id,
            "messages": [{"role": "user", "content": [{"text": prompt.user}]}],
            "inferenceConfig": {"maxTokens": max_tokens},
            "guardrailConfig": {
                "guardrailIdentifier": guardrail_id,
                "guardrailVersion": guardrail_version,
                "trace": "disabled",
            },
        }
        if prompt.system:
            request["system"] = [{"text": prompt.system}]
        return to_completion(model_client(limits).converse(**request))

    return converse
