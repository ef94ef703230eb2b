"""deliver: WebSocket push (Stubber on the Management API), gone connections, failures, idempotency."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError
from botocore.stub import Stubber

from functions.deliver import handler as deliver
from functions.shared import aws
from functions.shared.envelopes import UnexpectedEventError
from functions.shared.events import DecisionMade, EscalationRequested
from tests.functions.conftest import ENVIRONMENT
from tests.functions.factories import envelope, new_request_id

ENDPOINT = ENVIRONMENT["WEBSOCKET_ENDPOINT"]


@pytest.fixture
def websocket(cloud):
    with Stubber(aws.client("apigatewaymanagementapi", ENDPOINT)) as stub:
        yield stub
        stub.assert_no_pending_responses()


def _decision(cloud, connection_id: str | None = "Ab12Cd34=") -> dict[str, Any]:
    request_id = new_request_id()
    key = f"outputs/2025/01/01/{request_id}.json"
    cloud.client("s3").put_object(
        Bucket="agentic-outputs-test", Key=key, Body=json.dumps({"answer": "Paris.", "request_id": request_id})
    )
    example = DecisionMade.model_json_schema()["examples"][0]
    detail = {**example, "request_id": request_id, "output_key": key, "output_bucket": "agentic-outputs-test"}
    return envelope("DecisionMade", {**detail, "connection_id": connection_id})


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
    detail = {**example, "request_id": new_request_id(), "connection_id": "Zz9="}
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


def test_rejects_events_it_does_not_consume(cloud, context):
    with pytest.raises(UnexpectedEventError):
        deliver.lambda_handler(envelope("RequestReceived", {"request_id": new_request_id()}), context)
