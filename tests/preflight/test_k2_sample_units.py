"""Direct tests for survivors of run K2's sample (bench/MUTATION.md) in regions and sources.

Why: both run inside synthesis or the gate's file readers, whose tests synthesise or run the CLI, out of reach of a
mutation run's forked children (run J's traps); these call the functions themselves.
"""

from __future__ import annotations

from pathlib import Path

from preflight.findings import CheckovResult, Finding, Level, Source
from preflight.gate import refused_check_findings
from preflight.regions import Regions
from preflight.sources import _deployment, _text


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
