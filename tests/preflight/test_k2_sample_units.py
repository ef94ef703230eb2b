"""Direct tests for survivors of run K2's sample (bench/MUTATION.md) in regions and sources.

Why: both run inside synthesis or the gate's file readers, whose tests synthesise or run the CLI, out of reach of a
mutation run's forked children (run J's traps); these call the functions themselves.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from preflight.commands.plan import render_tree
from preflight.findings import CheckovResult, Finding, Level, Source
from preflight.gate import refused_check_findings
from preflight.graph import ResourceGraph, ResourceNode
from preflight.regions import Regions
from preflight.sources import _deployment, _text
from preflight.stack_references import describe
from preflight.synthesis_child import _node, _ShapeError, _unrun_applies


def test_a_data_sources_own_region_argument_wins_over_the_stacks() -> None:
    """pulumi-aws v7 data sources take a `region` argument (preflight.regions.Regions.of_invoke's docstring)."""
    regions = Regions(config={"aws:region": "us-east-1"})
    assert regions.of_invoke("aws:s3/getBucket:getBucket", {"region": "eu-west-1"}, "") == "eu-west-1"
    assert regions.of_invoke("aws:s3/getBucket:getBucket", {}, "") == "us-east-1"


def test_a_missing_text_field_is_empty() -> None:
    assert _text({}, "parent", "resource 0") == ""
    assert _text({"parent": "urn:p"}, "parent", "resource 0") == "urn:p"


def test_a_backend_checkpoint_file_is_read_with_a_note(tmp_path: Path) -> None:
    deployment, notes = _deployment({"version": 3, "checkpoint": {"latest": {"resources": []}}}, tmp_path / "dev.json")
    assert deployment == {"resources": []}
    assert notes == ["dev.json is a backend checkpoint file, read as `pulumi stack export` would show it"]


def test_a_refused_program_check_is_a_stack_wide_finding_whole() -> None:
    result = CheckovResult(refused_checks=[{"file": "policies/checkov/mine.yaml", "reason": "no metadata id"}])
    assert refused_check_findings(result, "prod") == [
        Finding(
            policy="checkov-custom-check-refused",
            source=Source.CHECKOV,
            level=Level.MANDATORY,
            resource="",
            type="",
            urn="",
            principles=("P188",),
            message="policies/checkov/mine.yaml: not run: no metadata id",
            fix=(
                "Rewrite it as a checkov YAML check checkov loads (metadata id, name and category; a definition it "
                "parses) under an id no checkov, pack (CKV_AGP_*) or other program check has, or remove it"
            ),
            severity="high",
        )
    ]


def _wire_node(**changes: object) -> dict[str, object]:
    node = ResourceNode(
        urn="urn:pulumi:dev::p::aws:sqs/queue:Queue::q",
        type="aws:sqs/queue:Queue",
        name="q",
        custom=True,
        parent="",
        provider="",
        inputs={},
        outputs={},
    )
    return {**node.to_dict(wire=True), **changes}


def test_the_childs_node_must_carry_secret_plaintext_as_an_object_or_null() -> None:
    """The child's data is checked field by field before the gate trusts it (preflight.synthesis_child `_node`)."""
    assert _node(_wire_node(secret_outputs={"k": "v"}), "resources[0]").name == "q"
    for key in ("secret_inputs", "secret_outputs"):
        with pytest.raises(_ShapeError) as error:
            _node(_wire_node(**{key: ["v"]}), "resources[0]")
        assert str(error.value) == f"resources[0].{key} is neither an object nor null"


def test_an_unrun_apply_with_a_positive_count_is_accepted() -> None:
    _unrun_applies([{"at": "__main__.py:3", "count": 2, "sources": ["urn:a"]}])
    with pytest.raises(_ShapeError) as error:
        _unrun_applies([{"at": "__main__.py:3", "count": 0}])
    assert str(error.value) == "unrun_applies[0].count is not a positive integer"


def test_the_plan_tree_lists_each_read_as_not_deployed() -> None:
    read = ResourceNode(
        urn="urn:pulumi:dev::p::aws:s3/bucket:Bucket::logs",
        type="aws:s3/bucket:Bucket",
        name="logs",
        custom=True,
        parent="",
        provider="",
        inputs={},
        outputs={},
        id="central-logs",
    )
    tree = render_tree(ResourceGraph("p", "dev", [], reads=[read]))
    assert "logs  aws:s3/bucket:Bucket  read (id central-logs), not deployed" in tree


def test_the_stack_references_lines_say_whether_the_file_was_found() -> None:
    path = "policies/config/dev.stack-references.json"
    assert describe({"file": path, "file_found": True}) == [
        f"stack references: outputs stated in {path} (trusted as the referenced stacks' outputs)"
    ]
    assert describe({"file": path}) == [
        f"stack references: no {path}: every StackReference's outputs are unknown offline"
    ]
