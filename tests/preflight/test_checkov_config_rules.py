"""A program's `.checkov.yaml` judged skip by skip, word for word: which comment belongs to which id, the
refusal reasons and their boundaries, the notes, and the config checkov is given (bench/MUTATION.md)."""

# ruff: noqa: E501  (one case per line reads as a table)
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from preflight.checkov_config import OWNERS_ORIGIN, PACK_CONFIG, CheckovConfig, Skip, load_checkov_config, owned_checks
from preflight.errors import ConfigError
from preflight.suppressions import MAX_EXPIRY_DAYS, MIN_REASON_CHARS

TODAY = dt.date(2026, 6, 1)
REASON = "the bucket only holds public release artefacts"


def _load(tmp_path: Path, text: str) -> CheckovConfig:
    path = tmp_path / ".checkov.yaml"
    path.write_text(text, encoding="utf-8")
    return load_checkov_config(path, today=TODAY)


def _until(days: int) -> str:
    return (TODAY + dt.timedelta(days=days)).isoformat()


@pytest.mark.parametrize(
    ("comment", "refused"),
    [
        (f"until {_until(0)}: {REASON}", ""),
        (f"until {_until(MAX_EXPIRY_DAYS)}: {REASON}", ""),
        (f"UNTIL {_until(30)} - {REASON}", ""),
        (f"  until {_until(30)}:{REASON}  ", ""),
        (f"until {_until(-1)}: {REASON}", f"expired on {_until(-1)}"),
        (f"until {_until(MAX_EXPIRY_DAYS + 1)}: {REASON}", f"expires more than {MAX_EXPIRY_DAYS} days ahead"),
        (f"until 2026-02-30: {REASON}", "no expiry: write `# until YYYY-MM-DD: reason`"),
        (REASON, "no expiry: write `# until YYYY-MM-DD: reason`"),
        (f"until {_until(30)}: " + "x" * (MIN_REASON_CHARS - 1), f"no reason of at least {MIN_REASON_CHARS} characters in its comment"),
        (f"until {_until(30)}: " + "x" * MIN_REASON_CHARS, ""),
    ],
    ids=["ok_today", "ok_at_the_limit", "ok_upper_case_dash", "ok_spacing", "bad1_expired", "bad2_too_far", "bad3_not_a_date",
         "bad4_no_expiry", "bad5_reason_one_short", "ok_reason_at_the_minimum"],
)  # fmt: skip
def test_a_foreign_skip(tmp_path: Path, comment: str, refused: str) -> None:
    (skip,) = _load(tmp_path, f"skip-check:\n  - CKV_AWS_18  # {comment}\n").skips
    assert skip.refused == refused


def test_what_a_skip_records(tmp_path: Path) -> None:
    (skip,) = _load(tmp_path, f"# header\nskip-check:\n  - CKV_AWS_18  # until {_until(30)}: {REASON}\n").skips
    assert skip == Skip("CKV_AWS_18", f"{tmp_path / '.checkov.yaml'}:3", REASON, _until(30), "")
    assert skip.to_dict() == {
        "check_id": "CKV_AWS_18",
        "address": "*",
        "reason": REASON,
        "origin": f"{tmp_path / '.checkov.yaml'}:3",
        "expires": _until(30),
        "status": "honoured",
    }
    assert Skip("X", "f:1", "r", refused="why").to_dict()["status"] == "refused: why"


def test_a_glob_is_refused_for_a_program(tmp_path: Path) -> None:
    (skip,) = _load(tmp_path, f"skip-check:\n  - CKV_AWS_*  # until {_until(30)}: {REASON}\n").skips
    assert skip.refused == "a glob over many checks: name each check it skips"


def test_comments_belong_to_the_ids_under_the_key(tmp_path: Path) -> None:
    text = (
        "framework: terraform_plan  # CKV_AWS_1 is not a skip here\n"
        f"skip-check:  # until {_until(30)}: {REASON}\n"
        f"  - CKV_AWS_2  # until {_until(10)}: {REASON}\n"
        "  # a comment line inside the list\n"
        "\n"
        f"  - CKV_AWS_3  # until {_until(20)}: {REASON}\n"
        "soft-fail: false\n"
        f"check-x: CKV_AWS_4  # until {_until(5)}: {REASON}\n"
    )
    config = _load(tmp_path, text)
    assert [(s.check_id, s.origin.rsplit(":", 1)[1], s.expires) for s in config.skips] == [
        ("CKV_AWS_2", "3", _until(10)),
        ("CKV_AWS_3", "6", _until(20)),
    ]
    assert not config.soft_fail


