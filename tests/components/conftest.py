"""Shared fixtures for component tests: run a tiny Pulumi program offline and get its graph.

`run_program(body)` writes a throwaway project into `tmp_path` with the template's own stack file
(`Pulumi.dev.yaml` or `Pulumi.prod.yaml`, optionally overridden), a `__main__.py` that loads the
settings and registers the tag transform exactly like the real `__main__.py`, then `body`; and runs
it under the engine's mocks. In `body`, `settings` (PlatformSettings), `pulumi` and `aws` are defined.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml

from preflight.engine import synthesize
from preflight.graph import ResourceGraph, ResourceNode

REPO_ROOT = Path(__file__).resolve().parents[2]

_HEADER = """\
import sys
sys.path.insert(0, {repo!r})
import pulumi
import pulumi_aws as aws
from components.settings import current_config, load_settings
from components.tagging import register_required_tags

settings = load_settings(current_config(), pulumi.get_stack(), "agentic-platform")
register_required_tags(settings.default_tags())
"""

RunProgram = Callable[..., ResourceGraph]


@pytest.fixture
def run_program(tmp_path: Path) -> RunProgram:
    """Build and synthesize a program; `overrides` replace `agentic-platform:<key>` values."""
    counter = {"n": 0}

    def run(body: str, stack: str = "dev", overrides: Mapping[str, Any] | None = None) -> ResourceGraph:
        counter["n"] += 1
        program = tmp_path / f"program{counter['n']}"
        program.mkdir()
        (program / "Pulumi.yaml").write_text("name: agentic-platform\nruntime: python\n", encoding="utf-8")
        source = REPO_ROOT / f"Pulumi.{stack}.yaml"
        config = yaml.safe_load(source.read_text(encoding="utf-8"))
        for key, value in (overrides or {}).items():
            config["config"][f"agentic-platform:{key}"] = value
        (program / f"Pulumi.{stack}.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
        main = _HEADER.format(repo=str(REPO_ROOT)) + "\n" + textwrap.dedent(body)
        (program / "__main__.py").write_text(main, encoding="utf-8")
        return synthesize(program, stack)

    return run


def policy_of(node: ResourceNode, key: str = "policy") -> dict[str, Any]:
    """A JSON policy input of `node`, parsed."""
    value = node.inputs[key]
    return json.loads(value) if isinstance(value, str) else dict(value)


def only(graph: ResourceGraph, type_token: str) -> ResourceNode:
    """The single resource of `type_token` in `graph` (fails if there are none or several)."""
    nodes = graph.of_type(type_token)
    assert len(nodes) == 1, f"expected one {type_token}, found {len(nodes)}"
    return nodes[0]


def only_named(graph: ResourceGraph, type_token: str, name: str) -> ResourceNode:
    """The single resource of `type_token` called `name` in `graph` (fails if there are none or several)."""
    [node] = [n for n in graph.of_type(type_token) if n.name == name]
    return node
