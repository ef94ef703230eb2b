"""The price table: every figure carries its provenance (region, date, source) and is well-formed."""

from __future__ import annotations

import datetime

import pytest
import yaml

from policies.cost.prices import PRICES_FILE, PROVENANCE_FIELDS, load_prices, parse_prices
from policies.errors import PackFileError

RAW = yaml.safe_load(PRICES_FILE.read_text(encoding="utf-8"))
ENTRIES = [(f"prices.{k}", v) for k, v in RAW["prices"].items()] + [(f"nova.{k}", v) for k, v in RAW["nova"].items()]


@pytest.mark.parametrize(("key", "entry"), ENTRIES, ids=[k for k, _ in ENTRIES])
def test_every_entry_carries_region_date_and_source(key: str, entry: dict[str, object]) -> None:
    for name in PROVENANCE_FIELDS:
        assert str(entry.get(name, "")).strip(), f"{key} has no {name}"
    assert entry["region"] == "us-east-1"
    datetime.date.fromisoformat(str(entry["date"]))
    assert str(entry["source"]).startswith("https://aws.amazon.com/"), f"{key}: source is not an AWS pricing page"


@pytest.mark.parametrize(("key", "entry"), ENTRIES, ids=[k for k, _ in ENTRIES])
def test_every_figure_is_a_positive_number(key: str, entry: dict[str, object]) -> None:
    figures = []
    for field in ("usd", "input_per_1k", "output_per_1k"):
        if field in entry:
            figures.append(entry[field])
    figures += list((entry.get("usd_by_type") or {}).values())  # type: ignore[union-attr]
    assert figures, f"{key} has no figure"
    assert all(isinstance(f, int | float) and f > 0 for f in figures)


def test_the_table_loads_with_all_four_nova_tiers_in_escalation_order() -> None:
    table = load_prices()
    assert list(table.nova) == ["micro", "lite", "pro", "premier"]
    # Nova v1 tiers are cheapest first; the top tier is Nova 2 Lite since Nova Premier's end of life
    # (components/models.py), a newer model priced below Nova Pro.
    inputs = [table.nova[t].input_per_1k for t in ("micro", "lite", "pro")]
    assert inputs == sorted(inputs)
    assert table.nova["premier"].model_id == "amazon.nova-2-lite-v1:0"
    assert table.hours_per_month == 730
    assert table.free_tier == {
        "cloudwatch_alarm_metrics": 10,
        "cloudwatch_dashboards": 3,
        "budgets": 2,
        "dynamodb_read_capacity_units": 25,
        "dynamodb_write_capacity_units": 25,
    }


def test_an_entry_without_a_source_is_refused() -> None:
    data = {"prices": {"kms_key_month": {"usd": 1.0, "region": "us-east-1", "date": "2026-11-24"}}}
    with pytest.raises(PackFileError, match="has no 'source'"):
        parse_prices(data)


def test_an_entry_without_a_figure_is_refused() -> None:
    data = {"prices": {"x": {"region": "us-east-1", "date": "2026-11-24", "source": "https://aws.amazon.com/x"}}}
    with pytest.raises(PackFileError, match="neither"):
        parse_prices(data)


def test_lambda_at_edge_duration_is_priced_per_gb_second() -> None:
    """AWS prices Lambda@Edge duration at $0.00005001 per GB-second (https://aws.amazon.com/lambda/pricing/,
    Lambda@Edge section): a 128 MB function pays an eighth of that per second, not the whole of it."""
    prices = load_prices()
    entry = prices.prices["lambda_edge_gb_second"]
    assert "GB-second" in entry.unit and "128 MB" not in entry.unit
    assert prices.usd("lambda_edge_gb_second") * 128 / 1024 == pytest.approx(0.00000625125)
    assert prices.usd("lambda_edge_request") * 1_000_000 == pytest.approx(0.60)
    assert "lambda_edge_128mb_second" not in prices.prices


def test_nova_2_lite_is_priced_from_aws_own_page() -> None:
    """Nova 2 Lite (Geo cross-Region profile, Standard tier): $0.33 / $2.75 per 1M tokens on AWS's page."""
    premier = yaml.safe_load(PRICES_FILE.read_text())["nova"]["premier"]
    assert (premier["input_per_1k"], premier["output_per_1k"]) == (0.00033, 0.00275)
    assert premier["evidence"].startswith("https://aws.amazon.com/bedrock/pricing/")
    assert "vercel" not in premier["evidence"].lower()


def test_greengrass_is_priced_per_active_core_device_month_with_two_agreeing_sources() -> None:
    """$0.16 per active core device per month in us-east-1 (issue 13): two independent sources agree."""
    entry = RAW["prices"]["greengrass_core_device_month"]
    assert entry["usd"] == 0.16
    assert "active Greengrass core device per month" in entry["unit"]
    assert entry["source"] == "https://aws.amazon.com/greengrass/pricing/"
    assert "api-evangelist" in entry["evidence"] and "peterb154/aws_iot_goal" in entry["evidence"]


#: Figures no AWS-owned copy confirmed (issue 11's weak sources): their evidence must say so, in capitals.
STILL_THIRD_PARTY = {"load_balancer_hour": "Gateway", "rds_instance_hour": "PostgreSQL"}


@pytest.mark.parametrize(("key", "what"), sorted(STILL_THIRD_PARTY.items()))
def test_figures_without_an_aws_source_say_they_are_third_party(key: str, what: str) -> None:
    evidence = RAW["prices"][key]["evidence"]
    assert what in evidence
    assert "THIRD-PARTY" in evidence


def test_eks_support_prices_cite_aws_own_blog() -> None:
    entry = RAW["prices"]["eks_cluster_hour"]
    assert entry["usd_by_type"] == {"standard": 0.10, "extended": 0.60}
    assert "https://aws.amazon.com/blogs/containers/amazon-eks-extended-support" in entry["evidence"]
