"""`bedrock-invocation-logging` sees Bedrock use through aws-native IAM too (review4 #6), and no stack rule reads
`args.resources` by type directly, past the aws-native views (policies.lib.resources_of).

cdk-nag style: numbered Noncompliance cases (`badN_*`, a stack that calls a model and logs nothing: one
finding) and Compliance cases (`ok_*`, no Bedrock use: nothing to log).
"""

from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import Any

import pytest

import policies.rules
from policies.registry import by_name
from preflight.findings import Level
from preflight.graph import ResourceGraph
from preflight.policy_runner import PolicySetting, run_policies
from tests.policies.conftest import custom_node

INVOKE = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": "bedrock:InvokeModel",
            "Resource": "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0",
        }
    ],
}
READ = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}
TRUST = {"Version": "2012-10-17", "Statement": []}

CASES: dict[str, tuple[str, dict[str, Any]]] = {
    "bad1_classic_policy": ("aws:iam/policy:Policy", {"policy": json.dumps(INVOKE)}),
    "bad2_native_managed_policy": ("aws-native:iam:ManagedPolicy", {"policyDocument": INVOKE}),
    "bad3_native_role_inline": (
        "aws-native:iam:Role",
        {"assumeRolePolicyDocument": TRUST, "policies": [{"policyName": "p", "policyDocument": INVOKE}]},
    ),
    "bad4_native_role_policy": (
        "aws-native:iam:RolePolicy",
        {"roleName": "r", "policyName": "p", "policyDocument": INVOKE},
    ),
    "bad5_native_bedrock_agent": ("aws-native:bedrock:Agent", {"agentName": "a"}),
    "ok_native_policy_without_bedrock": ("aws-native:iam:ManagedPolicy", {"policyDocument": READ}),
    "ok_classic_policy_without_bedrock": ("aws:iam/policy:Policy", {"policy": json.dumps(READ)}),
}
BAD = sorted(name for name in CASES if name.startswith("bad"))


def _findings(name: str) -> list[str]:
    type_, inputs = CASES[name]
    node = custom_node(type_, name, inputs)
    spec = by_name()["bedrock-invocation-logging"]
    run = run_policies(
        ResourceGraph("p", "prod", [node]), policies=[spec], config={spec.name: PolicySetting(Level.MANDATORY)}
    )
    return [f.message for f in run.findings]


def test_case_numbers_are_consecutive() -> None:
    assert [int(n.split("_", 1)[0][3:]) for n in BAD] == list(range(1, len(BAD) + 1))


@pytest.mark.parametrize("name", sorted(CASES))
def test_model_calls_of_either_provider_need_logging(name: str) -> None:
    assert bool(_findings(name)) == name.startswith("bad"), name


#: Functions of policies/rules that may read `args.resources` whole, and why none of them picks resources by
#: pulumi-aws type: coverage looks for the types nobody judges (aws-native ones included); cost hands every
#: resource to the estimator, which prices by each resource's own type (policies/cost/estimator.py);
#: allowed-regions reads a region input by provider package, not by type; uses_bedrock matches Bedrock type
#: prefixes of both providers there, and reads identity documents through resources_of; provider credentials reads
#: the provider resources of both packages (policies.regions.REGIONAL_PROVIDERS), which have no views;
#: bedrock-allowed-models collects the ARNs every resource has of its own (`arn`, `...Arn`, whatever its type or
#: provider) to tell the profiles the stack creates from others' (review s11 4 #7), and judges models through
#: resources_of; security-group ingress joins the groups any resource lists together on one interface (instances,
#: ENIs, launch templates, services of either package), by the listing inputs' names, not by type.
DIRECT_READERS = {
    ("coverage", "_validate"),
    ("cost", "_check_idle_budget"),
    ("cost", "_check_unpriced"),
    ("governance", "_check_regions"),
    ("bedrock", "uses_bedrock"),
    ("provider_credentials", "_check"),
    ("bedrock", "_check_models"),
    ("network", "interfaces"),
}


def _direct_readers() -> set[tuple[str, str]]:
    found = set()
    for path in sorted(Path(policies.rules.__file__).parent.glob("*.py")):
        tree = ast.parse(path.read_text())
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(function):
                if (
                    isinstance(node, ast.Attribute)
                    and node.attr == "resources"
                    and isinstance(node.value, ast.Name)
                    and node.value.id == "args"
                ):
                    found.add((path.stem, function.name))
    return found


def test_no_stack_rule_reads_the_resources_past_the_native_views() -> None:
    """A new stack rule reads types through policies.lib.resources_of, so aws-native twins reach it."""
    assert _direct_readers() <= DIRECT_READERS, "read the stack through policies.lib.resources_of"
