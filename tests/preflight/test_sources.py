"""Graphs from `pulumi preview --json` and `pulumi stack export` files (fixtures in tests/fixtures)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from preflight.errors import PreflightError
from preflight.graph import UNKNOWN
from preflight.sources import SECRET_PLACEHOLDER, graph_from_export, graph_from_preview
from preflight.tfplan import graph_to_tfplan

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
PREVIEW = FIXTURES / "preview.json"
EXPORT = FIXTURES / "stack-export.json"
BUCKET_URN = "urn:pulumi:dev::agentic-platform::agentic:storage:Storage$aws:s3/bucket:Bucket::outputs-bucket"


def test_preview_loads_resources_as_they_will_be() -> None:
    graph = graph_from_preview(PREVIEW, "dev")
    assert graph.source == "preview"
    assert graph.project == "agentic-platform"
    assert graph.stack == "dev"
    assert graph.config["aws:region"] == "eu-west-1"
    names = [n.name for n in graph.resources]
    assert "old-queue" not in names  # a delete step: gone after the update
    assert {"outputs-bucket", "outputs-bucket-pab", "handler", "suffix"} <= set(names)
    pab = next(n for n in graph.resources if n.name == "outputs-bucket-pab")
    assert pab.inputs["bucket"] == UNKNOWN
    assert pab.property_dependencies == {"bucket": (BUCKET_URN,)}
    assert pab.parent.endswith("agentic:storage:Storage::storage")
    assert graph.get(BUCKET_URN) is not None


def test_export_loads_the_deployed_state() -> None:
    graph = graph_from_export(EXPORT, "dev")
    assert graph.source == "export"
    assert graph.project == "agentic-platform"
    assert graph.config == {"aws:region": "eu-west-1"}
    assert "old-queue" not in [n.name for n in graph.resources]  # pending deletion
    handler = next(n for n in graph.resources if n.name == "handler")
    assert handler.id == "handler-9e8d7c6"
    assert handler.inputs["environment"]["variables"]["API_KEY"] == SECRET_PLACEHOLDER  # ciphertext stays hidden
    assert handler.dependencies == ("urn:pulumi:dev::agentic-platform::aws:iam/role:Role::fn-role",)


@pytest.mark.parametrize("loader", [graph_from_preview, graph_from_export])
def test_both_sources_bridge_to_the_same_addresses(loader: object) -> None:
    graph = loader(PREVIEW if loader is graph_from_preview else EXPORT, "dev")  # type: ignore[operator]
    tfplan = graph_to_tfplan(graph)
    assert sorted(tfplan.addresses) == [
        "aws_iam_role.fn_role",
        "aws_lambda_function.handler",
        "aws_s3_bucket.outputs_bucket",
        "aws_s3_bucket_public_access_block.outputs_bucket_pab",
    ]
    assert tfplan.not_scanned == ["random:index/randomPet:RandomPet"]
    config = next(
        r
        for r in tfplan.plan["configuration"]["root_module"]["resources"]
        if r["type"] == "aws_s3_bucket_public_access_block"
    )
    assert config["expressions"]["bucket"]["references"][1] == "aws_s3_bucket.outputs_bucket"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not valid JSON (line 1"),
        ("[]", "not a `pulumi preview --json` document"),
        ('{"steps": [1]}', "steps[0] is not an object"),
        ('{"steps": [{"op": "create", "newState": {"type": "aws:s3/bucket:Bucket"}}]}', "without a valid `urn`"),
    ],
)
def test_malformed_preview_is_one_line_naming_the_file(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "preview.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(PreflightError) as excinfo:
        graph_from_preview(path, "dev")
    text = str(excinfo.value)
    assert str(path) in text
    assert message in text
    assert "\n" not in text


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"version": 3}', "not a `pulumi stack export` document"),
        ('{"version": 9, "deployment": {}}', "unsupported deployment version 9"),
        ('{"version": 3, "deployment": {"resources": {}}}', "is not a list"),
    ],
)
def test_malformed_export_is_one_line_naming_the_file(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "export.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(PreflightError, match=message) as excinfo:
        graph_from_export(path, "dev")
    assert str(path) in str(excinfo.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(PreflightError, match="file not found"):
        graph_from_export(tmp_path / "nope.json", "dev")


def test_fixtures_follow_the_documented_shapes() -> None:
    preview = json.loads(PREVIEW.read_text(encoding="utf-8"))
    assert {"op", "urn", "newState"} <= set(preview["steps"][1])
    assert {"urn", "type", "custom", "inputs", "outputs"} <= set(preview["steps"][3]["newState"])
    export = json.loads(EXPORT.read_text(encoding="utf-8"))
    assert export["version"] == 3
    assert {"manifest", "resources"} <= set(export["deployment"])


@pytest.mark.parametrize("loader", [graph_from_preview, graph_from_export])
def test_a_file_for_another_stack_is_refused(tmp_path: Path, loader: object) -> None:
    source = PREVIEW if loader is graph_from_preview else EXPORT
    path = tmp_path / source.name
    path.write_text(source.read_text(encoding="utf-8").replace("urn:pulumi:dev::", "urn:pulumi:prod::"))
    with pytest.raises(PreflightError) as excinfo:
        loader(path, "dev")  # type: ignore[operator]
    assert str(excinfo.value) == f"{path}: this file is for stack 'prod', not 'dev' (pass --stack prod)"
    assert loader(path, "prod").stack == "prod"  # type: ignore[operator]
    assert loader(path, "acme/demo/prod").resources  # type: ignore[operator]
