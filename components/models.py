"""The one table of Amazon Nova model ids per tier, and the ARNs IAM needs to invoke them.

Tiers are cheapest first (P015, P153, P154): the router escalates micro -> lite -> pro -> premier only
when confidence is too low, and settings cap the highest tier a stack may use.

Sources (checked for this module):

* Model ids `amazon.nova-micro-v1:0`, `amazon.nova-lite-v1:0`, `amazon.nova-pro-v1:0` and the embedding
  model `amazon.titan-embed-text-v2:0`: "Supported foundation models in Amazon Bedrock",
  https://docs.aws.amazon.com/bedrock/latest/userguide/models-supported.html and
  https://docs.aws.amazon.com/bedrock/latest/userguide/titan-embedding-models.html (1,024 dimensions by default).
* Nova Premier is served only through the US cross-region inference profile `us.amazon.nova-premier-v1:0`
  (https://docs.aws.amazon.com/bedrock/latest/userguide/model-card-amazon-nova-premier.html and
  https://docs.aws.amazon.com/bedrock/latest/userguide/inference-profiles-support.html). Invoking a
  system-defined profile needs `bedrock:InvokeModel` on the profile ARN *and* on the foundation model in
  every Region the profile routes to (inference-profiles-prereq.html), so those Regions are listed here
  explicitly instead of a `*` Region.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import pulumi

from components.settings import ModelTier

#: Tier -> model id (an inference-profile id where the model has no in-Region on-demand throughput).
MODEL_IDS: dict[ModelTier, str] = {
    ModelTier.MICRO: "amazon.nova-micro-v1:0",
    ModelTier.LITE: "amazon.nova-lite-v1:0",
    ModelTier.PRO: "amazon.nova-pro-v1:0",
    ModelTier.PREMIER: "us.amazon.nova-premier-v1:0",
}

#: System-defined inference profiles -> the Regions they route requests to.
INFERENCE_PROFILE_REGIONS: dict[str, tuple[str, ...]] = {
    "us.amazon.nova-premier-v1:0": ("us-east-1", "us-east-2", "us-west-2"),
}

#: Embedding model of the knowledge base and its vector size (Titan Text Embeddings V2 default).
EMBEDDING_MODEL_ID = "amazon.titan-embed-text-v2:0"
EMBEDDING_DIMENSIONS = 1024

_PROFILE_PREFIXES = ("us.", "eu.", "apac.", "global.")


def is_inference_profile(model_id: str) -> bool:
    """Whether `model_id` names a cross-region inference profile (`us.amazon...`)."""
    return model_id.startswith(_PROFILE_PREFIXES)


def foundation_model_id(model_id: str) -> str:
    """The foundation model behind an id (`us.amazon.nova-premier-v1:0` -> `amazon.nova-premier-v1:0`)."""
    if is_inference_profile(model_id):
        return model_id.split(".", 1)[1]
    return model_id


def foundation_model_arn(region: str, model_id: str, partition: str = "aws") -> str:
    """`arn:aws:bedrock:<region>::foundation-model/<id>` (foundation models have no account)."""
    return f"arn:{partition}:bedrock:{region}::foundation-model/{foundation_model_id(model_id)}"


def inference_profile_arn(region: str, account_id: str, profile_id: str, partition: str = "aws") -> str:
    """`arn:aws:bedrock:<region>:<account>:inference-profile/<id>`."""
    return f"arn:{partition}:bedrock:{region}:{account_id}:inference-profile/{profile_id}"


def model_id(tier: ModelTier) -> str:
    return MODEL_IDS[tier]


def invoke_arns(model: str, region: str, account_id: str, partition: str = "aws") -> list[str]:
    """Every ARN `bedrock:InvokeModel` must allow to call `model` from `region` (no wildcards)."""
    if not is_inference_profile(model):
        return [foundation_model_arn(region, model, partition)]
    regions = INFERENCE_PROFILE_REGIONS.get(model, (region,))
    arns = [inference_profile_arn(region, account_id, model, partition)]
    arns.extend(foundation_model_arn(r, model, partition) for r in regions)
    return arns


def per_account(build: Callable[[str], list[str]], account_id: pulumi.Output[str]) -> list[pulumi.Output[str]]:
    """`build(account_id)` while the account is still unknown: one Output per ARN, never a nested list.

    The number of ARNs does not depend on the account, so it is known at construction time.
    """

    def pick(index: int) -> Callable[[str], str]:
        def select(account: str) -> str:
            return build(account)[index]

        return select

    return [account_id.apply(pick(i)) for i in range(len(build("000000000000")))]


def tier_invoke_arns(tiers: Iterable[ModelTier], region: str, account_id: str, partition: str = "aws") -> list[str]:
    """The ARNs for every tier in `tiers`, cheapest first, without duplicates."""
    ordered = sorted(set(tiers), key=lambda t: t.rank)
    arns: list[str] = []
    for tier in ordered:
        arns.extend(invoke_arns(MODEL_IDS[tier], region, account_id, partition))
    return list(dict.fromkeys(arns))
