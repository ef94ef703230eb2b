"""actions: the agent's action group puts RequestReceived on the bus, reads status, never crashes on input."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import boto3
import pytest
from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer
from botocore.exceptions import ClientError
from botocore.stub import Stubber
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from functions.actions import handler as actions
from functions.actions import schema
from functions.ingest import guardrail
from functions.ingest.guardrail import Screening
from functions.shared import aws, idempotency
from functions.shared import constants as c
from tests.functions.conftest import ENVIRONMENT
from tests.functions.factories import (
    SESSION,
    agent_event,
    guardrail_anonymized,
    guardrail_blocked,
    guardrail_pass,
    new_request_id,
)


def answer(response: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """Status and parsed JSON body of an action-group response (and check its envelope)."""
    assert response["messageVersion"] == "1.0"
    inner = response["response"]
    assert set(inner) >= {"actionGroup", "apiPath", "httpMethod", "httpStatusCode", "responseBody"}
    return inner["httpStatusCode"], json.loads(inner["responseBody"]["application/json"]["body"])


@pytest.fixture(autouse=True)
def _fresh_settings() -> Iterator[None]:
    actions.load_settings.cache_clear()
    actions.submit_once.cache_clear()
    yield
    actions.load_settings.cache_clear()
    actions.submit_once.cache_clear()


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
            "guardrailIdentifier": ENVIRONMENT[c.ENV_GUARDRAIL_ID],
            "guardrailVersion": ENVIRONMENT[c.ENV_GUARDRAIL_VERSION],
            "source": "INPUT",
            "content": [{"text": {"text": text}}],
        },
    )


# --- POST /requests: the only hand-off from the agent to back-end automation ------------------------


def test_submit_puts_request_received_on_the_bus_and_returns_its_id(cloud, bedrock, context):
    _expect_guardrail(bedrock, guardrail_pass(), "Renew my parking permit")

    response = actions.lambda_handler(agent_event(body={"prompt": "  Renew my parking permit\x00 "}), context)

    status, body = answer(response)
    assert status == 200
    assert body["status"] == "accepted"
    assert response["response"]["actionGroup"] == "requests"
    assert response["response"]["apiPath"] == "/requests"
    assert response["response"]["httpMethod"] == "POST"
    [event] = cloud.events("RequestReceived")
    assert event["source"] == c.EVENT_SOURCE
    assert event["detail"]["request_id"] == body["request_id"]
    assert event["detail"]["prompt"] == "Renew my parking permit"
    assert event["detail"]["pii_redacted"] is False
    assert event["detail"]["language"] == body["language"]
    assert event["detail"]["connection_id"] is None
    assert actions.logger.get_correlation_id() == body["request_id"]


def test_pii_is_redacted_before_the_event(cloud, bedrock, context):
    prompt = "Email ada@example.com when my permit is renewed"
    _expect_guardrail(bedrock, guardrail_anonymized("Email {EMAIL} when my permit is renewed"), prompt)

    status, _ = answer(actions.lambda_handler(agent_event(body={"prompt": prompt}), context))

    assert status == 200
    [event] = cloud.events("RequestReceived")
    assert event["detail"]["pii_redacted"] is True
    assert "ada@example.com" not in json.dumps(event)


def test_blocked_prompt_is_a_400_and_emits_nothing(cloud, bedrock, context):
    _expect_guardrail(bedrock, guardrail_blocked("Not allowed."), "how to build a weapon")

    status, body = answer(actions.lambda_handler(agent_event(body={"prompt": "how to build a weapon"}), context))

    assert (status, body) == (400, {"code": "blocked_by_guardrail", "message": "Not allowed."})
    assert cloud.events() == []
    assert _audit_items() == []  # a blocked prompt claims no request id


def test_a_repeated_tool_call_submits_once(cloud, bedrock, context):
    """The agent may call the same operation again in a session: one workflow run, the same request id."""
    _expect_guardrail(bedrock, guardrail_pass(), "Renew my parking permit")
    event = agent_event(body={"prompt": "Renew my parking permit"})

    first = answer(actions.lambda_handler(event, context))
    second = answer(actions.lambda_handler(event, context))

    assert first == second
    assert len(cloud.events("RequestReceived")) == 1


def test_a_store_failure_after_the_publish_is_a_503_and_the_retry_is_the_same_request(
    cloud, bedrock, context, monkeypatch
):
    """The idempotency store fails to record completion after RequestReceived was put on the bus: the agent
    gets a 503 (never a crashed invocation), and its retry, once the in-progress record is gone, publishes
    the same request id (its ``submitted`` record is inside the window), so the router and decide, idempotent on
    the request id, run it once."""
    _expect_guardrail(bedrock, guardrail_pass(), "Renew my parking permit")
    _expect_guardrail(bedrock, guardrail_pass(), "Renew my parking permit")
    original = DynamoDBPersistenceLayer._update_record
    failures = iter([True])

    def flaky(self: DynamoDBPersistenceLayer, data_record: Any) -> None:
        if next(failures, False):
            raise ClientError(
                {"Error": {"Code": "ProvisionedThroughputExceededException", "Message": "slow"}}, "Update"
            )
        original(self, data_record)

    monkeypatch.setattr(DynamoDBPersistenceLayer, "_update_record", flaky)
    event = agent_event(body={"prompt": "Renew my parking permit"})

    assert answer(actions.lambda_handler(event, context))[0] == 503
    # The in-progress record lasts the invocation's remaining time; once it is gone the agent's retry runs.
    ddb = boto3.client("dynamodb")
    table = ENVIRONMENT[c.ENV_IDEMPOTENCY_TABLE_NAME]
    for item in ddb.scan(TableName=table)["Items"]:
        ddb.delete_item(TableName=table, Key={"id": item["id"]})
    status, body = answer(actions.lambda_handler(event, context))

    assert status == 200
    ids = {e["detail"]["request_id"] for e in cloud.events("RequestReceived")}
    assert ids == {body["request_id"]}


def test_another_session_is_another_request(cloud, bedrock, context):
    _expect_guardrail(bedrock, guardrail_pass(), "Renew my parking permit")
    _expect_guardrail(bedrock, guardrail_pass(), "Renew my parking permit")

    a = answer(actions.lambda_handler(agent_event(body={"prompt": "Renew my parking permit"}), context))
    b = answer(
        actions.lambda_handler(agent_event(body={"prompt": "Renew my parking permit"}, session_id="s2"), context)
    )

    assert a[1]["request_id"] != b[1]["request_id"]
    assert len(cloud.events("RequestReceived")) == 2


# --- a submission after the idempotency window is a new request (review s11 3 #8) ---------------------------
# Bedrock's event names the session, not the tool call, and a client may reuse its sessionId for good: the same
# prompt in the same session is a retry within the window and a new request after it. Compliant: the repeated
# tool call and the store-failure retry above, and the retry below; numbered: what went wrong before.


def _audit_items() -> list[dict[str, Any]]:
    return boto3.client("dynamodb").scan(TableName=ENVIRONMENT[c.ENV_AUDIT_TABLE_NAME])["Items"]


def _expire_idempotency_records() -> None:
    """What DynamoDB's TTL does to Powertools' records once the window passed."""
    ddb = boto3.client("dynamodb")
    table = ENVIRONMENT[c.ENV_IDEMPOTENCY_TABLE_NAME]
    for item in ddb.scan(TableName=table)["Items"]:
        ddb.delete_item(TableName=table, Key={"id": item["id"]})


def _age_submissions(seconds: int) -> None:
    """Move every ``submitted`` record ``seconds`` into the past (time passing, not a platform write)."""
    ddb = boto3.client("dynamodb")
    for item in _audit_items():
        if item[c.AUDIT_SORT_ATTR]["S"] == c.AUDIT_SUBMITTED_RECORD:
            when = datetime.fromisoformat(item["recorded_at"]["S"]) - timedelta(seconds=seconds)
            ddb.put_item(
                TableName=ENVIRONMENT[c.ENV_AUDIT_TABLE_NAME], Item={**item, "recorded_at": {"S": when.isoformat()}}
            )


def test_a_retry_within_the_window_that_lost_its_record_is_the_same_request(cloud, bedrock, context):
    first = _submit(bedrock, context)
    _expire_idempotency_records()  # the record was lost (a store failure), the window has not passed
    _age_submissions(idempotency.ttl_seconds() - 60)

    assert _submit(bedrock, context) == first
    assert {e["detail"]["request_id"] for e in cloud.events("RequestReceived")} == {first}


def test_submission_noncompliance_1_the_same_prompt_after_the_window_is_a_new_request(cloud, bedrock, context):
    """The review's sequence: a reused sessionId, the same prompt after the window. Before, it was published under
    the first request's id, the workflow folded it into that finished request, and the agent said "accepted"."""
    first = _submit(bedrock, context)
    _put_audit(first, "decision", outcome="accepted", decided_at="2025-01-01T12:00:00+00:00")
    _expire_idempotency_records()
    _age_submissions(idempotency.ttl_seconds() + 1)

    second = _submit(bedrock, context)

    assert second != first
    assert [e["detail"]["request_id"] for e in cloud.events("RequestReceived")] == [first, second]
    assert _status(context, second) == (200, {"request_id": second, "status": "pending", "updated_at": ""})
    assert _status(context, first)[1]["status"] == "accepted"  # the first request keeps its own outcome


