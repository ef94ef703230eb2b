"""review4 #3: `iam-document-unknown` covers every policy input a rule judges (policies.rules.document_unknown
MUST_BE_KNOWN): an IoT policy, a layer version permission's principal and the managed policy ARNs of attachments
too, and a recorder standing in for parse_document proves that every document a resource rule parses is in it.

cdk-nag style: numbered Noncompliance cases (`badN_*`, an unknown judged input: a finding outside a preview) and a
Compliance case (`ok_*`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

import policies.documents
import policies.lib
import policies.rules as rules_package
from policies.registry import all_policies, by_name
from policies.rules.document_unknown import DOCUMENT_UNKNOWN, MUST_BE_KNOWN
from policies.sdk import output_names
from policies.spec import Kind
from preflight.findings import Level
from preflight.graph import ResourceGraph, ResourceNode
from preflight.policy_runner import PolicySetting, run_policies
from tests.policies.conftest import custom_node

KNOWN = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iot:Connect", "Resource": "*"}]}'

CASES = {
    "bad1_iot_policy": ("aws:iot/policy:Policy", {"policy": UNKNOWN_STRING_VALUE}),
    "bad2_layer_principal": (
        "aws:lambda/layerVersionPermission:LayerVersionPermission",
        {"layerName": "l", "principal": UNKNOWN_STRING_VALUE},
    ),
    "bad3_attachment_arn": (
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
        {"role": "r", "policyArn": UNKNOWN_STRING_VALUE},
    ),
    "ok_iot_known": ("aws:iot/policy:Policy", {"name": UNKNOWN_STRING_VALUE, "policy": KNOWN}),
}


def test_every_judged_policy_input_unknown_is_a_finding() -> None:
    nodes = [custom_node(type_, name, inputs) for name, (type_, inputs) in CASES.items()]
    spec = by_name()[DOCUMENT_UNKNOWN]
    run = run_policies(
        ResourceGraph("p", "prod", nodes), policies=[spec], config={DOCUMENT_UNKNOWN: PolicySetting(Level.MANDATORY)}
    )
    assert {f.resource for f in run.findings} == {n for n in CASES if n.startswith("bad")}


def _parsed_inputs(monkeypatch: pytest.MonkeyPatch) -> dict[str, set[str]]:
    """type -> the top-level inputs some resource rule hands to parse_document: each input of each type the
    rules name gets a document whose `Id` is its own name, and a recorder stands in for parse_document."""

    seen: list[str] = []
    original = policies.lib.parse_document

    def recorder(document: Any, *args: Any, **kwargs: Any) -> Any:
        raw = json.loads(document) if isinstance(document, str) and document.startswith("{") else document
        if isinstance(raw, dict) and isinstance(raw.get("Id"), str):
            seen.append(raw["Id"])
        return original(document, *args, **kwargs)

    modules = [policies.documents, policies.lib]
    for path in sorted(Path(rules_package.__file__).parent.glob("*.py")):
        modules.append(__import__(f"policies.rules.{path.stem}", fromlist=["_"]))
    for module in modules:
        if getattr(module, "parse_document", None) is original:
            monkeypatch.setattr(module, "parse_document", recorder)
    parsed: dict[str, set[str]] = {}
    for policy in all_policies():
        if policy.kind is not Kind.RESOURCE or policy.name == DOCUMENT_UNKNOWN:
            continue
        for type_ in policy.resource_types:
            names = [n for n in output_names(type_) if n not in {"id", "urn"}]
            props = {n: json.dumps({"Version": "2012-10-17", "Id": n, "Statement": []}) for n in names}
            node = ResourceNode(
                urn=f"urn:pulumi:prod::p::{type_}::x",
                type=type_,
                name="x",
                custom=True,
                parent="",
                provider="",
                inputs=props,
                outputs=props,
            )
            seen.clear()
            run_policies(
                ResourceGraph("p", "prod", [node]),
                policies=[policy],
                config={policy.name: PolicySetting(Level.MANDATORY)},
            )
            if seen:
                parsed.setdefault(type_, set()).update(seen)
    return parsed


def test_every_document_a_rule_parses_must_be_known(monkeypatch: pytest.MonkeyPatch) -> None:
    parsed = _parsed_inputs(monkeypatch)
    assert "aws:iot/policy:Policy" in parsed  # the recorder sees the rules (the IoT document of review4 #3)
    missing = {t: sorted(keys - set(MUST_BE_KNOWN.get(t, ()))) for t, keys in parsed.items()}
    assert {t: keys for t, keys in missing.items() if keys} == {}
    assert set(MUST_BE_KNOWN) <= set(by_name()[DOCUMENT_UNKNOWN].resource_types)
