"""Issue 12 §2: prompts and answers never reach X-Ray.

The Tracer records a decorated function's return value as subsegment metadata unless ``capture_response`` is
off (``Tracer._add_response_as_metadata``, which puts it on the subsegment). Tracing is disabled in tests
(no daemon), so the subsegments are dummies: what the Tracer would put on them is captured at that one call
while the whole pipeline runs, and nothing captured may contain the prompt or the answer.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from aws_lambda_powertools import Tracer

from tests.functions.pipeline import World

PROMPT = "My secret question about Zanzibar"


def test_no_user_content_in_captured_segments(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    captured: list[tuple[str, Any]] = []

    calls: list[str] = []

    def record(
        _self: Tracer, method_name: str | None = None, data: Any = None, subsegment: Any = None,
        capture_response: Any = None,
    ) -> None:  # fmt: skip
        calls.append(str(method_name))
        if capture_response and data is not None:
            captured.append((str(method_name), data))

    monkeypatch.setattr(Tracer, "_add_response_as_metadata", record)

    status, _body, _ = world.submit(PROMPT, key="trace-1")
    world.settle()

    assert status == 202
    assert world.sockets.pushes, "the pipeline must have run"
    assert {
        "lambda_handler",
        "functions.ingest.handler.accept",
        "functions.router.handler.route",
        "functions.decide.handler.decide",
        "functions.deliver.handler.deliver",
    } <= set(calls), calls
    text = json.dumps(captured, default=str)
    assert "Zanzibar" not in text
    assert "answer from micro" not in text
