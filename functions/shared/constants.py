"""Every name the runtime shares with the deploy-time components, in one place.

Environment-variable names are the contract between ``components/`` (which sets them and grants
IAM on the resources they point at) and ``functions/`` (which reads them). Never spell one of
these names as a string literal anywhere else.
"""

from __future__ import annotations

from typing import Final

# --- EventBridge -----------------------------------------------------------------------------
EVENT_SOURCE: Final = "agentic.platform"
"""``Source`` of every event the platform puts on its bus."""

# --- Tracing -----------------------------------------------------------------------------------
TRACED_MODULES: Final = ("botocore",)
"""What every handler's Tracer patches: the AWS SDK and nothing else. ``Tracer()`` alone calls
``aws_xray_sdk.core.patch_all()`` (aws_lambda_powertools/tracing/tracer.py ``Tracer.patch``, 3.37.0), which
imports and patches every library X-Ray supports that happens to be installed (requests, httplib, sqlite3,
SQLAlchemy...): import time for calls the handlers never make (issue 12 §4, ``bench/cold_start.py``)."""

# --- Model tiers (cheapest first) --------------------------------------------------------------
TIER_ORDER: Final = ("micro", "lite", "pro", "premier")
"""Amazon Nova tiers, cheapest first. Model ids are settings, never constants."""

# --- Environment variables: all handlers ----------------------------------------------------------
ENV_EVENT_BUS_NAME: Final = "EVENT_BUS_NAME"
ENV_IDEMPOTENCY_TABLE_NAME: Final = "IDEMPOTENCY_TABLE_NAME"
ENV_IDEMPOTENCY_TTL_SECONDS: Final = "IDEMPOTENCY_TTL_SECONDS"

# --- Guardrail (ingest + router) ----------------------------------------------------------------
ENV_GUARDRAIL_ID: Final = "GUARDRAIL_ID"
ENV_GUARDRAIL_VERSION: Final = "GUARDRAIL_VERSION"

# --- ingest -------------------------------------------------------------------------------------
ENV_MAX_PROMPT_CHARS: Final = "MAX_PROMPT_CHARS"
ENV_MAX_BODY_BYTES: Final = "MAX_BODY_BYTES"

# --- router -------------------------------------------------------------------------------------
ENV_MODEL_IDS: Final = "MODEL_IDS"
ENV_MAX_TIER: Final = "MAX_TIER"
ENV_MODEL_PRICES: Final = "MODEL_PRICES"
ENV_CONFIDENCE_THRESHOLD: Final = "CONFIDENCE_THRESHOLD"
ENV_TOKEN_BUDGET: Final = "TOKEN_BUDGET"
ENV_MAX_OUTPUT_TOKENS: Final = "MAX_OUTPUT_TOKENS"
ENV_CACHE_TABLE_NAME: Final = "CACHE_TABLE_NAME"
ENV_CACHE_TTL_SECONDS: Final = "CACHE_TTL_SECONDS"
ENV_PROMPTS_DIR: Final = "PROMPTS_DIR"
ENV_PROMPT_NAME: Final = "PROMPT_NAME"
ENV_PROMPT_VERSION: Final = "PROMPT_VERSION"

# --- decide -------------------------------------------------------------------------------------
ENV_DECISION_CONFIDENCE_THRESHOLD: Final = "DECISION_CONFIDENCE_THRESHOLD"
ENV_OUTPUTS_BUCKET_NAME: Final = "OUTPUTS_BUCKET_NAME"
ENV_ESCALATION_TOPIC_ARN: Final = "ESCALATION_TOPIC_ARN"
ENV_AUDIT_TABLE_NAME: Final = "AUDIT_TABLE_NAME"
ENV_AUDIT_RETENTION_DAYS: Final = "AUDIT_RETENTION_DAYS"

# --- deliver ------------------------------------------------------------------------------------
ENV_WEBSOCKET_ENDPOINT: Final = "WEBSOCKET_ENDPOINT"

