"""checkov-backed tests skip locally when checkov is missing, and fail under CI."""

from __future__ import annotations

import pytest

from tests.preflight.checkov_required import require_checkov


def test_present_checkov_neither_skips_nor_fails() -> None:
    require_checkov(None, {"CI": "true"})


def test_missing_checkov_skips_locally() -> None:
    with pytest.raises(pytest.skip.Exception):
        require_checkov("not found", {})


@pytest.mark.parametrize("value", ["true", "TRUE", "1"])
def test_missing_checkov_fails_under_ci(value: str) -> None:
    with pytest.raises(pytest.fail.Exception, match="CI=true"):
        require_checkov("not found", {"CI": value})