def test_an_id_on_the_key_line_or_under_it_gets_that_line(tmp_path: Path) -> None:
    config = _load(tmp_path, "skip-check: !!str CKV_AWS_9\n")
    (skip,) = config.skips
    assert skip.origin.endswith(":1")
    assert _load(tmp_path, "skip-check:\n- CKV_AWS_9\n").skips[0].origin.endswith(":2")


def test_notes_and_effective_config(tmp_path: Path) -> None:
    config = _load(
        tmp_path,
        f"skip-check:\n  - CKV_AWS_2  # {REASON}\n  - CKV_AWS_3  # until {_until(9)}: {REASON}\ncheck: CKV_AWS_20,CKV_AWS_21\nsoft-fail: true\n",
    )
    where = tmp_path / ".checkov.yaml"
    assert config.notes() == [
        f"{where}:2: skip of CKV_AWS_2 refused (no expiry: write `# until YYYY-MM-DD: reason`); the check runs",
        f"{where}: `check:` (CKV_AWS_20, CKV_AWS_21) refused: it would switch off every other check",
        f"{where}: `soft-fail` has no effect: the gate's verdict comes from each finding's level",
    ]
    owned = [s.check_id for s in owned_checks()]
    assert config.honoured == [*owned, "CKV_AWS_3"]
    assert config.effective() == {
        "framework": ["terraform_plan", "cloudformation"],
        "skip-download": True,
        "compact": True,
        "quiet": True,
        "download-external-modules": False,
        "skip-check": [*owned, "CKV_AWS_3"],
    }


def test_the_packs_own_check_list_is_passed_on() -> None:
    config = CheckovConfig(path=PACK_CONFIG, pack=True, check=["CKV_AWS_1"])
    assert config.effective()["check"] == ["CKV_AWS_1"]
    assert "skip-check" not in config.effective()
    assert config.notes() == []


def test_an_owned_check_skipped_by_the_file_is_listed_once(tmp_path: Path) -> None:
    owned = owned_checks()[0].check_id
    config = _load(tmp_path, f"skip-check:\n  - {owned}  # until {_until(9)}: {REASON}\n")
    assert [s.check_id for s in config.all_skips].count(owned) == 1
    assert config.all_skips[0].origin.startswith(f"{OWNERS_ORIGIN}:")


def test_owned_checks_name_their_policy_and_line() -> None:
    for skip in owned_checks():
        assert skip.reason.startswith("judged by the CrossGuard policy ")
        assert int(skip.origin.rsplit(":", 1)[1]) > 0
        assert not skip.refused and "  " not in skip.reason


def test_no_file_is_an_empty_foreign_config() -> None:
    config = load_checkov_config(None)
    assert (config.path, config.pack, config.skips, config.check) == (None, False, [], [])
    assert config.all_skips == list(owned_checks())


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("- a\n- b\n", "expected a mapping of checkov options"),
        ("skip-check: [1.5]\n", "skip-check: expected check ids, got float"),
        ("check: [ckv_lower]\n", "check: 'ckv_lower' is not a check id"),
        ("skip-check: 'CKV_AWS_1, 9X'\n", "skip-check: '9X' is not a check id"),
    ],
    ids=["bad1_not_a_mapping", "bad2_not_ids", "bad3_lower_case_check", "bad4_second_of_a_string"],
)
def test_bad_files_are_one_line_naming_the_file(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        _load(tmp_path, text)
    assert str(caught.value) == f"{tmp_path / '.checkov.yaml'}: {message}"


def test_an_unreadable_file_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_checkov_config(tmp_path)
    assert str(caught.value).startswith(f"{tmp_path}: cannot read: ")


def test_empty_parts_and_an_empty_file(tmp_path: Path) -> None:
    config = _load(tmp_path, "skip-check: 'CKV_AWS_1,, ,CKV_AWS_2'\n")
    assert [s.check_id for s in config.skips] == ["CKV_AWS_1", "CKV_AWS_2"]
    assert _load(tmp_path, "").skips == []
