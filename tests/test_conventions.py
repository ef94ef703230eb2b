"""Conventions the suite keeps about itself (issue 11 §6: tests that would notice)."""

from __future__ import annotations

import re
from pathlib import Path

TESTS = Path(__file__).resolve().parent
#: `pytest.raises(Exception)` passes for any bug at all (a TypeError, a typo); assert the exception's type.
_BROAD = re.compile(r"pytest\.raises\(\s*\(?\s*(Base)?Exception\b")


def test_exceptions_are_asserted_by_type() -> None:
    offenders = [
        f"{path.relative_to(TESTS)}:{number}"
        for path in sorted(TESTS.rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if _BROAD.search(line) and path.name != Path(__file__).name
    ]
    assert offenders == []
