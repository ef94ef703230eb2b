"""router: pure planning, the escalation loop (fake models) and the handler (Stubber + moto)."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest
from botocore.stub import ANY, Stubber

from functions.router import config as router_config
from functions.router import handler as router
from functions.router.bedrock import Completion, to_completion
from functions.router.cache import CachedAnswer, cache_key
from functions.router.confidence import parse_model_output
from functions.router.engine import answer_request, cache_entry, cache_key_of
from functions.router.pricing import parse_prices
from functions.router.tiers import (
    MIN_OUTPUT_TOKENS,
    estimate_complexity,
    output_allowance,
    tier_for_complexity,
    tier_plan,
)
from functions.shared import aws
from functions.shared.acceptance import escalation_reasons
from functions.shared.constants import ENV_MAX_TIER, ENV_MODEL_IDS, ENV_MODEL_PRICES, TIER_ORDER
from functions.shared.events import ModelAnswered, RequestReceived
from functions.shared.exceptions import ConfigurationError
from functions.shared.prompts import get_prompt
from tests.functions.conftest import MODEL_IDS, PROMPT_SOURCES, LambdaContext
from tests.functions.factories import converse_response, envelope, model_json, new_request_id

SIMPLE = "What is the capital of France?"
HARD = "Explain why, compare and analyze the trade-offs of these designs step by step:\n1. a\n2. b\n3. c"

# --- pure functions ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("score", "max_tier", "plan"),
    [
        (0.0, "premier", ["micro", "lite", "pro", "premier"]),
        (0.3, "premier", ["lite", "pro", "premier"]),
        (0.6, "premier", ["pro", "premier"]),
        (0.9, "premier", ["premier"]),
        (0.0, "lite", ["micro", "lite"]),
        (0.9, "lite", ["lite"]),  # never past the stack's ceiling, even for hard prompts
        (0.9, "micro", ["micro"]),
    ],
)
def test_tier_plan(score, max_tier, plan):
    assert tier_plan(score, max_tier) == plan


def test_tier_plan_rejects_unknown_tiers():
    with pytest.raises(ValueError, match="unknown tier"):
        tier_plan(0.1, "ultra")


def test_complexity_orders_prompts_sensibly():
    simple, hard = estimate_complexity(SIMPLE), estimate_complexity(HARD)
    assert 0.0 <= simple < hard <= 1.0
    assert tier_for_complexity(simple) == "micro"
    assert TIER_ORDER.index(tier_for_complexity(hard)) >= TIER_ORDER.index("lite")
    assert estimate_complexity("x" * 100_000) <= 1.0


@pytest.mark.parametrize(
    ("budget", "used", "estimated_input", "max_output", "expected"),
    [
        (1000, 0, 100, 512, 512),
        (1000, 500, 100, 512, 400),
        (1000, 900, 100, 512, None),
        (1000, 1000 - 100 - MIN_OUTPUT_TOKENS, 100, 512, MIN_OUTPUT_TOKENS),
        (100, 0, 200, 512, None),
    ],
)
def test_output_allowance(budget, used, estimated_input, max_output, expected):
    assert output_allowance(budget, used, estimated_input, max_output) == expected


@pytest.mark.parametrize(
    ("text", "answer", "confidence", "well_formed"),
    [
        ('{"answer": "Paris.", "confidence": 0.9}', "Paris.", 0.9, True),
        ('```json\n{"answer": "Paris.", "confidence": 1}\n```', "Paris.", 1.0, True),
        ('Sure! {"answer": "Paris.", "confidence": 0.8} Hope it helps.', "Paris.", 0.8, True),
        ('{"answer": "Paris.", "confidence": 85}', '{"answer": "Paris.", "confidence": 85}', 0.85, False),
        ('{"answer": "Paris.", "confidence": true}', '{"answer": "Paris.", "confidence": true}', 0.0, False),
        ('{"answer": 3, "confidence": 0.9}', '{"answer": 3, "confidence": 0.9}', 0.9, False),
        ("Paris. confidence=0.3", "Paris. confidence=0.3", 0.3, False),
        ("I am not sure", "I am not sure", 0.0, False),
        ("", "", 0.0, False),
    ],
)
def test_parse_model_output(text, answer, confidence, well_formed):
    parsed = parse_model_output(text)
    assert (parsed.answer, parsed.confidence, parsed.well_formed) == (answer, confidence, well_formed)


def test_prices_are_validated_and_costed():
    prices = parse_prices({"micro": {"input_per_1k": 0.001, "output_per_1k": 0.004}}, ["micro"])
    assert prices["micro"].cost(2000, 500) == pytest.approx(0.004)
    with pytest.raises(ConfigurationError, match="no price"):
        parse_prices({}, ["micro"])
    with pytest.raises(ConfigurationError, match="invalid"):
        parse_prices({"micro": {"input_per_1k": -1, "output_per_1k": 0}}, ["micro"])


def test_to_completion_reads_the_converse_shape():
    completion = to_completion(converse_response("hi", stop_reason="guardrail_intervened", input_tokens=7))
    assert completion == Completion(text="hi", stop_reason="guardrail_intervened", input_tokens=7, output_tokens=20)
    assert completion.guardrail_intervened


def test_cache_key_normalises_but_separates_what_matters():
    key = cache_key("Hello   WORLD ", prompt_key="answer@1", language="en", max_tier="pro")
    assert key == cache_key("hello world", prompt_key="answer@1", language="en", max_tier="pro")
    assert key != cache_key("hello world", prompt_key="answer@2", language="en", max_tier="pro")
    assert key != cache_key("hello world", prompt_key="answer@1", language="fr", max_tier="pro")
    assert key != cache_key("hello world", prompt_key="answer@1", language="en", max_tier="premier")


# --- the escalation loop, with fake models and an in-memory cache ---------------------------------------


ROUTER_TIMEOUT_MS = 120_000  # components/platform.py


@pytest.fixture
def context() -> LambdaContext:
    """The router's context: a fresh invocation of a function with the router's timeout."""
    return LambdaContext(remaining_ms=ROUTER_TIMEOUT_MS)


def _ample() -> int:
    """A fresh router invocation's remaining time: no tier is short of time."""
    return ROUTER_TIMEOUT_MS


