"""The gate end to end: exit codes through `preflight.cli.main`, the JSON shape, suppressions, checkov mapping."""

from __future__ import annotations

import datetime as dt
import json
import textwrap
from pathlib import Path

import pytest

from preflight.cli import main
from preflight.findings import CheckovFinding, CheckovResult, Level, Source
from preflight.gate import checkov_findings, run_gate

GOOD = """
import pulumi_aws as aws
key = aws.kms.Key("key", enable_key_rotation=True)
aws.sqs.Queue("queue", kms_master_key_id=key.arn)
aws.budgets.Budget("budget", budget_type="COST", limit_amount="10", limit_unit="USD", time_unit="MONTHLY",
    notifications=[{"comparison_operator": "GREATER_THAN", "notification_type": "ACTUAL", "threshold": 80,
                    "threshold_type": "PERCENTAGE", "subscriber_email_addresses": ["ops@example.com"]}])
"""
BAD = GOOD + 'aws.sqs.Queue("plain_queue")\n'
SINGLETONS = {
    "cloudtrail-enabled": {"enforcementLevel": "mandatory", "providedElsewhere": True},
    "config-recorder-enabled": {"enforcementLevel": "mandatory", "providedElsewhere": True},
    "bedrock-invocation-logging": {"enforcementLevel": "mandatory", "providedElsewhere": True},
    "required-tags": "disabled",
}

#: An expiry within the one-year horizon suppressions may have (preflight/suppressions.py), from today.
SOON = (dt.date.today() + dt.timedelta(days=180)).isoformat()


def program(tmp_path: Path, body: str, suppressions: str | None = None) -> Path:
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "Pulumi.yaml").write_text("name: gatetest\nruntime: python\n")
    (tmp_path / "Pulumi.dev.yaml").write_text("config:\n  aws:region: us-east-1\n")
    (tmp_path / "__main__.py").write_text(textwrap.dedent(body))
    config_dir = tmp_path / "policies" / "config"
    config_dir.mkdir(parents=True)
    (config_dir / "dev.json").write_text(json.dumps(SINGLETONS))
    if suppressions is not None:
        (tmp_path / "policies" / "suppressions.yaml").write_text(textwrap.dedent(suppressions))
    return tmp_path


