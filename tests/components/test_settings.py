"""Settings: bad configuration never reaches AWS; each mistake is one line naming file and key."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from components.settings import ModelTier, PlatformSettings, StackConfigError, load_settings

ROOT = Path(__file__).resolve().parents[2]
P = "agentic-platform:"

BASE = {
    "aws:region": "us-east-1",
    P + "environment": "dev",
    P + "team": "ai",
    P + "costCenter": "cc-1",
    P + "allowedRegions": '["us-east-1"]',
    P + "budget": '{"monthlyUsd": 50, "alertEmails": ["ops@example.com"]}',
}


def stack_config(stack: str) -> dict[str, str]:
    """A stack file's config as the CLI hands it to the program (structured values as JSON)."""
    data = yaml.safe_load((ROOT / f"Pulumi.{stack}.yaml").read_text(encoding="utf-8"))["config"]
    return {k: v if isinstance(v, str) else json.dumps(v) for k, v in data.items()}


BAD = [
    (P + "bogus", "1", "Pulumi.dev.yaml: agentic-platform:bogus: unknown key (known keys: allowedModelTiers, "),
    (P + "logRetentionDays", "31", "Pulumi.dev.yaml: agentic-platform:logRetentionDays: must be one of CloudWatch's"),
    (
        P + "logRetentionDays",
        "many",
        "Pulumi.dev.yaml: agentic-platform:logRetentionDays: Input should be a valid integer",
    ),
    (P + "environment", "Prod!", "Pulumi.dev.yaml: agentic-platform:environment: String should match pattern"),
    (P + "team", "", 'Pulumi.dev.yaml: agentic-platform:team: String should have at least 1 character (got "")'),
    (
        P + "budget",
        '{"monthlyUsd": -1, "alertEmails": ["a@b.co"]}',
        "Pulumi.dev.yaml: agentic-platform:budget.monthlyUsd: Input should be greater than 0 (got -1)",
    ),
    (
        P + "budget",
        '{"monthlyUsd": 5, "alertEmails": ["nobody"]}',
        "Pulumi.dev.yaml: agentic-platform:budget.alertEmails: not an email address: 'nobody'",
    ),
    (P + "budget", '{"monthlyUsd": 5}', "Pulumi.dev.yaml: agentic-platform:budget.alertEmails: required"),
    (
        P + "budget",
        '{"monthlyUsd": 5, "alertEmails": ["a@b.co"], "extra": 1}',
        "Pulumi.dev.yaml: agentic-platform:budget.extra: unknown key",
    ),
    (
        P + "allowedModelTiers",
        '["huge"]',
        "Pulumi.dev.yaml: agentic-platform:allowedModelTiers[0]: Input should be 'micro', 'lite', 'pro' or 'premier'",
    ),
    (
        P + "allowedModelTiers",
        "[]",
        "Pulumi.dev.yaml: agentic-platform:allowedModelTiers: List should have at least 1 item",
    ),
    (
        P + "allowedRegions",
        '["mars-1"]',
        "Pulumi.dev.yaml: agentic-platform:allowedRegions: not an AWS region name: 'mars-1'",
    ),
    (
        P + "owns",
        '{"cloudtrail": "maybe"}',
        "Pulumi.dev.yaml: agentic-platform:owns.cloudtrail: Input should be a valid boolean",
    ),
    (P + "features", '{"gpu": true}', "Pulumi.dev.yaml: agentic-platform:features.gpu: unknown key"),
    (
        P + "confidenceThreshold",
        "1.5",
        "Pulumi.dev.yaml: agentic-platform:confidenceThreshold: Input should be less than or equal to 1",
    ),
    (
        P + "requiredTagKeys",
        '["aws:reserved"]',
        "Pulumi.dev.yaml: agentic-platform:requiredTagKeys: not a valid tag key: 'aws:reserved'",
    ),
    (P + "region", "us-east-1", "Pulumi.dev.yaml: agentic-platform:region: set the region with aws:region"),
    (
        "aws:region",
        "eu-west-1",
        "Pulumi.dev.yaml: aws:region: 'eu-west-1' is not in allowedRegions ['us-east-1'] (P145)",
    ),
]


@pytest.mark.parametrize(("key", "value", "message"), BAD, ids=[f"{k}={v}"[:60] for k, v, _ in BAD])
def test_bad_input_is_one_line_naming_file_and_key(key: str, value: str, message: str) -> None:
    with pytest.raises(StackConfigError) as caught:
        load_settings({**BASE, key: value}, "dev")
    text = str(caught.value)
    assert text.startswith(message), text
    assert "\n" not in text


@pytest.mark.parametrize("key", [P + "environment", P + "team", P + "costCenter", P + "budget", "aws:region"])
def test_required_keys(key: str) -> None:
    config = {k: v for k, v in BASE.items() if k != key}
    with pytest.raises(StackConfigError, match=rf"^Pulumi\.prod\.yaml: {key}: required"):
        load_settings(config, "prod")


def test_other_namespaces_are_not_ours_to_reject() -> None:
    settings = load_settings({**BASE, "aws:profile": "x", "other:key": "y"}, "dev")
    assert settings.environment == "dev"


def test_dev_is_cheap_and_prod_is_strict() -> None:
    dev = load_settings(stack_config("dev"), "dev")
    prod = load_settings(stack_config("prod"), "prod")
    assert (dev.deletion_protection, dev.point_in_time_recovery) == (False, False)
    assert (prod.deletion_protection, prod.point_in_time_recovery) == (True, True)
    assert prod.log_retention_days > dev.log_retention_days
    assert dev.highest_model_tier is ModelTier.LITE and prod.highest_model_tier is ModelTier.PREMIER
    assert dev.budget.idle_usd <= 5 and prod.budget.idle_usd <= 25
    assert not dev.features.inference_endpoint and not dev.features.dashboard
    # One stack per account and region owns the singletons: dev here, prod references them.
    assert dev.owns.cloudtrail and not prod.owns.cloudtrail
    assert prod.is_production and not dev.is_production


def test_default_tags_follow_required_keys() -> None:
    settings = load_settings({**BASE, P + "requiredTagKeys": '["environment", "team", "owner"]'}, "dev")
    assert settings.default_tags() == {"environment": "dev", "team": "ai", "owner": "unset"}


def test_settings_are_frozen() -> None:
    settings = load_settings(BASE, "dev")
    with pytest.raises(ValueError, match="frozen"):
        settings.team = "other"
    assert isinstance(settings, PlatformSettings)
    assert settings.name("outputs") == "agentic-platform-dev-outputs"
