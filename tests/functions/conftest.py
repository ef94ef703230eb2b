"""Offline fixtures for the Lambda runtime: fake credentials, Powertools settings, moto resources.

The environment is set at import time, before any handler module is imported (handlers build their
idempotency store at import, as Lambda code does). ``moto`` is imported first so every boto3 client
created later is intercepted while a mock is active.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import moto  # noqa: F401  # must precede any boto3 client creation
import pytest
from moto import mock_aws

from functions.shared import constants as c

REGION = "us-east-1"
#: The program's prompt template sources (YAML); the runtime's default is the package's compiled copy.
PROMPT_SOURCES = Path(__file__).resolve().parents[2] / "prompts"
ACCOUNT = "123456789012"  # moto's default account
BUS = "agentic-test"
TOPIC = "review-topic"
MODEL_IDS = {"micro": "test.micro-v1", "lite": "test.lite-v1", "pro": "test.pro-v1", "premier": "test.premier-v1"}
PRICES = {
    "micro": {"input_per_1k": 0.001, "output_per_1k": 0.004},
    "lite": {"input_per_1k": 0.002, "output_per_1k": 0.008},
    "pro": {"input_per_1k": 0.01, "output_per_1k": 0.04},
    "premier": {"input_per_1k": 0.03, "output_per_1k": 0.12},
}

ENVIRONMENT = {
    "AWS_DEFAULT_REGION": REGION,
    "AWS_REGION": REGION,
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_SECURITY_TOKEN": "testing",
    "POWERTOOLS_TRACE_DISABLED": "1",
    "POWERTOOLS_METRICS_NAMESPACE": "AgenticPlatformTest",
    "POWERTOOLS_SERVICE_NAME": "functions-tests",
    "POWERTOOLS_LOG_LEVEL": "WARNING",
    c.ENV_EVENT_BUS_NAME: BUS,
    c.ENV_IDEMPOTENCY_TABLE_NAME: "idempotency",
    c.ENV_GUARDRAIL_ID: "gr0test0id",
    c.ENV_GUARDRAIL_VERSION: "1",
    c.ENV_MAX_PROMPT_CHARS: "2000",
    c.ENV_MAX_BODY_BYTES: "16384",
    c.ENV_MODEL_IDS: json.dumps(MODEL_IDS),
    c.ENV_MAX_TIER: "pro",
    c.ENV_MODEL_PRICES: json.dumps(PRICES),
    c.ENV_CONFIDENCE_THRESHOLD: "0.7",
    c.ENV_TOKEN_BUDGET: "6000",
    c.ENV_MAX_OUTPUT_TOKENS: "512",
    c.ENV_CACHE_TABLE_NAME: "answer-cache",
    c.ENV_CACHE_TTL_SECONDS: "3600",
    c.ENV_DECISION_CONFIDENCE_THRESHOLD: "0.7",
    c.ENV_OUTPUTS_BUCKET_NAME: "agentic-outputs-test",
    c.ENV_ESCALATION_TOPIC_ARN: f"arn:aws:sns:{REGION}:{ACCOUNT}:{TOPIC}",
    c.ENV_AUDIT_TABLE_NAME: "audit",
    c.ENV_AUDIT_RETENTION_DAYS: "30",
    c.ENV_WEBSOCKET_ENDPOINT: "https://abc123.execute-api.us-east-1.amazonaws.com/test",
    c.ENV_CONNECTIONS_TABLE_NAME: "connections",
    c.ENV_JWT_ISSUER: "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_TestPool",
    c.ENV_JWT_AUDIENCE: json.dumps(["test-app-client"]),
    # The program's template sources: a deployment package carries them compiled next to the loader instead.
    c.ENV_PROMPTS_DIR: str(PROMPT_SOURCES),
}
os.environ.update(ENVIRONMENT)


def _clear_caches() -> None:
    from functions.actions import handler as actions_handler  # noqa: PLC0415
    from functions.connections import authorizer, tokens  # noqa: PLC0415
    from functions.decide import config as decide_config  # noqa: PLC0415
    from functions.deliver import handler as deliver_handler  # noqa: PLC0415
    from functions.ingest import handler as ingest_handler  # noqa: PLC0415
    from functions.router import config as router_config  # noqa: PLC0415
    from functions.shared import aws  # noqa: PLC0415

    aws.client.cache_clear()
    aws.model_client.cache_clear()
    ingest_handler.load_settings.cache_clear()
    router_config.load_settings.cache_clear()
    decide_config.load_settings.cache_clear()
    deliver_handler.websocket_endpoint.cache_clear()
    deliver_handler.audit_table.cache_clear()
    deliver_handler.audit_retention_days.cache_clear()
    authorizer.load_settings.cache_clear()
    tokens.jwks_client.cache_clear()
    actions_handler.load_settings.cache_clear()
    actions_handler.submit_once.cache_clear()


@dataclass
class LambdaContext:
    """Enough of the Lambda context for Powertools."""

    function_name: str = "test-function"
    memory_limit_in_mb: int = 256
    invoked_function_arn: str = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:test-function"
    aws_request_id: str = "52fdfc07-2182-454f-963f-5f0f9a621d72"
    remaining_ms: int = 30_000  # the functions' default timeout; the router's is 120 s (components/platform.py)

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining_ms


@pytest.fixture
def context() -> LambdaContext:
    return LambdaContext()


@dataclass
class Cloud:
    """Handles on the moto resources of one test."""

    session: Any
    capture_queue_url: str
    topic_capture_queue_url: str
    review_queue_url: str

    def client(self, name: str) -> Any:
        return self.session.client(name, region_name=REGION)

    def _drain(self, queue_url: str) -> list[dict[str, Any]]:
        sqs = self.client("sqs")
        messages: list[dict[str, Any]] = []
        while True:
            batch = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", [])
            if not batch:
                return messages
            messages.extend(json.loads(m["Body"]) for m in batch)
            for m in batch:
                sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=m["ReceiptHandle"])

    def events(self, detail_type: str | None = None) -> list[dict[str, Any]]:
        """EventBridge events put on the platform bus since the last call."""
        found = self._drain(self.capture_queue_url)
        return [e for e in found if detail_type is None or e["detail-type"] == detail_type]

    def review_messages(self) -> list[dict[str, Any]]:
        """The review queue's cases (raw SNS delivery, as components/escalation.py subscribes it)."""
        return self._drain(self.review_queue_url)

    def sns_notices(self) -> list[dict[str, Any]]:
        return [json.loads(n["Message"]) for n in self._drain(self.topic_capture_queue_url)]

    def connect(self, connection_id: str, subject: str) -> str:
        """``subject`` opens WebSocket connection ``connection_id`` (the ``$connect`` route's record)."""
        from functions.shared import connections  # noqa: PLC0415

        connections.bind(connection_id, subject)
        return connection_id