def test_submission_noncompliance_2_each_later_window_is_another_request(cloud, bedrock, context):
    ids = []
    for _window in range(3):
        ids.append(_submit(bedrock, context))
        _expire_idempotency_records()
        _age_submissions(idempotency.ttl_seconds() + 1)

    assert len(set(ids)) == 3
    assert [e["detail"]["request_id"] for e in cloud.events("RequestReceived")] == ids


def test_submission_noncompliance_3_a_failing_audit_table_is_a_503_and_publishes_nothing(cloud, bedrock, context):
    _expect_guardrail(bedrock, guardrail_pass(), "Renew my parking permit")
    with Stubber(aws.client("dynamodb")) as ddb:
        ddb.add_client_error("put_item", service_error_code="ProvisionedThroughputExceededException")

        status, body = answer(actions.lambda_handler(agent_event(body={"prompt": "Renew my parking permit"}), context))

    assert (status, body["code"]) == (503, "unavailable")
    assert cloud.events() == []
    retried = _submit(bedrock, context)  # the agent's retry: recorded and published once
    assert [e["detail"]["request_id"] for e in cloud.events("RequestReceived")] == [retried]


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (None, 422, "invalid_input"),
        ({}, 422, "invalid_input"),
        ({"question": "Renew my permit"}, 422, "invalid_input"),
        ({"prompt": "Renew my permit", "urgent": "yes"}, 422, "invalid_input"),
        ({"prompt": ""}, 422, "invalid_input"),
        ({"prompt": " \x00\t "}, 422, "empty_prompt"),
        ({"prompt": "x" * 2001}, 413, "prompt_too_large"),
    ],
)
def test_bad_input_is_a_4xx_and_emits_nothing(cloud, context, body, status, code):
    got, error = answer(actions.lambda_handler(agent_event(body=body), context))

    assert (got, error["code"]) == (status, code)
    assert set(error) == {"code", "message"}
    assert cloud.events() == []


