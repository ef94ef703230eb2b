"""The core side of the edge tier: a requested variant is generated through the guardrail and written back."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from moto import mock_aws

from functions.edge.contract import ContractError, VariantKey, VariantRequested
from functions.router.bedrock import Completion
from functions.shared.envelopes import UnexpectedEventError
from functions.variants.handler import S3ContentStore, generate, parse_event

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
REQUEST = VariantRequested(VariantKey("index", "FR", "fr", "new"), NOW)
TARGET = "variants/index/FR-fr-new.html"


class MemoryStore:
    def __init__(self, objects: dict[str, str]) -> None:
        self.objects = dict(objects)
        self.writes: list[tuple[str, str, datetime, int]] = []

    def exists(self, key: str) -> bool:
        return key in self.objects

    def read(self, key: str) -> str:
        return self.objects[key]

    def write(self, key: str, body: str, expires: datetime, ttl_seconds: int) -> None:
        self.writes.append((key, body, expires, ttl_seconds))
        self.objects[key] = body


def _converse(text: str, stop: str = "end_turn") -> Any:
    calls: list[tuple[str, Any, int]] = []

    def converse(model_id: str, prompt: Any, max_tokens: int) -> Completion:
        calls.append((model_id, prompt, max_tokens))
        return Completion(text=text, stop_reason=stop, input_tokens=10, output_tokens=20)

    converse.calls = calls  # type: ignore[attr-defined]
    return converse


def test_generates_and_writes_with_an_expiry() -> None:
    store, converse = MemoryStore({"index.html": "<h1>Hello</h1>"}), _converse("<h1>Bonjour</h1>")
    outcome = generate(REQUEST, store, converse, model_id="m", ttl_seconds=3600, now=NOW)
    assert (outcome.status, outcome.key) == ("written", TARGET)
    assert store.writes == [(TARGET, "<h1>Bonjour</h1>", datetime(2026, 12, 1, 10, 0, tzinfo=UTC), 3600)]
    model_id, prompt, _ = converse.calls[0]
    assert model_id == "m" and "country FR, language fr, segment new" in prompt.user and "<h1>Hello</h1>" in prompt.user


def test_guardrail_intervention_writes_nothing() -> None:
    store = MemoryStore({"index.html": "<h1>Hello</h1>"})
    outcome = generate(
        REQUEST, store, _converse("blocked", "guardrail_intervened"), model_id="m", ttl_seconds=60, now=NOW
    )
    assert outcome.status == "blocked" and store.writes == []


def test_existing_variant_is_not_generated_again() -> None:
    store, converse = MemoryStore({"index.html": "x", TARGET: "y"}), _converse("z")
    assert generate(REQUEST, store, converse, model_id="m", ttl_seconds=60, now=NOW).status == "exists"
    assert converse.calls == [] and store.writes == []


def test_no_default_page_no_model_call() -> None:
    converse = _converse("z")
    assert generate(REQUEST, MemoryStore({}), converse, model_id="m", ttl_seconds=60, now=NOW).status == "no-default"
    assert converse.calls == []


def test_parses_what_the_edge_sends() -> None:
    entry = REQUEST.to_entry("bus")
    event = {"detail-type": entry["DetailType"], "source": entry["Source"], "detail": json.loads(entry["Detail"])}
    assert parse_event(event) == REQUEST


def test_rejects_other_events() -> None:
    with pytest.raises(UnexpectedEventError):
        parse_event({"detail-type": "RequestReceived", "detail": {}})
    with pytest.raises(ContractError):
        parse_event({"detail-type": "VariantRequested", "detail": {"page": "index"}})


@mock_aws
def test_s3_store_sets_cache_headers() -> None:
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="content")
    store = S3ContentStore("content")
    assert not store.exists(TARGET)
    store.write(TARGET, "<p>é</p>", datetime(2026, 12, 8, tzinfo=UTC), 604800)
    head = s3.head_object(Bucket="content", Key=TARGET)
    assert head["CacheControl"] == "public, max-age=604800"
    assert head["ContentType"] == "text/html; charset=utf-8"
    assert head["Expires"] == datetime(2026, 12, 8, tzinfo=UTC)
    assert store.exists(TARGET) and store.read(TARGET) == "<p>é</p>"
