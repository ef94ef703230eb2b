"""How `.checkov.yaml` is read, where run G's mutants of `preflight.checkov_config` showed the tests silent
(bench/MUTATION.md, run G): which lines belong to `skip-check`, an id whose comment cannot be placed, the exact
one-line errors, and why a key is not passed on. A skip the reader cannot tie to its comment is refused, never
honoured (an exception without a visible reason is no audit trail: P147, P188)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from preflight.checkov_config import REFUSED_KEYS, CheckovConfig, Skip, load_checkov_config
from preflight.errors import ConfigError

TODAY = dt.date(2026, 6, 1)
REASON = "the bucket only holds public release artefacts"
UNTIL = f"until 2026-07-01: {REASON}"
NO_REASON = "no reason of at least 20 characters in its comment"


def _load(tmp_path: Path, text: str) -> CheckovConfig:
    path = tmp_path / ".checkov.yaml"
    path.write_text(text, encoding="utf-8")
    return load_checkov_config(path, today=TODAY)


def test_a_column_0_comment_inside_the_block_does_not_end_it(tmp_path: Path) -> None:
    config = _load(tmp_path, f"skip-check:\n  - CKV_AWS_20  # {UNTIL}\n# the next one\n  - CKV_AWS_21  # {UNTIL}\n")
    origin = f"{tmp_path / '.checkov.yaml'}"
    assert config.skips == [
        Skip("CKV_AWS_20", f"{origin}:2", REASON, "2026-07-01", ""),
        Skip("CKV_AWS_21", f"{origin}:4", REASON, "2026-07-01", ""),
    ]


@pytest.mark.parametrize(
    "text",
    [
        f"  skip-check:\n    - CKV_AWS_20  # {UNTIL}\n",
        f"ids: &ids CKV_AWS_20  # {UNTIL}\nskip-check: *ids\n",
        f"skip-check: [CKV_AWS_19,\nCKV_AWS_20]  # {UNTIL}\n",
    ],
    ids=["bad1_indented_root", "bad2_through_an_alias", "bad3_flow_continued_at_column_0"],
)
def test_an_id_whose_comment_is_not_under_the_key_is_refused_at_line_0(tmp_path: Path, text: str) -> None:
    (skip,) = [s for s in _load(tmp_path, text).skips if s.check_id == "CKV_AWS_20"]
    assert skip == Skip("CKV_AWS_20", f"{tmp_path / '.checkov.yaml'}:0", "", "", NO_REASON)


def test_a_skip_without_until_records_no_expiry(tmp_path: Path) -> None:
    (skip,) = _load(tmp_path, f"skip-check:\n  - CKV_AWS_20  # {REASON}\n").skips
    assert (skip.expires, skip.to_dict()["expires"]) == ("", "")


def test_a_foreign_file_without_check_refuses_no_check_list(tmp_path: Path) -> None:
    config = _load(tmp_path, f"skip-check:\n  - CKV_AWS_20  # {UNTIL}\n")
    assert (config.check, config.check_refused, config.notes()) == ([], False, [])


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("skip-check: [a,\n b: 2\n", "line 3: malformed YAML"),
        ("skip-check: \x07\n", "malformed YAML"),  # PyYAML's ReaderError has no problem_mark
    ],
    ids=["bad1_line_named", "bad2_unreadable_character"],
)
def test_malformed_yaml_is_exactly_one_line(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        _load(tmp_path, text)
    assert str(caught.value) == f"{tmp_path / '.checkov.yaml'}: {message}"


def test_why_a_key_is_not_passed_reads_underscores_as_dashes(tmp_path: Path) -> None:
    config = _load(tmp_path, "external_checks_dir: checks\noutput: cli\n")
    assert config.not_passed == [
        ("external_checks_dir", REFUSED_KEYS["external-checks-dir"]),
        ("output", "an option the gate sets itself (inputs, output and checks are the gate's)"),
    ]
