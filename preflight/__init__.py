"""preflight: run any Pulumi Python program offline and gate what it would deploy.

A library first (`synthesize` returns the resource graph) and a CLI second (`python -m preflight`).
`synthesize` is imported on first use (PEP 562): `python -m preflight check` starts checkov before
the Pulumi SDK is loaded, so the SDK's import is hidden under checkov's start-up (bench/gate.py).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from preflight.errors import ConfigError, PreflightError, ProgramError
from preflight.graph import ResourceGraph, ResourceNode

if TYPE_CHECKING:
    from preflight.engine import synthesize

__all__ = ["ConfigError", "PreflightError", "ProgramError", "ResourceGraph", "ResourceNode", "synthesize"]


def __getattr__(name: str) -> Any:
    if name == "synthesize":
        return importlib.import_module("preflight.engine").synthesize
    raise AttributeError(f"module 'preflight' has no attribute {name!r}")
