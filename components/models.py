"""The one table of Amazon Bedrock model ids per tier, their lifecycle, and the ARNs IAM needs to invoke them.

The router escalates micro -> lite -> pro -> premier only when confidence is too low (P015, P153, P154), and
settings cap the highest tier a stack may use. "premier" names the last tier, whatever model AWS currently offers
for it. The Nova v1 tiers are cheapest first; the last tier is no longer the most expensive: AWS names Nova 2 Pro as
Nova Premier's replacement, but it is in Preview, so the last tier is Nova 2 Lite, the current generally available
Nova 2 model (a newer-generation second opinion after Nova Pro, priced below it: $0.33 / $2.75 per 1M tokens against
$0.80 / $3.20, https://aws.amazon.com/bedrock/pricing/). Checked again 2026-12-01: Bedrock's Amazon model cards
(model-cards-amazon.html) list Nova 2 Lite and Nova 2 Sonic and no Nova 2 Pro; the Nova 2 user guide's model ids
(core-inference.html) are Nova 2 Lite, Nova 2 Sonic and Nova Multimodal Embeddings only; AWS's migration post
("Migrate from Amazon Nova 1 to Amazon Nova 2 on Amazon Bedrock", read as republished at
genainews.tech/migrate-from-amazon-nova-1-to-amazon-nova-2-on-amazon-bedrock) "focuses on migration to Nova 2 Lite,
which is generally available and ready for production use"; AWS's own agent toolkit price cache
(aws/agent-toolkit-for-aws pricing-cache.md, 2026-09-03) still names it "Nova 2 Pro (Preview)". Move the last tier
to Nova 2 Pro when it has a model card and an Active lifecycle, with its price in `policies/cost/prices.yaml`.

Sources (checked for this module):

* Model ids `amazon.nova-micro-v1:0`, `amazon.nova-lite-v1:0`, `amazon.nova-pro-v1:0` and the embedding
  model `amazon.titan-embed-text-v2:0`: "Supported foundation models in Amazon Bedrock",
  https://docs.aws.amazon.com/bedrock/latest/userguide/models-supported.html and
  https://docs.aws.amazon.com/bedrock/latest/userguide/titan-embedding-models.html (1,024 dimensions by default).
* Lifecycle (`CATALOGUE`): AWS's "Model lifecycle (Legacy)" page (models launched before 2026-09-07, which all of
  these are), https://docs.aws.amazon.com/bedrock/latest/userguide/model-lifecycle-legacy.html, and each model card.
  Nova Premier (`us.amazon.nova-premier-v1:0`, the previous top tier) is Legacy since 2026-03-13 and reached end of
  life on 2026-09-14 (https://docs.aws.amazon.com/bedrock/latest/userguide/model-card-amazon-nova-premier.html); the
  top tier is now Nova 2 Lite, the current Amazon model AWS lists first among its model cards
  (https://docs.aws.amazon.com/bedrock/latest/userguide/model-cards-amazon.html; launched 2025-12-02, Active),
  served only through cross-Region inference profiles, `us.amazon.nova-2-lite-v1:0` here
  (https://docs.aws.amazon.com/nova/latest/nova2-userguide/core-inference.html). The pack keeps the same dates in
  `policies/model_lifecycle.py` (it judges any program); a test keeps the two in step.
* Invoking a system-defined profile needs `bedrock:InvokeModel` on the profile ARN *and* on the foundation
  model in every Region the profile routes to (https://docs.aws.amazon.com/bedrock/latest/userguide/inference-profiles-prereq.html).
  Those Regions change as AWS adds destinations (inference-profiles-support.html), so a profile whose list
  is not pinned in `INFERENCE_PROFILE_REGIONS` is granted the one foundation model in any Region (`*`), never
  any other model.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

import pulumi

from components.settings import ModelTier

#: Tier -> model id (an inference-profile id where the model has no in-Region on-demand throughput).
MODEL_IDS: dict[ModelTier, str] = {
    ModelTier.MICRO: "amazon.nova-micro-v1:0",
    ModelTier.LITE: "amazon.nova-lite-v1:0",
    ModelTier.PRO: "amazon.nova-pro-v1:0",
    ModelTier.PREMIER: "us.amazon.nova-2-lite-v1:0",
}

#: System-defined inference profiles -> the Regions they route requests to, where pinned (none today).
INFERENCE_PROFILE_REGIONS: dict[str, tuple[str, ...]] = {}

#: Embedding model of the knowledge base and its vector size (Titan Text Embeddings V2 default).
EMBEDDING_MODEL_ID = "amazon.titan-embed-text-v2:0"
EMBEDDING_DIMENSIONS = 1024

_PROFILE_PREFIXES = ("us.", "eu.", "apac.", "global.")


class Lifecycle(StrEnum):
    """AWS's lifecycle states (Model lifecycle page): Active, Legacy, End-of-Life."""

    ACTIVE = "active"
    LEGACY = "legacy"
    END_OF_LIFE = "end of life"


@dataclass(frozen=True)
class CatalogueModel:
    """A foundation model the template uses or used, with its lifecycle dates (None: not set by AWS)."""

    model_id: str
    legacy: date | None = None
    end_of_life: date | None = None

    def status(self, on: date) -> Lifecycle:
        if self.end_of_life is not None and on >= self.end_of_life:
            return Lifecycle.END_OF_LIFE
        if self.legacy is not None and on >= self.legacy:
            return Lifecycle.LEGACY
        return Lifecycle.ACTIVE


#: Every foundation model id the template names, and the one it retired, with AWS's lifecycle dates.
CATALOGUE: dict[str, CatalogueModel] = {
    m.model_id: m
    for m in (
        CatalogueModel("amazon.nova-micro-v1:0"),
        CatalogueModel("amazon.nova-lite-v1:0"),
        CatalogueModel("amazon.nova-pro-v1:0"),
        CatalogueModel("amazon.nova-2-lite-v1:0"),
        CatalogueModel("amazon.titan-embed-text-v2:0"),
        CatalogueModel("amazon.nova-premier-v1:0", legacy=date(2026, 3, 13), end_of_life=date(2026, 9, 14)),
    )
}


def lifecycle(model: str, on: date) -> Lifecycle:
    """The lifecycle state of a model id or profile id on a date (KeyError: not in the catalogue)."""
    return CATALOGUE[foundation_model_id(model)].status(on)


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
    """Every ARN `bedrock:InvokeModel` must allow to call `model` from `region` (never another model)."""
    if not is_inference_profile(model):
        return [foundation_model_arn(region, model, partition)]
    regions = INFERENCE_PROFILE_REGIONS.get(model, ("*",))
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
