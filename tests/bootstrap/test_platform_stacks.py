"""The bootstrap guards every tag key a platform stack requires, read from that stack's own file (issue 9 §3).

The deploy roles' `*`-only untags (Greengrass V2's UntagResource: no resource type, only aws:TagKeys in the
SAR) are kept off the required tags by naming their keys. A stack may require more than the base set
(`agentic-platform:requiredTagKeys`); the bootstrap reads each stack's Pulumi.<stack>.yaml through the
platform's settings loader, so dev's role cannot strip prod of a key prod alone requires.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pulumi
import pytest
import yaml

from bootstrap.platform_stacks import protected_tag_keys, required_tag_keys
from components.settings import DEFAULT_REQUIRED_TAG_KEYS
from preflight.engine import synthesize
from preflight.errors import ConfigError
from preflight.graph import ResourceGraph

from .iam_eval import Decision, Request, evaluate

ROOT = Path(__file__).resolve().parents[2]
EXTRA = "data-owner"


def _platform(tmp_path: Path, prod_extra: dict[str, Any]) -> Path:
    """A copy of the repository's stack files with prod's config changed by `prod_extra`; the bootstrap beside."""
    for name in ("Pulumi.yaml", "Pulumi.dev.yaml"):
        shutil.copy(ROOT / name, tmp_path / name)
    prod = yaml.safe_load((ROOT / "Pulumi.prod.yaml").read_text(encoding="utf-8"))
    prod["config"].update(prod_extra)
    (tmp_path / "Pulumi.prod.yaml").write_text(yaml.safe_dump(prod), encoding="utf-8")
    shutil.copytree(ROOT / "bootstrap", tmp_path / "bootstrap", ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path


def _with_extra_tag() -> dict[str, Any]:
    return {"agentic-platform:requiredTagKeys": [*DEFAULT_REQUIRED_TAG_KEYS, EXTRA]}


def test_the_repository_stacks_require_the_base_keys() -> None:
    assert required_tag_keys("dev") == DEFAULT_REQUIRED_TAG_KEYS
    assert protected_tag_keys(["dev", "prod"]) == DEFAULT_REQUIRED_TAG_KEYS


def test_a_stack_s_extra_required_key_is_protected(tmp_path: Path) -> None:
    root = _platform(tmp_path, _with_extra_tag())
    assert required_tag_keys("prod", root) == (*DEFAULT_REQUIRED_TAG_KEYS, EXTRA)
    assert protected_tag_keys(["dev", "prod"], root) == (*DEFAULT_REQUIRED_TAG_KEYS, EXTRA)
    assert protected_tag_keys(["dev"], root) == DEFAULT_REQUIRED_TAG_KEYS


@pytest.mark.parametrize(
    ("prod_extra", "message"),
    [
        # 1: a wrong type for the key the bootstrap reads.
        ({"agentic-platform:requiredTagKeys": 5}, r"^Pulumi\.prod\.yaml: agentic-platform:requiredTagKeys: "),
        # 2: a key the platform does not know (the same loader as `pulumi up` of the platform).
        ({"agentic-platform:requiredTags": ["x"]}, r"^Pulumi\.prod\.yaml: agentic-platform:requiredTags: unknown key"),
    ],
)
def test_a_bad_stack_file_stops_with_its_file_and_key(tmp_path: Path, prod_extra: dict[str, Any], message: str) -> None:
    root = _platform(tmp_path, prod_extra)
    with pytest.raises(pulumi.RunError, match=message) as caught:
        protected_tag_keys(["dev", "prod"], root)
    assert "\n" not in str(caught.value)


def test_a_missing_stack_file_stops_with_its_name(tmp_path: Path) -> None:
    with pytest.raises(pulumi.RunError, match=r"^Pulumi\.staging\.yaml: file not found"):
        required_tag_keys("staging", tmp_path)


def _deploy_role(graph: ResourceGraph, stack: str) -> tuple[Mapping[str, Any], ...]:
    """The identity policies the bootstrap's graph attaches to `stack`'s deploy role."""
    nodes = graph.custom_resources
    name = f"agentic-platform-github-deploy-{stack}"
    (role,) = [n for n in nodes if n.type == "aws:iam/role:Role" and n.inputs.get("name") == name]
    refs = {role.id, name}
    attached = {
        n.inputs["policyArn"]
        for n in nodes
        if n.type == "aws:iam/rolePolicyAttachment:RolePolicyAttachment" and n.inputs.get("role") in refs
    }
    docs = [
        json.loads(n.inputs["policy"])
        for n in nodes
        if n.type == "aws:iam/policy:Policy" and n.outputs.get("arn") in attached
    ]
    docs += [
        json.loads(n.inputs["policy"])
        for n in nodes
        if n.type == "aws:iam/rolePolicy:RolePolicy" and n.inputs.get("role") in refs
    ]
    return tuple(docs)


def test_dev_cannot_strip_prods_own_required_tag(tmp_path: Path) -> None:
    """Good case: another key still goes. Noncompliance 1: prod requires `data-owner`; before, the `*` untag
    guard named only the base keys, so dev's deploy role could remove `data-owner` from any prod resource."""
    graph = synthesize(_platform(tmp_path, _with_extra_tag()) / "bootstrap", "shared")
    for stack in ("dev", "prod"):
        docs = _deploy_role(graph, stack)
        assert evaluate(docs, Request("greengrass:UntagResource", "*", {"aws:TagKeys": ["owner"]})) is Decision.ALLOWED
        stripping = Request("greengrass:UntagResource", "*", {"aws:TagKeys": ["owner", EXTRA]})
        assert evaluate(docs, stripping) is not Decision.ALLOWED, stack


def test_a_bad_stack_file_stops_the_bootstrap_program(tmp_path: Path) -> None:
    root = _platform(tmp_path, {"agentic-platform:requiredTagKeys": 5})
    with pytest.raises(ConfigError, match=r"Pulumi\.prod\.yaml: agentic-platform:requiredTagKeys: "):
        synthesize(root / "bootstrap", "shared")
