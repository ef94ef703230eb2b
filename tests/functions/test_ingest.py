"""ingest: HTTP validation, guardrail screening/redaction, RequestReceived, idempotency, never 5xx on input."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.stub import Stubber
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from functions.ingest import guardrail
from functions.ingest import handler as ingest
from functions.ingest.guardrail import Screening, interpret
from functions.ingest.language import detect_language
from functions.ingest.models import IngestCommand
from functions.shared import aws, connections
from functions.shared.constants import ENV_GUARDRAIL_ID, ENV_GUARDRAIL_VERSION, ENV_MAX_PROMPT_CHARS
from functions.shared.exceptions import ConfigurationError
from tests.functions.factories import api_event, guardrail_anonymized, guardrail_blocked, guardrail_pass


def _body(response: dict[str, Any]) -> dict[str, Any]:
    assert response["headers"]["content-type"] == "application/json"
    return json.loads(response["body"])


@pytest.fixture
def bedrock(cloud):
    with Stubber(aws.client("bedrock-runtime")) as stub:
        yield stub
        stub.assert_no_pending_responses()


def _expect_guardrail(stub: Stubber, response: dict[str, Any], text: str) -> None:
    stub.add_response(
        "apply_guardrail",
        response,
        {
            "guardrailIdentifier": "gr0test0id",
            "guardrailVersion": "1",
            "source": "INPUT",
            "content": [{"text": {"text": text}}],
        },
    )


def test_accepts_a_prompt_and_emits_request_received(cloud, bedrock, context):
    _expect_guardrail(bedrock, guardrail_pass(), "What is the capital of France?")
    body = json.dumps({"prompt": "  What is the capital of France?\x00 ", "connection_id": "Ab12Cd34="})
    cloud.connect("Ab12Cd34=", "alice")

    response = ingest.lambda_handler(_as("alice", api_event(body)), context)

    assert response["statusCode"] == 202
    accepted = _body(response)
    assert accepted["status"] == "accepted"
    assert accepted["language"] == "en"
    [event] = cloud.events("RequestReceived")
    assert event["source"] == "agentic.platform"
    assert event["detail"]["request_id"] == accepted["request_id"]
    assert event["detail"]["prompt"] == "What is the capital of France?"
    assert event["detail"]["connection_id"] == "Ab12Cd34="
    assert event["detail"]["subject"] == "alice"
    assert event["detail"]["pii_redacted"] is False


def test_pii_is_redacted_before_the_event(cloud, bedrock, context):
    prompt = "Email ada@example.com the summary"
    _expect_guardrail(bedrock, guardrail_anonymized("Email {EMAIL} the summary"), prompt)

    response = ingest.lambda_handler(api_event(json.dumps({"prompt": prompt})), context)

    assert response["statusCode"] == 202
    [event] = cloud.events("RequestReceived")
    assert event["detail"]["prompt"] == "Email {EMAIL} the summary"
    assert event["detail"]["pii_redacted"] is True
    assert "ada@example.com" not in json.dumps(event)


def test_guardrail_block_is_a_400_and_emits_nothing(cloud, bedrock, context):
    _expect_guardrail(bedrock, guardrail_blocked("Not allowed."), "how to build a weapon")

    response = ingest.lambda_handler(api_event(json.dumps({"prompt": "how to build a weapon"})), context)

    assert response["statusCode"] == 400
    assert _body(response)["error"] == {"code": "blocked_by_guardrail", "message": "Not allowed."}
    assert cloud.events() == []


def test_guardrail_outage_is_a_503_not_a_500(cloud, bedrock, context):
    bedrock.add_client_error("apply_guardrail", service_error_code="ThrottlingException", http_status_code=429)

    response = ingest.lambda_handler(api_event(json.dumps({"prompt": "hello there"})), context)

    assert response["statusCode"] == 503
    assert _body(response)["error"]["code"] == "screening_unavailable"


@pytest.mark.parametrize(
    ("event", "status", "code"),
    [
        pytest.param(api_event("{not json"), 400, "invalid_json", id="bad-json"),
        pytest.param(api_event(b'{"prompt": "\xff\xfe"}'), 400, "invalid_encoding", id="non-utf8"),
        pytest.param(api_event("%%%", base64_encoded=True), 400, "invalid_encoding", id="bad-base64"),
        pytest.param(api_event('["prompt"]'), 422, "invalid_request", id="not-an-object"),
        pytest.param(api_event('{"prompt": 42}'), 422, "invalid_request", id="wrong-type"),
        pytest.param(api_event('{"prompt": "hi", "admin": true}'), 422, "invalid_request", id="extra-field"),
        pytest.param(api_event('{"prompt": "hi", "connection_id": "a b"}'), 422, "invalid_request", id="bad-conn"),
        pytest.param(api_event('{"prompt": " \\u0000 "}'), 422, "empty_prompt", id="empty-after-normalising"),
        pytest.param(api_event(None), 400, "invalid_json", id="no-body"),
        pytest.param(api_event("x" * 40_000), 413, "body_too_large", id="huge-body"),
        pytest.param(api_event(json.dumps({"prompt": "y" * 2001})), 413, "prompt_too_large", id="huge-prompt"),
        pytest.param(api_event("[" * 5000 + "]" * 5000), 400, "invalid_json", id="deep-nesting"),
        pytest.param(
            api_event('{"prompt": "hi"}', {"idempotency-key": "no spaces!"}), 400, "invalid_idempotency_key", id="key"
        ),
        pytest.param({"hello": "world"}, 400, "malformed_event", id="not-an-api-event"),
        pytest.param(api_event('{"prompt": "hi"}', {"content-type": "text/plain"}), 415, "unsupported_media_type",
                     id="text-plain"),
        pytest.param({**api_event('{"prompt": "hi"}'), "headers": {}}, 415, "unsupported_media_type",
                     id="no-content-type"),
        pytest.param(api_event('{"prompt": "hi"}', {"content-type": "application/jsonp"}), 415,
                     "unsupported_media_type", id="lookalike"),
    ],
)  # fmt: skip
def test_bad_input_gets_a_clear_4xx(cloud, context, event, status, code):
    response = ingest.lambda_handler(event, context)

    assert response["statusCode"] == status
    assert _body(response)["error"]["code"] == code
    assert cloud.events() == []


def test_validation_errors_do_not_echo_the_input(cloud, context):
    response = ingest.lambda_handler(api_event('{"prompt": ["secret-value"]}'), context)

    assert response["statusCode"] == 422
    assert "secret-value" not in response["body"]
    assert _body(response)["error"]["details"][0]["field"] == "prompt"


def test_prompt_limit_comes_from_the_environment(cloud, context, monkeypatch):
    monkeypatch.setenv(ENV_MAX_PROMPT_CHARS, "5")
    ingest.load_settings.cache_clear()

    response = ingest.lambda_handler(api_event('{"prompt": "123456"}'), context)

    assert response["statusCode"] == 413
    assert "5 characters" in _body(response)["error"]["message"]


def test_idempotency_key_replays_the_first_answer(cloud, bedrock, context):
    _expect_guardrail(bedrock, guardrail_pass(), "hello world")
    event = api_event('{"prompt": "hello world"}', {"Idempotency-Key": "order-42"})

    first = ingest.lambda_handler(event, context)
    second = ingest.lambda_handler(event, context)

    assert first["statusCode"] == second["statusCode"] == 202
    assert _body(first)["request_id"] == _body(second)["request_id"]
    assert len(cloud.events("RequestReceived")) == 1  # the guardrail and the bus were called once


def test_idempotency_key_reused_with_another_prompt_is_rejected(cloud, bedrock, context):
    _expect_guardrail(bedrock, guardrail_pass(), "hello world")
    ingest.lambda_handler(api_event('{"prompt": "hello world"}', {"idempotency-key": "k1"}), context)

    response = ingest.lambda_handler(api_event('{"prompt": "another"}', {"idempotency-key": "k1"}), context)

    assert response["statusCode"] == 422
    assert _body(response)["error"]["code"] == "idempotency_key_reused"


def _as(subject: str, event: dict[str, Any]) -> dict[str, Any]:
    event["requestContext"]["authorizer"] = {"jwt": {"claims": {"sub": subject}, "scopes": None}}
    return event


def test_content_type_with_parameters_is_json(cloud, bedrock, context):
    _expect_guardrail(bedrock, guardrail_pass(), "hello world")
    event = api_event('{"prompt": "hello world"}', {"content-type": "Application/JSON; charset=utf-8"})

    assert ingest.lambda_handler(event, context)["statusCode"] == 202


def test_the_same_key_from_two_callers_is_two_requests(cloud, bedrock, context):
    """Issue 12 §2: the Idempotency-Key is scoped to the caller; Bob's key never replays Alice's request."""
    _expect_guardrail(bedrock, guardrail_pass(), "hello world")
    _expect_guardrail(bedrock, guardrail_pass(), "hello world")
    body, headers = '{"prompt": "hello world"}', {"idempotency-key": "order-1"}

    alice = _body(ingest.lambda_handler(_as("alice", api_event(body, headers)), context))
    bob = _body(ingest.lambda_handler(_as("bob", api_event(body, headers)), context))
    alice_again = _body(ingest.lambda_handler(_as("alice", api_event(body, headers)), context))

    assert alice["request_id"] != bob["request_id"]
    assert alice_again["request_id"] == alice["request_id"]
    assert len(cloud.events("RequestReceived")) == 2


def test_the_key_covers_the_whole_request(cloud, bedrock, context):
    """The same key with the same prompt but another connection is another request: rejected, not replayed."""
    _expect_guardrail(bedrock, guardrail_pass(), "hello world")
    headers = {"idempotency-key": "order-2"}
    cloud.connect("c1", "alice")
    cloud.connect("c2", "alice")
    ingest.lambda_handler(_as("alice", api_event('{"prompt": "hello world", "connection_id": "c1"}', headers)), context)

    response = ingest.lambda_handler(
        _as("alice", api_event('{"prompt": "hello world", "connection_id": "c2"}', headers)), context
    )

    assert (response["statusCode"], _body(response)["error"]["code"]) == (422, "idempotency_key_reused")


def test_a_keyed_request_id_is_derived_from_caller_key_and_request(cloud, bedrock, context):
    _expect_guardrail(bedrock, guardrail_pass(), "hello world")
    event = _as("alice", api_event('{"prompt": "hello world"}', {"idempotency-key": "order-3"}))

    accepted = _body(ingest.lambda_handler(event, context))

    command = IngestCommand(prompt="hello world", idempotency_key="order-3", subject="alice")
    assert accepted["request_id"] == command.request_id()


def test_missing_guardrail_configuration_fails_loudly(cloud, context, monkeypatch):
    monkeypatch.delenv(ENV_GUARDRAIL_ID)
    monkeypatch.setenv(ENV_GUARDRAIL_VERSION, "1")
    ingest.load_settings.cache_clear()

    with pytest.raises(ConfigurationError, match=ENV_GUARDRAIL_ID):
        ingest.lambda_handler(api_event('{"prompt": "hi"}'), context)


# --- pure parts -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        (guardrail_pass(), Screening(blocked=False, text="orig", redacted=False)),
        (guardrail_anonymized("red {EMAIL}"), Screening(blocked=False, text="red {EMAIL}", redacted=True)),
        (guardrail_blocked("no"), Screening(blocked=True, text="", redacted=False, message="no")),
        (
            {**guardrail_anonymized(""), "outputs": []},
            Screening(blocked=True, text="", redacted=False, message=None),
        ),
    ],
    ids=["pass", "anonymized", "blocked", "intervened-without-output"],
)
def test_interpret_guardrail_response(response, expected):
    assert interpret(response, "orig") == expected


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("What is the capital of France and why?", "en"),
        ("¿Cuál es la capital de Francia y por qué?", "es"),
        ("Quelle est la capitale de la France et pourquoi ?", "fr"),
        ("Was ist die Hauptstadt von Deutschland und warum?", "de"),
        ("Qual é a capital do Brasil e por que não?", "pt"),
        ("Qual è la capitale d'Italia e perché non?", "it"),
        ("Wat is de hoofdstad van Nederland en waarom niet?", "nl"),
        ("Какая столица Франции?", "ru"),
        ("東京はどこですか", "ja"),
        ("北京在哪里", "zh"),
        ("서울은 어디입니까", "ko"),
        ("", "und"),
        ("42 + 17", "und"),
    ],
)
def test_detect_language(text, language):
    assert detect_language(text) == language


# --- fuzzing: nothing a client sends yields a 5xx ---------------------------------------------------

_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=50),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)
_bodies = st.one_of(
    st.text(max_size=300).map(api_event),
    st.binary(max_size=300).map(api_event),
    _json_values.map(lambda v: api_event(json.dumps(v))),
    st.fixed_dictionaries(
        {"prompt": _json_values | st.text(max_size=3000)},
        optional={"connection_id": _json_values | st.text(max_size=20), "extra": _json_values},
    ).map(lambda v: api_event(json.dumps(v))),
    st.tuples(st.text(min_size=1, max_size=200), st.text(max_size=40)).map(
        lambda t: api_event(json.dumps({"prompt": t[0]}), {"idempotency-key": t[1]})
    ),
    st.dictionaries(st.text(max_size=15), _json_values, max_size=6),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(event=_bodies)
def test_ingest_never_returns_5xx_on_client_input(cloud, context, monkeypatch, event):
    monkeypatch.setattr(guardrail, "screen", lambda prompt, *_: Screening(blocked=False, text=prompt, redacted=False))

    response = ingest.lambda_handler(event, context)

    assert 200 <= response["statusCode"] < 500
    body = json.loads(response["body"])
    assert ("request_id" in body) == (response["statusCode"] == 202)


# --- the connection_id must be the caller's own WebSocket connection (issue 12 §2) ---------------------


@pytest.mark.parametrize(
    ("owner", "caller"),
    [
        pytest.param("alice", "bob", id="another-callers-connection"),
        pytest.param(None, "bob", id="never-opened"),
        pytest.param("alice", None, id="no-caller"),
    ],
)
def test_a_connection_that_is_not_the_callers_is_403(cloud, context, owner, caller):
    if owner is not None:
        cloud.connect("Ab12Cd34=", owner)
    event = api_event(json.dumps({"prompt": "hello world", "connection_id": "Ab12Cd34="}))

    response = ingest.lambda_handler(_as(caller, event) if caller else event, context)

    assert (response["statusCode"], _body(response)["error"]["code"]) == (403, "connection_not_yours")
    assert cloud.events() == []  # rejected before screening or publishing


def test_a_closed_connection_is_403(cloud, context):
    cloud.connect("Ab12Cd34=", "alice")
    connections.unbind("Ab12Cd34=")

    response = ingest.lambda_handler(
        _as("alice", api_event(json.dumps({"prompt": "hello world", "connection_id": "Ab12Cd34="}))), context
    )

    assert response["statusCode"] == 403


def test_a_failing_connection_lookup_is_503_with_retry_after(cloud, context):
    with Stubber(aws.client("dynamodb")) as ddb:
        for _attempt in range(aws.MAX_ATTEMPTS):  # botocore retries throttling
            ddb.add_client_error("get_item", service_error_code="ProvisionedThroughputExceededException")
        response = ingest.lambda_handler(
            _as("alice", api_event(json.dumps({"prompt": "hello world", "connection_id": "Ab12Cd34="}))), context
        )

    assert (response["statusCode"], response["headers"]["retry-after"]) == (503, "2")


# --- a completed request's stored answer wins over the connection check (issue 12, rtmisc #3) ----------------


def _keyed(subject: str, key: str, connection_id: str = "Ab12Cd34=") -> dict[str, Any]:
    body = json.dumps({"prompt": "hello world", "connection_id": connection_id})
    return _as(subject, api_event(body, {"idempotency-key": key}))


def test_a_retry_of_an_accepted_request_after_its_connection_closed_gets_the_stored_202(cloud, bedrock, context):
    """The client's retry (same key, same body) of a request that was accepted replays the 202, even though the
    connection it named has closed since: the request exists, and answering 403 would tell the client it does not."""
    _expect_guardrail(bedrock, guardrail_pass(), "hello world")
    cloud.connect("Ab12Cd34=", "alice")
    first = ingest.lambda_handler(_keyed("alice", "order-9"), context)
    connections.unbind("Ab12Cd34=")

    again = ingest.lambda_handler(_keyed("alice", "order-9"), context)

    assert first["statusCode"] == again["statusCode"] == 202, _body(again)
    assert _body(again)["request_id"] == _body(first)["request_id"]
    assert len(cloud.events("RequestReceived")) == 1


def test_a_throttled_connection_lookup_does_not_hide_the_stored_202(cloud, bedrock, context):
    """The stored response needs no connection look-up: a throttled connections table changes nothing for it."""
    _expect_guardrail(bedrock, guardrail_pass(), "hello world")
    cloud.connect("Ab12Cd34=", "alice")
    first = ingest.lambda_handler(_keyed("alice", "order-10"), context)

    with Stubber(aws.client("dynamodb")) as ddb:
        for _attempt in range(aws.MAX_ATTEMPTS):
            ddb.add_client_error("get_item", service_error_code="ProvisionedThroughputExceededException")
        again = ingest.lambda_handler(_keyed("alice", "order-10"), context)

    assert (again["statusCode"], _body(again)["request_id"]) == (202, _body(first)["request_id"])


def test_a_new_keyed_request_still_needs_the_callers_open_connection(cloud, context):
    cloud.connect("Ab12Cd34=", "alice")
    connections.unbind("Ab12Cd34=")

    response = ingest.lambda_handler(_keyed("alice", "order-11"), context)

    assert (response["statusCode"], _body(response)["error"]["code"]) == (403, "connection_not_yours")
    assert cloud.events() == []


def test_a_403_is_not_stored_as_the_keys_answer(cloud, bedrock, context):
    """Refused because the connection was not (yet) the caller's: once it is, the same key and body are accepted."""
    first = ingest.lambda_handler(_keyed("alice", "order-12"), context)
    cloud.connect("Ab12Cd34=", "alice")
    _expect_guardrail(bedrock, guardrail_pass(), "hello world")

    again = ingest.lambda_handler(_keyed("alice", "order-12"), context)

    assert (first["statusCode"], again["statusCode"]) == (403, 202), _body(again)
    assert len(cloud.events("RequestReceived")) == 1


