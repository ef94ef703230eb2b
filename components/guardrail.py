"""Guardrail: Amazon Bedrock Guardrails screening every prompt and answer (P059-P061, P064, P143, P144, P189).

* Content filters for HATE, INSULTS, SEXUAL, VIOLENCE, MISCONDUCT at HIGH on input and output, and
  PROMPT_ATTACK at HIGH on input; its output strength must be NONE (the Bedrock API applies prompt
  attack filtering to inputs only; `GuardrailContentFilterType`/`GuardrailFilterStrength` enums in the
  botocore `bedrock` service model).
* Sensitive information: PII is anonymised (masked) by default and blocked for secrets and financial
  identifiers (`GuardrailSensitiveInformationAction` BLOCK/ANONYMIZE; P061, P093).
* Denied topics and word lists from args (P060), plus AWS's managed profanity list.
* Encrypted with the stack key (P141); default block messages shown to users.
* An explicit `GuardrailVersion`: agents and functions pin `version`, never the mutable DRAFT (P114, P120).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from components.kms import StackKey
from components.settings import PlatformSettings

FILTERED_CATEGORIES = ("HATE", "INSULTS", "SEXUAL", "VIOLENCE", "MISCONDUCT")
PROMPT_ATTACK = "PROMPT_ATTACK"

#: PII masked in prompts and answers: the request can still be answered (P093).
ANONYMIZED_PII = ("ADDRESS", "EMAIL", "NAME", "PHONE", "IP_ADDRESS", "USERNAME", "DRIVER_ID", "LICENSE_PLATE")
#: Secrets and identifiers whose presence blocks the request outright.
BLOCKED_PII = (
    "AWS_ACCESS_KEY",
    "AWS_SECRET_KEY",
    "PASSWORD",
    "CREDIT_DEBIT_CARD_NUMBER",
    "CREDIT_DEBIT_CARD_CVV",
    "US_SOCIAL_SECURITY_NUMBER",
    "US_BANK_ACCOUNT_NUMBER",
    "INTERNATIONAL_BANK_ACCOUNT_NUMBER",
    "PIN",
)

DEFAULT_BLOCKED_INPUT = "Sorry, this request can't be processed because it goes against our usage policy."
DEFAULT_BLOCKED_OUTPUT = "Sorry, the answer was withheld because it goes against our usage policy."


@dataclass(frozen=True)
class DeniedTopic:
    name: str
    definition: str
    examples: tuple[str, ...] = ()


@dataclass(frozen=True)
class GuardrailArgs:
    denied_topics: tuple[DeniedTopic, ...] = (
        DeniedTopic(
            "InvestmentAdvice",
            "Recommendations about buying, selling or holding specific financial products or securities.",
            ("Which stocks should I buy?", "Is now a good time to invest in crypto?"),
        ),
    )
    denied_words: tuple[str, ...] = ()
    anonymized_pii: tuple[str, ...] = ANONYMIZED_PII
    blocked_pii: tuple[str, ...] = BLOCKED_PII
    filter_strength: str = "HIGH"
    blocked_input_message: str = DEFAULT_BLOCKED_INPUT
    blocked_output_message: str = DEFAULT_BLOCKED_OUTPUT
    managed_word_lists: tuple[str, ...] = field(default=("PROFANITY",))

    def __post_init__(self) -> None:
        if self.filter_strength not in ("LOW", "MEDIUM", "HIGH"):
            raise ValueError("filter_strength must be LOW, MEDIUM or HIGH (NONE disables filtering, P064)")
        overlap = set(self.anonymized_pii) & set(self.blocked_pii)
        if overlap:
            raise ValueError(f"PII types both anonymised and blocked: {sorted(overlap)}")
        for message in (self.blocked_input_message, self.blocked_output_message):
            if not 1 <= len(message) <= 500:
                raise ValueError("blocked messages must be 1-500 characters (GuardrailBlockedMessaging)")


def content_filters(strength: str) -> list[aws.bedrock.GuardrailContentPolicyConfigFiltersConfigArgs]:
    filters = [
        aws.bedrock.GuardrailContentPolicyConfigFiltersConfigArgs(
            type=category, input_strength=strength, output_strength=strength
        )
        for category in FILTERED_CATEGORIES
    ]
    # Prompt attacks are screened on input only: the API requires output strength NONE.
    filters.append(
        aws.bedrock.GuardrailContentPolicyConfigFiltersConfigArgs(
            type=PROMPT_ATTACK, input_strength=strength, output_strength="NONE"
        )
    )
    return filters


def _pii(
    types: Sequence[str], action: str
) -> list[aws.bedrock.GuardrailSensitiveInformationPolicyConfigPiiEntitiesConfigArgs]:
    return [
        aws.bedrock.GuardrailSensitiveInformationPolicyConfigPiiEntitiesConfigArgs(type=t, action=action) for t in types
    ]


class Guardrail(pulumi.ComponentResource):
    """A Bedrock guardrail and its published version.

    Examples
    --------
    >>> guardrail = Guardrail("guardrail", settings, GuardrailArgs(), key=key)
    >>> guardrail.guardrail_id, guardrail.version
    """

    guardrail: aws.bedrock.Guardrail
    guardrail_version: aws.bedrock.GuardrailVersion
    arn: pulumi.Output[str]
    guardrail_id: pulumi.Output[str]
    version: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        settings: PlatformSettings,
        args: GuardrailArgs | None = None,
        *,
        key: StackKey,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("agentic:guardrail:Guardrail", name, None, opts)
        args = args or GuardrailArgs()
        child = pulumi.ResourceOptions(parent=self)
        word_policy = None
        if args.denied_words or args.managed_word_lists:
            word_policy = aws.bedrock.GuardrailWordPolicyConfigArgs(
                words_configs=[aws.bedrock.GuardrailWordPolicyConfigWordsConfigArgs(text=w) for w in args.denied_words]
                or None,
                managed_word_lists_configs=[
                    aws.bedrock.GuardrailWordPolicyConfigManagedWordListsConfigArgs(type=t)
                    for t in args.managed_word_lists
                ]
                or None,
            )
        self.guardrail = aws.bedrock.Guardrail(
            name,
            name=settings.name(name),
            description=f"Screens every prompt and answer of the {settings.environment} stack (P059)",
            blocked_input_messaging=args.blocked_input_message,
            blocked_outputs_messaging=args.blocked_output_message,
            kms_key_arn=key.arn,  # P141
            content_policy_config=aws.bedrock.GuardrailContentPolicyConfigArgs(
                filters_configs=content_filters(args.filter_strength)
            ),
            sensitive_information_policy_config=aws.bedrock.GuardrailSensitiveInformationPolicyConfigArgs(
                pii_entities_configs=_pii(args.anonymized_pii, "ANONYMIZE") + _pii(args.blocked_pii, "BLOCK")
            ),
            topic_policy_config=(
                aws.bedrock.GuardrailTopicPolicyConfigArgs(
                    topics_configs=[
                        aws.bedrock.GuardrailTopicPolicyConfigTopicsConfigArgs(
                            name=t.name, definition=t.definition, type="DENY", examples=list(t.examples) or None
                        )
                        for t in args.denied_topics
                    ]
                )
                if args.denied_topics
                else None
            ),
            word_policy_config=word_policy,
            opts=child,
        )
        self.guardrail_version = aws.bedrock.GuardrailVersion(
            f"{name}-version",
            guardrail_arn=self.guardrail.guardrail_arn,
            description="Pinned by the agent and the functions (never DRAFT)",
            skip_destroy=True,  # old versions stay resolvable while callers move on
            opts=child,
        )
        self.arn = self.guardrail.guardrail_arn
        self.guardrail_id = self.guardrail.guardrail_id
        self.version = self.guardrail_version.version
        self.register_outputs({"arn": self.arn, "id": self.guardrail_id, "version": self.version})
