"""`preflight cost` on a small program: JSON shape, text output, usage flags, bad input exits 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from preflight.cli import main
from tests.preflight.programs import write_program

PROGRAM = """
import pulumi_aws as aws

aws.kms.Key("key")
aws.opensearch.Domain("search")
aws.sqs.Queue("queue")
"""


def test_json_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    program = write_program(tmp_path, PROGRAM)
    code = main(
        [
            "cost",
            "--program",
            str(program),
            "--format",
            "json",
            "--requests-per-day",
            "1000",
            "--tokens-in",
            "1000",
            "--tokens-out",
            "100",
            "--tier-mix",
            "micro=0.7,lite=0.3",
        ]
    )
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    assert data["idle_monthly_usd"] == 1.0
    assert [i["resource"] for i in data["items"]] == ["key"]
    assert [u["resource"] for u in data["unpriced"]] == ["search"]
    assert [p["resource"] for p in data["pay_per_use"]] == ["queue"]
    assert data["usage"]["tier_mix"] == {"lite": 0.3, "micro": 0.7}
    assert data["usage"]["saving_usd"] > 0


def test_text_output_to_file(tmp_path: Path) -> None:
    program = write_program(tmp_path / "p", PROGRAM)
    out = tmp_path / "out" / "cost.txt"
    assert main(["cost", "--program", str(program), "--output", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert text.startswith("Idle cost of stack dev (us-east-1): $1.00/month")
    assert "Unpriced" in text and "search" in text


@pytest.mark.parametrize(
    "flags",
    [
        ["--requests-per-day", "10"],
        ["--requests-per-day", "10", "--tokens-in", "1", "--tokens-out", "1", "--tier-mix", "micro=0.5"],
    ],
)
def test_bad_usage_flags_exit_2(tmp_path: Path, flags: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    program = write_program(tmp_path, PROGRAM)
    assert main(["cost", "--program", str(program), *flags]) == 2
    assert "preflight: error:" in capsys.readouterr().err
