"""preflight.deferred's parts without a program: which rules the net answers for, where a path leads, what a table
owns, and the findings' text word for word (bench/MUTATION.md, run I4; the net in a run:
tests/preflight/test_policy_runner_units.py)."""

from __future__ import annotations

from typing import Any

import pytest

from policies.registry import by_name
from policies.rules.document_unknown import DOCUMENT_UNKNOWN, VALUE_UNKNOWN
from preflight import deferred
from preflight.graph import UNKNOWN, ResourceGraph, ResourceNode


@pytest.mark.parametrize(
    ("policy", "answered"),
    [
        ("api-routes-authorized", True),  # security
        ("api-access-logging", True),  # governance
        ("cost-no-nat-gateway", False),  # cost
        (VALUE_UNKNOWN, False),  # the two unknown policies report for themselves
        (DOCUMENT_UNKNOWN, False),
    ],
)
def test_the_net_answers_for_security_and_governance_rules_only(policy: str, answered: bool) -> None:
    assert deferred.answers_for(by_name()[policy]) is answered


@pytest.mark.parametrize(
    ("value", "path", "found"),
    [
        ({"a": [{"b": 1}]}, ["a", "0", "b"], 1),
        ({"a": [{"b": 1}, {"b": 2}]}, ["a", "1", "b"], 2),
        ({"a": ({"b": 3},)}, ["a", "0", "b"], 3),
        ({"a": [{"b": 1}]}, ["a", "1", "b"], None),  # past the end
        ({"a": [{"b": 1}]}, ["a", "b"], None),  # a name into a list
        ({"a": "abc"}, ["a", "0"], None),  # a position into a string
        ({"a": 5}, ["a", "b"], None),  # a name into a number
        ({"a": {"b": 1}}, [], {"a": {"b": 1}}),
    ],
)
def test_a_path_leads_through_mappings_and_list_positions_only(value: Any, path: list[str], found: Any) -> None:
    assert deferred._at(value, path) == found


def test_a_native_types_input_its_classic_twins_table_owns_is_left_alone() -> None:
    assert deferred.owned("aws:dynamodb/table:Table", "serverSideEncryption")
    assert deferred.owned("aws-native:dynamodb:Table", "serverSideEncryption")  # through the twin
    assert not deferred.owned("aws-native:dynamodb:Table", "noSuchInput")
    assert deferred.owned("aws-native:dynamodb:Table", "tags")  # identity and wiring keys


def _node(name: str, inputs: dict[str, Any]) -> ResourceNode:
    urn = f"urn:pulumi:dev::p::aws:sqs/queue:Queue::{name}"
    return ResourceNode(urn, "aws:sqs/queue:Queue", name, True, "", "", inputs, {})


def test_a_stack_rules_deferral_lands_on_the_resources_holding_the_unknown() -> None:
    held = _node("held", {"redrive": [{"target": UNKNOWN}]})
    known = _node("known", {"redrive": [{"target": "arn:x"}]})
    graph = ResourceGraph(project="p", stack="dev", resources=[held, known])
    assert deferred.unowned(graph, None, ["redrive", "0", "target"], lambda n: n.inputs) == [held]
    assert deferred.unowned(graph, None, ["other"], lambda n: n.inputs) == [None]  # nobody holds it: the stack
    assert deferred.unowned(graph, known, [], lambda n: n.inputs) == [None]


def test_the_findings_text_word_for_word() -> None:
    assert deferred.message("rule-x", ["a", "0", "b"]) == (
        "a.0.b is unknown, so rule-x could not judge it (an input policies/security_values.py does not list yet; "
        "offline: built from an output the engine does not fabricate, such as an unstated StackReference output)."
    )
    assert deferred.message("rule-x", []).startswith("a value is unknown, so rule-x could not judge it")
    tail = (
        "so no rule judged its value (a data source is read from the cloud at a real `pulumi preview`; offline its "
        "result is fabricated: preflight/invokes.py)."
    )
    value = deferred.VALUE_UNKNOWN
    whole = deferred.InventedInput(value, "kmsKeyId", ("", "aws:a", "aws:b"), whole=True)
    assert deferred.invented_message(whole) == f"kmsKeyId was invented offline for data source aws:a, aws:b, {tail}"
    unnamed = deferred.InventedInput(value, "kmsKeyId", ("",), whole=False)
    assert deferred.invented_message(unnamed) == f"kmsKeyId holds a value invented offline for a data source, {tail}"
    document = deferred.InventedInput(deferred.DOCUMENT_UNKNOWN, "policy", ("aws:a",), whole=False)
    assert deferred.invented_message(document) == (
        "policy holds a value invented offline for data source aws:a, so no IAM rule judged the document (a data "
        "source is read from the cloud at a real `pulumi preview`; offline its result is fabricated: "
        "preflight/invokes.py)."
    )
