"""Secrets are judged by their plaintext, as the Pulumi CLI hands it to a pack, and never leave (review5 #1).

The CLI marshals a pack's properties with `KeepSecrets: true` (pulumi/pulumi analyzer_plugin.go `Analyze`,
`AnalyzeStack`) and pulumi_policy's deserialize.py L65-L71 unwraps them: the pack sees the plaintext. The gate
judges it in-process and over the protocol, checkov reads it from its scratch folder only, artefacts keep
"[secret]"; a preview file's "[secret]" document is iam-document-unknown in prod.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from preflight.cli import main
from preflight.gate import run_gate
from tests.preflight.programs import write_program

ADMIN = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
)
PROGRAM = """
import pulumi
import pulumi_aws as aws
role = aws.iam.Role("r", assume_role_policy={trust!r})
aws.iam.RolePolicy("admin", role=role.name, policy={policy})
"""
#: 1: a secret document; 2: a document joined with a secret (secretness propagates); good: a scoped one.
BAD = {
    1: f"pulumi.Output.secret({ADMIN!r})",
    2: f"pulumi.Output.all(role.arn, pulumi.Output.secret('x')).apply(lambda _: {ADMIN!r})",
}
GOOD = 'pulumi.Output.secret(\'{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", '
GOOD += '"Action": "sqs:SendMessage", "Resource": "arn:aws:sqs:us-east-1:123456789012:q"}]}\')'
CONFIG = {"preflight:accountBaseline": "organization"}


def _program(tmp_path: Path, policy: str) -> Path:
    return write_program(tmp_path / "p", PROGRAM.format(trust=TRUST, policy=policy), stack="prod", config=CONFIG)


@pytest.mark.parametrize("case", sorted(BAD))
@pytest.mark.parametrize("analyzer", [False, True])
def test_a_secret_admin_document_fails_prod(tmp_path: Path, case: int, analyzer: bool) -> None:
    report = run_gate(_program(tmp_path, BAD[case]), "prod", checkov=False, analyzer_protocol=analyzer)
    assert "iam-no-wildcard-action" in {f.policy for f in report.mandatory}, case


def test_a_secret_scoped_document_passes(tmp_path: Path) -> None:
    report = run_gate(_program(tmp_path, GOOD), "prod", checkov=False)
    assert not [f for f in report.mandatory if f.policy.startswith("iam-")]


def test_no_artefact_carries_the_plaintext(tmp_path: Path) -> None:
    program = _program(tmp_path, BAD[1])
    out = tmp_path / "out"
    assert main(["check", "--program", str(program), "--stack", "prod", "--no-checkov", "--output-dir", str(out)]) == 1
    assert main(["export-tfplan", "--program", str(program), "--stack", "prod", "-o", str(out / "tfplan.json")]) == 0
    files = {p.name: p.read_text(encoding="utf-8") for p in out.rglob("*") if p.is_file()}
    assert {"graph.json", "report.json", "report.sarif", "tfplan.json"} <= set(files)
    assert [name for name, text in files.items() if ADMIN in text or json.dumps(ADMIN) in text] == []
