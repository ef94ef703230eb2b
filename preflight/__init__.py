"""preflight: run any Pulumi Python program offline and gate what it would deploy.

A library first (`synthesize` returns the resource graph) and a CLI second (`python -m preflight`).
"""

from preflight.engine import synthesize
from preflight.errors import ConfigError, PreflightError, ProgramError
from preflight.graph import ResourceGraph, ResourceNode

__all__ = ["ConfigError", "PreflightError", "ProgramError", "ResourceGraph", "ResourceNode", "synthesize"]
