"""The files of `../shared` the tests read, with a copy in the repository so that a clean clone runs them too.

`../shared/principles.yaml` (the principles) and `../shared/pulumi-files/` (files written by real Pulumi
CLIs) sit beside the repository on a developer's machine, but not necessarily beside CI's clean clone. The
tests read `../shared` when it is there and `tests/fixtures/shared/` (a byte-for-byte copy) otherwise, and
`tests/test_shared_files.py` fails when the copy and `../shared` differ, so the copy cannot go stale
unnoticed. A test that silently skipped without them would check nothing in CI.
"""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
VENDORED = REPO / "tests" / "fixtures" / "shared"
#: What the tests read from `../shared`, relative to it.
READ = ("principles.yaml", "pulumi-files")


def shared_path(relative: str) -> Path:
    """`../shared/<relative>` when present, else the repository's copy of it."""
    beside = SHARED / relative
    return beside if beside.exists() else VENDORED / relative
