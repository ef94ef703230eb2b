"""Import structure that keeps the handlers' cold starts lean (issue 12 §4; measured by bench/cold_start.py)."""

from __future__ import annotations

from functions.shared import aws


def test_every_idempotency_layer_shares_one_client() -> None:
    # A layer given no client builds its own boto3 Session and client, at import: one per effect.
    first, second = aws.idempotency_store(), aws.idempotency_store()

    assert first is not second  # layers stay one per effect (Powertools configures a layer once)
    assert first.client is second.client
