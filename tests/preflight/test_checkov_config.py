"""A program's .checkov.yaml read as checkov reads it; every skip traced to its line; foreign skips need a date."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import yaml

from policies.registry import all_policies
from preflight.checkov_config import OWNERS_FILE, PACK_CONFIG, load_checkov_config
from preflight.errors import ConfigError
from preflight.gate import run_gate
from preflight.report import render
from tests.preflight.programs import write_program

TODAY = dt.date(2026, 6, 1)
REASON = "the bucket only holds public release artefacts"


def _config(tmp_path: Path, text: str) -> Path:
    tmp_path.mkdir(parents=True, exist_ok=True)
    path = tmp_path / ".checkov.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_compliance_the_packs_own_skips_need_a_reason_only() -> None:
    config = load_checkov_config(PACK_CONFIG, today=TODAY)
    assert config.pack and config.skips
    assert all(not s.refused and s.reason for s in config.skips)
    assert all(s.origin.startswith(f"{PACK_CONFIG}:") and int(s.origin.rsplit(":", 1)[1]) > 0 for s in config.skips)
    assert config.effective()["skip-check"] == [s.check_id for s in config.all_skips]  # owned checks first
    assert not [n for n in config.notes() if "not passed to checkov" in n]  # its other keys are the gate's own


def test_compliance_a_list_with_reasons_and_expiries(tmp_path: Path) -> None:
    path = _config(tmp_path, f"skip-check:\n  - CKV_AWS_18  # until 2026-12-31: {REASON}\n")
    (skip,) = load_checkov_config(path, today=TODAY).skips
    assert (skip.check_id, skip.origin, skip.expires, skip.reason, skip.refused) == (
        "CKV_AWS_18",
        f"{path}:2",
        "2026-12-31",
        REASON,
        "",
    )


def test_compliance_a_comma_separated_string_as_checkov_splits_it(tmp_path: Path) -> None:
    path = _config(tmp_path, f"skip-check: CKV_AWS_18, CKV_AWS_21  # until 2026-12-31: {REASON}\n")
    config = load_checkov_config(path, today=TODAY)
    assert [(s.check_id, s.origin, s.refused) for s in config.skips] == [
        ("CKV_AWS_18", f"{path}:1", ""),
        ("CKV_AWS_21", f"{path}:1", ""),
    ]
    assert config.effective()["skip-check"] == ["CKV_AWS_116", "CKV_AWS_18", "CKV_AWS_21"]  # owned check first


@pytest.mark.parametrize(
    ("text", "refused"),
    [
        (f"skip-check:\n  - CKV_AWS_18  # {REASON}\n", "no expiry"),  # Noncompliance 1: no date
        (f"skip-check:\n  - CKV_AWS_18  # until 2026-01-31: {REASON}\n", "expired on 2026-01-31"),  # 2: past
        ("skip-check:\n  - CKV_AWS_18  # until 2026-12-31: ok\n", "no reason"),  # 3: no real reason
        ("skip-check:\n  - CKV_AWS_18\n", "no reason"),  # 4: nothing at all
        ("skip-check: [CKV_AWS_18]\n", "no reason"),  # 5: flow list, no comment
    ],
)
def test_noncompliance_foreign_skips_without_reason_or_live_expiry_are_refused(
    tmp_path: Path, text: str, refused: str
) -> None:
    config = load_checkov_config(_config(tmp_path, text), today=TODAY)
    assert config.skips[0].refused.startswith(refused)
    assert "CKV_AWS_18" not in config.effective()["skip-check"]  # checkov runs the check
    assert any("CKV_AWS_18 refused" in note for note in config.notes())


def test_noncompliance_a_foreign_check_list_is_refused_and_soft_fail_noted(tmp_path: Path) -> None:
    config = load_checkov_config(_config(tmp_path, "check: CKV_AWS_20\nsoft-fail: true\n"), today=TODAY)
    assert config.check == ["CKV_AWS_20"] and config.check_refused
    assert "check" not in config.effective()
    notes = " ".join(config.notes())
    assert "`check:` (CKV_AWS_20) refused" in notes and "soft-fail" in notes


@pytest.mark.parametrize(
    ("text", "message"),
    [("skip-check: [1, {a: b}]\n", "expected check ids"), ("skip-check: [CKV AWS 1]\n", "is not a check id")],
)
def test_bad_config_is_one_line(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_checkov_config(_config(tmp_path, text), today=TODAY)


def test_malformed_yaml_names_file_and_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"\.checkov\.yaml: line \d+: malformed YAML"):
        load_checkov_config(_config(tmp_path, "skip-check: [a,\n b: 2\n"))


PROGRAM = """
import pulumi_aws as aws
aws.s3.Bucket("site")
"""


@pytest.mark.usefixtures("checkov_present")
def test_gate_applies_only_accepted_skips_and_every_report_shows_them(tmp_path: Path) -> None:
    program = write_program(tmp_path, PROGRAM)
    far = (dt.date.today() + dt.timedelta(days=60)).isoformat()
    (program / ".checkov.yaml").write_text(
        f"skip-check:\n  - CKV_AWS_18  # until {far}: {REASON}\n  - CKV_AWS_21  # {REASON}\n", encoding="utf-8"
    )
    report = run_gate(program, "dev")
    assert report.checkov is not None and report.checkov.ran
    failed = {f.check_id for f in report.checkov.failed}
    assert "CKV_AWS_18" not in failed  # honoured: the program's own, dated exception
    assert "CKV_AWS_21" in failed  # refused: no expiry, so the check ran and its finding stands
    assert any("CKV_AWS_21 refused" in note for note in report.notes)
    for fmt in ("text", "markdown", "json", "sarif"):  # markdown escapes the path's underscores
        assert ".checkov.yaml:2" in render(report, fmt) and ".checkov.yaml:3" in render(report, fmt), fmt
    skipped = json.loads(render(report, "json"))["checkov"]["skipped"]
    assert {s["check_id"]: s["status"].split(":")[0] for s in skipped} == {
        "CKV_AWS_116": "honoured",  # owned by a CrossGuard policy (policies/checkov_principles.yaml)
        "CKV_AWS_18": "honoured",
        "CKV_AWS_21": "refused",
    }


@pytest.mark.parametrize(
    "text",
    [
        None,  # a program without a .checkov.yaml
        f"skip-check:\n  - CKV_AWS_18  # until 2026-12-31: {REASON}\n",  # its own file, silent on the check
        "skip-check:\n  - CKV_AWS_116\n",  # its own file skips it without a reason: redundant, not refused
    ],
    ids=["no-file", "own-file", "own-redundant-skip"],
)
def test_checks_a_policy_owns_are_skipped_for_every_program(tmp_path: Path, text: str | None) -> None:
    """Each rule exists once: lambda-failure-destination owns CKV_AWS_116's rule (policies/checkov_principles.yaml)."""
    config = load_checkov_config(None if text is None else _config(tmp_path, text), today=TODAY)
    assert "CKV_AWS_116" in config.effective()["skip-check"]
    (owned,) = [s for s in config.all_skips if s.check_id == "CKV_AWS_116"]
    assert owned.origin.startswith("policies/checkov_principles.yaml:") and not owned.refused
    assert "judged by the CrossGuard policy lambda-failure-destination" in owned.reason
    assert not any("CKV_AWS_116" in note for note in config.notes())


