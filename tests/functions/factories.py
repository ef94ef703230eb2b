"""Builders of events and AWS responses used across the runtime tests."""

from __future__ import annotations

import base64
import json
import uuid
from typing import Any

from functions.shared.constants import EVENT_SOURCE

GUARDRAIL_USAGE = {
    "topicPolicyUnits": 1,
    "contentPolicyUnits": 1,
    "wordPolicyUnits": 1,
    "sensitiveInformationPolicyUnits": 1,
    "sensitiveInformationPolicyFreeUnits": 0,
    "contextualGroundingPolicyUnits": 0,
}


def api_event(
    body: str | bytes | None,
    headers: dict[str, str] | None = None,
    *,
    base64_encoded: bool = False,
) -> dict[str, Any]:
    """An API Gateway HTTP API (payload 2.0) event for ``POST /requests``."""
    if isinstance(body, bytes):
        body, base64_encoded = base64.b64encode(body).decode("ascii"), True
    return {
        "version": "2.0",
        "routeKey": "POST /requests",
        "rawPath": "/requests",
        "rawQueryString": "",
        "headers": {"content-type": "application/json", **(headers or {})},
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "api123",
            "domainName": "api123.execute-api.us-east-1.amazonaws.com",
            "domainPrefix": "api123",
            "http": {
                "method": "POST",
                "path": "/requests",
                "protocol": "HTTP/1.1",
                "sourceIp": "192.0.2.1",
                "userAgent": "pytest",
            },
            "requestId": "req-1",
            "routeKey": "POST /requests",
            "stage": "$default",
            "time": "01/Jan/2025:12:00:00 +0000",
            "timeEpoch": 1735732800000,
        },
        "body": body,
        "isBase64Encoded": base64_encoded,
    }


def guardrail_pass() -> dict[str, Any]:
    return {"usage": GUARDRAIL_USAGE, "action": "NONE", "outputs": [], "assessments": [{}]}


def guardrail_anonymized(text: str) -> dict[str, Any]:
    return {
        "usage": GUARDRAIL_USAGE,
        "action": "GUARDRAIL_INTERVENED",
        "outputs": [{"text": text}],
        "assessments": [
            {
                "sensitiveInformationPolicy": {
                    "piiEntities": [{"match": "ada@example.com", "type": "EMAIL", "action": "ANONYMIZED"}],
                    "regexes": [],
                }
            }
        ],
    }


def guardrail_blocked(message: str = "Sorry, I cannot help with that.") -> dict[str, Any]:
    return {
        "usage": GUARDRAIL_USAGE,
        "action": "GUARDRAIL_INTERVENED",
        "outputs": [{"text": message}],
        "assessments": [
            {"topicPolicy": {"topics": [{"name": "weapons", "type": "DENY", "action": "BLOCKED"}]}},
        ],
    }


def converse_response(
    text: str, *, stop_reason: str = "end_turn", input_tokens: int = 100, output_tokens: int = 20
) -> dict[str, Any]:
    return {
        "output": {"message": {"role": "assistant", "content": [{"text": text}]}},
        "stopReason": stop_reason,
        "usage": {
            "inputTokens": input_tokens,
            "outputTokens": output_tokens,
            "totalTokens": input_tokens + output_tokens,
        },
        "metrics": {"latencyMs": 120},
    }


def model_json(answer: str, confidence: float) -> str:
    return json.dumps({"answer": answer, "confidence": confidence})


def envelope(detail_type: str, detail: dict[str, Any]) -> dict[str, Any]:
    """An EventBridge event as a rule target receives it."""
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": detail_type,
        "source": EVENT_SOURCE,
        "account": "123456789012",
        "time": "2025-01-01T12:00:00Z",
        "region": "us-east-1",
        "resources": [],
        "detail": detail,
    }


def new_request_id() -> str:
    return str(uuid.uuid4())


#: The agent session of the action-group events (Bedrock session ids are 2-100 characters).
SESSION = "12345678912345"


def agent_event(
    api_path: str = "/requests",
    method: str = "POST",
    *,
    body: dict[str, str] | None = None,
    parameters: list[dict[str, str]] | None = None,
    session_id: str = SESSION,
) -> dict[str, Any]:
    """A Bedrock agent OpenAPI action-group event, shaped like Powertools' own test event
    (aws-powertools/powertools-lambda-python tests/events/bedrockAgentPostEvent.json) and the input
    format in docs.aws.amazon.com/bedrock/latest/userguide/agents-lambda.html#agents-lambda-input.
    """
    event: dict[str, Any] = {
        "actionGroup": "requests",
        "messageVersion": "1.0",
        "sessionId": session_id,
        "sessionAttributes": {},
        "promptSessionAttributes": {},
        "inputText": "Please look into my parking permit renewal",
        "agent": {
            "alias": "TSTALIASID",
            "name": "agentic-platform-dev-assistant",
            "version": "DRAFT",
            "id": "8ZXY0W8P1H",
        },
        "httpMethod": method,
        "apiPath": api_path,
        "parameters": parameters or [],
    }
    if body is not None:
        event["requestBody"] = {
            "content": {
                "application/json": {
                    "properties": [{"name": name, "type": "string", "value": value} for name, value in body.items()]
                }
            }
        }
    return event
