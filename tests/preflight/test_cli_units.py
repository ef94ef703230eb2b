"""The command line in-process, without a program: exit codes and one-line errors of `preflight.cli.main`,
`preflight policies` (text and JSON, to stdout or a file), and the options every subcommand shares."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from policies.errors import PackFileError
from policies.registry import all_policies
from preflight import cli
from preflight.commands import common
from preflight.commands import policies as policies_command
from preflight.errors import PreflightError


def test_every_command_is_offered() -> None:
    parser = cli.build_parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    assert list(commands.choices) == ["plan", "check", "export-tfplan", "policies", "cost"]


def test_a_command_is_required(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        cli.main([])
    assert caught.value.code == 2
    assert "the following arguments are required: COMMAND" in capsys.readouterr().err


def _failing(error: BaseException) -> object:
    def run(_args: argparse.Namespace) -> int:
        raise error

    return run


@pytest.mark.parametrize(
    ("error", "code", "stderr"),
    [
        (PreflightError("Pulumi.dev.yaml: bad"), 2, "preflight: error: Pulumi.dev.yaml: bad\n"),
        (PackFileError("policies/cost/prices.yaml: bad"), 2, "preflight: error: policies/cost/prices.yaml: bad\n"),
        (KeyboardInterrupt(), 130, "preflight: interrupted\n"),
    ],
    ids=["bad1_input", "bad2_pack_file", "bad3_interrupted"],
)
def test_errors_are_one_line_and_an_exit_code(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], error: BaseException, code: int, stderr: str
) -> None:
    monkeypatch.setattr(policies_command, "run", _failing(error))
    assert cli.main(["policies"]) == code
    assert capsys.readouterr().err == stderr


def test_a_command_returns_its_own_exit_code(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(policies_command, "run", lambda _args: cli.EXIT_VIOLATIONS)
    assert cli.main(["policies"]) == 1


def test_policies_as_json(tmp_path: Path) -> None:
    out = tmp_path / "deep" / "policies.json"
    assert cli.main(["policies", "--format", "json", "--output", str(out)]) == 0
    rows = json.loads(out.read_text(encoding="utf-8"))["policies"]
    specs = all_policies()
    assert [r["name"] for r in rows] == [p.name for p in specs]
    for row, spec in zip(rows, specs, strict=True):
        assert row["description"] == spec.description
        assert row["principles"] == list(spec.principles)
        assert (row["severity"], row["category"], row["kind"]) == (
            spec.severity.name.lower(),
            spec.category.value,
            spec.kind.value,
        )
        assert row["resource_types"] == list(spec.resource_types)
    ttl = next(r for r in rows if r["name"] == "session-table-ttl")
    # session-table-ttl is advisory in dev and mandatory in prod (tests/policies/test_pack.py says why).
    assert (ttl["levels"]["dev"], ttl["levels"]["prod"]) == ("advisory", "mandatory")


def test_policies_as_text(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["policies"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:5] == ["policy", "principles", "severity", "dev", "prod"]
    assert lines[-1] == f"{len(all_policies())} policies"
    spec = next(p for p in all_policies() if p.name == "session-table-ttl")
    ttl = next(line for line in lines if line.startswith("session-table-ttl "))
    assert ttl.split()[1:][: len(spec.principles) + 3] == [*spec.principles, "medium", "advisory", "mandatory"]


def test_write_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    common.write_output("to stdout", None)
    common.write_output("also stdout", "")
    assert capsys.readouterr().out == "to stdout\nalso stdout\n"
    target = tmp_path / "a" / "b.txt"
    common.write_output("one", str(target))
    assert target.read_text(encoding="utf-8") == "one\n"
    common.write_output("two\n", str(target))
    assert target.read_text(encoding="utf-8") == "two\n"
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    with pytest.raises(PreflightError) as caught:
        common.write_output("x", str(blocker / "child.txt"))
    assert str(caught.value).startswith(f"{blocker / 'child.txt'}: cannot write: ")


def test_shared_program_options(monkeypatch: pytest.MonkeyPatch) -> None:
    parser = argparse.ArgumentParser()
    common.add_program_options(parser)
    common.add_format_option(parser, ("text", "json"))
    args = parser.parse_args([])
    assert (args.program, args.stack, args.timeout, args.format) == (".", "dev", None, "text")
    monkeypatch.delenv("PREFLIGHT_TIMEOUT", raising=False)
    assert common.program_timeout(args) == 600.0
    monkeypatch.setenv("PREFLIGHT_TIMEOUT", "30")
    assert common.program_timeout(args) == 30.0
    assert common.program_timeout(parser.parse_args(["--timeout", "12.5"])) == 12.5
    assert common.program_timeout(parser.parse_args(["--timeout", "0"])) is None
    with pytest.raises(SystemExit):
        parser.parse_args(["--format", "xml"])