class FakeModels:
    """Answers per tier from a script; records calls (and each call's limits)."""

    def __init__(self, script: dict[str, Completion]) -> None:
        self.script = script
        self.calls: list[tuple[str, int]] = []
        self.limits: list[aws.CallLimits] = []

    def __call__(self, model_id: str, prompt: Any, max_tokens: int, limits: aws.CallLimits) -> Completion:
        tier = next(t for t, m in MODEL_IDS.items() if m == model_id)
        self.calls.append((tier, max_tokens))
        self.limits.append(limits)
        return self.script[tier]


class MemoryCache:
    def __init__(self) -> None:
        self.items: dict[str, CachedAnswer] = {}

    def get(self, key: str) -> CachedAnswer | None:
        return self.items.get(key)

    def put(self, key: str, answer: CachedAnswer) -> None:
        self.items[key] = answer


def _completion(answer: str, confidence: float, **kwargs: Any) -> Completion:
    return Completion(
        text=model_json(answer, confidence),
        stop_reason=kwargs.get("stop_reason", "end_turn"),
        input_tokens=kwargs.get("input_tokens", 100),
        output_tokens=kwargs.get("output_tokens", 20),
    )


@pytest.fixture
def settings_():
    router_config.load_settings.cache_clear()
    yield router_config.load_settings()
    router_config.load_settings.cache_clear()


@pytest.fixture
def template():
    return get_prompt(PROMPT_SOURCES, "answer", 1)


def _request(prompt: str = SIMPLE) -> RequestReceived:
    return RequestReceived(request_id=new_request_id(), prompt=prompt, language="en", pii_redacted=False)


def test_confident_cheapest_tier_answers_alone(settings_, template):
    models = FakeModels({"micro": _completion("Paris.", 0.95)})
    cache = MemoryCache()

    answered = answer_request(_request(), template, settings_, models, cache, remaining_ms=_ample)

    assert [tier for tier, _ in models.calls] == ["micro"]
    assert (answered.tier, answered.answer, answered.confidence) == ("micro", "Paris.", 0.95)
    assert answered.cost_usd == pytest.approx(100 / 1000 * 0.001 + 20 / 1000 * 0.004)
    assert answered.model_id == MODEL_IDS["micro"]
    assert cache.items == {}  # the engine only reads the cache; the handler writes it once published
    assert cache_entry(answered, settings_.confidence_threshold) is not None


def test_low_confidence_escalates_to_the_next_tier(settings_, template):
    models = FakeModels({"micro": _completion("Lyon?", 0.3), "lite": _completion("Paris.", 0.9)})

    answered = answer_request(_request(), template, settings_, models, MemoryCache(), remaining_ms=_ample)

    assert [tier for tier, _ in models.calls] == ["micro", "lite"]
    assert answered.tier == "lite"
    assert answered.answer == "Paris."
    assert [a.tier for a in answered.attempts] == ["micro", "lite"]
    assert answered.input_tokens == 200


