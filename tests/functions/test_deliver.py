"""deliver: WebSocket push (Stubber on the Management API), gone connections, failures, idempotency, and
only ever to a connection the request's caller opened (issue 12 §2)."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from botocore.exceptions import ClientError
from botocore.stub import Stubber

from functions.deliver import handler as deliver
from functions.shared import aws, connections
from functions.shared.envelopes import UnexpectedEventError
from functions.shared.events import DecisionMade, EscalationRequested
from tests.functions.conftest import ENVIRONMENT
from tests.functions.factories import envelope, new_request_id

ENDPOINT = ENVIRONMENT["WEBSOCKET_ENDPOINT"]
ALICE = "alice"


@pytest.fixture
def websocket(cloud):
    cloud.connect("Ab12Cd34=", ALICE)
    with Stubber(aws.client("apigatewaymanagementapi", ENDPOINT)) as stub:
        yield stub
        stub.assert_no_pending_responses()


def _decision(cloud, connection_id: str | None = "Ab12Cd34=", subject: str | None = ALICE) -> dict[str, Any]:
    request_id = new_request_id()
    key = f"outputs/2025/01/01/{request_id}.json"
    cloud.client("s3").put_object(
        Bucket="agentic-outputs-test", Key=key, Body=json.dumps({"answer": "Paris.", "request_id": request_id})
    )
    example = DecisionMade.model_json_schema()["examples"][0]
    detail = {**example, "request_id": request_id, "output_key": key, "output_bucket": "agentic-outputs-test"}
    return envelope("DecisionMade", {**detail, "connection_id": connection_id, "subject": subject})


def test_pushes_the_stored_answer(cloud, websocket, context):
    event = _decision(cloud)
    request_id = event["detail"]["request_id"]
    message = {"type": "result", "request_id": request_id, "answer": "Paris.", "confidence": 0.93}
    websocket.add_response(
        "post_to_connection", {}, {"ConnectionId": "Ab12Cd34=", "Data": json.dumps(message).encode("utf-8")}
    )

    result = deliver.lambda_handler(event, context)

    assert result["status"] == "delivered"
    assert result["outcome"] == "DecisionMade"
    assert [e["detail"]["status"] for e in cloud.events("ResultDelivered")] == ["delivered"]


def test_gone_connection_is_handled_gracefully(cloud, websocket, context):
    websocket.add_client_error("post_to_connection", service_error_code="GoneException", http_status_code=410)

    result = deliver.lambda_handler(_decision(cloud), context)

    assert result["status"] == "connection_gone"
    assert [e["detail"]["status"] for e in cloud.events("ResultDelivered")] == ["connection_gone"]


def test_other_websocket_errors_raise(cloud, websocket, context):
    websocket.add_client_error("post_to_connection", service_error_code="ForbiddenException", http_status_code=403)

    with pytest.raises(ClientError, match="ForbiddenException"):
        deliver.lambda_handler(_decision(cloud), context)
    assert cloud.events() == []


def test_escalations_tell_the_user_to_wait(cloud, websocket, context):
    example = EscalationRequested.model_json_schema()["examples"][0]
    detail = {
        **example,
        "request_id": new_request_id(),
        "connection_id": cloud.connect("Zz9=", ALICE),
        "subject": ALICE,
    }
    websocket.add_response(
        "post_to_connection",
        {},
        {
            "ConnectionId": "Zz9=",
            "Data": json.dumps(
                {"type": "escalated", "request_id": detail["request_id"], "message": deliver.ESCALATED_MESSAGE}
            ).encode("utf-8"),
        },
    )

    result = deliver.lambda_handler(envelope("EscalationRequested", detail), context)

    assert (result["status"], result["outcome"]) == ("delivered", "EscalationRequested")


def test_no_connection_means_nothing_to_push(cloud, websocket, context):
    result = deliver.lambda_handler(_decision(cloud, connection_id=None), context)

    assert result["status"] == "no_connection"


def test_redelivered_events_are_pushed_once(cloud, websocket, context):
    event = _decision(cloud)
    websocket.add_response("post_to_connection", {})

    first = deliver.lambda_handler(event, context)
    second = deliver.lambda_handler({**event, "id": "another-delivery-attempt"}, context)

    assert first == second
    assert len(cloud.events("ResultDelivered")) == 1


@pytest.mark.parametrize(
    ("connection_id", "subject", "status"),
    [
        pytest.param("Ab12Cd34=", "mallory", "connection_not_owned", id="another-callers-connection"),
        pytest.param("Ab12Cd34=", None, "connection_not_owned", id="request-without-a-caller"),
        pytest.param("Never0pened=", ALICE, "connection_unknown", id="never-opened"),
    ],
)
def test_pushes_only_to_the_callers_own_connection(cloud, websocket, context, connection_id, subject, status):
    """The Stubber has no response queued: any PostToConnection would fail the test."""
    result = deliver.lambda_handler(_decision(cloud, connection_id=connection_id, subject=subject), context)

    assert result["status"] == status
    assert [e["detail"]["status"] for e in cloud.events("ResultDelivered")] == [status]


def test_a_closed_connection_is_not_pushed(cloud, websocket, context):
    connections.unbind("Ab12Cd34=")

    result = deliver.lambda_handler(_decision(cloud), context)

    assert result["status"] == "connection_unknown"


def test_an_expired_connection_has_no_owner(cloud):
    cloud.connect("Old0ne=", ALICE)

    assert connections.owner("Old0ne=") == ALICE
    assert connections.owner("Old0ne=", now=time.time() + connections.CONNECTION_LIFETIME_SECONDS + 1) is None


def test_rejects_events_it_does_not_consume(cloud, context):
    with pytest.raises(UnexpectedEventError):
        deliver.lambda_handler(envelope("RequestReceived", {"request_id": new_request_id()}), context)
