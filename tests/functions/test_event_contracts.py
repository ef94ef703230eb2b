"""Contract tests: every event's examples validate against its published JSON Schema and its model."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from functions.shared.constants import EVENT_SOURCE, TIER_ORDER
from functions.shared.events import EVENT_TYPES, Tier, event_schemas, event_schemas_json

SCHEMAS = event_schemas()
MODELS = {cls.DETAIL_TYPE: cls for cls in EVENT_TYPES}
CASES = [(name, example) for name, schema in SCHEMAS.items() for example in schema["examples"]]


def test_the_platform_events():
    assert list(SCHEMAS) == [
        "RequestReceived",
        "ModelAnswered",
        "DecisionMade",
        "EscalationRequested",
        "ResultDelivered",
    ]
    assert tuple(Tier.__args__) == TIER_ORDER  # type: ignore[attr-defined]
    assert EVENT_SOURCE == "agentic.platform"


@pytest.mark.parametrize("name", list(SCHEMAS))
def test_schema_is_valid_json_schema(name):
    Draft202012Validator.check_schema(SCHEMAS[name])
    assert SCHEMAS[name]["examples"], "every event documents at least one example"
    assert json.loads(event_schemas_json()[name]) == SCHEMAS[name]


@pytest.mark.parametrize(("name", "example"), CASES, ids=[name for name, _ in CASES])
def test_example_matches_schema_and_model(name, example):
    Draft202012Validator(SCHEMAS[name]).validate(example)
    model = MODELS[name].model_validate(example)
    Draft202012Validator(SCHEMAS[name]).validate(model.model_dump(mode="json"))  # what we emit also conforms


@pytest.mark.parametrize(("name", "example"), CASES, ids=[name for name, _ in CASES])
def test_schema_and_model_reject_the_same_breakages(name, example):
    validator = Draft202012Validator(SCHEMAS[name])
    broken: list[dict[str, Any]] = [
        {**example, "unexpected_field": 1},
        {**example, "request_id": "not-a-uuid"},
        {key: value for key, value in example.items() if key != "request_id"},
        {**example, "schema_version": "2"},
    ]
    for payload in broken:
        assert not validator.is_valid(payload), payload
        with pytest.raises(ValueError):
            MODELS[name].model_validate(payload)


@pytest.mark.parametrize("name", list(SCHEMAS))
def test_put_events_entry(name):
    model = MODELS[name].model_validate(SCHEMAS[name]["examples"][0])
    entry = model.to_entry("bus-name")
    assert entry["Source"] == EVENT_SOURCE
    assert entry["DetailType"] == name
    assert entry["EventBusName"] == "bus-name"
    Draft202012Validator(SCHEMAS[name]).validate(json.loads(entry["Detail"]))


def test_events_module_needs_only_pydantic():
    blocker = (
        "import sys\n"
        "for name in ('boto3', 'botocore', 'aws_lambda_powertools', 'yaml'):\n"
        "    sys.modules[name] = None\n"
        "from functions.shared.events import event_schemas\n"
        "print(len(event_schemas()))\n"
    )
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run([sys.executable, "-c", blocker], cwd=root, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "5"
