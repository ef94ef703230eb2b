"""F6 of the s2 review: a program's own `policies/checkov/` adds to the pack's custom checks, never replaces
them, and a program outside this repository does not inherit the template's `.checkov.yaml` skips.

Review finding gate #10: nothing a program ships changes the pack's or checkov's verdicts. Its data (YAML)
checks are added from a copy; its Python checks, which checkov would import into its own process, are refused,
each a finding naming the file (preflight.checkov_checks)."""

from __future__ import annotations

from pathlib import Path

import pytest

from preflight.checkov_checks import REFUSED_POLICY, STAGED_DIR, program_checks
from preflight.checkov_runner import (
    CONFIG_FILE,
    EXTERNAL_CHECKS_DIR,
    REPO_ROOT,
    checkov_command,
    checks_dirs_for,
    config_file_for,
)
from preflight.findings import Level, Source
from preflight.gate import GateReport, run_gate
from tests.preflight.programs import write_program

needs_checkov = pytest.mark.usefixtures("checkov_present")
PACK_CHECKS = (REPO_ROOT / EXTERNAL_CHECKS_DIR).resolve()

PROGRAM = """
import pulumi_aws as aws
aws.cloudwatch.LogGroup("forever-logs")
aws.cloudwatch.LogGroup("kept-logs", retention_in_days=14)
"""
#: A program's own data check: fails every log group without a retention.
OWN_CHECK = """
metadata:
  id: TEAM_1
  name: log groups say how long they keep logs
  category: LOGGING
definition:
  cond_type: attribute
  resource_types: [aws_cloudwatch_log_group]
  attribute: retention_in_days
  operator: exists
"""
#: A program's Python "check" that empties checkov's resource-check registry (the pack's CKV_AGP checks included),
#: so forever-logs' CKV_AGP_6 (no retention) would pass silently if checkov imported it.
EVIL = """
from checkov.terraform.checks.resource.registry import resource_registry

resource_registry.checks.clear()
resource_registry.wildcard_checks.clear()
"""
#: A data check under one of checkov's own ids: checkov would keep it instead of its own CKV2_AWS_6.
SHADOW = """
metadata: {id: CKV2_AWS_6, name: always passes, category: GENERAL_SECURITY}
definition: {cond_type: attribute, resource_types: [aws_s3_bucket], attribute: bucket, operator: not_exists}
"""


def test_a_foreign_program_without_its_own_config_gets_none(tmp_path: Path) -> None:
    assert config_file_for(tmp_path) is None


def test_a_foreign_programs_own_config_is_used(tmp_path: Path) -> None:
    (tmp_path / CONFIG_FILE).write_text("skip-check: []\n", encoding="utf-8")
    assert config_file_for(tmp_path) == (tmp_path / CONFIG_FILE).resolve()


@pytest.mark.parametrize("program", [REPO_ROOT, REPO_ROOT / "bootstrap"])
def test_the_templates_own_programs_use_the_repositorys_config(program: Path) -> None:
    assert config_file_for(program) == REPO_ROOT / CONFIG_FILE


def test_the_pack_checks_always_run_and_a_programs_own_data_checks_are_added_from_a_copy(tmp_path: Path) -> None:
    program, scratch = tmp_path / "program", tmp_path / "scratch"
    program.mkdir()
    assert checks_dirs_for(program, scratch) == [PACK_CHECKS]
    (program / EXTERNAL_CHECKS_DIR / "more").mkdir(parents=True)
    assert checks_dirs_for(program, scratch) == [PACK_CHECKS]  # an empty folder adds nothing
    (program / EXTERNAL_CHECKS_DIR / "more" / "team.yaml").write_text(OWN_CHECK, encoding="utf-8")
    (program / EXTERNAL_CHECKS_DIR / "evil.py").write_text(EVIL, encoding="utf-8")
    assert checks_dirs_for(program, scratch) == [PACK_CHECKS, scratch / STAGED_DIR]
    copied = sorted(str(p.relative_to(scratch / STAGED_DIR)) for p in (scratch / STAGED_DIR).rglob("*") if p.is_file())
    assert copied == ["more/team.yaml"]  # no Python file is where checkov could import it
    assert checks_dirs_for(REPO_ROOT, scratch) == [PACK_CHECKS]


def test_every_checks_dir_is_passed_to_checkov(tmp_path: Path) -> None:
    command = checkov_command(Path("checkov"), tmp_path / "plan.json", None, [PACK_CHECKS, tmp_path])
    flags = [command[i + 1] for i, arg in enumerate(command) if arg == "--external-checks-dir"]
    assert flags == [str(PACK_CHECKS), str(tmp_path)]


