"""preflight.program_inputs without a program: which files are the verdict's inputs, and what `verify` calls a change
(review s7 finding 2; P188). tests/preflight/test_program_inputs.py runs the same through whole gate runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from preflight.errors import ConfigError
from preflight.program_inputs import ProgramInputs, input_paths


def _changed(path: Path) -> str:
    return (
        f"{path}: changed while the program ran (the gate judges only the files it read before; a program must not "
        "write its own governance files)"
    )


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_the_inputs_are_the_fixed_files_the_stacks_files_and_the_programs_checks(tmp_path: Path) -> None:
    """Present or not; the stack's files by its bare name; every file under policies/checkov/, nested too, sorted."""
    _write(tmp_path / "policies" / "checkov" / "b.yaml", "")
    _write(tmp_path / "policies" / "checkov" / "a" / "deep.py", "")
    (tmp_path / "policies" / "checkov" / "empty").mkdir()
    assert [p.relative_to(tmp_path).as_posix() for p in input_paths(tmp_path, "acme/shop/prod")] == [
        "Pulumi.yaml",
        "Pulumi.yml",
        ".checkov.yaml",
        "policies/suppressions.yaml",
        "Pulumi.prod.yaml",
        "policies/config/prod.json",
        "policies/config/prod.stack-references.json",
        "policies/checkov/a/deep.py",
        "policies/checkov/b.yaml",
    ]


def test_without_a_checks_folder_only_the_named_files(tmp_path: Path) -> None:
    _write(tmp_path / "policies" / "checkov", "a file, not the folder")
    assert len(input_paths(tmp_path, "dev")) == 7


def test_the_snapshot_holds_each_files_bytes_and_none_for_an_absent_one(tmp_path: Path) -> None:
    _write(tmp_path / "Pulumi.yaml", "name: sample\n")
    taken = ProgramInputs.take(str(tmp_path), "dev")
    assert (taken.program_dir, taken.stack) == (tmp_path, "dev")
    assert taken.files[tmp_path / "Pulumi.yaml"] == b"name: sample\n"
    assert taken.files[tmp_path / "Pulumi.dev.yaml"] is None
    assert set(taken.files) == set(input_paths(tmp_path, "dev"))


def test_noncompliant_an_unreadable_input_is_one_line(tmp_path: Path) -> None:
    (tmp_path / ".checkov.yaml").mkdir()  # reading a folder fails with an OSError other than "not found"
    with pytest.raises(ConfigError) as caught:
        ProgramInputs.take(tmp_path, "dev")
    assert str(caught.value) == f"{tmp_path / '.checkov.yaml'}: cannot read: Is a directory"
    assert caught.value.__suppress_context__


def test_compliant_files_left_as_they_were_verify(tmp_path: Path) -> None:
    _write(tmp_path / "Pulumi.yaml", "name: sample\n")
    _write(tmp_path / "policies" / "checkov" / "mine.yaml", "metadata: {}\n")
    taken = ProgramInputs.take(tmp_path, "dev")
    (tmp_path / "__main__.py").write_text("print('not an input')\n", encoding="utf-8")
    taken.verify()


def test_a_file_source_has_nothing_to_verify() -> None:
    none = ProgramInputs.none()
    assert (none.program_dir, none.stack, none.files) == (None, "", {})
    none.verify()


@pytest.mark.parametrize(
    ("relative", "before", "after"),
    [
        ("policies/suppressions.yaml", None, "[]\n"),  # created
        ("policies/suppressions.yaml", "[]\n", None),  # removed
        ("Pulumi.dev.yaml", "config: {}\n", "config: {a: b}\n"),  # changed
        ("policies/checkov/new.yaml", None, "metadata: {}\n"),  # a check added where none was
    ],
    ids=["created", "removed", "changed", "new-check"],
)
def test_noncompliant_a_changed_input_is_named(
    tmp_path: Path, relative: str, before: str | None, after: str | None
) -> None:
    path = tmp_path / relative
    if before is not None:
        _write(path, before)
    taken = ProgramInputs.take(tmp_path, "dev")
    if after is None:
        path.unlink()
    else:
        _write(path, after)
    with pytest.raises(ConfigError) as caught:
        taken.verify()
    assert str(caught.value) == _changed(path)


def test_a_check_removed_after_the_snapshot_is_a_change(tmp_path: Path) -> None:
    """The snapshot's own paths are compared too, not only those present when `verify` runs."""
    check = tmp_path / "policies" / "checkov" / "mine.yaml"
    _write(check, "metadata: {}\n")
    taken = ProgramInputs.take(tmp_path, "dev")
    check.unlink()
    with pytest.raises(ConfigError) as caught:
        taken.verify()
    assert str(caught.value) == _changed(check)


def test_the_first_changed_input_in_path_order_is_named(tmp_path: Path) -> None:
    taken = ProgramInputs.take(tmp_path, "dev")
    _write(tmp_path / "policies" / "suppressions.yaml", "[]\n")
    _write(tmp_path / "Pulumi.yaml", "name: other\n")
    with pytest.raises(ConfigError) as caught:
        taken.verify()
    assert str(caught.value) == _changed(tmp_path / "Pulumi.yaml")
