"""The tier -> model id table and the ARNs IAM needs."""

from __future__ import annotations

from datetime import date

import pytest

from components import models
from components.settings import ModelTier
from policies import model_lifecycle


def test_tier_table_is_nova_cheapest_first() -> None:
    assert [models.model_id(t) for t in ModelTier] == [
        "amazon.nova-micro-v1:0",
        "amazon.nova-lite-v1:0",
        "amazon.nova-pro-v1:0",
        "us.amazon.nova-2-lite-v1:0",
    ]


def test_foundation_model_arn_has_no_account() -> None:
    assert models.invoke_arns("amazon.nova-micro-v1:0", "us-east-1", "123456789012") == [
        "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-micro-v1:0"
    ]


def test_inference_profile_needs_profile_and_the_model_in_its_destination_regions() -> None:
    arns = models.invoke_arns("us.amazon.nova-2-lite-v1:0", "us-east-1", "123456789012")
    assert arns == [
        "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.amazon.nova-2-lite-v1:0",
        # destinations are not pinned: the one model, in any Region
        "arn:aws:bedrock:*::foundation-model/amazon.nova-2-lite-v1:0",
    ]


def test_pinned_profile_regions_are_listed_one_by_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(models.INFERENCE_PROFILE_REGIONS, "us.amazon.nova-2-lite-v1:0", ("us-east-1", "us-west-2"))
    assert models.invoke_arns("us.amazon.nova-2-lite-v1:0", "us-east-1", "1")[1:] == [
        "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-2-lite-v1:0",
        "arn:aws:bedrock:us-west-2::foundation-model/amazon.nova-2-lite-v1:0",
    ]


TODAY = date(2026, 12, 1)


def test_every_model_the_template_uses_is_in_the_catalogue_and_active() -> None:
    used = [*models.MODEL_IDS.values(), models.EMBEDDING_MODEL_ID]
    assert {m: models.lifecycle(m, TODAY) for m in used} == dict.fromkeys(used, models.Lifecycle.ACTIVE)


def test_nova_premier_is_past_end_of_life_and_was_legacy_before() -> None:
    assert models.lifecycle("us.amazon.nova-premier-v1:0", date(2026, 9, 14)) is models.Lifecycle.END_OF_LIFE
    assert models.lifecycle("amazon.nova-premier-v1:0", date(2026, 9, 13)) is models.Lifecycle.LEGACY
    assert models.lifecycle("amazon.nova-premier-v1:0", date(2026, 3, 12)) is models.Lifecycle.ACTIVE
    with pytest.raises(KeyError):
        models.lifecycle("anthropic.claude-v2", TODAY)


def test_catalogue_agrees_with_the_packs_lifecycle_table() -> None:
    """The template's catalogue and the pack's copy of AWS's page carry the same dates (one fact, two readers)."""
    for model_id, entry in models.CATALOGUE.items():
        row = model_lifecycle.LIFECYCLES[model_id]
        assert (row.legacy, row.end_of_life) == (entry.legacy, entry.end_of_life), model_id
        assert row.status(TODAY).value == entry.status(TODAY).value


def test_tier_invoke_arns_follow_allowed_tiers() -> None:
    arns = models.tier_invoke_arns([ModelTier.LITE, ModelTier.MICRO], "us-east-1", "1")
    assert arns == [
        "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-micro-v1:0",
        "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-lite-v1:0",
    ]