# --- WebSocket connections (the $connect authorizer, connections, ingest, deliver) ------------------
ENV_CONNECTIONS_TABLE_NAME: Final = "CONNECTIONS_TABLE_NAME"
ENV_JWT_ISSUER: Final = "JWT_ISSUER"
ENV_JWT_AUDIENCE: Final = "JWT_AUDIENCE"
"""JSON list of accepted audiences (app client ids), as the HTTP API's JWT authorizer is configured."""

# --- DynamoDB table layouts the components must create ----------------------------------------------
IDEMPOTENCY_KEY_ATTR: Final = "id"
IDEMPOTENCY_EXPIRY_ATTR: Final = "expiration"
CACHE_KEY_ATTR: Final = "prompt_hash"
AUDIT_KEY_ATTR: Final = "request_id"
AUDIT_SORT_ATTR: Final = "record"
"""Sort key of the append-only audit table: which record of the request (one item per record, never rewritten)."""
AUDIT_DECISION_RECORD: Final = "decision"
"""Written once by ``decide``."""
AUDIT_ANSWERED_RECORD: Final = "answered"
"""Written once by the ``router`` after the models answered (functions/router/answers.py) and read before any model
is called, so a replay after the idempotency records expired does not pay for the models again."""
AUDIT_FAILURE_RECORD: Final = "workflow_failed"
"""Written once by the workflow's failure path."""
AUDIT_REVIEW_SENT_RECORD: Final = "review_sent"
"""Written once after the reviewers' one notice for the request went out (by ``decide`` or the failure path),
so that neither sends a second case."""
AUDIT_ESCALATION_SENT_RECORD: Final = "escalation_sent"
"""Written once after the failure path's ``EscalationRequested`` was put on the bus (the user hears back once)."""
AUDIT_OUTCOME_SENT_RECORD: Final = "outcome_sent"
"""Written once by ``decide`` after the request's outcome event (its ``decision``'s) was put on the bus: a later
redelivery does not publish it again, and the workflow's failure path sends no second, different outcome."""
AUDIT_OUTCOME_OWNER_RECORD: Final = "outcome_owner"
"""Who tells the user the request's outcome: appended once (``attribute_not_exists``), by ``decide`` right before
it publishes its outcome event or by the workflow's failure path before its first effect, whichever comes first.
The one item both write, so that two executions of one request (EventBridge delivers ``RequestReceived`` at least
once) cannot both announce an outcome (review s11 4 #4; docs/delivery-guarantees.md)."""
OUTCOME_OWNER_ATTR: Final = "owner"
"""The ``outcome_owner`` record's attribute: :data:`OUTCOME_OWNER_DECIDE` or :data:`AUDIT_FAILURE_RECORD`."""
OUTCOME_OWNER_DECIDE: Final = "decide"
AUDIT_SUBMITTED_RECORD: Final = "submitted"
"""Written once by the agent's ``actions`` when it accepts a submission, before ``RequestReceived`` is published:
which agent session submitted the request (a digest) and when, so that a status lookup answers only that session
and a later submission of the same prompt is told apart from a retry (functions/actions/submissions.py)."""
AUDIT_DELIVERY_PREFIX: Final = "delivery#"
"""``delivery#<detail-type>#pushed`` / ``#published``: ``deliver`` pushed that outcome / published its
``ResultDelivered`` (with the delivery status), so a redelivery of the outcome event neither pushes nor
publishes again."""
CONNECTION_KEY_ATTR: Final = "connection_id"
"""Partition key of the connections table: one item per open WebSocket connection (issue 12 §2)."""
CONNECTION_SUBJECT_ATTR: Final = "subject"
"""The JWT ``sub`` of the caller who opened the connection, recorded at ``$connect``."""
TTL_ATTR: Final = "expires_at"
"""TTL attribute of the cache and audit tables (epoch seconds)."""

# --- S3 -----------------------------------------------------------------------------------------
OUTPUTS_PREFIX: Final = "outputs/"

# --- variants (the core side of the edge tier) ------------------------------------------------------
ENV_CONTENT_BUCKET_NAME: Final = "CONTENT_BUCKET_NAME"
ENV_VARIANT_MODEL_ID: Final = "VARIANT_MODEL_ID"
ENV_VARIANT_TTL_SECONDS: Final = "VARIANT_TTL_SECONDS"