def test_malformed_output_escalates_even_with_a_high_stated_confidence(settings_, template):
    models = FakeModels(
        {"micro": Completion("Paris. confidence: 0.99", "end_turn", 100, 20), "lite": _completion("Paris.", 0.9)}
    )

    answered = answer_request(_request(), template, settings_, models, MemoryCache(), remaining_ms=_ample)

    assert [tier for tier, _ in models.calls] == ["micro", "lite"]
    assert answered.well_formed


def test_escalation_stops_at_the_highest_allowed_tier(settings_, template):
    script = {tier: _completion(f"guess from {tier}", 0.2 + 0.1 * i) for i, tier in enumerate(TIER_ORDER)}
    models = FakeModels(script)
    cache = MemoryCache()

    answered = answer_request(_request(), template, settings_, models, cache, remaining_ms=_ample)

    assert settings_.max_tier == "pro"
    assert [tier for tier, _ in models.calls] == ["micro", "lite", "pro"]  # premier is never called
    assert answered.tier == "pro"  # the most confident of the unconfident answers
    assert answered.confidence == pytest.approx(0.4)
    assert cache.items == {}  # unconfident answers are not cached


def test_hard_prompts_start_above_micro(settings_, template):
    models = FakeModels({tier: _completion("ok", 0.9) for tier in TIER_ORDER})

    answer_request(_request(HARD), template, settings_, models, MemoryCache(), remaining_ms=_ample)

    assert models.calls[0][0] != "micro"


def test_token_budget_caps_escalation(settings_, template):
    tight = replace(settings_, token_budget=1_400)
    models = FakeModels(
        {tier: _completion("unsure", 0.1, input_tokens=600, output_tokens=100) for tier in ("micro", "lite", "pro")}
    )

    answered = answer_request(_request(), template, tight, models, MemoryCache(), remaining_ms=_ample)

    # first call: 700 tokens used; second call would need ~input estimate + 64 more than is left
    assert len(models.calls) < 3
    assert answered.budget_exhausted
    assert sum(a.input_tokens + a.output_tokens for a in answered.attempts) <= tight.token_budget
    assert all(max_tokens <= tight.max_output_tokens for _, max_tokens in models.calls)


def test_budget_too_small_for_any_call_hands_over_an_empty_answer(settings_, template):
    models = FakeModels({})

    answered = answer_request(
        _request(), template, replace(settings_, token_budget=10), models, MemoryCache(), remaining_ms=_ample
    )

    assert models.calls == []
    assert answered.answer == ""
    assert answered.budget_exhausted
    assert not answered.well_formed


def test_guardrail_intervention_stops_escalation(settings_, template):
    blocked = Completion("Sorry, I can't help.", "guardrail_intervened", 100, 5)
    models = FakeModels({"micro": blocked, "lite": _completion("should not be called", 0.9)})

    answered = answer_request(_request(), template, settings_, models, MemoryCache(), remaining_ms=_ample)

    assert [tier for tier, _ in models.calls] == ["micro"]
    assert answered.guardrail_intervened
    assert answered.confidence == 0.0
    assert answered.answer == "Sorry, I can't help."


def test_cache_hit_skips_the_models(settings_, template):
    cache = MemoryCache()
    models = FakeModels({"micro": _completion("Paris.", 0.95)})
    first = answer_request(_request(), template, settings_, models, cache, remaining_ms=_ample)
    cached = cache_entry(first, settings_.confidence_threshold)
    assert cached is not None
    cache.put(cache_key_of(first, settings_.max_tier), cached)
    models = FakeModels({})

    answered = answer_request(
        _request("what is the CAPITAL of   France?"), template, settings_, models, cache, remaining_ms=_ample
    )

    assert models.calls == []
    assert answered.cached
    assert (answered.answer, answered.tier, answered.cost_usd, answered.attempts) == ("Paris.", "micro", 0.0, [])


