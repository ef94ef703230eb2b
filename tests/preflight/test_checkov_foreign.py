"""F6 of the s2 review: a program's own `policies/checkov/` adds to the pack's custom checks, never replaces
them, and a program outside this repository does not inherit the template's `.checkov.yaml` skips."""

from __future__ import annotations

from pathlib import Path

import pytest

from preflight.checkov_runner import (
    CONFIG_FILE,
    EXTERNAL_CHECKS_DIR,
    REPO_ROOT,
    checkov_command,
    checks_dirs_for,
    config_file_for,
    run_checkov,
)
from preflight.engine import synthesize
from preflight.findings import CheckovResult
from tests.preflight.programs import write_program
from tests.preflight.test_checkov import CHECKOV

needs_checkov = pytest.mark.usefixtures("checkov_present")
PACK_CHECKS = (REPO_ROOT / EXTERNAL_CHECKS_DIR).resolve()

PROGRAM = """
import pulumi_aws as aws
aws.cloudwatch.LogGroup("forever-logs")
aws.cloudwatch.LogGroup("kept-logs", retention_in_days=14)
"""
#: A program's own custom check: fails every log group whose name has no `team-` prefix.
OWN_CHECK = """
from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck


class TeamPrefix(BaseResourceCheck):
    def __init__(self):
        super().__init__(name="team prefix", id="CKV_TEAM_1", categories=[CheckCategories.LOGGING],
                         supported_resources=["aws_cloudwatch_log_group"])

    def scan_resource_conf(self, conf):
        return CheckResult.FAILED


check = TeamPrefix()
"""


def test_a_foreign_program_without_its_own_config_gets_none(tmp_path: Path) -> None:
    assert config_file_for(tmp_path) is None


def test_a_foreign_programs_own_config_is_used(tmp_path: Path) -> None:
    (tmp_path / CONFIG_FILE).write_text("skip-check: []\n", encoding="utf-8")
    assert config_file_for(tmp_path) == (tmp_path / CONFIG_FILE).resolve()


@pytest.mark.parametrize("program", [REPO_ROOT, REPO_ROOT / "bootstrap"])
def test_the_templates_own_programs_use_the_repositorys_config(program: Path) -> None:
    assert config_file_for(program) == REPO_ROOT / CONFIG_FILE


def test_the_pack_checks_always_run_and_a_programs_own_are_added(tmp_path: Path) -> None:
    assert checks_dirs_for(tmp_path) == [PACK_CHECKS]
    (tmp_path / EXTERNAL_CHECKS_DIR).mkdir(parents=True)
    assert checks_dirs_for(tmp_path) == [PACK_CHECKS, (tmp_path / EXTERNAL_CHECKS_DIR).resolve()]
    assert checks_dirs_for(REPO_ROOT) == [PACK_CHECKS]


def test_every_checks_dir_is_passed_to_checkov(tmp_path: Path) -> None:
    command = checkov_command(Path("checkov"), tmp_path / "plan.json", None, [PACK_CHECKS, tmp_path])
    flags = [command[i + 1] for i, arg in enumerate(command) if arg == "--external-checks-dir"]
    assert flags == [str(PACK_CHECKS), str(tmp_path)]


@pytest.fixture(scope="module")
def foreign(tmp_path_factory: pytest.TempPathFactory) -> CheckovResult:
    """Noncompliance 1: a foreign program with its own checks dir (an unrelated module, and a real check)."""
    root = tmp_path_factory.mktemp("foreign-checkov")
    files = {"policies/checkov/__init__.py": "", "policies/checkov/evil.py": "VALUE = 1\n"}
    files["policies/checkov/team_prefix.py"] = OWN_CHECK
    program = write_program(root, PROGRAM, name="foreign", stack="prod", files=files)
    return run_checkov(synthesize(program, "prod"), program, checkov_bin=CHECKOV)


def _failed(result: CheckovResult) -> set[tuple[str, str]]:
    return {(f.check_id, f.name) for f in result.failed}


@needs_checkov
def test_a_foreign_checks_dir_keeps_the_pack_checks(foreign: CheckovResult) -> None:
    assert ("CKV_AGP_6", "forever-logs") in _failed(foreign)
    assert ("CKV_AGP_6", "kept-logs") not in _failed(foreign)


@needs_checkov
def test_a_foreign_programs_own_checks_run_too_and_the_report_says_so(foreign: CheckovResult) -> None:
    assert {("CKV_TEAM_1", "forever-logs"), ("CKV_TEAM_1", "kept-logs")} <= _failed(foreign)
    assert any("program's own custom checks" in note for note in foreign.notes)


@needs_checkov
def test_a_foreign_program_does_not_inherit_the_templates_skips(foreign: CheckovResult) -> None:
    """Noncompliance 2: CKV_AWS_338 (one year of retention) is skipped for the template only, for its reasons."""
    assert ("CKV_AWS_338", "kept-logs") in _failed(foreign)
    assert not any(s["origin"].startswith(str(REPO_ROOT / CONFIG_FILE)) for s in foreign.skipped)
