"""Typed reading of environment variables (names live in :mod:`functions.shared.constants`)."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from typing import Any

from functions.shared.exceptions import ConfigurationError


def _environ(environ: Mapping[str, str] | None) -> Mapping[str, str]:
    return os.environ if environ is None else environ


def require(name: str, environ: Mapping[str, str] | None = None) -> str:
    """Return a non-empty environment variable or raise :class:`ConfigurationError`."""
    value = _environ(environ).get(name, "").strip()
    if not value:
        raise ConfigurationError(f"environment variable {name} is required")
    return value


def optional(name: str, default: str, environ: Mapping[str, str] | None = None) -> str:
    """Return an environment variable, or ``default`` when unset or blank."""
    value = _environ(environ).get(name, "").strip()
    return value or default


def as_int(name: str, default: int, environ: Mapping[str, str] | None = None, *, minimum: int = 0) -> int:
    """Return an integer environment variable (at least ``minimum``)."""
    raw = optional(name, str(default), environ)
    try:
        value = int(raw)
    except ValueError as exc:
        raise ConfigurationError(f"{name} must be an integer, got {raw!r}") from exc
    if value < minimum:
        raise ConfigurationError(f"{name} must be >= {minimum}, got {value}")
    return value


def as_fraction(name: str, default: float, environ: Mapping[str, str] | None = None) -> float:
    """Return a float environment variable in ``[0, 1]``."""
    raw = optional(name, str(default), environ)
    try:
        value = float(raw)
    except ValueError as exc:
        raise ConfigurationError(f"{name} must be a number, got {raw!r}") from exc
    if not 0.0 <= value <= 1.0:
        raise ConfigurationError(f"{name} must be between 0 and 1, got {value}")
    return value


def as_json_object(name: str, environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Return a required environment variable holding a JSON object."""
    raw = require(name, environ)
    try:
        value = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ConfigurationError(f"{name} must be a JSON object: {exc}") from exc
    if not isinstance(value, dict):
        raise ConfigurationError(f"{name} must be a JSON object, got {type(value).__name__}")
    return value
