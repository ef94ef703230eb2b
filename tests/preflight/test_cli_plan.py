"""`preflight plan`: the tree by component, JSON, and one-line errors with exit code 2."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from preflight.cli import main
from tests.preflight.programs import write_program

ROOT = Path(__file__).resolve().parents[2]

PROGRAM = """
import pulumi
import pulumi_aws as aws

class Api(pulumi.ComponentResource):
    def __init__(self, name):
        super().__init__("agentic:api:Api", name, None)
        aws.sqs.Queue(f"{name}-queue", opts=pulumi.ResourceOptions(parent=self))
        self.register_outputs({})

Api("front")
aws.dynamodb.Table("sessions", attributes=[{"name": "id", "type": "S"}], hash_key="id")
"""


def test_plan_text_tree(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", "--program", str(write_program(tmp_path, PROGRAM))]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "sample / dev: 2 resources"
    assert "front  agentic:api:Api  Interface component" in out
    assert "front-queue  aws:sqs/queue:Queue  Interface resource" in out  # the component's layer wins
    assert "sessions  aws:dynamodb/table:Table  Storage resource" in out


def test_plan_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", "--program", str(write_program(tmp_path, PROGRAM)), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    layers = {r["name"]: r["layer"] for r in data["resources"]}
    assert layers["sessions"] == "Storage" and layers["front"] == "Interface"
    assert {"urn", "type", "name", "parent", "provider", "inputs", "dependencies", "property_dependencies"} <= set(
        data["resources"][1]
    )


FOREIGN = """
import pulumi_aws as aws
aws.sqs.Queue("orders")
aws.dynamodb.Table("sessions", attributes=[{"name": "id", "type": "S"}], hash_key="id")
"""


def test_a_foreign_program_is_not_labelled_with_the_templates_layers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    program = str(write_program(tmp_path, FOREIGN))
    assert main(["plan", "--program", program]) == 0
    out = capsys.readouterr().out
    assert "orders  aws:sqs/queue:Queue  resource" in out
    assert not any(layer in out for layer in ("Decisioning", "Storage", "Interface", "Processing"))
    assert main(["plan", "--program", program, "--format", "json"]) == 0
    assert all("layer" not in r for r in json.loads(capsys.readouterr().out)["resources"])


def test_failing_program_is_one_line_and_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    program = write_program(tmp_path, "x = {}\nx['missing']\n")
    assert main(["plan", "--program", str(program)]) == 2
    err = capsys.readouterr().err
    assert err == "preflight: error: __main__.py:2: KeyError: 'missing'\n"


def test_template_settings_error_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The template's own program, with a bad key in its stack file: file and key, exit 2."""
    program = tmp_path / "template"
    program.mkdir()
    for name in ("Pulumi.yaml", "__main__.py"):
        shutil.copy(ROOT / name, program / name)
    (program / "components").symlink_to(ROOT / "components")
    text = (ROOT / "Pulumi.dev.yaml").read_text(encoding="utf-8")
    (program / "Pulumi.dev.yaml").write_text(text + "  agentic-platform:logRetention: 7\n", encoding="utf-8")
    assert main(["plan", "--program", str(program)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1
    assert err[0].startswith("preflight: error: Pulumi.dev.yaml: agentic-platform:logRetention: unknown key")


def test_a_stack_without_a_file_is_planned_with_the_projects_defaults(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The CLI runs a stack that has no file with an empty config (pulumi/pulumi loaders.go `LoadProjectStack`)."""
    assert main(["plan", "--program", str(write_program(tmp_path, PROGRAM)), "--stack", "qa"]) == 0
    assert capsys.readouterr().out.splitlines()[0] == "sample / qa: 2 resources"


def test_unwritable_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    program = write_program(tmp_path / "p", PROGRAM)
    assert main(["plan", "--program", str(program), "--output", str(blocker / "out.txt")]) == 2
    assert "cannot write" in capsys.readouterr().err


def test_module_entry_point_exits_with_the_code_and_flushes_output(tmp_path: Path) -> None:
    """`python -m preflight` leaves without interpreter teardown; output and exit code must survive it."""
    program = write_program(tmp_path, PROGRAM)
    ok = subprocess.run(
        [sys.executable, "-m", "preflight", "plan", "--program", str(program), "--format", "json"],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert ok.returncode == 0, ok.stderr
    assert len(json.loads(ok.stdout)["resources"]) == 4
    bad = subprocess.run(
        [sys.executable, "-m", "preflight", "plan", "--program", str(program), "--stack", "a/b/c/d"],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert bad.returncode == 2
    assert bad.stderr.count("\n") == 1 and "--stack 'a/b/c/d'" in bad.stderr


def test_time_limit_exits_2_with_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    program = write_program(tmp_path, "while True:\n    pass\n")
    assert main(["plan", "--program", str(program), "--timeout", "0.5"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    line = r"preflight: error: __main__\.py:[12]: program did not finish within 0\.5 s \(set --timeout .*\)"
    assert re.fullmatch(line, err[0])


@pytest.mark.parametrize(("flag", "env"), [(["--timeout", "soon"], None), ([], "-3"), ([], "nan")])
def test_bad_time_limit_is_one_line(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    flag: list[str],
    env: str | None,
) -> None:
    if env is not None:
        monkeypatch.setenv("PREFLIGHT_TIMEOUT", env)
    assert main(["plan", "--program", str(write_program(tmp_path, "pass\n")), *flag]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    origin = "--timeout" if flag else "PREFLIGHT_TIMEOUT"
    assert len(err) == 1 and err[0].startswith(f"preflight: error: {origin}: "), err


def test_time_limit_from_the_environment(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PREFLIGHT_TIMEOUT", "0.5")
    assert main(["plan", "--program", str(write_program(tmp_path, "while True:\n    pass\n"))]) == 2
    assert "within 0.5 s" in capsys.readouterr().err
