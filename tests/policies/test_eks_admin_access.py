"""iam-no-admin-managed-policies judges EKS access policies (issue 11 §4): a cluster-admin grant on the Kubernetes
API is an admin grant (P135, P140, P186). AmazonEKSClusterAdminPolicy at any scope, AmazonEKSAdminPolicy at the
cluster scope (EKS User Guide, "Review access policy permissions"); view/edit policies and a namespace-scoped
AmazonEKSAdminPolicy pass. cdk-nag style: Compliance and numbered Noncompliance cases, pulumi-aws and aws-native."""

from __future__ import annotations

from typing import Any

import pytest

from policies.rules.iam import admin_access_policy
from preflight.graph import ResourceGraph
from tests.policies.conftest import custom_node, flagged, run_one

ASSOCIATION = "aws:eks/accessPolicyAssociation:AccessPolicyAssociation"
NATIVE_ENTRY = "aws-native:eks:AccessEntry"
POLICY = "iam-no-admin-managed-policies"


def _arn(name: str, partition: str = "aws") -> str:
    return f"arn:{partition}:eks::aws:cluster-access-policy/{name}"


def _association(name: str, scope: dict[str, Any]) -> dict[str, Any]:
    return {
        "clusterName": "c",
        "principalArn": "arn:aws:iam::111122223333:role/ops",
        "policyArn": _arn(name),
        "accessScope": scope,
    }


CLUSTER = {"type": "cluster"}
NAMESPACE = {"type": "namespace", "namespaces": ["team-a"]}

CASES: dict[str, tuple[str, dict[str, Any], bool]] = {
    "bad1_cluster_admin": (ASSOCIATION, _association("AmazonEKSClusterAdminPolicy", CLUSTER), True),
    "bad2_cluster_admin_in_a_namespace": (ASSOCIATION, _association("AmazonEKSClusterAdminPolicy", NAMESPACE), True),
    "bad3_admin_cluster_wide": (ASSOCIATION, _association("AmazonEKSAdminPolicy", CLUSTER), True),
    "bad4_native_entry": (
        NATIVE_ENTRY,
        {
            "clusterName": "c",
            "principalArn": "arn:aws:iam::111122223333:role/ops",
            "accessPolicies": [
                {"policyArn": _arn("AmazonEKSViewPolicy"), "accessScope": CLUSTER},
                {"policyArn": _arn("AmazonEKSClusterAdminPolicy"), "accessScope": CLUSTER},
            ],
        },
        True,
    ),
    "ok1_admin_in_a_namespace": (ASSOCIATION, _association("AmazonEKSAdminPolicy", NAMESPACE), False),
    "ok2_view_cluster_wide": (ASSOCIATION, _association("AmazonEKSViewPolicy", CLUSTER), False),
    "ok3_edit_in_a_namespace": (ASSOCIATION, _association("AmazonEKSEditPolicy", NAMESPACE), False),
    "ok4_native_entry_view_only": (
        NATIVE_ENTRY,
        {
            "clusterName": "c",
            "accessPolicies": [{"policyArn": _arn("AmazonEKSAdminViewPolicy"), "accessScope": CLUSTER}],
        },
        False,
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_admin_access_policies(case: str) -> None:
    type_, inputs, bad = CASES[case]
    graph = ResourceGraph("p", "prod", [custom_node(type_, "grant", inputs)])
    assert flagged(graph, POLICY) == ({"grant"} if bad else set())


def test_the_finding_names_the_policy_and_scope() -> None:
    graph = ResourceGraph("p", "prod", [custom_node(ASSOCIATION, "grant", CASES["bad1_cluster_admin"][1])])
    (finding,) = run_one(graph, POLICY)
    assert "AmazonEKSClusterAdminPolicy at the cluster scope" in finding.message


@pytest.mark.parametrize(
    ("arn", "scope", "expected"),
    [
        (_arn("AmazonEKSClusterAdminPolicy", "aws-cn"), "cluster", "AmazonEKSClusterAdminPolicy"),
        (_arn("AmazonEKSAdminPolicy"), "namespace", None),
        ("arn:aws:iam::aws:policy/AmazonEKSClusterAdminPolicy", "cluster", None),  # not an access policy ARN
        (_arn("AmazonEKSClusterAdminPolicyX"), "cluster", None),
    ],
)
def test_what_is_an_admin_access_policy(arn: str, scope: str, expected: str | None) -> None:
    assert admin_access_policy(arn, scope) == expected