def test_a_throttled_connection_lookup_of_a_new_keyed_request_is_503_and_not_stored(cloud, bedrock, context):
    cloud.connect("Ab12Cd34=", "alice")
    with Stubber(aws.client("dynamodb")) as ddb:
        for _attempt in range(aws.MAX_ATTEMPTS):
            ddb.add_client_error("get_item", service_error_code="ProvisionedThroughputExceededException")
        refused = ingest.lambda_handler(_keyed("alice", "order-13"), context)
    _expect_guardrail(bedrock, guardrail_pass(), "hello world")

    again = ingest.lambda_handler(_keyed("alice", "order-13"), context)

    assert (refused["statusCode"], refused["headers"]["retry-after"], again["statusCode"]) == (503, "2", 202)


def test_the_request_carries_when_its_audit_records_expire(cloud, bedrock, context, monkeypatch):
    """rtmisc #2: the workflow's failure path cannot compute a date; ingest stamps it from AUDIT_RETENTION_DAYS."""
    import time  # noqa: PLC0415

    from functions.shared.constants import ENV_AUDIT_RETENTION_DAYS  # noqa: PLC0415

    monkeypatch.setenv(ENV_AUDIT_RETENTION_DAYS, "7")
    _expect_guardrail(bedrock, guardrail_pass(), "hello world")
    assert ingest.lambda_handler(api_event('{"prompt": "hello world"}'), context)["statusCode"] == 202

    (event,) = cloud.events("RequestReceived")
    assert abs(event["detail"]["audit_expires_at"] - (time.time() + 7 * 86_400)) < 60