def create_tables(ddb: Any) -> None:
    """Every table the handlers use, keyed as components/platform.py creates them."""
    _table(ddb, ENVIRONMENT[c.ENV_IDEMPOTENCY_TABLE_NAME], c.IDEMPOTENCY_KEY_ATTR)
    _table(ddb, ENVIRONMENT[c.ENV_CACHE_TABLE_NAME], c.CACHE_KEY_ATTR)
    _table(ddb, ENVIRONMENT[c.ENV_AUDIT_TABLE_NAME], c.AUDIT_KEY_ATTR, c.AUDIT_SORT_ATTR)
    _table(ddb, ENVIRONMENT[c.ENV_CONNECTIONS_TABLE_NAME], c.CONNECTION_KEY_ATTR)


def _table(ddb: Any, name: str, key: str, sort_key: str | None = None) -> None:
    keys = [(key, "HASH")] + ([(sort_key, "RANGE")] if sort_key else [])
    ddb.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": n, "KeyType": t} for n, t in keys],
        AttributeDefinitions=[{"AttributeName": n, "AttributeType": "S"} for n, _ in keys],
        BillingMode="PAY_PER_REQUEST",
    )


@pytest.fixture
def cloud() -> Iterator[Cloud]:
    """A fresh moto account with every resource the handlers use."""
    import boto3  # noqa: PLC0415

    with mock_aws():
        _clear_caches()
        session = boto3.session.Session(region_name=REGION)
        create_tables(session.client("dynamodb"))
        session.client("s3").create_bucket(Bucket=ENVIRONMENT[c.ENV_OUTPUTS_BUCKET_NAME])
        sqs = session.client("sqs")
        review_url = sqs.create_queue(QueueName="review-queue")["QueueUrl"]
        capture_url = sqs.create_queue(QueueName="bus-capture")["QueueUrl"]
        topic_capture_url = sqs.create_queue(QueueName="topic-capture")["QueueUrl"]
        sns = session.client("sns")
        topic_arn = sns.create_topic(Name=TOPIC)["TopicArn"]
        sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=f"arn:aws:sqs:{REGION}:{ACCOUNT}:topic-capture")
        sns.subscribe(
            TopicArn=topic_arn,
            Protocol="sqs",
            Endpoint=f"arn:aws:sqs:{REGION}:{ACCOUNT}:review-queue",
            Attributes={"RawMessageDelivery": "true"},
        )
        events = session.client("events")
        events.create_event_bus(Name=BUS)
        events.put_rule(Name="capture", EventBusName=BUS, EventPattern=json.dumps({"source": [c.EVENT_SOURCE]}))
        events.put_targets(
            Rule="capture",
            EventBusName=BUS,
            Targets=[{"Id": "q", "Arn": f"arn:aws:sqs:{REGION}:{ACCOUNT}:bus-capture"}],
        )
        yield Cloud(
            session=session,
            capture_queue_url=capture_url,
            topic_capture_queue_url=topic_capture_url,
            review_queue_url=review_url,
        )
        _clear_caches()


@pytest.fixture
def world(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """The whole pipeline in moto with faults injected at the HTTP layer (tests/functions/pipeline.py)."""
    from tests.functions.pipeline import running_world  # noqa: PLC0415  # it imports this module

    yield from running_world(monkeypatch)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Powertools warns when an invocation that failed on purpose emitted no metric; that is expected here."""
    for item in items:
        if "tests/functions/" in str(item.path).replace(os.sep, "/"):
            item.add_marker(pytest.mark.filterwarnings("ignore:No application metrics to publish"))
