"""Helpers for policy tests: synthesize a small Pulumi program and run one policy over its graph."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from policies.registry import by_name
from preflight.engine import synthesize
from preflight.findings import Finding, Level
from preflight.graph import ResourceGraph
from preflight.policy_runner import PolicySetting, run_policies

HEADER = "import json\nimport pulumi\nimport pulumi_aws as aws\n\n"


def synth(directory: Path, body: str, *, region: str = "us-east-1", stack: str = "dev") -> ResourceGraph:
    """Write Pulumi.yaml, Pulumi.<stack>.yaml and __main__.py into `directory` and synthesize it."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "Pulumi.yaml").write_text("name: policytest\nruntime: python\n")
    (directory / f"Pulumi.{stack}.yaml").write_text(f"config:\n  aws:region: {region}\n")
    (directory / "__main__.py").write_text(HEADER + textwrap.dedent(body))
    return synthesize(directory, stack)


def run_one(graph: ResourceGraph, policy: str, settings: Mapping[str, Any] | None = None) -> list[Finding]:
    """Findings of one policy, run mandatory through the gate's runner."""
    spec = by_name()[policy]
    config = {policy: PolicySetting(Level.MANDATORY, dict(settings or {}))}
    return run_policies(graph, policies=[spec], config=config).findings


def flagged(graph: ResourceGraph, policy: str, settings: Mapping[str, Any] | None = None) -> set[str]:
    """Logical names the policy flags ("" for a stack-wide violation)."""
    return {f.resource for f in run_one(graph, policy, settings)}
