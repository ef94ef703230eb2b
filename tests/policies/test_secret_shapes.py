"""Credential shapes the secret classifier knows whatever the name (review5 #7)."""

from __future__ import annotations

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from policies.secret_values import _entropy, secret_reason

JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"
BAD = [
    (1, "WEBHOOK_SIGNING_KEY", "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"),
    (2, "ENCRYPTION_KEY", "0123456789abcdef0123456789abcdef"),
    (3, "SETTING", "9F86D081884C7D659A2FEAA0C55AD015"),
    (4, "AUTHORIZATION", f"Bearer {JWT}"),
    (5, "UPSTREAM", JWT),
    (6, "HEADER", "Basic YWRtaW46VHIwdWI0ZG9yJjM="),
    (7, "BASIC_AUTH", "admin:Tr0ub4dor&3"),
    (8, "SLACK_WEBHOOK_URL", "https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX"),
    (9, "NOTIFY_URL", "https://discord.com/api/webhooks/123456789012345678/abcdefghijklmnopqrstuvwxyz0123"),
    (10, "TEAMS_URL", "https://acme.webhook.office.com/webhookb2/1234@5678/IncomingWebhook/abc/def"),
    (
        11,
        "FLOW_URL",
        "https://prod.westus.logic.azure.com/workflows/1/triggers/manual/paths/invoke?sig=AbCdEf0123456789xyz",
    ),
    (12, "HMAC", "shortbutnamed"),
]
GOOD = [
    (1, "MAX_OUTPUT_TOKENS", "1024"),
    (2, "TOKEN_BUDGET", "8000"),
    (3, "REQUEST_ID", "123e4567-e89b-12d3-a456-426614174000"),
    (4, "DEFAULT_TENANT", "123e4567-e89b-12d3-a456-426614174000"),
    (5, "SOURCE_SHA256", "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"),
    (6, "GIT_COMMIT", "4eeb0a5c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a"),
    (7, "CODE_HASH", "d41d8cd98f00b204e9800998ecf8427e"),
    (8, "TABLE_ARN", "arn:aws:dynamodb:us-east-1:123456789012:table/sessions"),
    (9, "DB_HOST", "db.internal:5432"),
    (10, "IMAGE", "python:3.11-slim"),
    (11, "KMS_KEY", "alias/agent"),
    (12, "QUEUE_URL", "https://sqs.us-east-1.amazonaws.com/123456789012/jobs"),
    (13, "MODEL_ID", "anthropic.claude-3-5-sonnet-20240620-v1:0"),
    (14, "COLOR", "deadbeef"),
]


@pytest.mark.parametrize(("case", "name", "value"), BAD, ids=[f"bad{c}" for c, _, _ in BAD])
def test_credential_shapes_are_secrets(case: int, name: str, value: str) -> None:
    assert secret_reason(name, value), case


@pytest.mark.parametrize(("case", "name", "value"), GOOD, ids=[f"good{c}" for c, _, _ in GOOD])
def test_limits_ids_and_digests_are_not(case: int, name: str, value: str) -> None:
    assert secret_reason(name, value) == "", case


@settings(max_examples=200, deadline=None)
@given(st.binary(min_size=16, max_size=64))
def test_any_random_hex_key_is_a_secret(key: bytes) -> None:
    value = key.hex()
    assume(not value.isdigit() and any(c.isdigit() for c in value))  # all digits or all letters: not the shape
    assume(_entropy(value) >= 3.0)  # a random key, not a run such as 000...01
    assert secret_reason("SIGNING_SEED", value)
