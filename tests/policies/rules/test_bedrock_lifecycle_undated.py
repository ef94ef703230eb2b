"""bedrock-model-not-legacy for a model AWS has made Legacy without an end-of-life date yet: the message says
since when, and names no end of life (bench/MUTATION.md, run E).

The pinned lifecycle table (policies.model_lifecycle) has no such row today; AWS's "Model lifecycle" page has
listed Legacy models with the EOL still to be announced, so the test adds one for its own duration.
"""

from __future__ import annotations

from datetime import date

import pytest

from policies import model_inputs as mi
from policies import model_lifecycle
from policies.model_lifecycle import ModelLifecycle
from policies.rules import bedrock_lifecycle as bl
from tests.policies.rules.calls import run_resource

MODEL = "example.undated-legacy-v1:0"


@pytest.fixture(autouse=True)
def _undated_legacy_row(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(model_lifecycle.LIFECYCLES, MODEL, ModelLifecycle(MODEL, "Undated", date(2026, 1, 5)))


def test_bad1_legacy_without_an_end_of_life_names_none() -> None:
    assert run_resource(bl.NOT_LEGACY, mi.AGENT, {"foundationModel": MODEL}, config={"asOf": "2030-01-01"}) == [
        (f"r: Undated ({MODEL}, via {MODEL}) is Legacy since 2026-01-05.", None)
    ]


def test_ok1_never_end_of_life_without_a_date() -> None:
    assert run_resource(bl.NOT_END_OF_LIFE, mi.AGENT, {"foundationModel": MODEL}, config={"asOf": "2030-01-01"}) == []
