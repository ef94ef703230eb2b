"""The core side of the edge tier: a requested variant is generated through the guardrail and written back."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from moto import mock_aws

from functions.edge.contract import ContractError, VariantKey, VariantRequested
from functions.router.bedrock import Completion
from functions.shared.envelopes import UnexpectedEventError
from functions.variants.handler import CLAIM_SECONDS, S3ContentStore, generate, parse_event

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

    def claim(self, key: str, now: datetime) -> bool:
        if key in self.objects:
            return False
        self.objects[key] = ""
        return True


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


def test_guardrail_intervention_writes_no_variant_and_is_not_paid_for_again() -> None:
    store, converse = MemoryStore({"index.html": "<h1>Hello</h1>"}), _converse("blocked", "guardrail_intervened")
    for _ in range(3):
        outcome = generate(REQUEST, store, converse, model_id="m", ttl_seconds=60, now=NOW)
        assert outcome.status == "blocked"
    assert TARGET not in store.objects  # viewers keep the default page
    assert len(converse.calls) == 1  # one paid call, not one per ask (review F14)
    assert [w[0] for w in store.writes] == ["variants/index/FR-fr-new.blocked"]  # expires with the variant's TTL


def test_an_empty_answer_is_remembered_like_a_blocked_one() -> None:
    store, converse = MemoryStore({"index.html": "<h1>Hello</h1>"}), _converse("   ")
    generate(REQUEST, store, converse, model_id="m", ttl_seconds=60, now=NOW)
    assert generate(REQUEST, store, converse, model_id="m", ttl_seconds=60, now=NOW).status == "blocked"
    assert len(converse.calls) == 1


def test_a_variant_another_invocation_is_generating_is_not_paid_for_twice() -> None:
    store, converse = MemoryStore({"index.html": "x", "variants/index/FR-fr-new.claim": ""}), _converse("z")
    assert generate(REQUEST, store, converse, model_id="m", ttl_seconds=60, now=NOW).status == "in-progress"
    assert converse.calls == [] and store.writes == []


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


@mock_aws
def test_s3_claims_are_won_once_and_a_stale_one_is_taken_over_once() -> None:
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="content")
    store, claim = S3ContentStore("content"), "variants/index/FR-fr-new.claim"
    now = datetime.now(UTC)
    assert store.claim(claim, now) is True
    assert store.claim(claim, now) is False  # held by a live invocation
    later = now + timedelta(seconds=CLAIM_SECONDS + 60)  # the holder died: its claim is stale
    assert store.claim(claim, later) is True
    renewed = s3.head_object(Bucket="content", Key=claim)["LastModified"]
    assert store.claim(claim, renewed + timedelta(seconds=1)) is False  # the takeover renewed the claim