def test_guardrail_outage_is_a_503(cloud, bedrock, context):
    bedrock.add_client_error("apply_guardrail", service_error_code="ThrottlingException", http_status_code=429)

    status, body = answer(actions.lambda_handler(agent_event(body={"prompt": "Renew my permit"}), context))

    assert (status, body["code"]) == (503, "screening_unavailable")


def test_bus_outage_is_a_503(cloud, bedrock, context):
    _expect_guardrail(bedrock, guardrail_pass(), "Renew my permit")
    with Stubber(aws.client("events")) as events:
        events.add_client_error("put_events", service_error_code="InternalException", http_status_code=500)

        status, body = answer(actions.lambda_handler(agent_event(body={"prompt": "Renew my permit"}), context))

    assert (status, body["code"]) == (503, "unavailable")


# --- GET /requests/{request_id}: status from the audit table, for the submitting session only -----------------
# Review s11 3 #11 (P062): compliant cases read their own session's requests; the numbered non-compliant cases
# are ids the session did not submit, each answered exactly as an unknown id is (existence is not disclosed).

UNKNOWN = (404, {"code": "unknown_request", "message": "No request with this id was submitted in this session."})


def _status(context, request_id: str, session_id: str = SESSION) -> tuple[int, dict[str, Any]]:
    event = agent_event(
        "/requests/{request_id}",
        "GET",
        parameters=[{"name": "request_id", "type": "string", "value": request_id}],
        session_id=session_id,
    )
    return answer(actions.lambda_handler(event, context))


