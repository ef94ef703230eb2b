"""Prompts: the versioned templates in `prompts/` deployed as Amazon Bedrock prompts (P114, P117-P120, P162).

Templates are loaded and validated with the runtime's own loader (`functions.shared.prompts.load_prompts`),
so a template the functions would reject never deploys. Each file `prompts/<name>/v<N>.yaml` becomes one
`aws.bedrock.AgentPrompt` named `<stack>-<name>-v<N>` with a CHAT variant (system text, user message and
its input variables) on the stack's cheapest model tier, encrypted with the stack key (P141).

How versions are pinned: pulumi-aws 7.51 has no resource for Bedrock's CreatePromptVersion, so a
prompt version is a file. Files are immutable once released (a change is a new `v<N+1>.yaml`, reviewed
like code: P119), and every version is its own Bedrock prompt, so a prompt's DRAFT never changes after
deployment; the functions pin `name@version` through PROMPT_NAME/PROMPT_VERSION.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pulumi
import pulumi_aws as aws

from components import models
from components.kms import StackKey
from components.settings import PlatformSettings


@dataclass(frozen=True)
class PromptsArgs:
    root: str = "prompts"
    max_tokens: int = 512
    temperature: float = 0.2


class Prompts(pulumi.ComponentResource):
    """One Bedrock prompt per template version.

    Examples
    --------
    >>> prompts = Prompts("prompts", settings, PromptsArgs(), key=key)
    >>> prompts.latest["answer"]  # highest version of each prompt
    1
    """

    prompts: dict[str, aws.bedrock.AgentPrompt]
    latest: dict[str, int]

    def __init__(
        self,
        name: str,
        settings: PlatformSettings,
        args: PromptsArgs | None = None,
        *,
        key: StackKey,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("agentic:prompts:Prompts", name, None, opts)
        from functions.shared.prompts import load_prompts  # noqa: PLC0415 (pydantic + yaml only)

        args = args or PromptsArgs()
        cheapest = min(settings.allowed_model_tiers, key=lambda t: t.rank)
        model_id = models.model_id(cheapest)
        self.prompts = {}
        self.latest = {}
        for template in load_prompts(Path(args.root)):
            key_name = f"{template.name}-v{template.version}"
            variables = [
                aws.bedrock.AgentPromptVariantTemplateConfigurationChatInputVariableArgs(name=v)
                for v in sorted(template.variables)
            ]
            chat = aws.bedrock.AgentPromptVariantTemplateConfigurationChatArgs(
                systems=(
                    [aws.bedrock.AgentPromptVariantTemplateConfigurationChatSystemArgs(text=template.system)]
                    if template.system
                    else None
                ),
                messages=[
                    aws.bedrock.AgentPromptVariantTemplateConfigurationChatMessageArgs(
                        role="user",
                        content=aws.bedrock.AgentPromptVariantTemplateConfigurationChatMessageContentArgs(
                            text=template.template
                        ),
                    )
                ],
                input_variables=variables or None,
            )
            self.prompts[template.key] = aws.bedrock.AgentPrompt(
                f"{name}-{key_name}",
                name=settings.name(key_name),
                description=template.description[:200],
                customer_encryption_key_arn=key.arn,  # P141
                default_variant="default",
                variants=[
                    aws.bedrock.AgentPromptVariantArgs(
                        name="default",
                        template_type="CHAT",
                        model_id=model_id,
                        template_configuration=aws.bedrock.AgentPromptVariantTemplateConfigurationArgs(chat=chat),
                        inference_configuration=aws.bedrock.AgentPromptVariantInferenceConfigurationArgs(
                            text=aws.bedrock.AgentPromptVariantInferenceConfigurationTextArgs(
                                max_tokens=args.max_tokens, temperature=args.temperature
                            )
                        ),
                    )
                ],
                opts=pulumi.ResourceOptions(parent=self),
            )
            self.latest[template.name] = max(self.latest.get(template.name, 0), template.version)
        self.register_outputs({"prompts": {k: p.arn for k, p in self.prompts.items()}, "latest": dict(self.latest)})
