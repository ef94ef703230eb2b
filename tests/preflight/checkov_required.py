"""Whether tests backed by the real checkov may skip: locally yes (saying why), under CI never.

Why: a CI runner whose `make install` silently failed to build .venv-checkov would otherwise turn
every checkov-backed test into a skip and the suite green (issue 11 §6).
"""

from __future__ import annotations

import os
from collections.abc import Mapping

import pytest

from preflight.checkov_runner import find_checkov
from preflight.errors import PreflightError

MISSING = "checkov is not installed: run `make install` to build .venv-checkov"


def checkov_missing() -> str | None:
    """Why checkov cannot run here, or None when it can."""
    try:
        find_checkov()
    except PreflightError as exc:
        return str(exc)
    return None


def under_ci(environ: Mapping[str, str]) -> bool:
    return environ.get("CI", "").strip().lower() in {"true", "1", "yes"}


def require_checkov(missing: str | None, environ: Mapping[str, str] = os.environ) -> None:
    """Skip (locally) or fail (under CI) when checkov is missing; nothing when it is there."""
    if missing is None:
        return
    if under_ci(environ):
        pytest.fail(f"{MISSING} (CI=true: checkov-backed tests must run): {missing}")
    pytest.skip(MISSING)
