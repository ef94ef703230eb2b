"""checkov fed parts of the plan while the program runs reports exactly what one scan of the whole plan reports.

Each case synthesises a program with the warm worker streamed parts of the plan (preflight/checkov_stream.py,
preflight/checkov_worker.py), scans the whole plan with that worker, and scans the same plan with a fresh
plain `checkov` process with the same flags, config and external checks. Both reports are compared in full:
every passed, failed and skipped check with its resource and result, and the summaries. Passed checks are
in the report only without `quiet`, so both runs leave it out here (the gate sets it; it only filters
what is printed).
"""

from __future__ import annotations

import json
import re
import subprocess
import threading
from pathlib import Path
from typing import Any

import pytest
import yaml

from bench.programs import write_generated_program
from preflight import checkov_runner
from preflight.checkov_config import load_checkov_config
from preflight.engine import synthesize
from preflight.tfplan import graph_to_tfplan
from tests.preflight.programs import write_program
from tests.preflight.public_programs import PROGRAMS

ROOT = checkov_runner.REPO_ROOT
#: Small parts, so that even the small programs are streamed in several.
CHUNK = 7

#: A program's own data check (checkov takes a program's YAML checks; its Python ones are refused, review gate #10):
#: every queue states its message retention.
OWN_CHECK = """
metadata: {id: OWN_1, name: Queue sets message retention, category: GENERAL_SECURITY}
definition:
  cond_type: attribute
  resource_types: [aws_sqs_queue]
  attribute: message_retention_seconds
  operator: exists
"""


def _records(stdout: str) -> tuple[set[tuple[str, str, str, str, str]], list[Any]]:
    """(check type, outcome, check id, resource, result) of every check in checkov's JSON, and the summaries."""
    data = json.loads(stdout[min(i for i in (stdout.find("{"), stdout.find("[")) if i >= 0) :])
    reports = data if isinstance(data, list) else [data]
    records = {
        (str(r["check_type"]), outcome, c["check_id"], c["resource"], str(c["check_result"]["result"]))
        for r in reports
        for outcome in ("passed_checks", "failed_checks", "skipped_checks")
        for c in r["results"].get(outcome) or []
    }
    return records, [r["summary"] for r in reports]


def _command(program: Path, plan_file: Path, scratch: Path) -> list[str]:
    """The gate's checkov arguments for this program (its config as the gate writes it), passed checks kept."""
    config = load_checkov_config(checkov_runner.config_file_for(program))
    effective = scratch / "checkov-config.yaml"
    settings = {**config.effective(), "quiet": False}
    effective.write_text(yaml.safe_dump(settings, sort_keys=False), encoding="utf-8")
    dirs = checkov_runner.checks_dirs_for(program, scratch)
    return checkov_runner.checkov_command(checkov_runner.find_checkov(), plan_file, effective, dirs, quiet=False)


def _both_ways(program: Path, stack: str, tmp_path: Path) -> tuple[str, str, int]:
    """(streamed worker's report, one plain checkov run's report, cached results the worker used)."""
    warm = checkov_runner.WarmCheckov()
    try:
        stream = warm.stream(chunk=CHUNK)
        assert stream is not None
        graph = synthesize(program, stack, timeout=300, on_register=stream.add)
        assert stream.parts > 0 and not stream.stopped
        plan_file = warm.scratch / checkov_runner.PLAN_FILE
        plan_file.write_text(graph_to_tfplan(graph).to_json(), encoding="utf-8")
        alone_dir = tmp_path / "alone"
        alone_dir.mkdir()
        alone_plan = alone_dir / checkov_runner.PLAN_FILE
        alone_plan.write_text(plan_file.read_text(encoding="utf-8"), encoding="utf-8")
        alone: dict[str, subprocess.CompletedProcess[str]] = {}
        command = _command(program, alone_plan, alone_dir)
        one_shot = threading.Thread(
            target=lambda: alone.update(
                run=subprocess.run(
                    command, cwd=alone_dir, capture_output=True, text=True, check=False, timeout=600, env=warm._env
                )
            )
        )
        one_shot.start()  # both scans at once: the machine's two cores
        streamed = warm.scan(_command(program, plan_file, warm.scratch))
        one_shot.join()
    finally:
        warm.close()
    assert streamed.returncode in (0, 1) and alone["run"].returncode in (0, 1)
    hits = re.search(r"checkov_worker: (\d+) cached", streamed.stderr)
    assert hits is not None, streamed.stderr[-500:]
    return streamed.stdout, alone["run"].stdout, int(hits.group(1))


def _assert_same(streamed: str, alone: str) -> None:
    streamed_records, streamed_summary = _records(streamed)
    alone_records, alone_summary = _records(alone)
    assert streamed_records == alone_records
    assert [{k: v for k, v in s.items() if k != "checkov_version"} for s in streamed_summary] == [
        {k: v for k, v in s.items() if k != "checkov_version"} for s in alone_summary
    ]
    assert any(r[1] == "passed_checks" for r in alone_records)


@pytest.mark.usefixtures("checkov_present")
@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_the_template_streamed_is_scanned_as_in_one_run(tmp_path: Path, stack: str) -> None:
    streamed, alone, hits = _both_ways(ROOT, stack, tmp_path)
    _assert_same(streamed, alone)
    assert hits > 0
    # The template's .checkov.yaml skips (and the checks the pack's policies own) are honoured the same way.
    assert "CKV_AWS_117" not in streamed and "CKV_AWS_117" not in alone


@pytest.mark.usefixtures("checkov_present")
@pytest.mark.parametrize("key", ["static-website", "fargate", "eks", "apigateway-rest-and-http"])
def test_a_public_program_streamed_is_scanned_as_in_one_run(tmp_path: Path, key: str) -> None:
    program = PROGRAMS[key]
    directory = write_program(tmp_path, program.main, name=program.name, config=program.config, files=program.files)
    streamed, alone, hits = _both_ways(directory, "dev", tmp_path)
    _assert_same(streamed, alone)
    assert hits > 0


@pytest.mark.usefixtures("checkov_present")
def test_a_program_with_its_own_checks_and_skips_streamed_is_scanned_as_in_one_run(tmp_path: Path) -> None:
    """The generated bench program (a stack transform, components), its own check and its own dated skip."""
    program = write_generated_program(tmp_path / "gen", 90)
    (program / "policies" / "checkov").mkdir(parents=True)
    (program / "policies" / "checkov" / "own_queue_check.yaml").write_text(OWN_CHECK, encoding="utf-8")
    (program / ".checkov.yaml").write_text(
        "skip-check:\n  - CKV_AWS_27  # until 2027-06-30: bench queues carry no data worth encrypting\n",
        encoding="utf-8",
    )
    streamed, alone, hits = _both_ways(program, "dev", tmp_path)
    _assert_same(streamed, alone)
    records, _ = _records(alone)
    assert any(r[2] == "OWN_1" for r in records)  # the program's own check ran (at the end, both ways)
    assert not any(r[2] == "CKV_AWS_27" for r in records)  # its skip held both ways
    assert hits > 0
