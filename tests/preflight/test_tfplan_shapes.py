"""The Terraform-plan export's property shapes come from a stored table (preflight/tfplan/sdk_shapes.json), not
from the pulumi-aws SDK imported into the gate's process: the table is the installed SDK's, for every type, and
the plans exported from it are byte for byte the plans the SDK's own annotations give."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from preflight.engine import synthesize
from preflight.tfplan import convert, graph_to_tfplan, shapes
from tests.preflight.programs import write_program
from tests.preflight.public_programs import PROGRAMS

ROOT = Path(__file__).resolve().parents[2]


def test_the_stored_table_is_the_installed_sdks_for_every_type() -> None:
    """After a pulumi-aws upgrade that changes a shape: python -m preflight.tfplan.shapes --write."""
    stored = json.loads(shapes.TABLE_FILE.read_text(encoding="utf-8"))
    derived = shapes.table()
    assert len(derived["types"]) > 1500  # every resource type of the installed SDK, not a sample
    assert stored == derived


def test_a_resource_is_read_from_its_own_arguments_class() -> None:
    """Where a nested block's input class already has the name `<Class>Args`, the SDK names the resource's
    arguments `<Class>InitArgs` (pulumi_aws/s3/bucket_versioning.py); the table read the nested block's class for
    ten types (BucketVersioning got the legacy Bucket's `versioning` block: `enabled`, `mfaDelete`)."""
    stored = json.loads(shapes.TABLE_FILE.read_text(encoding="utf-8"))["types"]
    assert not {token: key for token, key in stored.items() if "._inputs." in key}
    assert set(shapes.shape_of("aws:s3/bucketVersioning:BucketVersioning") or {}) == {
        "bucket",
        "expectedBucketOwner",
        "mfa",
        "region",
        "versioningConfiguration",
    }
    cls = shapes.args_class("aws:ec2/vpcPeeringConnectionAccepter:VpcPeeringConnectionAccepter")
    assert cls is not None and cls.__qualname__ == "VpcPeeringConnectionAccepterInitArgs"
    assert shapes.args_class("aws:lambda/function:Function").__qualname__ == "FunctionArgs"  # type: ignore[union-attr]


class _LiveShapes:
    """shape_of / shape_of_class read from the SDK's Args classes in this process, as the export did before the
    table: nested classes are named by `shapes.class_key` and resolved from the classes seen so far."""

    def __init__(self) -> None:
        self.classes: dict[str, type] = {}

    def _shape(self, cls: type) -> shapes.Shape:
        out: shapes.Shape = {}
        for camel, (kind, nested) in shapes.sdk_class_fields(cls).items():
            if nested is not None:
                self.classes[shapes.class_key(nested)] = nested
            out[camel] = shapes.FieldShape(kind, shapes.class_key(nested) if nested is not None else None)
        return out

    def shape_of(self, token: str) -> shapes.Shape | None:
        cls = shapes.args_class(token)
        return self._shape(cls) if cls is not None else None

    def shape_of_class(self, key: str) -> shapes.Shape:
        return self._shape(self.classes[key])


def _programs() -> list[Any]:
    return [("template", "dev"), ("template", "prod"), *((key, "dev") for key in sorted(PROGRAMS))]


@pytest.mark.parametrize(("key", "stack"), _programs())
def test_the_exported_plan_is_byte_identical_to_the_sdks(
    key: str, stack: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if key == "template":
        directory = ROOT
    else:
        program = PROGRAMS[key]
        directory = write_program(tmp_path, program.main, name=program.name, config=program.config, files=program.files)
    graph = synthesize(directory, stack, timeout=300)
    stored = graph_to_tfplan(graph).to_json()
    live = _LiveShapes()
    monkeypatch.setattr(convert, "shape_of", live.shape_of)
    monkeypatch.setattr(convert, "shape_of_class", live.shape_of_class)
    assert graph_to_tfplan(graph).to_json() == stored


#: Runs the gate as `python -m preflight check` does (checkov on: the plan is exported only for checkov) and
#: reports the SDK modules its own process imported.
_GATE = """
import json, os, sys
real_exit = os._exit
def report(code):
    loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("pulumi_aws", "pulumi_aws_native"))
    sys.stderr.write("LOADED " + json.dumps(loaded) + "\\n")
    sys.stderr.flush()
    real_exit(code)
os._exit = report
sys.argv = ["preflight", "check", "--program", sys.argv[1], "--stack", "dev", "--format", "json"]
from preflight.cli import run
run()
"""

_PROGRAM = """
import pulumi_aws as aws
bucket = aws.s3.Bucket("data", tags={"team": "a"})
aws.s3.BucketPublicAccessBlock("pab", bucket=bucket.id, block_public_acls=True, block_public_policy=True,
                               ignore_public_acls=True, restrict_public_buckets=True)
aws.sqs.QueuePolicy("qp", queue_url="https://sqs", policy='{"Statement": []}')
aws.lambda_.Function("fn", role="arn:aws:iam::123456789012:role/r", runtime="python3.12", handler="h.h",
                     code=None, tracing_config={"mode": "Active"}, environment={"variables": {"A": "b"}})
"""


def test_the_gate_process_imports_no_pulumi_aws_module(tmp_path: Path) -> None:
    """Synthesis runs in a child; export and policies read stored tables, so the gate's own process loads none of
    the SDK (about a second on the template when it did: bench/SPEED.md)."""
    directory = write_program(tmp_path, _PROGRAM)
    completed = subprocess.run(
        [sys.executable, "-c", _GATE, str(directory)], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert completed.returncode in (0, 1), completed.stderr[-2000:]
    lines = [line for line in completed.stderr.splitlines() if line.startswith("LOADED ")]
    assert json.loads(lines[-1].removeprefix("LOADED ")) == []
    assert json.loads(completed.stdout)["resources"] >= 4