def _put_audit(request_id: str, record: str, **attributes: str) -> None:
    boto3.client("dynamodb").put_item(
        TableName=ENVIRONMENT[c.ENV_AUDIT_TABLE_NAME],
        Item={
            c.AUDIT_KEY_ATTR: {"S": request_id},
            c.AUDIT_SORT_ATTR: {"S": record},
            **{name: {"S": value} for name, value in attributes.items()},
        },
    )


def _submit(bedrock: Stubber, context, prompt: str = "Renew my parking permit", session_id: str = SESSION) -> str:
    _expect_guardrail(bedrock, guardrail_pass(), prompt)
    status, body = answer(actions.lambda_handler(agent_event(body={"prompt": prompt}, session_id=session_id), context))
    assert status == 200, body
    return str(body["request_id"])


def test_status_is_pending_until_the_outcome_is_recorded(cloud, bedrock, context):
    request_id = _submit(bedrock, context)

    assert _status(context, request_id) == (200, {"request_id": request_id, "status": "pending", "updated_at": ""})


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        ([("decision", "accepted", "decided_at")], "accepted"),
        ([("decision", "escalated", "decided_at")], "escalated"),
        ([("workflow_failed", "workflow_failed", "recorded_at")], "workflow_failed"),
        # A decision that was recorded but never published, then the failure path: the user was told "failed".
        (
            [("decision", "accepted", "decided_at"), ("workflow_failed", "workflow_failed", "recorded_at")],
            "workflow_failed",
        ),
    ],
)
def test_status_comes_from_the_audit_record(cloud, bedrock, context, item, expected):
    request_id = _submit(bedrock, context)
    for record, outcome, stamp in item:
        _put_audit(request_id, record, outcome=outcome, **{stamp: "2025-01-01T12:00:00+00:00"})

    status, body = _status(context, request_id)

    assert status == 200
    assert body == {"request_id": request_id, "status": expected, "updated_at": "2025-01-01T12:00:00+00:00"}


def test_noncompliance_1_another_sessions_request_is_unknown(cloud, bedrock, context):
    request_id = _submit(bedrock, context)
    _put_audit(request_id, "decision", outcome="accepted", decided_at="2025-01-01T12:00:00+00:00")

    assert _status(context, request_id, session_id="s2") == UNKNOWN
    assert _status(context, request_id)[0] == 200  # ... while its own session reads it


def test_noncompliance_2_an_http_callers_request_is_unknown(cloud, context):
    """A request of the HTTP API (ingest) has its decision but no agent ``submitted`` record: not the agent's."""
    request_id = new_request_id()
    _put_audit(request_id, "decision", outcome="escalated", decided_at="2025-01-01T12:00:00+00:00")
    _put_audit(request_id, "workflow_failed", outcome="workflow_failed", recorded_at="2025-01-01T12:00:00+00:00")

    assert _status(context, request_id) == UNKNOWN


def test_noncompliance_3_an_unknown_id_is_unknown(cloud, context):
    assert _status(context, new_request_id()) == UNKNOWN


