"""Fixtures shared by the preflight tests."""

from __future__ import annotations

import pytest

from tests.preflight.checkov_required import checkov_missing, require_checkov


@pytest.fixture(scope="session")
def checkov_present() -> None:
    """Use (`pytest.mark.usefixtures("checkov_present")`) on every test that runs the real checkov."""
    require_checkov(checkov_missing())