def test_every_owned_check_names_a_policy_of_the_pack() -> None:
    owners = yaml.safe_load(OWNERS_FILE.read_text(encoding="utf-8"))["owned_by_policies"]
    names = {p.name for p in all_policies()}
    assert owners and all(entry["policy"] in names and len(entry["reason"]) > 40 for entry in owners.values())


#: Every checkov option that loads code or changes which checks run or what they report, as a program's file may
#: write it, and what the gate's note must say (review finding gate #10).
LOADS_CODE, CHANGES_CHECKS = "load code", "change which checks run"
DANGEROUS_KEYS = [
    ("external-checks-dir", "[evil]", LOADS_CODE),
    ("external-checks-git", "https://example.com/evil.git", LOADS_CODE),
    ("external-checks-public-key", "key.pem", LOADS_CODE),
    ("framework", "[kubernetes]", CHANGES_CHECKS),
    ("skip-framework", "[terraform_plan]", CHANGES_CHECKS),
    ("repo-root-for-plan-enrichment", "[.]", "checkov:skip"),
    ("skip-path", "[tfplan.json]", CHANGES_CHECKS),
    ("skip-resources-without-violations", "true", CHANGES_CHECKS),
    ("baseline", ".checkov.baseline", CHANGES_CHECKS),
    ("output-baseline-as-skipped", "true", CHANGES_CHECKS),
    ("use-enforcement-rules", "true", CHANGES_CHECKS),
    ("hard-fail-on", "CRITICAL", CHANGES_CHECKS),
    ("soft-fail-on", "[CKV_AWS_20]", CHANGES_CHECKS),
    ("policy-metadata-filter", "policy.label=x", CHANGES_CHECKS),
    ("policy-metadata-filter-exception", "policy.label=x", CHANGES_CHECKS),
    ("include-all-checkov-policies", "false", CHANGES_CHECKS),
    ("run-all-external-checks", "true", CHANGES_CHECKS),
    ("bc-api-key", "k", CHANGES_CHECKS),
    ("prisma-api-url", "https://example.com", CHANGES_CHECKS),
    ("var-file", "[x.tfvars]", CHANGES_CHECKS),
    ("download-external-modules", "true", CHANGES_CHECKS),
    ("external-modules-download-path", "mods", CHANGES_CHECKS),
    ("deep-analysis", "true", CHANGES_CHECKS),
    ("directory", "[.]", CHANGES_CHECKS),
    ("file", "[main.tf]", CHANGES_CHECKS),
    ("config-file", "other.yaml", CHANGES_CHECKS),
    ("evaluate-variables", "false", CHANGES_CHECKS),
    ("skip-download", "false", "sets it itself"),
    ("output", "cli", "sets itself"),  # a harmless option: still not passed, and said
]


@pytest.mark.parametrize(("key", "value", "said"), DANGEROUS_KEYS, ids=[k for k, _, _ in DANGEROUS_KEYS])
def test_noncompliance_every_other_key_is_not_passed_to_checkov_and_noted(
    tmp_path: Path, key: str, value: str, said: str
) -> None:
    path = _config(tmp_path, f"{key}: {value}\nskip-check: []\n")
    config = load_checkov_config(path, today=TODAY)
    plain = load_checkov_config(_config(tmp_path / "plain", "skip-check: []\n"), today=TODAY)
    assert config.effective() == plain.effective()  # what checkov gets does not move
    (note,) = [n for n in config.notes() if f"`{key}`" in n]
    assert note.startswith(f"{path}: `{key}` not passed to checkov: ") and said in note
