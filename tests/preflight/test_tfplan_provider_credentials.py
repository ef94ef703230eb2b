"""A provider's static credentials reach the exported plan as `terraform show -json` writes them (issue 11 §5): a
literal as `constant_value`, a key from config or a data source as `references`, so checkov's CKV_AWS_41 fails the
provider with a hard-coded key and passes one whose key comes from config; no kept plan holds a key."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from preflight.checkov_runner import run_checkov
from preflight.engine import synthesize
from preflight.graph import ResourceGraph
from preflight.tfplan import graph_to_tfplan
from tests.preflight.programs import write_program

#: The IAM User Guide's example key pairs (security-creds-programmatic-access.html), no real credentials.
ACCESS_KEY, SECRET_KEY = "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
CONFIG_ACCESS_KEY, CONFIG_SECRET_KEY = "AKIAI44QH8DHBEXAMPLE", "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY"

PROGRAM = f"""
import pulumi
import pulumi_aws as aws

cfg = pulumi.Config("creds")
literal = aws.Provider("literal", region="us-east-1", access_key="{ACCESS_KEY}", secret_key="{SECRET_KEY}")
from_config = aws.Provider("from-config", region="us-east-1", access_key=cfg.require("accessKey"),
                           secret_key=cfg.require("secretKey"))
from_secret = aws.Provider("from-secret", region="us-east-1", secret_key=cfg.require_secret("vaulted"))
role = aws.Provider("role", region="us-east-1")
for name, provider in (("a", literal), ("b", from_config), ("c", from_secret), ("d", role)):
    aws.sqs.Queue(name, sqs_managed_sse_enabled=True, opts=pulumi.ResourceOptions(provider=provider))
"""


@pytest.fixture(scope="module")
def graph(tmp_path_factory: pytest.TempPathFactory) -> ResourceGraph:
    directory = tmp_path_factory.mktemp("creds")
    write_program(
        directory,
        PROGRAM,
        config={"aws:region": "us-east-1", "creds:accessKey": CONFIG_ACCESS_KEY, "creds:secretKey": CONFIG_SECRET_KEY},
    )
    stack = directory / "Pulumi.dev.yaml"
    stack.write_text(stack.read_text() + "  creds:vaulted:\n    secure: v1:AAAA\n")
    return synthesize(directory, "dev")


def _providers(graph: ResourceGraph) -> dict[str, Any]:
    configs: dict[str, Any] = json.loads(graph_to_tfplan(graph).to_json())["configuration"]["provider_config"]
    return {key: block.get("expressions", {}) for key, block in configs.items()}


def test_checkovs_plan_carries_a_literal_as_a_constant_and_config_as_a_reference(graph: ResourceGraph) -> None:
    judged = _providers(graph.judged())
    assert judged["aws.literal"]["access_key"] == {"constant_value": ACCESS_KEY}
    assert judged["aws.literal"]["secret_key"] == {"constant_value": SECRET_KEY}
    assert judged["aws.from_config"]["access_key"] == {"references": ["var.creds_accessKey"]}
    assert judged["aws.from_config"]["secret_key"] == {"references": ["var.creds_secretKey"]}
    assert judged["aws.from_secret"]["secret_key"] == {"references": ["var.creds_vaulted"]}
    assert set(judged["aws.role"]) == {"region"}


def test_a_kept_plan_holds_no_key(graph: ResourceGraph) -> None:
    text = graph_to_tfplan(graph).to_json()
    assert ACCESS_KEY not in text and SECRET_KEY not in text and CONFIG_SECRET_KEY not in text
    assert _providers(graph)["aws.literal"]["secret_key"] == {"constant_value": "[secret]"}


def test_the_default_providers_keys_come_from_config() -> None:
    graph = ResourceGraph("p", "dev", [], config={"aws:region": "us-east-1", "aws:accessKey": CONFIG_ACCESS_KEY})
    assert _providers(graph)["aws"]["access_key"] == {"references": ["var.aws_accessKey"]}


@pytest.mark.usefixtures("checkov_present")
def test_ckv_aws_41_fails_the_hard_coded_provider_only(graph: ResourceGraph, tmp_path: Path) -> None:
    result = run_checkov(graph, tmp_path)
    failed = [(f.name, f.type) for f in result.failed if f.check_id == "CKV_AWS_41"]
    assert failed == [("literal", "pulumi:providers:aws")]