def test_exit_0_when_clean(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["check", "--program", str(program(tmp_path, GOOD)), "--no-checkov", "--format", "json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 0, data["violations"]
    assert data["stack"] == "dev" and data["resources"] >= 3 and data["violations"] == []


def test_exit_1_on_mandatory_and_json_shape(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["check", "--program", str(program(tmp_path, BAD)), "--no-checkov", "--format", "json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 1
    assert {"stack", "resources", "violations", "suppressed", "not_scanned"} <= set(data)
    violation = next(v for v in data["violations"] if v["resource"] == "plain_queue")
    assert violation["policy"] == "sqs-queue-kms-encryption"
    assert violation["source"] == "crossguard" and violation["level"] == "mandatory"
    assert violation["type"] == "aws:sqs/queue:Queue" and violation["urn"].endswith("::plain_queue")
    assert violation["principles"] == ["P141", "P187"] and violation["message"]


def test_suppression_turns_it_green_and_is_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    directory = program(
        tmp_path,
        BAD,
        """
        - id: sqs-queue-kms-encryption
          resource: plain_queue
          reason: third-party consumer cannot use a CMK yet (PLAT-7)
          expires: {SOON}
    """.replace("{SOON}", SOON),
    )
    code = main(["check", "--program", str(directory), "--no-checkov", "--format", "json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 0
    assert [(s["resource"], s["reason"][:11], s["expires"]) for s in data["suppressed"]] == [
        ("plain_queue", "third-party", SOON)
    ]


def test_expired_suppression_fails_the_gate(tmp_path: Path) -> None:
    directory = program(
        tmp_path,
        GOOD,
        """
        - {id: sqs-queue-kms-encryption, resource: queue, reason: an exception that is over now, expires: 2020-01-01}
    """,
    )
    report = run_gate(directory, "dev", checkov=False)
    assert report.exit_code == 1
    assert [f.policy for f in report.mandatory] == ["suppression-expired"]


def test_bad_input_exits_2_with_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--program", str(tmp_path / "missing"), "--no-checkov"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "preflight: error:" in err
    directory = program(tmp_path, GOOD, "- id: [broken\n")
    assert main(["check", "--program", str(directory), "--no-checkov"]) == 2
    assert "malformed YAML" in capsys.readouterr().err
    program_error = program(tmp_path / "raises", "raise ValueError('boom')\n")
    assert main(["check", "--program", str(program_error), "--no-checkov"]) == 2


def test_output_dir_writes_every_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "build"
    code = main(["check", "--program", str(program(tmp_path, BAD)), "--no-checkov", "--output-dir", str(out)])
    assert code == 1
    names = sorted(p.name for p in out.iterdir())
    assert names == ["graph.json", "report.json", "report.md", "report.sarif", "report.txt"]
    assert "plain_queue" in (out / "report.txt").read_text()
    assert "FAIL" in capsys.readouterr().out


def test_checkov_failures_levels_and_principles() -> None:
    result = CheckovResult(
        failed=[
            CheckovFinding(
                "CKV_AWS_27",
                "Ensure SQS encrypted",
                "aws_sqs_queue.q",
                "urn:x::q",
                "q",
                "aws:sqs/queue:Queue",
                "https://docs",
            )
        ]
    )
    dev, prod = checkov_findings(result, "dev"), checkov_findings(result, "prod")
    assert dev[0].level is Level.ADVISORY and prod[0].level is Level.MANDATORY
    assert dev[0].source is Source.CHECKOV and dev[0].policy == "CKV_AWS_27"
    assert dev[0].principles == ("P141",) and dev[0].fix == "https://docs"


def test_policies_command_lists_levels_per_stack(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["policies", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)["policies"]
    row = next(r for r in rows if r["name"] == "lambda-active-tracing")
    assert row["levels"] == {"dev": "advisory", "prod": "mandatory"}
    assert {"name", "description", "principles", "severity"} <= set(row)
    assert main(["policies"]) == 0
    assert "kms-key-rotation" in capsys.readouterr().out


def test_unused_suppression_is_a_note(tmp_path: Path) -> None:
    directory = program(
        tmp_path,
        GOOD,
        """
        - {id: sqs-queue-kms-encryption, resource: no-such-q, reason: a typo that waives nothing, expires: {SOON}}
    """.replace("{SOON}", SOON),
    )
    report = run_gate(directory, "dev", checkov=False)
    assert report.exit_code == 0
    assert any("no-such-q" in n and "matched no finding" in n for n in report.notes)


def test_impossible_suppression_date_fails_the_gate_without_a_crash(tmp_path: Path) -> None:
    directory = program(
        tmp_path,
        GOOD,
        """
        - {id: sqs-queue-kms-encryption, resource: queue, reason: a reason long enough here, expires: 2027-02-30}
    """,
    )
    report = run_gate(directory, "dev", checkov=False)
    assert [f.policy for f in report.mandatory] == ["suppression-invalid"]


def test_preview_of_another_stack_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fixture = Path(__file__).resolve().parents[1] / "fixtures" / "pulumi" / "preview-show-sames.json"
    preview = tmp_path / "prod-preview.json"
    preview.write_text(fixture.read_text(encoding="utf-8").replace("urn:pulumi:dev::", "urn:pulumi:prod::"))
    directory = program(tmp_path / "prog", GOOD)
    assert main(["check", "--program", str(directory), "--from-preview", str(preview), "--no-checkov"]) == 2
    assert "this file is for stack 'prod', not 'dev' (pass --stack prod)" in capsys.readouterr().err
