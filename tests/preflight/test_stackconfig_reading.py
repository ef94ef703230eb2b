"""`preflight.stackconfig` where run G4's mutants showed the tests silent (bench/MUTATION.md): the one-line
errors word for word (an unreadable file, PyYAML's ReaderError), and the project defaults of a `Pulumi.yml`,
of an empty project file and of a program dir without one."""

from __future__ import annotations

from pathlib import Path

import pytest

from preflight.errors import ConfigError
from preflight.stackconfig import StackConfig, load_stack_config


def _stack(tmp_path: Path, text: str = "config:\n  aws:region: eu-west-1\n", suffix: str = ".yaml") -> Path:
    path = tmp_path / f"Pulumi.dev{suffix}"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_control_character_is_one_line_without_a_line_number(tmp_path: Path) -> None:
    path = _stack(tmp_path, "config:\n  proj:name: \x07\n")
    with pytest.raises(ConfigError) as caught:
        load_stack_config(tmp_path, "proj", "dev")
    assert str(caught.value) == (
        f"{path}: malformed YAML: unacceptable character #x0007: special characters are not allowed"
    )


@pytest.mark.parametrize(
    ("error", "message"),
    [(FileNotFoundError(2, "No such file or directory"), "file not found"),
     (PermissionError(13, "Permission denied"), "cannot read: Permission denied")],
    ids=["bad1_gone_after_the_check", "bad2_unreadable"],
)  # fmt: skip
def test_a_file_that_cannot_be_read_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error: OSError, message: str
) -> None:
    path = _stack(tmp_path)

    def fail(*_args: object, **_kwargs: object) -> str:
        raise error

    monkeypatch.setattr(Path, "read_text", fail)
    with pytest.raises(ConfigError) as caught:
        load_stack_config(tmp_path, "proj", "dev")
    assert str(caught.value) == f"{path}: {message}"


def test_without_a_project_file_the_stack_file_is_all(tmp_path: Path) -> None:
    path = _stack(tmp_path)
    assert load_stack_config(tmp_path, "proj", "dev") == StackConfig(path, "dev", {"aws:region": "eu-west-1"})


@pytest.mark.parametrize(
    ("name", "text", "values"),
    [
        ("Pulumi.yml", "name: proj\nconfig:\n  tier: small\n", {"proj:tier": "small", "aws:region": "eu-west-1"}),
        ("Pulumi.yaml", "", {"aws:region": "eu-west-1"}),
    ],
    ids=["ok_pulumi_yml_defaults", "ok_empty_project_file"],
)
def test_project_defaults(tmp_path: Path, name: str, text: str, values: dict[str, str]) -> None:
    (tmp_path / name).write_text(text, encoding="utf-8")
    _stack(tmp_path, suffix=Path(name).suffix)  # the CLI reads Pulumi.dev.yml beside a Pulumi.yml (paths.go)
    assert load_stack_config(tmp_path, "proj", "dev").values == values
