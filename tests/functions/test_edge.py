"""Lambda@Edge personalisation: golden CloudFront origin requests, the miss path and the shared contract."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from functions.edge.contract import (
    EDGE_EVENT_SOURCE,
    VARIANT_REQUESTED,
    ContractError,
    VariantKey,
    VariantRequested,
)
from functions.edge.handler import EdgeConfig, origin_bucket, route
from functions.edge.selection import SelectionConfig, Viewer, choose, language_of, page_of

GOLDEN = Path(__file__).parent / "golden" / "edge"
CASES = sorted(GOLDEN.glob("*.json"))
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
CONFIG = EdgeConfig(
    bus_name="agentic-platform-prod-bus",
    bus_region="us-east-1",
    selection=SelectionConfig(
        languages=("en", "de", "fr"), countries=("DE", "FR", "US"), segments=("default", "new", "returning")
    ),
)


class FakeStore:
    def __init__(self, existing: list[str]) -> None:
        self.existing = set(existing)
        self.asked: list[tuple[str, str, str]] = []

    def exists(self, bucket: str, region: str, key: str) -> bool:
        self.asked.append((bucket, region, key))
        return key in self.existing


class FakeNotifier:
    def __init__(self, fail: bool = False) -> None:
        self.sent: list[VariantRequested] = []
        self.fail = fail

    def variant_requested(self, event: VariantRequested) -> None:
        self.sent.append(event)
        if self.fail:
            raise TimeoutError("bus unreachable")


def _request(case: dict[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(case["event"]["Records"][0]["cf"]["request"])


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_golden_requests(path: Path) -> None:
    case = json.loads(path.read_text(encoding="utf-8"))
    store, notifier = FakeStore(case["existing"]), FakeNotifier()
    result = route(_request(case), CONFIG, store, notifier, now=lambda: NOW)
    assert result["uri"] == case["expected_uri"]
    expected = case["expected_event"]
    if expected is None:
        assert notifier.sent == []
    else:
        assert [e.detail() for e in notifier.sent] == [
            {**expected, "schema_version": "1", "requested_at": "2026-12-01T09:00:00Z"}
        ]
    # Only what CloudFront needs changes: the rest of the request is forwarded untouched.
    assert {k: v for k, v in result.items() if k != "uri"} == {k: v for k, v in _request(case).items() if k != "uri"}


def test_a_failing_bus_still_serves_the_default() -> None:
    case = json.loads((GOLDEN / "miss_serves_default_and_asks.json").read_text(encoding="utf-8"))
    notifier = FakeNotifier(fail=True)
    result = route(_request(case), CONFIG, FakeStore([]), notifier, now=lambda: NOW)
    assert result["uri"] == "/index.html"
    assert len(notifier.sent) == 1


def test_the_store_is_asked_about_the_origin_bucket_only() -> None:
    case = json.loads((GOLDEN / "hit_country_language_segment.json").read_text(encoding="utf-8"))
    store = FakeStore(case["existing"])
    route(_request(case), CONFIG, store, FakeNotifier(), now=lambda: NOW)
    assert store.asked == [("content-bucket", "us-east-1", "variants/offers/summer/DE-de-returning.html")]


def test_non_s3_origins_pass_through() -> None:
    request = {"uri": "/", "headers": {}, "origin": {"custom": {"domainName": "example.com"}}}
    assert origin_bucket(request) is None
    assert route(dict(request), CONFIG, FakeStore([]), FakeNotifier())["uri"] == "/"


@pytest.mark.parametrize(
    ("header", "expected"),
    [("", "en"), ("de", "de"), ("xx, fr;q=0.1", "fr"), ("de;q=0, fr;q=0.3", "fr"), ("EN-gb", "en"), ("*;q=1", "en")],
)
def test_language_choice(header: str, expected: str) -> None:
    assert language_of(header, CONFIG.selection) == expected


@pytest.mark.parametrize(
    ("uri", "page"),
    [("/", "index"), ("/a/b.html", "a/b"), ("/a/b", "a/b"), ("/img/x.png", None), ("/A/B", None), ("/a/../b", None)],
)
def test_pages(uri: str, page: str | None) -> None:
    assert page_of(uri) == page


@given(
    uri=st.text(max_size=80),
    country=st.text(max_size=4),
    language=st.text(max_size=60),
    cookie=st.text(max_size=60),
)
def test_any_request_yields_a_valid_key_or_none(uri: str, country: str, language: str, cookie: str) -> None:
    viewer = Viewer(
        uri="/" + uri,
        headers={"cloudfront-viewer-country": country, "accept-language": language},
        cookies={"segment": cookie},
    )
    key = choose(viewer, CONFIG.selection)
    if key is not None:  # every chosen key is inside the configured (bounded) space
        assert key.country in (*CONFIG.selection.countries, "XX")
        assert key.language in CONFIG.selection.languages
        assert key.segment in CONFIG.selection.segments


# --- the contract shared with the core (functions/variants) --------------------------------------------


def test_entry_round_trips_through_the_contract() -> None:
    event = VariantRequested(VariantKey("index", "FR", "fr", "default"), NOW)
    entry = event.to_entry("bus")
    assert (entry["Source"], entry["DetailType"], entry["EventBusName"]) == (
        EDGE_EVENT_SOURCE,
        VARIANT_REQUESTED,
        "bus",
    )
    assert VariantRequested.from_detail(json.loads(entry["Detail"])) == event


@pytest.mark.parametrize(
    "change",
    [
        {"schema_version": "2"},
        {"country": "fr"},
        {"page": "../x"},
        {"segment": ""},
        {"requested_at": "yesterday"},
        {"extra": "x"},
    ],
)
def test_contract_rejects_broken_details(change: dict[str, str]) -> None:
    detail = {**VariantRequested(VariantKey("index", "FR", "fr", "default"), NOW).detail(), **change}
    with pytest.raises(ContractError):
        VariantRequested.from_detail(detail)


def test_contract_rejects_missing_fields() -> None:
    detail = VariantRequested(VariantKey("index", "FR", "fr", "default"), NOW).detail()
    del detail["language"]
    with pytest.raises(ContractError):
        VariantRequested.from_detail(detail)
