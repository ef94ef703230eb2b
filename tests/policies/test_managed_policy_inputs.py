"""Every SDK input that holds managed policy ARNs is judged or excused (review2 s10 #2).

`aws.ssoadmin.ManagedPolicyAttachmentsExclusive(managed_policy_arns=[AdministratorAccess])` passed because no
table named the type, and the grant-input scan filed `_arns` away as a reference. The installed pulumi-aws is
scanned (policies.grant_inputs.scan) for inputs named like managed policy ARNs; each must be in
policies.rules.iam MANAGED_POLICY_ARN_INPUTS (judged) or NOT_GRANTING_POLICY_ARN_INPUTS (why not).
"""

from __future__ import annotations

import functools
from typing import Any

from policies import grant_inputs
from policies.rules.iam import MANAGED_POLICY_ARN_INPUTS, NOT_GRANTING_POLICY_ARN_INPUTS
from preflight.graph import ResourceGraph
from tests.policies.conftest import custom_node, flagged


@functools.cache
def _managed_inputs() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for token, paths in grant_inputs.scan().items():
        for path in paths:
            if grant_inputs.name_kind(path[-1]) == "managed":
                found.setdefault(token, set()).add(".".join(grant_inputs.camel(step) for step in path))
    return found


def test_the_scan_finds_the_known_managed_policy_inputs() -> None:
    found = _managed_inputs()
    assert found["aws:iam/role:Role"] == {"managedPolicyArns"}
    assert found["aws:ssoadmin/managedPolicyAttachmentsExclusive:ManagedPolicyAttachmentsExclusive"] == {
        "managedPolicyArns"
    }
    assert found["aws:budgets/budgetAction:BudgetAction"] == {"definition.iamActionDefinition.policyArn"}


def test_every_managed_policy_input_of_the_sdk_is_judged_or_excused() -> None:
    unclassified = sorted(
        f"{token} {path}"
        for token, paths in _managed_inputs().items()
        for path in paths
        if MANAGED_POLICY_ARN_INPUTS.get(token) != path and token not in NOT_GRANTING_POLICY_ARN_INPUTS
    )
    assert unclassified == []


def test_no_excuse_is_stale() -> None:
    assert set(NOT_GRANTING_POLICY_ARN_INPUTS) <= set(_managed_inputs())
    assert not set(NOT_GRANTING_POLICY_ARN_INPUTS) & set(MANAGED_POLICY_ARN_INPUTS)


ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"
SECRETS_RW = "arn:aws:iam::aws:policy/SecretsManagerReadWrite"
READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"
SSO_EXCLUSIVE = "aws:ssoadmin/managedPolicyAttachmentsExclusive:ManagedPolicyAttachmentsExclusive"
QUICKSIGHT = "aws:quicksight/iamPolicyAssignment:IamPolicyAssignment"
BUDGET = "aws:budgets/budgetAction:BudgetAction"


def _graph(cases: dict[str, tuple[str, dict[str, Any]]]) -> ResourceGraph:
    return ResourceGraph("p", "prod", [custom_node(type_, name, inputs) for name, (type_, inputs) in cases.items()])


def test_admin_through_every_managed_policy_input_is_refused() -> None:
    cases: dict[str, tuple[str, dict[str, Any]]] = {
        "ok_sso_read_only": (SSO_EXCLUSIVE, {"managedPolicyArns": [READ_ONLY]}),
        "ok_quicksight_read_only": (QUICKSIGHT, {"policyArn": READ_ONLY}),
        # Noncompliance 1: the review's ssoexcl
        "bad1_sso_exclusive": (SSO_EXCLUSIVE, {"managedPolicyArns": [SECRETS_RW, ADMIN]}),
        # Noncompliance 2: QuickSight grants its users the policy
        "bad2_quicksight": (QUICKSIGHT, {"policyArn": ADMIN, "assignmentStatus": "ENABLED"}),
        # Noncompliance 3: a budget action attaches it (a nested input)
        "bad3_budget": (BUDGET, {"definition": {"iamActionDefinition": {"policyArn": ADMIN, "roles": ["r"]}}}),
    }
    assert flagged(_graph(cases), "iam-no-admin-managed-policies") == {n for n in cases if n.startswith("bad")}


def test_a_managed_policy_through_sso_exclusive_is_judged_by_its_statements() -> None:
    cases: dict[str, tuple[str, dict[str, Any]]] = {
        "ok_own_policy": (SSO_EXCLUSIVE, {"managedPolicyArns": ["arn:aws:iam::123456789012:policy/app"]}),
        # Noncompliance 1: SecretsManagerReadWrite writes secrets on *
        "bad1_secrets_rw": (SSO_EXCLUSIVE, {"managedPolicyArns": [SECRETS_RW]}),
    }
    assert flagged(_graph(cases), "iam-no-wildcard-resource-for-writes") == {"bad1_secrets_rw"}