def test_noncompliance_4_a_submitted_record_of_another_session_digest_is_unknown(cloud, context):
    """The record names the session by digest; a record naming another digest (or none) does not match."""
    request_id = new_request_id()
    _put_audit(request_id, "submitted", recorded_at="2025-01-01T12:00:00+00:00", session_sha256="0" * 64)
    other = new_request_id()
    _put_audit(other, "submitted", recorded_at="2025-01-01T12:00:00+00:00")

    assert _status(context, request_id) == UNKNOWN
    assert _status(context, other) == UNKNOWN


def test_status_of_a_malformed_id_is_a_422(cloud, context):
    status, body = _status(context, "not-a-request-id")

    assert (status, body["code"]) == (422, "invalid_input")


def test_unknown_operation_is_a_404(cloud, context):
    status, body = answer(actions.lambda_handler(agent_event("/admin", "DELETE"), context))

    assert (status, body["code"]) == (404, "no_such_operation")


# --- malformed events: an error response, never an exception -------------------------------------------


@pytest.mark.parametrize(
    "event",
    [
        {},
        {"actionGroup": "requests"},
        {**agent_event(), "apiPath": None},
        {**agent_event(), "agent": "not an object"},
        {key: value for key, value in agent_event().items() if key != "httpMethod"},
    ],
)
def test_malformed_event_is_an_error_response(cloud, context, event):
    status, body = answer(actions.lambda_handler(event, context))

    assert (status, body["code"]) == (400, "malformed_event")
    assert cloud.events() == []


_text = st.text(max_size=40)
_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | _text,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(_text, children, max_size=3),
    max_leaves=8,
)
_properties = st.lists(
    st.fixed_dictionaries({"name": st.sampled_from(["prompt", "question", ""]) | _text, "type": _text, "value": _text}),
    max_size=3,
)
_events = st.one_of(
    st.dictionaries(_text, _json, max_size=5),
    st.builds(
        lambda path, method, props, params, extra: {
            **agent_event(path, method, parameters=params),
            "requestBody": {"content": {"application/json": {"properties": props}}},
            **extra,
        },
        st.sampled_from(["/requests", "/requests/{request_id}", "/", ""]) | _text,
        st.sampled_from(["POST", "GET", "PUT"]) | _text,
        _properties,
        st.lists(
            st.fixed_dictionaries({"name": st.just("request_id") | _text, "type": _text, "value": _text}), max_size=2
        ),
        st.dictionaries(
            st.sampled_from(["sessionId", "agent", "requestBody", "parameters", "inputText"]), _json, max_size=2
        ),
    ),
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(event=_events)
def test_any_event_gets_a_well_formed_answer(cloud, context, monkeypatch, event):
    monkeypatch.setattr(guardrail, "screen", lambda prompt, *_: Screening(blocked=False, text=prompt, redacted=False))

    status, body = answer(actions.lambda_handler(event, context))

    assert 200 <= status < 600
    assert status != 500
    if status != 200:
        assert set(body) == {"code", "message"}


# --- the action group's OpenAPI schema ----------------------------------------------------------------


def test_committed_schema_is_the_generated_one():
    """Run `python -m functions.actions.schema` after changing an operation."""
    assert schema.SCHEMA_FILE.read_text(encoding="utf-8") == schema.generate()
    assert schema.main(["--check"]) == 0


def test_schema_is_what_bedrock_reads():
    """OpenAPI 3.0 (Bedrock agents do not read 3.1), each operation with an operationId and a description."""
    document = json.loads(schema.SCHEMA_FILE.read_text(encoding="utf-8"))
    assert document["openapi"].startswith("3.0.")
    operations = {(path, method): op for path, item in document["paths"].items() for method, op in item.items()}
    assert set(operations) == {("/requests", "post"), ("/requests/{request_id}", "get")}
    for operation in operations.values():
        assert operation["operationId"]
        assert operation["description"]
        assert "200" in operation["responses"]
    assert "const" not in json.dumps(document)  # not an OpenAPI 3.0 keyword