@pytest.mark.parametrize(
    ("completion", "why"),
    [
        (Completion(model_json("Paris, the capital of", 0.95), "max_tokens", 100, 20), "truncated"),
        (Completion(model_json("Paris.", 0.5), "end_turn", 100, 20), "unconfident"),
        (Completion("Paris, I think", "end_turn", 100, 20), "malformed"),
    ],
)
def test_only_what_decide_accepts_is_cached(settings_, template, completion, why):
    """Review F6: the cache keeps exactly what decide would accept (one predicate, functions.shared.acceptance)."""
    script = dict.fromkeys(("micro", "lite", "pro"), completion)
    answered = answer_request(_request(), template, settings_, FakeModels(script), MemoryCache(), remaining_ms=_ample)

    assert escalation_reasons(answered, settings_.confidence_threshold), why
    assert cache_entry(answered, settings_.confidence_threshold) is None


def test_a_gap_in_the_allowed_tiers_is_never_called(settings_, template):
    """Issue 9 §5: allowed micro and pro (no lite): the router's plan skips lite, which its role may not invoke."""
    gap = replace(settings_, model_ids={"micro": MODEL_IDS["micro"], "pro": MODEL_IDS["pro"]})
    models = FakeModels({"micro": _completion("Lyon?", 0.3), "pro": _completion("Paris.", 0.9)})

    answered = answer_request(_request(), template, gap, models, MemoryCache(), remaining_ms=_ample)

    assert [tier for tier, _ in models.calls] == ["micro", "pro"]
    assert (answered.tier, answered.skipped) == ("pro", [])
    assert gap.allowed_tiers == ["micro", "pro"]


def test_settings_validation(monkeypatch):
    router_config.load_settings.cache_clear()
    monkeypatch.setenv(ENV_MAX_TIER, "ultra")
    with pytest.raises(ConfigurationError, match=ENV_MAX_TIER):
        router_config.load_settings()
    monkeypatch.setenv(ENV_MAX_TIER, "premier")
    monkeypatch.setenv(ENV_MODEL_IDS, json.dumps({"micro": "m"}))
    with pytest.raises(ConfigurationError, match="no model id"):
        router_config.load_settings()
    monkeypatch.setenv(ENV_MODEL_IDS, json.dumps(MODEL_IDS))
    monkeypatch.setenv(ENV_MODEL_PRICES, "[]")
    with pytest.raises(ConfigurationError, match="JSON object"):
        router_config.load_settings()
    router_config.load_settings.cache_clear()


# --- handler: real Converse request shape (Stubber), moto for DynamoDB and EventBridge --------------------


@pytest.fixture
def bedrock(cloud):
    with Stubber(aws.client("bedrock-runtime")) as stub:
        yield stub
        stub.assert_no_pending_responses()


def _expect_converse(stub: Stubber, tier: str, response: dict[str, Any]) -> None:
    stub.add_response(
        "converse",
        response,
        {
            "modelId": MODEL_IDS[tier],
            "system": ANY,
            "messages": ANY,
            "inferenceConfig": {"maxTokens": 512},
            "guardrailConfig": {"guardrailIdentifier": "gr0test0id", "guardrailVersion": "1", "trace": "disabled"},
        },
    )


def _received(prompt: str = SIMPLE) -> dict[str, Any]:
    return _request(prompt).model_dump(mode="json")


def test_handler_answers_publishes_and_caches(cloud, bedrock, context):
    _expect_converse(bedrock, "micro", converse_response(model_json("Lyon?", 0.4)))
    _expect_converse(bedrock, "lite", converse_response(model_json("Paris.", 0.92)))
    detail = _received()

    result = router.lambda_handler(envelope("RequestReceived", detail), context)

    answered = ModelAnswered.model_validate(result)
    assert (answered.tier, answered.answer, answered.request_id) == ("lite", "Paris.", detail["request_id"])
    assert [e["detail"]["request_id"] for e in cloud.events("ModelAnswered")] == [detail["request_id"]]
    items = cloud.client("dynamodb").scan(TableName="answer-cache")["Items"]
    assert [(i["answer"]["S"], i["tier"]["S"]) for i in items] == [("Paris.", "lite")]
    assert int(items[0]["expires_at"]["N"]) > 0


def test_handler_accepts_the_bare_detail_and_serves_repeats_from_cache(cloud, bedrock, context):
    _expect_converse(bedrock, "micro", converse_response(model_json("Paris.", 0.95)))
    router.lambda_handler(_received(), context)

    again = router.lambda_handler(_received("what is the capital of france?"), context)  # no stub queued

    assert again["cached"] is True
    assert again["answer"] == "Paris."


