"""The repository's copy of `../shared` is the same as `../shared` (tests/shared_files.py)."""

from __future__ import annotations

import pytest

from tests.shared_files import READ, SHARED, VENDORED


def _files(root_name: str) -> dict[str, bytes]:
    found: dict[str, bytes] = {}
    for base in (SHARED, VENDORED):
        root = base / root_name
        paths = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
        for path in paths:
            found[f"{base.name}:{path.relative_to(base)}"] = path.read_bytes()
    return found


@pytest.mark.parametrize("relative", READ)
def test_the_copy_in_the_repository_is_what_shared_holds(relative: str) -> None:
    assert (VENDORED / relative).exists(), f"tests/fixtures/shared/{relative} is missing"
    if not (SHARED / relative).exists():
        pytest.skip("../shared is not beside this clone: the repository's copy is what the tests read")
    files = _files(relative)
    beside = {k.split(":", 1)[1]: v for k, v in files.items() if k.startswith(f"{SHARED.name}:")}
    copy = {k.split(":", 1)[1]: v for k, v in files.items() if k.startswith(f"{VENDORED.name}:")}
    assert copy == beside, "refresh tests/fixtures/shared from ../shared"