@pytest.mark.parametrize(
    ("name", "text", "refused"),
    [
        # compliant 1: a data check under the program's own id, in YAML, YML or JSON
        ("team.yaml", OWN_CHECK, ""),
        ("team.yml", OWN_CHECK, ""),
        ("team.json", '{"metadata": {"id": "TEAM_2", "name": "n", "category": "LOGGING"}, "definition": {}}', ""),
        # compliant 2: an empty __init__.py and files checkov does not read
        ("__init__.py", "\n", ""),
        ("README.md", "# our checks", ""),
        # noncompliance 1: Python, whatever it holds
        ("evil.py", EVIL, "a Python check"),
        ("__init__.py", "import os\n", "a Python check"),
        # noncompliance 2: a data check under one of checkov's ids or in the pack's namespace (tests/preflight/
        # test_checkov_own_checks.py has the rest)
        ("shadow.yaml", SHADOW, "CKV2_AWS_6 is the id of one of checkov's own"),
        ("agp.yaml", OWN_CHECK.replace("TEAM_1", "CKV_AGP_6"), "CKV_AGP_6 is in the pack's own namespace"),
        # noncompliance 3: a data check checkov would skip without a trace
        ("broken.yaml", "metadata: [", "malformed"),
        ("noid.yaml", "metadata: {name: x}\ndefinition: {}\n", "no metadata.id"),
    ],
    ids=["yaml", "yml", "json", "empty_init", "other_file", "python", "init_with_code", "checkov_id", "pack_id",
         "malformed", "no_id"],
)  # fmt: skip
def test_each_file_of_a_programs_checks_folder_is_judged(tmp_path: Path, name: str, text: str, refused: str) -> None:
    (tmp_path / EXTERNAL_CHECKS_DIR).mkdir(parents=True)
    (tmp_path / EXTERNAL_CHECKS_DIR / name).write_text(text, encoding="utf-8")
    checks = program_checks(tmp_path, PACK_CHECKS)
    if refused:
        assert [(r.file, refused in r.reason) for r in checks.refused] == [(f"policies/checkov/{name}", True)]
        assert checks.accepted == []
    else:
        assert checks.refused == []
        assert checks.accepted == ([Path(name)] if name.endswith((".yaml", ".yml", ".json")) else [])


@pytest.fixture(scope="module")
def foreign(tmp_path_factory: pytest.TempPathFactory) -> GateReport:
    """Noncompliance 1: a foreign program with its own checks: a data check, a malicious Python file and a data
    check under checkov's id; one real gate run (checkov included)."""
    root = tmp_path_factory.mktemp("foreign-checkov")
    files = {"policies/checkov/__init__.py": "", "policies/checkov/evil.py": EVIL}
    files |= {"policies/checkov/team.yaml": OWN_CHECK, "policies/checkov/shadow.yaml": SHADOW}
    program = write_program(root, PROGRAM, name="foreign", stack="prod", files=files)
    # its config points checkov at the checks folder itself: not passed either (preflight.checkov_config)
    checks = (program / EXTERNAL_CHECKS_DIR).resolve()
    (program / CONFIG_FILE).write_text(f"external-checks-dir:\n  - {checks}\n", encoding="utf-8")
    return run_gate(program, "prod")


def _failed(report: GateReport) -> set[tuple[str, str]]:
    assert report.checkov is not None
    return {(f.check_id, f.name) for f in report.checkov.failed}


@needs_checkov
def test_a_programs_python_check_cannot_silence_the_pack_or_checkov(foreign: GateReport) -> None:
    """Without the fix evil.py empties checkov's registry and every resource check of both log groups is gone."""
    assert ("CKV_AGP_6", "forever-logs") in _failed(foreign)
    assert ("CKV_AGP_6", "kept-logs") not in _failed(foreign)
    assert ("CKV_AWS_158", "forever-logs") in _failed(foreign)  # checkov's own (no KMS key) still runs
    assert foreign.checkov is not None
    assert any("`external-checks-dir` not passed to checkov" in note for note in foreign.checkov.notes)


@needs_checkov
def test_each_refused_file_is_a_finding_at_checkovs_level(foreign: GateReport) -> None:
    refused = [f for f in foreign.violations if f.policy == REFUSED_POLICY]
    files = sorted(f.message.split(":", 1)[0] for f in refused)
    assert files == ["policies/checkov/evil.py", "policies/checkov/shadow.yaml"]
    assert {(f.level, f.source) for f in refused} == {(Level.MANDATORY, Source.CHECKOV)}  # a production stack
    assert foreign.exit_code == 1


@needs_checkov
def test_a_programs_own_data_checks_run_too_and_the_report_says_so(foreign: GateReport) -> None:
    assert ("TEAM_1", "forever-logs") in _failed(foreign)
    assert ("TEAM_1", "kept-logs") not in _failed(foreign)
    assert foreign.checkov is not None
    assert any("1 of the program's own data checks" in note for note in foreign.checkov.notes)


@needs_checkov
def test_a_foreign_program_does_not_inherit_the_templates_skips(foreign: GateReport) -> None:
    """Noncompliance 2: CKV_AWS_338 (one year of retention) is skipped for the template only, for its reasons."""
    assert ("CKV_AWS_338", "kept-logs") in _failed(foreign)
    assert foreign.checkov is not None
    assert not any(s["origin"].startswith(str(REPO_ROOT / CONFIG_FILE)) for s in foreign.checkov.skipped)


def test_a_checkov_yaml_in_the_users_home_changes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """checkov reads `~/.checkov.yaml` too (checkov 3.3.30 `get_default_config_paths`); one left on a runner, or
    written there by the program, must not narrow the scan: here it would run one check that does not exist, so
    checkov would judge nothing (review s7-2 finding 1)."""
    home = tmp_path / "home"
    home.mkdir()
    (home / ".checkov.yaml").write_text("check:\n  - CKV_NOPE_1\n", encoding="utf-8")
    monkeypatch.setenv("HOME", str(home))
    root = write_program(tmp_path / "dev", 'import pulumi_aws as aws\naws.s3.BucketV2("data")\n', stack="dev")
    report = run_gate(root, "dev")
    assert report.checkov is not None and report.checkov.ran
    assert report.checkov.failed, "checkov judged nothing: the home folder's .checkov.yaml was read"
    assert report.checkov.passed_count > 0
