"""The tier -> model id table and the ARNs IAM needs."""

from __future__ import annotations

from components import models
from components.settings import ModelTier


def test_tier_table_is_nova_cheapest_first() -> None:
    assert [models.model_id(t) for t in ModelTier] == [
        "amazon.nova-micro-v1:0",
        "amazon.nova-lite-v1:0",
        "amazon.nova-pro-v1:0",
        "us.amazon.nova-premier-v1:0",
    ]


def test_foundation_model_arn_has_no_account() -> None:
    assert models.invoke_arns("amazon.nova-micro-v1:0", "us-east-1", "123456789012") == [
        "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-micro-v1:0"
    ]


def test_inference_profile_needs_profile_and_every_routed_region() -> None:
    arns = models.invoke_arns("us.amazon.nova-premier-v1:0", "us-east-1", "123456789012")
    assert arns[0] == "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.amazon.nova-premier-v1:0"
    assert arns[1:] == [
        f"arn:aws:bedrock:{r}::foundation-model/amazon.nova-premier-v1:0"
        for r in ("us-east-1", "us-east-2", "us-west-2")
    ]
    assert all("*" not in a for a in arns)


def test_tier_invoke_arns_follow_allowed_tiers() -> None:
    arns = models.tier_invoke_arns([ModelTier.LITE, ModelTier.MICRO], "us-east-1", "1")
    assert arns == [
        "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-micro-v1:0",
        "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-lite-v1:0",
    ]
