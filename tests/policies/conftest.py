"""Helpers for policy tests: synthesize a small Pulumi program and run one policy over its graph."""

from __future__ import annotations

import hashlib
import json
import os
import textwrap
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from policies.registry import by_name
from preflight.engine import synthesize
from preflight.findings import Finding, Level
from preflight.graph import ResourceGraph, ResourceNode
from preflight.policy_runner import PolicySetting, run_policies

HEADER = "import json\nimport pulumi\nimport pulumi_aws as aws\n\n"

#: A directory in which `synth` keeps each program's graph, for mutation runs only (bench/MUTATION.md):
#: a mutant of `policies/rules/` cannot change what the engine synthesises, so its tests may read the
#: graph the unmutated engine wrote instead of paying about a second per program per mutant. Unset in
#: `make test`, where every program is synthesised.
GRAPH_CACHE_ENV = "AGENTIC_TEST_GRAPH_CACHE"


def synth(directory: Path, body: str, *, region: str = "us-east-1", stack: str = "dev") -> ResourceGraph:
    """Write Pulumi.yaml, Pulumi.<stack>.yaml and __main__.py into `directory` and synthesize it."""
    cache = os.environ.get(GRAPH_CACHE_ENV)
    if cache:
        key = hashlib.sha256(f"{region}\0{stack}\0{body}".encode()).hexdigest()
        stored = Path(cache) / f"{key}.json"
        if not stored.is_file():
            stored.parent.mkdir(parents=True, exist_ok=True)
            stored.write_text(_synth(directory, body, region=region, stack=stack).to_json())
        # read back even when just written, so a mutation run's clean pass sees what its mutants see
        return ResourceGraph.from_dict(json.loads(stored.read_text()))
    return _synth(directory, body, region=region, stack=stack)


def _synth(directory: Path, body: str, *, region: str, stack: str) -> ResourceGraph:
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


def custom_node(type_: str, name: str, inputs: dict[str, Any], stack: str = "prod", provider: str = "") -> ResourceNode:
    """A custom resource of project `p` whose outputs are its inputs: a graph node built by hand for rule tests."""
    return ResourceNode(
        urn=f"urn:pulumi:{stack}::p::{type_}::{name}",
        type=type_,
        name=name,
        custom=True,
        parent="",
        provider=provider,
        inputs=inputs,
        outputs=inputs,
    )


def rest_method_nodes(authorization: str) -> list[ResourceNode]:
    """A REST API and one GET method whose `authorization` is given (review 6 F2, /tmp/r2/rest2_unk's shape: it may
    come from another stack, so be unknown)."""
    return [
        custom_node("aws:apigateway/restApi:RestApi", "api", {"name": "api"}),
        custom_node(
            "aws:apigateway/method:Method",
            "get",
            {"restApi": "api", "resourceId": "r", "httpMethod": "GET", "authorization": authorization},
        ),
    ]
