"""A canary secret planted through every path never leaves in any artefact (issue 10 §4).

Paths: `pulumi.Output.secret(...)` in the program, an output the program marks secret
(`additional_secret_outputs`), and a `pulumi stack export --show-secrets` file with the plaintext.
Artefacts: `plan --format json`, `check --output-dir` (every report and graph.json) and `export-tfplan`.
"""

from __future__ import annotations

import json
from pathlib import Path

from preflight.cli import main
from preflight.secrets import SECRET_PLACEHOLDER
from tests.preflight.programs import write_program

REPO = Path(__file__).resolve().parents[2]
EXPORT_V4 = REPO / "tests" / "fixtures" / "pulumi" / "export-v4-show-secrets.json"
#: The plaintext `export-v4-show-secrets.json` carries (tests/fixtures/pulumi/build.py CANARY).
EXPORT_CANARY = "canary-5f0c2e7b-plaintext"
CANARY = "canary-0d9b7e31-from-the-program"

PROGRAM = f"""
import pulumi
import pulumi_aws as aws

fn = aws.lambda_.Function(
    "fn",
    role="arn:aws:iam::123456789012:role/r",
    runtime="python3.12",
    handler="index.handler",
    code=pulumi.AssetArchive({{}}),
    environment={{"variables": {{"TOKEN": pulumi.Output.secret("{CANARY}")}}}},
)
aws.sqs.Queue(
    "param",
    name="marked-output-value",
    opts=pulumi.ResourceOptions(additional_secret_outputs=["name"]),
)
pulumi.export("token", pulumi.Output.secret("{CANARY}-export"))
"""


def _artefacts(directory: Path) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(directory.rglob("*")) if p.is_file()}


def _run_everything(out: Path, source: list[str], program: Path) -> dict[str, str]:
    base = ["--program", str(program)]
    assert main(["plan", *base, "--format", "json", "--output", str(out / "plan.json")]) == 0
    assert main(
        [
            "check",
            *base,
            *source,
            "--no-checkov",
            "--output-dir",
            str(out / "check"),
            "--output",
            str(out / "r.json"),
            "--format",
            "json",
        ]
    ) in (0, 1)
    assert main(["export-tfplan", *base, *source, "-o", str(out / "tfplan.json")]) == 0
    return _artefacts(out)


def test_a_program_secret_never_reaches_an_artefact(tmp_path: Path) -> None:
    program = write_program(tmp_path / "prog", PROGRAM)
    files = _run_everything(tmp_path / "out", [], program)
    assert {"plan.json", "graph.json", "report.json", "report.md", "report.sarif", "report.txt", "tfplan.json"} <= set(
        files
    )
    leaked = [name for name, text in files.items() if CANARY in text]
    assert leaked == []
    graph = json.loads(files["graph.json"])
    fn = next(r for r in graph["resources"] if r["name"] == "fn")
    # The SDK marks the whole top-level property secret when a value inside it is (rpc.serialize_property).
    assert fn["inputs"]["environment"] == SECRET_PLACEHOLDER
    assert fn["outputs"]["environment"] == SECRET_PLACEHOLDER  # the mocks echo inputs back: kept secret too
    param = next(r for r in graph["resources"] if r["name"] == "param")
    # additional_secret_outputs makes outputs secret, not inputs (pulumi/pulumi step_executor.go L525-L533).
    assert param["outputs"]["name"] == SECRET_PLACEHOLDER
    assert param["inputs"]["name"] == "marked-output-value"


def test_a_show_secrets_export_never_reaches_an_artefact(tmp_path: Path) -> None:
    assert EXPORT_CANARY in EXPORT_V4.read_text(encoding="utf-8")  # the canary is really planted
    files = _run_everything(tmp_path / "out", ["--from-export", str(EXPORT_V4)], REPO)
    leaked = [name for name, text in files.items() if name != "plan.json" and EXPORT_CANARY in text]
    assert leaked == []


def test_the_terraform_plan_marks_secrets_sensitive(tmp_path: Path) -> None:
    out = tmp_path / "tfplan.json"
    assert main(["export-tfplan", "--from-export", str(EXPORT_V4), "-o", str(out)]) == 0
    plan = json.loads(out.read_text(encoding="utf-8"))
    change = next(c for c in plan["resource_changes"] if c["type"] == "aws_lambda_function")
    variables = change["change"]["after"]["environment"][0]["variables"]
    assert variables["API_KEY"] == SECRET_PLACEHOLDER
    sensitive = change["change"]["after_sensitive"]["environment"][0]["variables"]
    assert sensitive == {"API_KEY": True}  # non-secret leaves (STAGE) are omitted, as Terraform writes it
    planned = next(r for r in plan["planned_values"]["root_module"]["resources"] if r["type"] == "aws_lambda_function")
    assert planned["sensitive_values"] == change["change"]["after_sensitive"]