def test_handler_is_idempotent_on_request_id(cloud, bedrock, context):
    _expect_converse(bedrock, "micro", converse_response(model_json("Paris.", 0.95)))
    event = envelope("RequestReceived", _received())

    first = router.lambda_handler(event, context)
    second = router.lambda_handler(event, context)  # a retry: Bedrock is not called again

    assert first == second
    assert len(cloud.events("ModelAnswered")) == 1


def test_handler_rejects_other_events_and_bad_payloads(cloud, context):
    with pytest.raises(ValueError, match="expected detail-type RequestReceived"):
        router.lambda_handler(envelope("DecisionMade", _received()), context)
    bad = {**_received(), "prompt": ""}
    with pytest.raises(ValueError, match="prompt"):
        router.lambda_handler(bad, context)


def test_handler_skips_a_tier_that_errors_and_records_why(cloud, bedrock, context):
    """Issue 9 §6: a tier that errors (after the SDK's retries) is skipped, the request still answered."""
    bedrock.add_client_error("converse", service_error_code="ThrottlingException", http_status_code=429)
    _expect_converse(bedrock, "lite", converse_response(model_json("Paris.", 0.92)))

    answered = ModelAnswered.model_validate(router.lambda_handler(_received(), context))

    assert (answered.tier, answered.answer) == ("lite", "Paris.")
    assert [(s.tier, s.reason) for s in answered.skipped] == [("micro", "ThrottlingException")]
    assert [a.tier for a in answered.attempts] == ["lite"]
    assert [e["detail"]["skipped"] for e in cloud.events("ModelAnswered")] == [
        [{"tier": "micro", "model_id": MODEL_IDS["micro"], "reason": "ThrottlingException"}]
    ]


# --- the invocation's deadline across tiers (review F2) ------------------------------------------------------


class SlowModels(FakeModels):
    """Each tier takes ``seconds[tier]`` of the invocation's clock (at most its call's worst case)."""

    def __init__(self, script: dict[str, Completion], seconds: dict[str, float], left_ms: int) -> None:
        super().__init__(script)
        self.seconds = seconds
        self.left_ms = left_ms

    def remaining_ms(self) -> int:
        return self.left_ms

    def __call__(self, model_id: str, prompt: Any, max_tokens: int, limits: aws.CallLimits) -> Completion:
        completion = super().__call__(model_id, prompt, max_tokens, limits)
        taken = min(self.seconds.get(self.calls[-1][0], 0.0), limits.worst_case_seconds)
        self.left_ms -= int(taken * 1000)
        return completion


def test_a_tier_that_cannot_finish_in_time_is_skipped_and_the_paid_attempt_kept(settings_, template):
    unsure = _completion("Lyon?", 0.3)
    models = SlowModels(dict.fromkeys(("micro", "lite", "pro"), unsure), {"micro": 100}, ROUTER_TIMEOUT_MS)

    answered = answer_request(_request(), template, settings_, models, MemoryCache(), remaining_ms=models.remaining_ms)

    assert [tier for tier, _ in models.calls] == ["micro"]
    assert [a.tier for a in answered.attempts] == ["micro"]  # paid for, kept
    assert [(s.tier, s.reason) for s in answered.skipped] == [("lite", "deadline"), ("pro", "deadline")]
    assert escalation_reasons(answered, settings_.confidence_threshold) == ["low_confidence"]


def test_each_call_is_bounded_by_what_is_left(settings_, template):
    unsure = _completion("Lyon?", 0.3)
    models = SlowModels(dict.fromkeys(("micro", "lite", "pro"), unsure), {"micro": 70}, ROUTER_TIMEOUT_MS)

    answer_request(_request(), template, settings_, models, MemoryCache(), remaining_ms=models.remaining_ms)

    assert models.limits[0] == aws.MODEL_LIMITS  # a fresh invocation: the full 3 x (2 + 30) s
    # 120 - 70 = 50 s left, less the 21 s publishing margin: lite must end within 29 s
    assert [tier for tier, _ in models.calls] == ["micro", "lite", "pro"]
    assert models.limits[1] == aws.CallLimits(attempts=3, read_timeout=5)
    assert all(limits.worst_case_seconds <= 29 for limits in models.limits[1:])


def test_no_time_for_any_tier_is_model_unavailable(settings_, template):
    models = FakeModels({})

    answered = answer_request(_request(), template, settings_, models, MemoryCache(), remaining_ms=lambda: 27_000)

    assert models.calls == []
    assert {s.reason for s in answered.skipped} == {"deadline"}
    assert not answered.budget_exhausted
    assert "model_unavailable" in escalation_reasons(answered, settings_.confidence_threshold)
